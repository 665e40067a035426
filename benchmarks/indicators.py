"""Indicator table: the vectorised path vs a geopandas `sjoin` per site and threshold.

Both use the straight-line estimate (the naive approach has no network); counts are
checked equal, so the ratio compares the same answer.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
from shapely import Point

from benchmarks import row
from geo.data.sources.embedded import load_default
from geo.reach import indicators
from geo.reach.catchment import StraightLineEstimate
from geo.settings import CRS_METRIC, THRESHOLDS_MIN


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workplaces", type=int, default=0, help="0 = the embedded 43,548")
    parser.add_argument("--sites", type=int, default=20)


def _sites(layers, n: int) -> gpd.GeoDataFrame:
    towns = layers.towns.sort_values("population", ascending=False).head(n)
    gdf = gpd.GeoDataFrame({"name": towns["name"].to_numpy()}, geometry=towns.geometry.to_numpy(), crs=CRS_METRIC)
    gdf["lat"], gdf["lon"], gdf["kommunekode"], gdf["kommune"] = 0.0, 0.0, "", ""
    return gdf.reset_index(drop=True)


def naive_counts(workplaces: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, engine: StraightLineEstimate) -> np.ndarray:
    """Buffer each site per threshold and count workplaces with `sjoin` (within)."""
    out = np.zeros((len(sites), len(THRESHOLDS_MIN)), dtype=int)
    for i, site in enumerate(sites.geometry):
        for j, t in enumerate(THRESHOLDS_MIN):
            circle = gpd.GeoDataFrame(geometry=[Point(site.x, site.y).buffer(engine.radius_m(t), quad_segs=64)], crs=CRS_METRIC)
            out[i, j] = len(gpd.sjoin(workplaces[["geometry"]], circle, predicate="within"))
    return out


def run(args: argparse.Namespace) -> list[dict]:
    layers = load_default(args.workplaces or None)
    sites = _sites(layers, args.sites)
    engine = StraightLineEstimate()
    cmd = f"python -m benchmarks indicators --workplaces {args.workplaces} --sites {args.sites}"
    t0 = time.perf_counter()
    table, _ = indicators.compute(layers, sites, engine)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts = naive_counts(layers.workplaces, sites, engine)
    slow = time.perf_counter() - t0
    mine = table[[f"workplaces_{t}" for t in THRESHOLDS_MIN]].to_numpy()
    # a circle with 64 segments per quarter misses a few points right on the edge
    assert np.abs(mine - counts).max() <= max(3, int(0.001 * len(layers.workplaces))), (mine, counts)
    n = len(layers.workplaces)
    return [
        row(f"all indicators, {len(sites)} sites, {n:,} workplaces (vectorised)", ours, "s", cmd, slow / ours),
        row("workplace counts only, geopandas sjoin per site and threshold", slow, "s", cmd),
    ]
