"""Scale ceiling: every indicator for 20 sites over a national road graph and workplace set.

Builds a generated graph (``benchmarks.network.make_graph``), clustered workplaces, 98
square "municipalities", 400 institutions and 350 stations, then runs the same code the app
runs (``geo.reach.indicators.prepare`` + ``site_row`` with ``NetworkEngine``). Reports seconds per
stage and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
from shapely import box

from benchmarks import in_fresh_process, row
from benchmarks.network import make_graph, make_points
from geo.data.bundle import Layers
from geo.data.provenance import Provenance
from geo.data.schema import INSTITUTION_KINDS
from geo.reach import indicators
from geo.reach.network import NetworkEngine
from geo.settings import CRS_METRIC, K17_CODES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--workplaces", type=int, default=800_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)


def _points(xy: np.ndarray, **columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, index=range(len(xy)), geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS_METRIC)


def synthetic_layers(graph, n_workplaces: int, seed: int) -> Layers:
    """Layers over the graph's extent: 98 municipalities (the first 17 carry K17 codes)."""
    rng = np.random.default_rng(seed)
    x0, x1, y0, y1 = graph.x.min(), graph.x.max(), graph.y.min(), graph.y.max()
    xs, ys = np.linspace(x0, x1, 15), np.linspace(y0, y1, 8)
    cells = [box(a, b, c, d) for a, c in zip(xs[:-1], xs[1:]) for b, d in zip(ys[:-1], ys[1:])]
    codes = [*K17_CODES, *[f"{i:04d}" for i in range(400, 400 + len(cells) - len(K17_CODES))]]
    munis = gpd.GeoDataFrame({"kommunekode": codes, "navn": codes, "population": rng.integers(20_000, 100_000, len(cells)).astype(float)},
                             geometry=cells, crs=CRS_METRIC)
    wp_xy = make_points(graph, n_workplaces, seed)
    code_of = np.clip(((wp_xy[:, 0] - x0) / (x1 - x0) * 14).astype(int), 0, 13) * 7 + np.clip(((wp_xy[:, 1] - y0) / (y1 - y0) * 7).astype(int), 0, 6)
    workplaces = _points(
        wp_xy, cvr=np.arange(n_workplaces).astype(str), pnr=None, name="x", industry_code=rng.choice(["410000", "620100", "471100"], n_workplaces),
        employees=rng.integers(1, 50, n_workplaces).astype(float), kommunekode=np.asarray(codes)[code_of], location_quality="synthetic",
    )
    inst_xy = make_points(graph, 400, seed + 1, clustered=False)
    stations_xy = make_points(graph, 350, seed + 2, clustered=False)
    prov = {n: Provenance(n, "benchmark", "", "generated", "synthetic") for n in ("municipalities", "workplaces", "institutions", "stations", "towns")}
    return Layers(
        municipalities=munis,
        workplaces=workplaces,
        institutions=_points(inst_xy, name="i", kind=rng.choice(INSTITUTION_KINDS, 400), kommunekode="", location_quality="synthetic", source="b"),
        stations=_points(stations_xy, name="s", kommunekode="", location_quality="synthetic", source="b"),
        towns=_points(stations_xy[:10], name="t", population=1),
        provenance=prov,
    )


def run(args: argparse.Namespace) -> list[dict]:
    """Run the measurement in a fresh process, so its peak memory is its own."""
    rows, peak_mb = in_fresh_process(_measure, args.nodes, args.workplaces, args.sites, args.seed)
    cmd = rows[0]["command"]
    return [*rows, row("peak resident memory (a fresh process: graph, layers, engine, indicators)", peak_mb, "MB", cmd)]


def _measure(nodes: int, workplaces: int, n_sites: int, seed: int) -> list[dict]:
    args = argparse.Namespace(nodes=nodes, workplaces=workplaces, sites=n_sites, seed=seed)
    cmd = f"python -m benchmarks scale --nodes {args.nodes} --workplaces {args.workplaces} --sites {args.sites}"
    t0 = time.perf_counter()
    graph = make_graph(args.nodes, args.seed)
    layers = synthetic_layers(graph, args.workplaces, args.seed)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = NetworkEngine(graph)
    ctx = indicators.prepare(layers, engine, codes=None)
    engine.snap(ctx.wp_xy)  # the one-off KD-tree snapping of every workplace
    t_prepare = time.perf_counter() - t0
    sites = make_points(graph, args.sites, args.seed + 9, clustered=False)
    t0 = time.perf_counter()
    for i, xy in enumerate(sites):
        indicators.site_row(ctx, f"site {i}", (float(xy[0]), float(xy[1])))
    t_sites = time.perf_counter() - t0
    label = f"{graph.n_nodes:,} nodes, {args.workplaces:,} workplaces"
    return [
        row(f"generate graph + layers ({label})", t_build, "s", cmd),
        row("prepare: engine, cluster filter, snap all workplaces (once)", t_prepare, "s", cmd),
        row(f"all indicators, {args.sites} sites (network)", t_sites, "s", cmd),
        row("per site", t_sites / max(args.sites, 1), "s/site", cmd),
    ]
