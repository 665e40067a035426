"""Suitability surface: every K17 cell's indicators over a road graph, then a weight change.

The cells are the app's H3 grid (resolution 7) over the embedded K17 municipalities; the
workplaces are the embedded 43,548 (all industries); the road graph is generated
(``benchmarks.network.make_graph``) to cover K17's extent with ``--nodes`` nodes. The
cell indicators run once (``geo.reach.surface.cell_indicators``, ``--workers`` processes);
a weight change is the app's recolour: weighted sum, top areas and the folium map's HTML.
``--cells N`` times only N cells and extrapolates to the whole grid (stated in the row),
for the national scale where the full run takes long.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from benchmarks import row
from benchmarks.network import make_graph
from geo.data.loading import load_layers
from geo.decide import suitability
from geo.decide.weights import equal_weights, rebalance
from geo.reach import indicators, surface
from geo.reach.network import NetworkEngine
from layers.surface import surface_map, surface_shapes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, default=250_000)
    parser.add_argument("--resolution", type=int, default=surface.RESOLUTION)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cells", type=int, default=0, help="time only this many cells and extrapolate (0 = all)")
    parser.add_argument("--seed", type=int, default=4)


def run(args: argparse.Namespace) -> list[dict]:
    """Build the grid and graph, time the cell indicators and a weight change."""
    cmd = (f"python -m benchmarks surface --nodes {args.nodes} --resolution {args.resolution} "
           f"--workers {args.workers} --cells {args.cells}")
    layers = load_layers(None)
    t0 = time.perf_counter()
    grid = surface.hex_grid(layers.municipalities, args.resolution)
    t_grid = time.perf_counter() - t0
    x0, y0, x1, y1 = grid.total_bounds
    spacing = max(x1 - x0, y1 - y0) / np.sqrt(args.nodes)
    ctx = indicators.prepare(layers, NetworkEngine(make_graph(args.nodes, args.seed, (x0, y0), spacing)))
    timed = grid if not args.cells else grid.iloc[np.linspace(0, len(grid) - 1, min(args.cells, len(grid))).astype(int)]
    t0, cpu0 = time.perf_counter(), _cpu()
    cells = surface.cell_indicators(ctx, timed, workers=args.workers)
    t_cells, cpu = time.perf_counter() - t0, _cpu() - cpu0
    full = t_cells * len(grid) / len(timed)
    surf = suitability.criterion_surfaces(cells)
    shapes = surface_shapes(cells)
    weights = equal_weights()
    times, cpu_times = [], []
    for step in range(5):
        weights = rebalance(weights, "value", 20.0 + 10 * step)
        t0, c0 = time.perf_counter(), time.process_time()
        total = suitability.totals(surf, weights)
        top = suitability.top_areas(surf, total, layers.towns, 5)
        surface_map(shapes, total, top).get_root().render()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    what = f"{len(grid):,} cells (H3 res {args.resolution}), {ctx.engine.graph.n_nodes:,} nodes, {len(ctx.wp_xy):,} workplaces"
    rows = [
        row(f"grid over the K17 municipalities: {len(grid):,} cells", t_grid, "s", cmd),
        row(f"cell indicators, network, {args.workers} workers: {what}"
            + ("" if not args.cells else f" (timed on {len(timed)} cells, extrapolated)"), full, "s", cmd),
        row("per cell", t_cells / len(timed), "s/cell", cmd),
        row("CPU time of the cell indicators, all processes (independent of other load)", cpu, "s", cmd),
        row(f"machine load while measured (1-min load average, {os.cpu_count()} cores)", os.getloadavg()[0], "", cmd),
        row(f"weight change: rescore {len(timed):,} cells, top areas, map HTML (median of 5)", float(np.median(times)) * 1000, "ms", cmd),
        row("same, CPU time (independent of other load)", float(np.median(cpu_times)) * 1000, "ms", cmd),
    ]
    return rows


def _cpu() -> float:
    """CPU seconds of this process and its finished worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
