"""Meeting exports for 20 sites at K17 scale: PDF, Excel, GeoPackage and HTML.

The project's path builds one report bundle (indicators, ranking, robustness) and renders
every format from it; the naive path recomputes the indicators for each format, as separate
tools would. Goal: all four exports of 20 sites in under 15 s.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd

from benchmarks import row
from geo.crs import to_crs
from geo.data.sites import Site, sites_frame
from geo.data.sources.embedded import load_default
from geo.decide.weights import equal_weights
from geo.reach import indicators
from geo.reach.engines import select_engine
from geo.report.bundle import build_report_data
from geo.report.formats import render
from geo.settings import CRS_DISPLAY

FORMATS = ("pdf", "xlsx", "gpkg", "html")
BYGGERI = ("41", "42", "43", "711", "813")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--method", choices=("estimate", "network"), default="network")


def _sites(layers, n: int) -> gpd.GeoDataFrame:
    towns = to_crs(layers.towns, CRS_DISPLAY).sort_values("population", ascending=False)
    chosen = [Site(name, p.y, p.x) for name, p in zip(towns["name"], towns.geometry, strict=True)][:n]
    return sites_frame(chosen, layers.municipalities)


def run(args: argparse.Namespace) -> list[dict]:
    layers = load_default()
    engine, _ = select_engine(args.method)
    sites = _sites(layers, args.sites)
    cmd = f"python -m benchmarks export --sites {args.sites} --method {args.method}"
    rows = []
    t0 = time.perf_counter()
    data = build_report_data(layers, sites, engine, codes=BYGGERI, weights=equal_weights(), scenario_name="Benchmark")
    t_bundle = time.perf_counter() - t0
    rows.append(row(f"bundle: indicators, ranking, robustness ({args.sites} sites)", t_bundle, "s", cmd))
    seconds = {}
    for fmt in FORMATS:
        t0 = time.perf_counter()
        size = len(render(data, fmt))
        seconds[fmt] = time.perf_counter() - t0
        rows.append(row(f"{fmt} ({size / 1e6:.2f} MB)", seconds[fmt], "s", cmd, goal="< 3 s (20 sites)" if fmt == "pdf" else None))
    total = t_bundle + sum(seconds.values())
    t0 = time.perf_counter()
    for _ in FORMATS:  # naive: every export recomputes the indicator table
        indicators.compute(layers, sites, engine, BYGGERI)
    naive = total + (time.perf_counter() - t0)  # the same renders plus four recomputations
    rows.append(row(f"all four exports, {args.sites} sites", total, "s", cmd, naive / total, goal="< 5 s"))
    rows.append(row("same, recomputing indicators per export", naive, "s", cmd))
    return rows
