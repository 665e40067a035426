"""Cluster portfolio: 14 clusters × all K17 towns × national-scale workplaces, solved exactly.

A generated Denmark-sized area (350 × 300 km) holds ``--workplaces`` workplaces clustered
around 200 towns (lognormal employees), each in one of ``--clusters`` clusters; they are
summed into 2 km cells as `geo.decide.portfolio_data.build_problem` does. Candidates are
``--towns`` towns in a 100 × 75 km K17 block of 17 municipalities; minutes = straight
line × 1.3 at 60 km/h × a seeded pair factor U(0.9, 1.1). Timed (one office per cluster,
the issue's case): the joint MCLP (one per municipality, one fixed office), the MCLP with
the coverage floor and one office per town, the p-median, "each alone", and the seeded
robustness. Every solve prints its optimality gap.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from benchmarks import row
from geo.decide.portfolio import PortfolioOptions, PortfolioProblem, compare_alone, solve_portfolio
from geo.decide.portfolio_fair import robustness

CELL_KM = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sizes of the generated problem."""
    parser.add_argument("--clusters", type=int, default=14)
    parser.add_argument("--towns", type=int, default=120, help="candidate towns in the K17 block")
    parser.add_argument("--workplaces", type=int, default=800_000, help="workplaces nationally")
    parser.add_argument("--minutes", type=float, default=45.0)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)


def make_problem(n_clusters: int, n_towns: int, n_workplaces: int, seed: int) -> PortfolioProblem:
    """The generated portfolio (see the module docstring); seeded."""
    rng = np.random.default_rng(seed)
    hubs = rng.uniform([0, 0], [350, 300], (200, 2))
    hubs[:40] = rng.uniform([200, 50], [300, 125], (40, 2))  # the K17 block is populated too
    size = rng.pareto(1.1, len(hubs)) + 1
    xy = np.clip(hubs[rng.choice(len(hubs), n_workplaces, p=size / size.sum())] + rng.normal(0, 6, (n_workplaces, 2)),
                 0, [350, 300])
    emp = np.round(rng.lognormal(1.5, 1.1, n_workplaces))
    cluster = rng.choice(n_clusters, n_workplaces, p=rng.dirichlet(np.full(n_clusters, 3.0)))
    cells, inv = np.unique(np.floor(xy / CELL_KM).astype(np.int64), axis=0, return_inverse=True)
    inv = inv.ravel()
    W = np.zeros((n_clusters, len(cells)))
    np.add.at(W, (cluster, inv), emp)
    centre = (cells + 0.5) * CELL_KM
    towns_xy = rng.uniform([200, 50], [300, 125], (n_towns, 2))
    muni = np.clip(((towns_xy[:, 0] - 200) / 100 * 6).astype(int), 0, 5) * 3 + np.clip(((towns_xy[:, 1] - 50) / 75 * 3).astype(int), 0, 2)
    codes = np.asarray([f"{300 + min(m, 16):04d}" for m in muni])
    km = np.hypot(towns_xy[:, None, 0] - centre[None, :, 0], towns_xy[:, None, 1] - centre[None, :, 1])
    minutes = (km * 1.3 * rng.uniform(0.9, 1.1, km.shape)).astype(np.float32)
    minutes[minutes > 120] = np.inf  # beyond the network search limit
    floor_codes = tuple(sorted(set(codes)))
    floor_xy = np.asarray([towns_xy[codes == c].mean(axis=0) for c in floor_codes])
    floor_min = np.hypot(towns_xy[:, None, 0] - floor_xy[None, :, 0], towns_xy[:, None, 1] - floor_xy[None, :, 1]) * 1.3
    towns = pd.DataFrame({"name": [f"By {i}" for i in range(n_towns)], "kommunekode": codes, "kommune": codes,
                          "x": towns_xy[:, 0] * 1000, "y": towns_xy[:, 1] * 1000})
    point_muni = np.where((centre[:, 0] >= 200) & (centre[:, 0] < 300) & (centre[:, 1] >= 50) & (centre[:, 1] < 125), "K17", "DK")
    ids = tuple(f"c{i}" for i in range(n_clusters))
    return PortfolioProblem(ids, ids, towns, minutes, W, point_muni, floor_min, floor_codes)


def run(args: argparse.Namespace) -> list[dict]:
    """Generate, then time each solve; the gap of each is a row of its own."""
    cmd = (f"python -m benchmarks portfolio --clusters {args.clusters} --towns {args.towns} "
           f"--workplaces {args.workplaces} --minutes {args.minutes:g} --draws {args.draws}")
    t0 = time.perf_counter()
    problem = make_problem(args.clusters, args.towns, args.workplaces, args.seed)
    size = f"{args.clusters} clusters × {args.towns} towns × {problem.weights.shape[1]:,} demand cells"
    rows = [row(f"generate {size} ({args.workplaces:,} workplaces)", time.perf_counter() - t0, "s", cmd)]
    base = PortfolioOptions(minutes_limit=args.minutes, one_per_municipality=True, fixed=(("c0", "By 0"),), time_limit=None)
    cases = [("MCLP, one per municipality, 1 fixed", base),
             ("MCLP, coverage floor, one per town", PortfolioOptions(minutes_limit=args.minutes, per_town=1, floor=True,
                                                                    time_limit=None)),
             ("p-median, one per municipality, 1 fixed", PortfolioOptions(objective="pmedian", minutes_limit=args.minutes,
                                                                          one_per_municipality=True, fixed=base.fixed,
                                                                          time_limit=None))]
    placed = None
    for label, opt in cases:
        got = solve_portfolio(problem, opt)
        placed = placed or got
        state = "proven optimal" if got.proven else "gap open"
        rows.append(row(f"{label}: build + solve ({state})", got.seconds, "s", cmd))
        rows.append(row(f"{label}: optimality gap", 100 * got.gap, "%", cmd))
    t0 = time.perf_counter()
    _, text = compare_alone(problem, base, placed)
    rows.append(row(f"each cluster alone, same data ({text[:60]}…)", time.perf_counter() - t0, "s", cmd))
    t0 = time.perf_counter()
    rob = robustness(problem, base, placed, draws=args.draws, seed=1)
    rows.append(row(f"robustness, {rob.draws:,} seeded draws (assignment per draw)", time.perf_counter() - t0, "s", cmd))
    return rows
