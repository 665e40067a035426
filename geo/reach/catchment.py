"""Catchment engines: minutes from a site to a set of points.

One interface, two implementations: a straight-line estimate (always available, offline)
and road-network travel time (`geo.reach.network`). Indicators do not know which one they use.
"""

from __future__ import annotations

from typing import Protocol

import geopandas as gpd
import numpy as np
from shapely import Point

from geo.settings import CRS_METRIC, DETOUR_FACTOR, ESTIMATE_SPEED_KMH


class CatchmentEngine(Protocol):
    """Minutes from one site to many points (EPSG:25832 metres)."""

    #: "estimate" or "network".
    method: str

    def describe(self) -> str:
        """Danish one-line description of the method and its parameters."""
        ...

    def label(self) -> str:
        """Short Danish label for tables, e.g. 'estimat' or 'vejnet (syntetisk)'."""
        ...

    def minutes(self, site_xy: tuple[float, float], points_xy: np.ndarray) -> np.ndarray:
        """Travel minutes from the site to each point; `inf` where unreachable."""
        ...

    def minutes_many(self, sites_xy: np.ndarray, points_xy: np.ndarray, limit: float | None = None) -> np.ndarray:
        """Minutes from each of many sites (rows) to each point (columns); `inf` beyond `limit`."""
        ...

    def fingerprint(self) -> str:
        """Stable text that changes whenever the engine's travel times can change (cache keys)."""
        ...

    def isochrones(self, site_xy: tuple[float, float], thresholds: tuple[int, ...]) -> gpd.GeoDataFrame:
        """Areas reached within each threshold (column `minutes`), for display only."""
        ...


class StraightLineEstimate:
    """Drive time estimated from straight-line distance: detour factor and average speed."""

    method = "estimate"

    def __init__(self, detour: float = DETOUR_FACTOR, speed_kmh: float = ESTIMATE_SPEED_KMH) -> None:
        if detour < 1 or speed_kmh <= 0:
            raise ValueError("detour must be >= 1 and speed positive")
        self.detour = detour
        self.speed_kmh = speed_kmh

    def describe(self) -> str:
        return (
            f"Estimat: luftlinje × {self.detour:.2f} (omvejsfaktor) "
            f"ved {self.speed_kmh:.0f} km/t"
        ).replace(".", ",")

    def label(self) -> str:
        return "estimat (luftlinje)"

    def minutes(self, site_xy: tuple[float, float], points_xy: np.ndarray) -> np.ndarray:
        km = straight_km(site_xy, points_xy)
        return km * self.detour / self.speed_kmh * 60.0

    def minutes_many(self, sites_xy: np.ndarray, points_xy: np.ndarray, limit: float | None = None) -> np.ndarray:
        out = straight_km_many(sites_xy, points_xy) * self.detour / self.speed_kmh * 60.0
        if limit is not None:
            out[out > limit] = np.inf
        return out

    def fingerprint(self) -> str:
        return f"estimate:{self.detour!r}:{self.speed_kmh!r}"

    def radius_m(self, minutes: float) -> float:
        """Straight-line radius reached in `minutes`."""
        return minutes / 60.0 * self.speed_kmh / self.detour * 1000.0

    def isochrones(self, site_xy: tuple[float, float], thresholds: tuple[int, ...]) -> gpd.GeoDataFrame:
        centre = Point(site_xy)
        return gpd.GeoDataFrame(
            {"minutes": list(thresholds)},
            geometry=[centre.buffer(self.radius_m(t), quad_segs=32) for t in thresholds],
            crs=CRS_METRIC,
        )


def straight_km(site_xy: tuple[float, float], points_xy: np.ndarray) -> np.ndarray:
    """Straight-line kilometres from one point to many (metric coordinates)."""
    pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    return np.hypot(pts[:, 0] - site_xy[0], pts[:, 1] - site_xy[1]) / 1000.0


def straight_km_many(sites_xy: np.ndarray, points_xy: np.ndarray) -> np.ndarray:
    """Straight-line kilometres from each site (rows) to each point (columns)."""
    sites = np.asarray(sites_xy, dtype=float).reshape(-1, 2)
    pts = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    return np.hypot(pts[None, :, 0] - sites[:, None, 0], pts[None, :, 1] - sites[:, None, 1]) / 1000.0
