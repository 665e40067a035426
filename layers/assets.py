"""Serve Leaflet from the installed `xstatic-leaflet` package, so the app's map works offline.

Streamlit serves `<app dir>/static/` at `/app/static/` (server.enableStaticServing); the
files are copied there from site-packages at start-up (the folder is git-ignored), so the
repository carries no copy of Leaflet.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from geo.report.webmap.leaflet import LEAFLET_DIR, LEAFLET_FILES

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@cache
def install_static() -> Path:
    """Copy Leaflet's JS, CSS and images into the app's static folder (idempotent)."""
    target = STATIC_DIR / "leaflet"
    (target / "images").mkdir(parents=True, exist_ok=True)
    for name in LEAFLET_FILES:
        shutil.copyfile(LEAFLET_DIR / name, target / name)
    for image in (LEAFLET_DIR / "images").iterdir():
        shutil.copyfile(image, target / "images" / image.name)
    return target
