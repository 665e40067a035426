"""Serve Leaflet from the installed `xstatic-leaflet` package, so the app's map works offline.

Streamlit serves `<app dir>/static/` at `/app/static/` (server.enableStaticServing); the
files are copied there from site-packages at start-up (the folder is git-ignored), so the
repository carries no copy of Leaflet. Beside them goes `leaflet_flat.js`, which the app's map
loads before Leaflet; `map_click.js` is appended to the map's own script (see the files).
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from geo.report.webmap.leaflet import LEAFLET_DIR, LEAFLET_FILES, URL_PREFIX

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
FLAT_JS = Path(__file__).with_name("leaflet_flat.js")
#: URL of `FLAT_JS` once installed.
FLAT_JS_URL = f"{URL_PREFIX}/{FLAT_JS.name}"
#: Leaflet code appended to the app's map script: a map click reaches the app without
#: streamlit-folium's 250 ms debounce (see the file).
MAP_CLICK_JS = Path(__file__).with_name("map_click.js").read_text(encoding="utf-8")


@cache
def install_static() -> Path:
    """Copy Leaflet's JS, CSS and images into the app's static folder (idempotent)."""
    target = STATIC_DIR / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    for name in LEAFLET_FILES:
        shutil.copyfile(LEAFLET_DIR / name, target / name)
    shutil.copyfile(FLAT_JS, target / FLAT_JS.name)
    for image in (LEAFLET_DIR / "images").iterdir():
        shutil.copyfile(image, target / "images" / image.name)
    return target
