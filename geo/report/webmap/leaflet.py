"""Leaflet from the installed `xstatic-leaflet` package, so every map works offline.

The app serves the files from `/app/static/leaflet` (copied there by `layers.assets`); the
standalone HTML export inlines them.
"""

from __future__ import annotations

from pathlib import Path

import folium
import xstatic.pkg.leaflet as xleaflet
from branca.element import Element

#: Where the installed package keeps Leaflet's JS, CSS and images.
LEAFLET_DIR = Path(xleaflet.BASE_DIR)
#: URL the app serves Leaflet under (Streamlit static serving).
URL_PREFIX = "/app/static/leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS and CSS as text, for standalone HTML exports."""
    return ((LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8"),
            (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8"))


def offline_map(location: tuple[float, float], zoom: int, tiles: bool = False, **kwargs: object) -> folium.Map:
    """A folium Map that loads only Leaflet, from this server (see `layers.assets.install_static`); tiles optional."""
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
