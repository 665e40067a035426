"""Road-network travel time: the `network` catchment engine over a `RoadGraph`.

Travel times come from `scipy.sparse.csgraph.dijkstra` with a limit; points are snapped
to their nearest node with a KD-tree and the snap distance is added at a stated speed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.data.roads import DEFAULT_LIMIT_MIN, DEFAULT_MAX_SNAP_M, RoadGraph
from geo.settings import CRS_METRIC

if TYPE_CHECKING:
    import geopandas as gpd


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


HULLS_KEPT = 256  #: sites whose catchment outlines `NetworkEngine.isochrones` keeps


class NetworkEngine:
    """Catchment engine: drive minutes along a :class:`RoadGraph`.

    Parameters
    ----------
    graph : RoadGraph
    snap_speed_kmh : float, optional
        Speed for the straight gap from a point (or the site) to its nearest node;
        defaults to the graph's own recommendation (15 km/h for OSM graphs).
    limit : float
        Dijkstra search limit in minutes; anything farther is ``inf``.
    max_snap_m : float
        Points farther than this from every node are unreachable (outside the network).
    """

    method = "network"

    def __init__(
        self,
        graph: RoadGraph,
        snap_speed_kmh: float | None = None,
        limit: float = DEFAULT_LIMIT_MIN,
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
    ) -> None:
        if graph.n_nodes == 0:
            raise ValueError("road graph has no nodes")
        speed = graph.snap_speed_kmh if snap_speed_kmh is None else snap_speed_kmh
        if speed <= 0 or limit <= 0 or max_snap_m <= 0:
            raise ValueError("snap speed, limit and max_snap_m must be positive")
        self.graph = graph
        self.snap_speed_kmh = float(speed)
        self.limit = float(limit)
        self.max_snap_m = float(max_snap_m)
        self._matrix = graph.matrix.astype(np.float64).tocsr()
        self._matrix.sort_indices()
        self._tree = cKDTree(graph.xy())
        self._snap_cache: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._node_cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._hull_cache: OrderedDict[tuple, gpd.GeoDataFrame] = OrderedDict()
        self._fingerprint: str | None = None

    def __getstate__(self) -> dict:
        """Pickled (e.g. to worker processes) without the per-site caches."""
        return {**self.__dict__, "_snap_cache": OrderedDict(), "_node_cache": OrderedDict(), "_hull_cache": OrderedDict()}

    def describe(self) -> str:
        """Danish one-line description of the method and its parameters."""
        kind = " (syntetisk demodata)" if self.graph.quality == "synthetic" else ""
        return (
            f"Vejnet{kind}: rejsetid ad vejnettet ({self.graph.source}, {self.graph.date}); "
            f"afstand til nærmeste knude ved {_fmt(self.snap_speed_kmh)} km/t; "
            f"søgegrænse {_fmt(self.limit)} min"
        )

    def label(self) -> str:
        """Short Danish label for tables."""
        return "vejnet (syntetisk demonet)" if self.graph.quality == "synthetic" else "vejnet"

    # --- snapping -------------------------------------------------------------------
    def snap(self, points_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node and snap minutes per point (cached per points array content).

        Returns
        -------
        nodes : ndarray of int64
        snap_min : ndarray of float64, ``inf`` beyond ``max_snap_m``
        """
        pts = np.ascontiguousarray(np.asarray(points_xy, dtype=np.float64).reshape(-1, 2))
        key = (pts.shape, hashlib.blake2b(memoryview(pts), digest_size=16).digest())
        hit = self._snap_cache.get(key)
        if hit is not None:
            self._snap_cache.move_to_end(key)
            return hit
        if len(pts):
            dist, nodes = self._tree.query(pts, workers=-1)
        else:
            dist, nodes = np.zeros(0), np.zeros(0, dtype=np.int64)
        snap_min = np.where(dist <= self.max_snap_m, dist / 1000.0 / self.snap_speed_kmh * 60.0,
                            np.inf)
        out = (np.asarray(nodes, dtype=np.int64), snap_min)
        self._snap_cache[key] = out
        while len(self._snap_cache) > 8:
            self._snap_cache.popitem(last=False)
        return out

    # --- travel time ----------------------------------------------------------------
    def node_minutes(self, site_xy: tuple[float, float], limit: float | None = None) -> np.ndarray:
        """Minutes from the site to every node (site snap included); ``inf`` beyond the limit.

        The last few results are kept, since one site's indicators ask for several point sets.
        """
        lim = self.limit if limit is None else float(limit)
        key = (float(site_xy[0]), float(site_xy[1]), lim)
        hit = self._node_cache.get(key)
        if hit is not None:
            return hit
        out = self._node_minutes(site_xy, lim)
        out.flags.writeable = False
        self._node_cache[key] = out
        while len(self._node_cache) > 16:
            self._node_cache.popitem(last=False)
        return out

    def _node_minutes(self, site_xy: tuple[float, float], lim: float) -> np.ndarray:
        return self.node_minutes_many(np.array([site_xy], dtype=np.float64), lim)[0]

    def node_minutes_many(self, sites_xy: np.ndarray, limit: float | None = None) -> np.ndarray:
        """Minutes from each site (rows) to every node (columns), snaps included; ``inf`` beyond the limit.

        One bounded Dijkstra per site (scipy runs them in one call). Bounding every search
        by the full limit and cutting after adding the site's snap gives exactly the
        minutes of a search bounded by ``limit - snap``: settled distances do not depend on it.
        """
        lim = self.limit if limit is None else float(limit)
        sites = np.asarray(sites_xy, dtype=np.float64).reshape(-1, 2)
        node, snap = self.snap(sites)
        ok = np.flatnonzero(np.isfinite(snap) & (snap <= lim))
        out = np.full((len(sites), self.graph.n_nodes), np.inf)
        if ok.size:
            dist = dijkstra(self._matrix, directed=True, indices=node[ok], limit=lim)
            dist += snap[ok, None]
            dist[dist > lim] = np.inf
            out[ok] = dist
        return out

    def minutes(self, site_xy: tuple[float, float], points_xy: np.ndarray) -> np.ndarray:
        """Travel minutes from the site to each point; ``inf`` if unreachable or beyond the limit."""
        nodes, snap = self.snap(points_xy)
        node_min = self.node_minutes(site_xy)
        out = node_min[nodes] + snap
        out[out > self.limit] = np.inf
        return out

    def minutes_many(self, sites_xy: np.ndarray, points_xy: np.ndarray, limit: float | None = None) -> np.ndarray:
        """Minutes from each site (rows) to each point (columns); ``inf`` beyond ``limit``
        (at most the engine's search limit)."""
        lim = self.limit if limit is None else min(float(limit), self.limit)
        nodes, snap = self.snap(points_xy)
        out = self.node_minutes_many(sites_xy, lim)[:, nodes]
        out += snap
        out[out > lim] = np.inf
        return out

    def fingerprint(self) -> str:
        """Hash of the graph's nodes and edges plus the snapping and search parameters."""
        if self._fingerprint is None:
            digest = hashlib.blake2b(digest_size=16)
            for array in (self.graph.x, self.graph.y, self._matrix.indptr, self._matrix.indices, self._matrix.data):
                digest.update(np.ascontiguousarray(array).tobytes())
            self._fingerprint = f"network:{digest.hexdigest()}:{self.snap_speed_kmh!r}:{self.limit!r}:{self.max_snap_m!r}"
        return self._fingerprint

    def isochrones(
        self, site_xy: tuple[float, float], thresholds: tuple[float, ...], ratio: float = 0.3
    ) -> gpd.GeoDataFrame:
        """Concave hull of the nodes reached within each threshold (display only).

        The last `HULLS_KEPT` results are kept: the map and the board pack draw the same outlines.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``minutes``, ``geometry`` in EPSG:25832, largest threshold first (a copy).
        """
        key = (float(site_xy[0]), float(site_xy[1]), tuple(thresholds), ratio)
        hit = self._hull_cache.get(key)
        if hit is None:
            hit = self._hulls(site_xy, thresholds, ratio)
            self._hull_cache[key] = hit
            while len(self._hull_cache) > HULLS_KEPT:
                self._hull_cache.popitem(last=False)
        else:
            self._hull_cache.move_to_end(key)
        return hit.copy()

    def _hulls(self, site_xy: tuple[float, float], thresholds: tuple[float, ...], ratio: float) -> gpd.GeoDataFrame:
        node_min = self.node_minutes(site_xy, limit=max(thresholds))
        rows = []
        for t in sorted(thresholds, reverse=True):
            sel = node_min <= t
            if not sel.any():
                continue
            pts = shapely.multipoints(np.column_stack([self.graph.x[sel], self.graph.y[sel]]))
            hull = shapely.concave_hull(pts, ratio=ratio)
            if hull.geom_type != "Polygon" and hull.geom_type != "MultiPolygon":
                hull = hull.buffer(250.0)
            rows.append({"minutes": float(t), "geometry": hull})
        return gpd.GeoDataFrame(rows, columns=["minutes", "geometry"], geometry="geometry",
                                crs=CRS_METRIC)
