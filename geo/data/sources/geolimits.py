"""Caps on the size and complexity of polygon files, checked before any expensive geometry work.

Validity checks, repair (`make_valid`) and dissolving cost far more than reading: GEOS compares
every pair of edges whose bounding boxes overlap and splits edges at every crossing. One
polygon of 10^6 random vertices takes minutes and gigabytes. So a layer is measured first –
features, vertices, overlapping edge pairs and crossings – with costs that stay bounded by
the caps in `geo.settings`, and refused with a Danish message naming the limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from geo.errors import InputFileError
from geo.settings import (
    MAX_EDGE_CROSSINGS,
    MAX_EDGE_PAIRS,
    MAX_GEO_FEATURES,
    MAX_GEO_VERTICES,
    MAX_GEOMETRY_VERTICES,
)

#: Most candidate edge pairs held in memory at once while counting (16 bytes each).
_CHUNK_PAIRS = 2_000_000


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _refuse(what_da: str, what_en: str, found_da: str, found_en: str, limit: int) -> InputFileError:
    return InputFileError(
        f"Filen ({what_da}) er for kompleks: {found_da}; højst {_fmt(limit)} er tilladt. "
        "Forenkl geometrierne (fx i QGIS: Vektor > Geometriværktøjer > Forenkl) eller del filen op.",
        f"The file ({what_en}) is too complex: {found_en}; at most {limit} allowed.",
    )


def check_features(count: int, what_da: str, what_en: str) -> None:
    """Refuse more than `MAX_GEO_FEATURES` features (counted before geometries are built)."""
    if count > MAX_GEO_FEATURES:
        raise _refuse(what_da, what_en, f"{_fmt(count)} objekter", f"{count} features", MAX_GEO_FEATURES)


def check_counts(vertices: Sequence[int] | np.ndarray, what_da: str, what_en: str) -> None:
    """Refuse too many features, too many vertices in all, or too many in one feature.

    Parameters
    ----------
    vertices
        Number of vertices (coordinate positions) of each feature, counted before any
        geometry is checked or repaired.
    what_da, what_en
        What the file holds, for the message.

    Raises
    ------
    InputFileError
        A cap in `geo.settings` is exceeded; the message names it.
    """
    counts = np.asarray(vertices, dtype=np.int64)
    check_features(len(counts), what_da, what_en)
    biggest = int(counts.max(initial=0))
    if biggest > MAX_GEOMETRY_VERTICES:
        raise _refuse(what_da, what_en, f"ét objekt har {_fmt(biggest)} punkter",
                      f"one feature has {biggest} vertices", MAX_GEOMETRY_VERTICES)
    total = int(counts.sum())
    if total > MAX_GEO_VERTICES:
        raise _refuse(what_da, what_en, f"{_fmt(total)} punkter i alt", f"{total} vertices in all",
                      MAX_GEO_VERTICES)


def _linework(geoms: np.ndarray) -> np.ndarray:
    """Rings of the polygons and the lines among `geoms` (collections opened), as LineStrings."""
    parts = shapely.get_parts(geoms[~shapely.is_missing(geoms)])
    while (collections := shapely.get_type_id(parts) == 7).any():
        parts = np.concatenate([parts[~collections], shapely.get_parts(parts[collections])])
    types = shapely.get_type_id(parts)
    rings = shapely.get_rings(parts[types == 3])
    return np.concatenate([rings, parts[(types == 1) | (types == 2)]])


def _edges(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start points, end points (n, 2) and line number of every edge."""
    coords, line = shapely.get_coordinates(_linework(geoms), return_index=True)
    same = line[:-1] == line[1:]
    return coords[:-1][same], coords[1:][same], line[:-1][same]


def _overlap_bound(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per interval [lo, hi]: how many intervals overlap it (itself included), exactly, O(n log n)."""
    return np.searchsorted(np.sort(lo), hi, "right") - np.searchsorted(np.sort(hi), lo, "left")


def _orient(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0])


def _crossings(a: np.ndarray, b: np.ndarray, i: np.ndarray, j: np.ndarray) -> int:
    """How many edge pairs (i, j) cross properly (interiors meet in one point)."""
    a1, b1, a2, b2 = a[i], b[i], a[j], b[j]
    return int(((_orient(a2, b2, a1) * _orient(a2, b2, b1) < 0)
                & (_orient(a1, b1, a2) * _orient(a1, b1, b2) < 0)).sum())


def _chunks(bound: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive edge ranges whose overlap bounds sum to at most _CHUNK_PAIRS (at least 1 edge)."""
    ends = np.cumsum(bound)
    out, start = [], 0
    while start < len(bound):
        done = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, done + _CHUNK_PAIRS, "right")))
        out.append((start, stop))
        start = stop
    return out


def check_complexity(geoms: Sequence | np.ndarray, what_da: str, what_en: str) -> None:
    """Refuse a layer whose edges overlap or cross too often for validity checks and repair.

    Counts pairs of non-neighbouring edges with overlapping bounding boxes (an STRtree over
    the edges, queried in chunks whose result size is bounded beforehand by exact 1-D overlap
    counts) and, among them, proper crossings; stops as soon as a cap is passed. Time and
    memory stay bounded by the vertex caps and `MAX_EDGE_PAIRS`.

    Raises
    ------
    InputFileError
        More than `MAX_EDGE_PAIRS` overlapping edge pairs or `MAX_EDGE_CROSSINGS` crossings.
    """
    a, b, line = _edges(np.asarray(geoms, dtype=object))
    if len(a) < 2:
        return
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    bound = np.minimum(_overlap_bound(lo[:, 0], hi[:, 0]), _overlap_bound(lo[:, 1], hi[:, 1]))
    boxes = shapely.box(lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
    tree = shapely.STRtree(boxes)
    pairs = crossings = 0
    for start, stop in _chunks(bound):
        i, j = tree.query(boxes[start:stop])
        i = i + start
        keep = (j > i) & ~((j == i + 1) & (line[i] == line[np.minimum(j, len(line) - 1)]))
        i, j = i[keep], j[keep]
        pairs += len(i)
        if pairs > MAX_EDGE_PAIRS:
            raise _refuse(what_da, what_en, f"over {_fmt(MAX_EDGE_PAIRS)} par af kanter overlapper",
                          f"over {MAX_EDGE_PAIRS} edge pairs overlap", MAX_EDGE_PAIRS)
        crossings += _crossings(a, b, i, j)
        if crossings > MAX_EDGE_CROSSINGS:
            raise _refuse(what_da, what_en,
                          f"kanterne krydser hinanden over {_fmt(MAX_EDGE_CROSSINGS)} gange "
                          "(selvskærende polygoner)",
                          f"edges cross over {MAX_EDGE_CROSSINGS} times", MAX_EDGE_CROSSINGS)
