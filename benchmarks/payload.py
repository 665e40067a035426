"""Map payload: the app's aggregated layers vs one folium marker per workplace.

Both maps are rendered to HTML with the same Leaflet setup; bytes and build seconds are
measured in the same run. The naive map is built at ``--naive`` workplaces (it grows
linearly; at 100,000 it is too slow for a browser), ours at the same size and at full size.
"""

from __future__ import annotations

import argparse
import time

import folium

from benchmarks import row
from geo.data.sources.embedded import load_default
from geo.report.webmap.basemap import base_map, map_data
from geo.report.webmap.geojson import esc, to_display
from geo.report.webmap.leaflet import offline_map
from geo.settings import THRESHOLDS_MIN


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workplaces", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=10_000, help="workplaces drawn as markers")


def ours(layers, workplaces) -> tuple[float, int]:
    """Seconds and HTML bytes of the app's map (prepare + build + render)."""
    t0 = time.perf_counter()
    html = base_map(map_data(layers, workplaces), THRESHOLDS_MIN).get_root().render()
    return time.perf_counter() - t0, len(html.encode())


def naive(workplaces) -> tuple[float, int]:
    """Seconds and HTML bytes with one CircleMarker + tooltip per workplace."""
    t0 = time.perf_counter()
    m = offline_map((55.4, 11.8), 9)
    for row_ in to_display(workplaces).itertuples():
        folium.CircleMarker((row_.geometry.y, row_.geometry.x), radius=4, tooltip=esc(row_.name)).add_to(m)
    html = m.get_root().render()
    return time.perf_counter() - t0, len(html.encode())


def run(args: argparse.Namespace) -> list[dict]:
    layers = load_default(args.workplaces)
    small = layers.workplaces.iloc[: args.naive]
    cmd = f"python -m benchmarks payload --workplaces {args.workplaces} --naive {args.naive}"
    naive_s, naive_b = naive(small)
    ours_small_s, ours_small_b = ours(layers, small)
    ours_s, ours_b = ours(layers, layers.workplaces)
    n, full = f"{args.naive:,}", f"{args.workplaces:,}"
    return [
        row(f"naive folium markers, {n} workplaces: HTML", naive_b / 1e6, "MB", cmd),
        row(f"naive folium markers, {n} workplaces: build+render", naive_s, "s", cmd),
        row(f"app map, {n} workplaces: HTML", ours_small_b / 1e6, "MB", cmd, naive_b / ours_small_b),
        row(f"app map, {n} workplaces: build+render", ours_small_s, "s", cmd, naive_s / ours_small_s),
        row(f"app map, {full} workplaces: HTML", ours_b / 1e6, "MB", cmd),
        row(f"app map, {full} workplaces: build+render", ours_s, "s", cmd),
    ]
