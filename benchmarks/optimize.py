"""Location-allocation: MCLP and p-median with HiGHS from sparse matrices vs spopt's classic models.

A synthetic region (100 × 75 km, about Region Sjælland's size): candidate cells on a
grid, demand cells clustered around 30 towns with lognormal employee weights, and
travel minutes = straight line × 1.3 / 60 km/h × a seeded per-pair factor U(0.9, 1.1).

The project's path (Lagrangian bound + local search, variable fixing, exact residual
solve: enumeration, or for MCLP branching on candidates; see `geo.decide.solver`) is timed at full size: seconds and the optimality gap it
proves (0 = optimal; otherwise the gap between the best set found and the bound).

Two peers solve the classic models (one binary column per candidate, one column per
demand point or pair) on growing instances (``--spopt-sizes``) until spopt exceeds
``--spopt-cap`` seconds: spopt's MCLP/PMedian (PuLP + HiGHS), and the same models sent
straight to HiGHS as sparse matrices (`geo.decide.baselines.classic_mclp` /
``classic_pmedian``, highspy, no modelling layer). Each peer runs in its own process with
its libraries imported before the timer (model building and solving are timed, imports
are not). On the largest size spopt finished, the project's path is timed again, all
objective values must agree, and the ratio is against the faster peer.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

import numpy as np

from benchmarks import in_fresh_process, row
from geo.decide.baselines import classic_mclp, classic_pmedian, spopt_mclp, spopt_pmedian
from geo.decide.mclp import mclp
from geo.decide.pmedian import pmedian
from geo.decide.solver import DEFAULT_GAP

WIDTH_KM, HEIGHT_KM = 100.0, 75.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sizes of the generated problem."""
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--demand", type=int, default=20_000)
    parser.add_argument("--k", type=int, default=5, help="sites to choose")
    parser.add_argument("--minutes", type=float, default=30.0, help="MCLP coverage threshold")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds per solve of the project's path (the goal); the gap shows how far it got")
    parser.add_argument("--spopt-sizes", default="20x200,50x500,100x1000,200x2000",
                        help="comma list of CANDIDATESxDEMAND for the spopt comparison, smallest first")
    parser.add_argument("--spopt-cap", type=float, default=60.0,
                        help="seconds an spopt run may take (the issue's bound is 600)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="full-size solves per model (median time, worst gap)")


def make_instance(n_cand: int, n_demand: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Minutes (candidates × demand, float32) and demand weights; seeded."""
    rng = np.random.default_rng(seed)
    nx = max(1, round(math.sqrt(n_cand * WIDTH_KM / HEIGHT_KM)))
    ny = math.ceil(n_cand / nx)
    gx, gy = np.meshgrid((np.arange(nx) + 0.5) * WIDTH_KM / nx, (np.arange(ny) + 0.5) * HEIGHT_KM / ny)
    cand = np.column_stack([gx.ravel(), gy.ravel()])[:n_cand]
    towns = rng.uniform([0, 0], [WIDTH_KM, HEIGHT_KM], (30, 2))
    size = rng.pareto(1.2, 30) + 1
    k = int(0.7 * n_demand)
    dem = np.empty((n_demand, 2))
    dem[:k] = towns[rng.choice(30, k, p=size / size.sum())] + rng.normal(0, 4.0, (k, 2))
    dem[k:] = rng.uniform([0, 0], [WIDTH_KM, HEIGHT_KM], (n_demand - k, 2))
    dem = np.clip(dem, 0, [WIDTH_KM, HEIGHT_KM])
    weights = np.round(rng.lognormal(2.0, 1.0, n_demand))
    km = np.hypot(cand[:, None, 0] - dem[None, :, 0], cand[:, None, 1] - dem[None, :, 1])
    minutes = (km * 1.3 / 60.0 * 60.0 * rng.uniform(0.9, 1.1, km.shape)).astype(np.float32)
    return minutes, weights


PEERS = {"spopt": "spopt classic {label} (PuLP + HiGHS)", "highs": "classic {label} straight to HiGHS (highspy, sparse)"}


def peer_solve(peer: str, kind: str, minutes: np.ndarray, weights: np.ndarray, k: int, t: float) -> tuple[float, float]:
    """Seconds (model building and solving) and objective of a peer; run in a fresh process."""
    null = os.open(os.devnull, os.O_WRONLY)  # HiGHS's banner (PuLP creates Highs before msg=False applies)
    os.dup2(null, 1)
    if peer == "spopt":
        import pulp  # noqa: F401  # optional: peer baseline, imported before the timer
        import spopt.locate  # noqa: F401  # optional: peer baseline, imported before the timer
    t0 = time.perf_counter()
    if peer == "spopt":
        _, obj = spopt_mclp(minutes, weights, k, t) if kind == "mclp" else spopt_pmedian(minutes, weights, k)
    else:
        _, obj, _ = (classic_mclp(minutes, weights, k, t, gap=DEFAULT_GAP) if kind == "mclp"
                     else classic_pmedian(minutes, weights, k, gap=DEFAULT_GAP))  # the project's gap
    return time.perf_counter() - t0, obj


def peer_timed(peer: str, kind: str, minutes: np.ndarray, weights: np.ndarray, k: int, t: float,
               cap: float) -> tuple[float, float] | None:
    """(seconds, objective) of a peer in its own process, or None past ``cap`` seconds."""
    got = in_fresh_process(peer_solve, peer, kind, minutes, weights, k, t, timeout=cap)
    return None if got is None else got[0]


def _ours(kind: str, minutes: np.ndarray, weights: np.ndarray, args: argparse.Namespace):
    if kind == "mclp":
        return mclp(minutes, weights, args.k, args.minutes, threads=args.threads, time_limit=args.time_limit)
    return pmedian(minutes, weights, args.k, minutes_limit=args.minutes, threads=args.threads,
                   time_limit=args.time_limit)


def run(args: argparse.Namespace) -> list[dict]:
    """Generate, solve at full size, compare with spopt on the largest instance it finishes."""
    cmd = (f"python -m benchmarks optimize --candidates {args.candidates} --demand {args.demand} "
           f"--k {args.k} --minutes {args.minutes:g} --time-limit {args.time_limit:g} --spopt-sizes {args.spopt_sizes} --spopt-cap {args.spopt_cap:g}"
           + (f" --runs {args.runs}" if args.runs > 1 else ""))
    rows = []
    t0 = time.perf_counter()
    minutes, weights = make_instance(args.candidates, args.demand, args.seed)
    size = f"{args.candidates} × {args.demand}"
    rows.append(row(f"generate matrix {size}", time.perf_counter() - t0, "s", cmd))
    for kind, label in (("mclp", f"MCLP k={args.k}, T={args.minutes:g} min"), ("pmedian", f"p-median k={args.k}")):
        rows += _full_size(kind, label, size, minutes, weights, args, cmd)
    sizes = [tuple(int(v) for v in s.lower().split("x")) for s in args.spopt_sizes.split(",") if s.strip()]
    if sizes:
        for kind, label in (("mclp", "MCLP"), ("pmedian", "p-median")):
            rows += _versus_peers(kind, label, sizes, args, cmd)
    return rows


def _full_size(kind: str, label: str, size: str, minutes: np.ndarray, weights: np.ndarray,
               args: argparse.Namespace, cmd: str) -> list[dict]:
    """``--runs`` solves of the full instance: median seconds, how many proven optimal, the worst gap."""
    results = [_ours(kind, minutes, weights, args) for _ in range(args.runs)]
    proven = sum(r.proven_optimal for r in results)
    runs = f", median of {args.runs}" if args.runs > 1 else ""
    state = "proven optimal" if proven == args.runs else f"proven optimal in {proven} of {args.runs}" if proven else "gap open"
    return [row(f"project {label}, {size}: build+solve ({state}{runs})", statistics.median(r.seconds for r in results), "s", cmd),
            row(f"project {label}, {size}: optimality gap{' (worst run)' if args.runs > 1 else ''}",
                100 * max(r.gap for r in results), "%", cmd)]


def _versus_peers(kind: str, label: str, sizes: list[tuple[int, int]], args: argparse.Namespace,
                  cmd: str) -> list[dict]:
    """Both peers on growing sizes while spopt finishes; rows for the largest, ratio against the faster peer."""
    last = None
    for nc, nd in sizes:
        m, w = make_instance(nc, nd, args.seed)
        k = min(args.k, nc)
        got = peer_timed("spopt", kind, m, w, k, args.minutes, args.spopt_cap)
        if got is None:
            break
        last = (nc, nd, m, w, {"spopt": got, "highs": peer_timed("highs", kind, m, w, k, args.minutes, args.spopt_cap)})
    if last is None:
        return [row(f"spopt {label}: no size finished within {args.spopt_cap:g} s", float("nan"), "s", cmd)]
    nc, nd, m, w, peers = last
    mine = _ours(kind, m, w, argparse.Namespace(**{**vars(args), "k": min(args.k, nc)}))
    if mine.gap > 1e-6:
        raise RuntimeError(f"{label} at {nc}x{nd} not solved to optimality within the time limit")
    done = {name: got for name, got in peers.items() if got is not None}
    for name, (_, obj) in done.items():
        if not math.isclose(mine.objective, obj, rel_tol=1e-6, abs_tol=1e-6):
            raise RuntimeError(f"{label} objective mismatch at {nc}x{nd}: project {mine.objective} vs {name} {obj}")
    fastest = min(done, key=lambda name: done[name][0])
    rows = [row(f"project {label} at spopt's largest ({nc} × {nd})", mine.seconds, "s", cmd)]
    for name, got in peers.items():
        text = PEERS[name].format(label=label)
        if got is None:
            rows.append(row(f"{text} ({nc} × {nd}): over {args.spopt_cap:g} s", float("nan"), "s", cmd))
            continue
        faster = ", the faster peer" if name == fastest else ""
        rows.append(row(f"{text} ({nc} × {nd}, same objective {got[1]:.6g}{faster})", got[0], "s", cmd,
                        ratio=got[0] / mine.seconds if name == fastest and mine.seconds > 0 else None))
    return rows
