"""Coordinate transformations, all made on one long-lived thread.

pyproj keeps its transformers per thread (that is how they are thread-safe), and Streamlit runs
every script run on a new thread: each run paid again for its first transformation, 15–25 ms,
and 6–8 ms for each further pair of coordinate systems (pyproj 3.7, this project's 2-core VM,
30 Nov 2026). Made on one worker thread, each transformer is built once per process; a
transformation then costs about 1 ms. Every transformation in the project goes through
`to_crs` or `transform` (tests/test_architecture.py checks).
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import geopandas as gpd
import numpy as np
from pyproj import Transformer

#: One thread for every transformation: its pyproj transformers stay built between runs.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="klyngested-crs")

Frame = TypeVar("Frame", gpd.GeoDataFrame, gpd.GeoSeries)


def to_crs(frame: Frame, crs: object) -> Frame:
    """``frame.to_crs(crs)``, made on the transformation thread.

    Parameters
    ----------
    frame
        Geometries with a CRS.
    crs
        Target CRS, anything pyproj accepts (``"EPSG:25832"``, a `pyproj.CRS`).

    Returns
    -------
    GeoDataFrame or GeoSeries
        A new frame in ``crs`` (geopandas' own `to_crs`).
    """
    return _WORKER.submit(frame.to_crs, crs).result()


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform(source: str, target: str, x: float | np.ndarray, y: float | np.ndarray) -> tuple:
    """Coordinates from ``source`` to ``target`` (x = easting or longitude), on the transformation thread."""
    return _WORKER.submit(_transformer(source, target).transform, x, y).result()


def transform_bounds(source: str, target: str, bounds: tuple[float, float, float, float]) -> tuple[float, ...]:
    """A bounding box (min x, min y, max x, max y) from ``source`` to ``target``, densified at the edges."""
    return _WORKER.submit(_transformer(source, target).transform_bounds, *bounds).result()
