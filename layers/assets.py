"""Serve Leaflet from the installed `xstatic-leaflet` package, so maps work offline.

Streamlit serves `<app dir>/static/` at `/app/static/` (server.enableStaticServing); the
files are copied there from site-packages at start-up (the folder is git-ignored), so the
repository carries no copy of Leaflet.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import folium
import xstatic.pkg.leaflet as xleaflet
from branca.element import Element

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
URL_PREFIX = "/app/static/leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")


@cache
def install_static() -> Path:
    """Copy Leaflet's JS, CSS and images into the app's static folder (idempotent)."""
    source = Path(xleaflet.BASE_DIR)
    target = STATIC_DIR / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    for name in LEAFLET_FILES:
        shutil.copyfile(source / name, target / name)
    for image in (source / "images").iterdir():
        shutil.copyfile(image, target / "images" / image.name)
    return target


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS and CSS as text, for standalone HTML exports."""
    source = Path(xleaflet.BASE_DIR)
    return (source / "leaflet.js").read_text(encoding="utf-8"), (source / "leaflet.css").read_text(encoding="utf-8")


def offline_map(location: tuple[float, float], zoom: int, tiles: bool = False, **kwargs: object) -> folium.Map:
    """A folium Map that loads only Leaflet, from this server (see `install_static`); tiles optional."""
    m = folium.Map(
        location=location,
        zoom_start=zoom,
        tiles="CartoDB positron" if tiles else None,
        control_scale=True,
        prefer_canvas=True,
        zoom_snap=0.25,
        **kwargs,
    )
    # metric scale only: the imperial line ("mi") means nothing to a Danish audience
    m.get_root().header.add_child(Element("<style>.leaflet-control-scale-line + .leaflet-control-scale-line"
                                          "{display: none;}</style>"), name="metric_scale_only")
    m.default_js = [("leaflet", f"{URL_PREFIX}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{URL_PREFIX}/leaflet.css")]
    return m
