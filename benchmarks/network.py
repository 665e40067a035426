"""Network catchments: NetworkEngine (KD-tree snap + csgraph Dijkstra) vs networkx ego_graph.

A generated national-scale road graph (jittered grid, ~200 m spacing, directed, random
speeds and one-way streets), clustered workplaces and random sites; workplaces counted
within 15/30/45/60 minutes of each site.

The common approach is timed on a smaller graph (``--peer-nodes``) where it still
finishes, and the project's path is timed again on that same graph, so the ratio is
like-for-like. The networkx side does only one ``ego_graph`` per site (60 min) and
therefore counts only one threshold: a comparison in networkx's favour.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks import row
from geo.data.roads import RoadGraph
from geo.reach.network import NetworkEngine

THRESHOLDS = (15, 30, 45, 60)
SPACING_M = 200.0
SPEEDS_KMH = np.array([30.0, 50.0, 60.0, 80.0, 110.0])
SPEED_P = np.array([0.25, 0.45, 0.15, 0.10, 0.05])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sizes of the generated problem."""
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--workplaces", type=int, default=800_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--peer-nodes", type=int, default=100_000,
                        help="graph size for the networkx comparison (capped at --nodes)")
    parser.add_argument("--peer-sites", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)


def make_graph(n_nodes: int, seed: int = 1, origin: tuple[float, float] = (0.0, 0.0),
               spacing: float = SPACING_M) -> RoadGraph:
    """Jittered square grid with about ``n_nodes`` nodes from ``origin`` (metres);
    8 % of links missing, 5 % one-way."""
    rng = np.random.default_rng(seed)
    side = max(2, round(float(np.sqrt(n_nodes))))
    r, c = np.divmod(np.arange(side * side), side)
    x = origin[0] + c * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    y = origin[1] + r * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    idx = np.arange(side * side)
    right = idx[c < side - 1]
    up = idx[r < side - 1]
    return _finish(x, y, np.concatenate([right, up]), np.concatenate([right + 1, up + side]), rng)


def _finish(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray,
            rng: np.random.Generator) -> RoadGraph:
    keep = rng.random(len(a)) > 0.08
    a, b = a[keep], b[keep]
    speed = rng.choice(SPEEDS_KMH, size=len(a), p=SPEED_P)
    minutes = np.hypot(x[a] - x[b], y[a] - y[b]) / 1000.0 / speed * 60.0
    oneway = rng.random(len(a)) < 0.05
    flip = rng.random(len(a)) < 0.5
    fwd = ~oneway | ~flip
    bwd = ~oneway | flip
    u = np.concatenate([a[fwd], b[bwd]])
    v = np.concatenate([b[fwd], a[bwd]])
    w = np.concatenate([minutes[fwd], minutes[bwd]])
    return RoadGraph.from_edges(x, y, u, v, w, source="benchmark", date="", quality="synthetic")


def make_points(graph: RoadGraph, n: int, seed: int, clustered: bool = True) -> np.ndarray:
    """Points inside the graph's extent: 70 % around 50 towns (sigma 3 km), 30 % uniform."""
    rng = np.random.default_rng(seed)
    x0, x1, y0, y1 = graph.x.min(), graph.x.max(), graph.y.min(), graph.y.max()
    uni = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    if not clustered:
        return uni
    towns = np.column_stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)])
    k = int(0.7 * n)
    pts = towns[rng.integers(0, 50, k)] + rng.normal(0, 3000.0, (k, 2))
    pts[:, 0] = np.clip(pts[:, 0], x0, x1)
    pts[:, 1] = np.clip(pts[:, 1], y0, y1)
    uni[:k] = pts
    return uni


def project_counts(engine: NetworkEngine, sites: np.ndarray, points: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds per site and counts (sites x thresholds) via NetworkEngine."""
    engine.snap(points)  # snapped once, outside the per-site timing (cached)
    counts = np.zeros((len(sites), len(THRESHOLDS)), dtype=np.int64)
    t0 = time.perf_counter()
    for i, s in enumerate(sites):
        m = engine.minutes((float(s[0]), float(s[1])), points)
        counts[i] = [np.count_nonzero(m <= t) for t in THRESHOLDS]
    return (time.perf_counter() - t0) / max(len(sites), 1), counts


def networkx_counts(graph: RoadGraph, sites: np.ndarray, points: np.ndarray) -> tuple[float, np.ndarray, float]:
    """The common approach: per site ``nx.ego_graph(radius=60, distance='minutes')``.

    Returns seconds per site, counts at 60 minutes and graph build seconds.
    """
    import networkx as nx
    from scipy.spatial import cKDTree

    t0 = time.perf_counter()
    u, v, w = graph.edges()
    G = nx.DiGraph()
    G.add_nodes_from(range(graph.n_nodes))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()), weight="minutes")
    tree = cKDTree(graph.xy())  # what osmnx.nearest_nodes does
    _, point_node = tree.query(points)
    _, site_node = tree.query(sites)
    build = time.perf_counter() - t0
    counts = np.zeros(len(sites), dtype=np.int64)
    t0 = time.perf_counter()
    for i, s in enumerate(site_node):
        H = nx.ego_graph(G, int(s), radius=60, distance="minutes")
        reached = np.fromiter(H.nodes, dtype=np.int64)
        counts[i] = np.count_nonzero(np.isin(point_node, reached))
    return (time.perf_counter() - t0) / max(len(sites), 1), counts, build


def _sites(graph: RoadGraph, n: int, seed: int) -> np.ndarray:
    """Sites at random nodes of the central half of the graph (site snap is zero)."""
    rng = np.random.default_rng(seed)
    cx, cy = np.median(graph.x), np.median(graph.y)
    half = (graph.x.max() - graph.x.min()) / 4
    central = np.nonzero((abs(graph.x - cx) < half) & (abs(graph.y - cy) < half))[0]
    pick = rng.choice(central, size=n, replace=len(central) < n)
    return graph.xy()[pick]


def run(args: argparse.Namespace) -> list[dict]:
    """Build the problem, time both approaches, return result rows."""
    cmd = (f"python -m benchmarks network --nodes {args.nodes} --workplaces {args.workplaces} "
           f"--sites {args.sites} --peer-nodes {args.peer_nodes} --peer-sites {args.peer_sites}")
    rows = []
    t0 = time.perf_counter()
    g = make_graph(args.nodes, args.seed)
    wp = make_points(g, args.workplaces, args.seed + 1)
    sites = _sites(g, args.sites, args.seed + 2)
    rows.append(row(f"generate graph ({g.n_nodes} nodes, {g.n_edges} edges) + points",
                    time.perf_counter() - t0, "s", cmd))
    t0 = time.perf_counter()
    eng = NetworkEngine(g, limit=max(THRESHOLDS), snap_speed_kmh=15.0)
    eng.snap(wp)
    rows.append(row(f"KD-tree + snap {len(wp)} workplaces (once)", time.perf_counter() - t0, "s", cmd))
    per_site, counts = project_counts(eng, sites, wp)
    rows.append(row("project: per site (Dijkstra+limit, 4 thresholds)", per_site, "s/site", cmd))
    rows.append(row("mean workplaces within 60 min per site", float(counts[:, -1].mean()), "count", cmd))
    rows.append(row(f"project: {len(sites)} sites", per_site * len(sites), "s", cmd))

    pn = min(args.peer_nodes, args.nodes)
    pg = make_graph(pn, args.seed)
    pw = make_points(pg, max(1, int(args.workplaces * pg.n_nodes / g.n_nodes)), args.seed + 1)
    ps = _sites(pg, max(1, args.peer_sites), args.seed + 2)
    peng = NetworkEngine(pg, limit=max(THRESHOLDS), snap_speed_kmh=15.0)
    p_site, _ = project_counts(peng, ps, pw)
    nx_site, nx_counts, _ = networkx_counts(pg, ps, pw)
    # same reach: workplaces whose nearest node is within 60 min (snap excluded, as networkx)
    nodes, _ = peng.snap(pw)
    for s, n_nx in zip(ps, nx_counts):
        mine = np.count_nonzero(np.isfinite(peng.node_minutes((float(s[0]), float(s[1])))[nodes]))
        if mine != n_nx:
            raise RuntimeError(f"count mismatch: project {mine} vs networkx {n_nx}")
    label = f"{pg.n_nodes} nodes, {len(pw)} workplaces"
    rows.append(row(f"project: per site at peer size ({label})", p_site, "s/site", cmd))
    rows.append(row(f"networkx ego_graph: per site ({label}, 60 min only)", nx_site, "s/site", cmd,
                    ratio=nx_site / p_site if p_site > 0 else None))
    return rows
