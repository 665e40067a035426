"""Network catchments: NetworkEngine (KD-tree snap + csgraph Dijkstra) vs networkx's Dijkstra.

The graph is generated, seeded, national-scale and has road classes (``make_graph``): a
jittered local grid (200 m spacing; 30/50/60 km/h, 8 % of links missing, 5 % one-way)
under a sparse network of continuous fast roads, primary roads (80 km/h, two-way, never
missing) along every grid line 8 km apart and motorways (110 km/h) along lines 30 km
apart with a junction to the local grid every 3 km, so a 60-minute search runs out along
the fast roads as it does on a real motorway network. Workplaces are clustered, sites
random; workplaces are counted within 15/30/45/60 minutes of each site.

The peer is networkx's fastest fair way, ``nx.single_source_dijkstra_path_length(G,
source, cutoff=60, weight="minutes")`` per site (a bounded Dijkstra returning only the
minutes; ``ego_graph``, which also builds the subgraph, is about ten times slower and is
not used). It does the same job as the project's path: the same snapped workplaces
(snapping done once, outside the per-site timing, for both), counts at the four
thresholds. It is timed on a smaller graph (``--peer-nodes``) and the project's path is
timed again on that graph in the same run, so the ratio is like-for-like; the run stops
with an error unless both reach the same nodes with the same minutes and the same counts.
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np

from benchmarks import row
from geo.data.roads import RoadGraph
from geo.reach.network import NetworkEngine

THRESHOLDS = (15, 30, 45, 60)
SPACING_M = 200.0
#: Local roads: speeds (km/h) and their shares.
LOCAL_KMH = np.array([30.0, 50.0, 60.0])
LOCAL_P = np.array([0.2, 0.6, 0.2])
#: Fast roads: primary roads along grid lines this far apart, motorways along lines this far
#: apart with a junction every ``JUNCTION_M``.
PRIMARY_KMH, PRIMARY_EVERY_M = 80.0, 8_000.0
MOTORWAY_KMH, MOTORWAY_EVERY_M, JUNCTION_M = 110.0, 30_000.0, 3_000.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sizes of the generated problem."""
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--workplaces", type=int, default=800_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--peer-nodes", type=int, default=100_000,
                        help="graph size for the networkx comparison (capped at --nodes)")
    parser.add_argument("--peer-sites", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)


def _steps(metres: float, spacing: float) -> int:
    """A distance in grid steps (at least 2)."""
    return max(2, round(metres / spacing))


def make_graph(n_nodes: int, seed: int = 1, origin: tuple[float, float] = (0.0, 0.0),
               spacing: float = SPACING_M) -> RoadGraph:
    """A road graph of about ``n_nodes`` nodes from ``origin`` (metres), with road classes.

    A jittered square grid of local roads; the grid lines ``PRIMARY_EVERY_M`` apart are
    primary roads and the lines ``MOTORWAY_EVERY_M`` apart carry motorways (long links
    between junctions ``JUNCTION_M`` apart), see the module docstring. Seeded.
    """
    rng = np.random.default_rng(seed)
    side = max(2, round(float(np.sqrt(n_nodes))))
    r, c = np.divmod(np.arange(side * side), side)
    x = origin[0] + c * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    y = origin[1] + r * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    idx = np.arange(side * side)
    right, up = idx[c < side - 1], idx[r < side - 1]
    a, b = np.concatenate([right, up]), np.concatenate([right + 1, up + side])
    line = np.concatenate([r[right], c[up]])  # the grid line each link runs along
    every = _steps(PRIMARY_EVERY_M, spacing)
    primary = line % every == every // 2
    speed = np.where(primary, PRIMARY_KMH, rng.choice(LOCAL_KMH, size=len(a), p=LOCAL_P))
    keep = primary | (rng.random(len(a)) > 0.08)
    oneway = ~primary & (rng.random(len(a)) < 0.05)
    flip = rng.random(len(a)) < 0.5
    ma, mb = _motorway_links(side, spacing)
    a, b = np.concatenate([a[keep], ma]), np.concatenate([b[keep], mb])
    speed = np.concatenate([speed[keep], np.full(len(ma), MOTORWAY_KMH)])
    oneway = np.concatenate([oneway[keep], np.zeros(len(ma), bool)])
    flip = np.concatenate([flip[keep], np.zeros(len(ma), bool)])
    minutes = np.hypot(x[a] - x[b], y[a] - y[b]) / 1000.0 / speed * 60.0
    fwd, bwd = ~oneway | ~flip, ~oneway | flip
    u = np.concatenate([a[fwd], b[bwd]])
    v = np.concatenate([b[fwd], a[bwd]])
    w = np.concatenate([minutes[fwd], minutes[bwd]])
    return RoadGraph.from_edges(x, y, u, v, w, source="benchmark", date="", quality="synthetic")


def _motorway_links(side: int, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Motorway links (node pairs, one direction) between consecutive junctions along the motorway lines."""
    every = _steps(MOTORWAY_EVERY_M, spacing)
    lines = np.arange(every // 2, side, every)
    stops = np.arange(0, side, _steps(JUNCTION_M, spacing))
    along_rows = lines[:, None] * side + stops[None, :]
    along_cols = stops[None, :] * side + lines[:, None]
    a = np.concatenate([along_rows[:, :-1].ravel(), along_cols[:, :-1].ravel()])
    b = np.concatenate([along_rows[:, 1:].ravel(), along_cols[:, 1:].ravel()])
    return a, b


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


def _counts(minutes: np.ndarray) -> list[int]:
    return [int(np.count_nonzero(minutes <= t)) for t in THRESHOLDS]


def project_counts(engine: NetworkEngine, sites: np.ndarray, points: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds per site and counts (sites x thresholds) via NetworkEngine."""
    engine.snap(points)  # snapped once, outside the per-site timing (cached)
    counts = np.zeros((len(sites), len(THRESHOLDS)), dtype=np.int64)
    t0 = time.perf_counter()
    for i, s in enumerate(sites):
        counts[i] = _counts(engine.minutes((float(s[0]), float(s[1])), points))
    return (time.perf_counter() - t0) / max(len(sites), 1), counts


def to_networkx(graph: RoadGraph) -> nx.DiGraph:
    """The graph as a networkx DiGraph with edge attribute ``minutes``."""
    u, v, w = graph.edges()
    G = nx.DiGraph()
    G.add_nodes_from(range(graph.n_nodes))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist()), weight="minutes")
    return G


def networkx_counts(G: nx.DiGraph, site_nodes: np.ndarray, point_nodes: np.ndarray,
                    snap_min: np.ndarray) -> tuple[float, np.ndarray, list[dict[int, float]]]:
    """The peer: per site ``nx.single_source_dijkstra_path_length(cutoff=60)``, then the same counts.

    Returns seconds per site, counts (sites x thresholds) and the minutes networkx found per site.
    """
    counts = np.zeros((len(site_nodes), len(THRESHOLDS)), dtype=np.int64)
    found = []
    t0 = time.perf_counter()
    for i, s in enumerate(site_nodes):
        dist = nx.single_source_dijkstra_path_length(G, int(s), cutoff=max(THRESHOLDS), weight="minutes")
        node_min = np.full(G.number_of_nodes(), np.inf)
        node_min[np.fromiter(dist.keys(), np.int64, len(dist))] = np.fromiter(dist.values(), float, len(dist))
        counts[i] = _counts(node_min[point_nodes] + snap_min)
        found.append(dist)
    return (time.perf_counter() - t0) / max(len(site_nodes), 1), counts, found


def check_same(engine: NetworkEngine, sites: np.ndarray, found: list[dict[int, float]]) -> None:
    """Raise unless the engine reaches the same nodes as networkx, with the same minutes."""
    for s, dist in zip(sites, found):
        mine = engine.node_minutes((float(s[0]), float(s[1])))
        reached = np.flatnonzero(np.isfinite(mine))
        theirs = np.fromiter(sorted(dist), np.int64, len(dist))
        if not np.array_equal(reached, theirs):
            raise RuntimeError(f"reached nodes differ: project {len(reached)} vs networkx {len(theirs)}")
        if not np.allclose(mine[theirs], [dist[int(n)] for n in theirs], rtol=1e-9, atol=1e-9):
            raise RuntimeError("minutes differ between the project and networkx")


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

    share = np.mean([np.isfinite(eng.node_minutes((float(s[0]), float(s[1])))).mean() for s in sites])
    rows.append(row("mean share of the graph's nodes within 60 min per site", float(share), "share", cmd))
    pn = min(args.peer_nodes, args.nodes)
    pg = make_graph(pn, args.seed)
    pw = make_points(pg, max(1, int(args.workplaces * pg.n_nodes / g.n_nodes)), args.seed + 1)
    ps = _sites(pg, max(1, args.peer_sites), args.seed + 2)
    peng = NetworkEngine(pg, limit=max(THRESHOLDS), snap_speed_kmh=15.0)
    p_site, p_counts = project_counts(peng, ps, pw)
    point_nodes, snap_min = peng.snap(pw)
    site_nodes, _ = peng.snap(ps)
    nx_site, nx_counts, found = networkx_counts(to_networkx(pg), site_nodes, point_nodes, snap_min)
    check_same(peng, ps, found)
    if not np.array_equal(p_counts, nx_counts):
        raise RuntimeError(f"counts differ: project {p_counts.tolist()} vs networkx {nx_counts.tolist()}")
    label = f"{pg.n_nodes} nodes, {len(pw)} workplaces, 4 thresholds"
    rows.append(row(f"project: per site at peer size ({label})", p_site, "s/site", cmd))
    rows.append(row(f"networkx single_source_dijkstra_path_length, cutoff 60: per site ({label}; "
                    "same nodes, minutes and counts)", nx_site, "s/site", cmd,
                    ratio=nx_site / p_site if p_site > 0 else None))
    return rows
