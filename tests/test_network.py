"""Road-network engine: exact times vs networkx, snapping, limits, OSM reading, bridges."""

from __future__ import annotations

import argparse
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from benchmarks.network import check_same, make_graph, to_networkx
from geo.data.roads import RoadGraph, load_default_roads
from geo.data.sources import osm_roads
from geo.reach.network import NetworkEngine

ROOT = Path(__file__).resolve().parents[1]
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)

# Nodes 1..7 are one connected network: a primary road 1-2-3, a one-way street 3->4,
# a 30 km/h road 4-5-1, a ferry 3-6 (20 min) and a road 6-7. Nodes 10-11 are an island
# road with no link; 8-9 is a footway (not drivable).
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="55.000" lon="12.000" version="1"/>
  <node id="2" lat="55.000" lon="12.010" version="1"/>
  <node id="3" lat="55.000" lon="12.020" version="1"/>
  <node id="4" lat="55.010" lon="12.020" version="1"/>
  <node id="5" lat="55.010" lon="12.000" version="1"/>
  <node id="6" lat="55.000" lon="12.100" version="1"/>
  <node id="7" lat="55.000" lon="12.110" version="1"/>
  <node id="8" lat="55.050" lon="12.000" version="1"/>
  <node id="9" lat="55.050" lon="12.010" version="1"/>
  <node id="10" lat="55.100" lon="12.300" version="1"/>
  <node id="11" lat="55.100" lon="12.310" version="1"/>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/></way>
  <way id="101" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="102" version="1"><nd ref="4"/><nd ref="5"/><nd ref="1"/><tag k="highway" v="tertiary"/><tag k="maxspeed" v="30"/></way>
  <way id="103" version="1"><nd ref="3"/><nd ref="6"/><tag k="route" v="ferry"/><tag k="duration" v="00:20"/></way>
  <way id="104" version="1"><nd ref="6"/><nd ref="7"/><tag k="highway" v="secondary"/></way>
  <way id="105" version="1"><nd ref="8"/><nd ref="9"/><tag k="highway" v="footway"/></way>
  <way id="106" version="1"><nd ref="10"/><nd ref="11"/><tag k="highway" v="residential"/></way>
</osm>
"""
OSM_IDS = [1, 2, 3, 4, 5, 6, 7, 10, 11]  # node index = position in this sorted list


@pytest.fixture(scope="module")
def osm_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "tiny.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def osm_graph(osm_file: Path) -> RoadGraph:
    return osm_roads.graph_from_osm_file(osm_file, largest_component=False)


def node_xy(g: RoadGraph, i: int) -> tuple[float, float]:
    return float(g.x[i]), float(g.y[i])


def km(g: RoadGraph, a: int, b: int) -> float:
    return float(np.hypot(g.x[a] - g.x[b], g.y[a] - g.y[b])) / 1000.0


def assert_equals_networkx(g: RoadGraph, sources: list[int]) -> None:
    G = to_networkx(g)
    eng = NetworkEngine(g, limit=10_000)
    for s in sources:
        mine = eng.node_minutes(node_xy(g, s))
        ref = nx.single_source_dijkstra_path_length(G, s, weight="minutes")
        expected = np.full(g.n_nodes, np.inf)
        expected[list(ref)] = list(ref.values())
        np.testing.assert_allclose(mine, expected, rtol=1e-9, atol=1e-9)


# --- OSM reading and exact times -------------------------------------------------------
def test_osm_graph_structure(osm_graph: RoadGraph) -> None:
    assert osm_graph.n_nodes == len(OSM_IDS)  # footway nodes dropped, ferry kept
    assert osm_graph.quality == "real"


def test_times_equal_networkx_on_osm_fixture(osm_graph: RoadGraph) -> None:
    assert_equals_networkx(osm_graph, list(range(osm_graph.n_nodes)))


def test_one_way_street_ferry_and_island(osm_graph: RoadGraph) -> None:
    g = osm_graph
    i = {osm: k for k, osm in enumerate(OSM_IDS)}
    eng = NetworkEngine(g, limit=1000)
    from3 = eng.node_minutes(node_xy(g, i[3]))
    from4 = eng.node_minutes(node_xy(g, i[4]))
    from1 = eng.node_minutes(node_xy(g, i[1]))
    # one-way 3->4 at 40 km/h; back 4->3 must go round 4-5-1 (30 km/h) and 1-2-3 (70 km/h)
    assert from3[i[4]] == pytest.approx(km(g, i[3], i[4]) / 40 * 60)
    back = (km(g, i[4], i[5]) + km(g, i[5], i[1])) / 30 * 60 + (km(g, i[1], i[2]) + km(g, i[2], i[3])) / 70 * 60
    assert from4[i[3]] == pytest.approx(back)
    # ferry: 20 min duration + 15 min boarding, then 6-7 at 60 km/h
    ferry = osm_roads.parse_duration_min("00:20") + osm_roads.FERRY_BOARDING_MIN
    assert from3[i[7]] == pytest.approx(ferry + km(g, i[6], i[7]) / 60 * 60)
    assert from1[i[7]] == pytest.approx(from1[i[3]] + from3[i[7]])
    # the island is unreachable, and reaches nothing of the mainland
    assert np.isinf(from1[i[10]]) and np.isinf(from1[i[11]])
    assert np.isinf(eng.node_minutes(node_xy(g, i[10]))[i[1]])


def test_largest_component_drops_island(osm_file: Path) -> None:
    g = osm_roads.graph_from_osm_file(osm_file)
    assert g.n_nodes == 7


def test_osmnx_xml_reader_agrees_with_pyosmium(osm_file: Path, osm_graph: RoadGraph) -> None:
    pytest.importorskip("osmnx")
    g = osm_roads.graph_from_osm_xml_osmnx(osm_file, largest_component=False)
    assert g.n_nodes == osm_graph.n_nodes and g.n_edges == osm_graph.n_edges
    # osmnx measures great-circle lengths, pyosmium reads UTM: same within 0.5 %
    np.testing.assert_allclose(g.matrix.toarray(), osm_graph.matrix.toarray(), rtol=5e-3)


def test_tag_parsing() -> None:
    assert osm_roads.parse_maxspeed("50") == 50
    assert osm_roads.parse_maxspeed("DK:rural") == 80
    assert osm_roads.parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert osm_roads.parse_maxspeed("signals") is None
    assert osm_roads.parse_duration_min("1:05") == 65
    assert osm_roads.parse_duration_min("0:45:30") == pytest.approx(45.5)
    assert osm_roads.road_speed_kmh({"highway": "motorway"}) == 110
    assert osm_roads.road_speed_kmh({"highway": "footway"}) is None
    assert osm_roads.road_speed_kmh({"highway": "residential", "access": "private"}) is None
    assert osm_roads.oneway_direction({"highway": "primary", "junction": "roundabout"}) == 1
    assert osm_roads.oneway_direction({"highway": "primary", "oneway": "-1"}) == -1
    assert osm_roads.ferry_minutes(10_000, {"route": "ferry"}) == pytest.approx(30 + 15)


def test_times_equal_networkx_on_random_graphs() -> None:
    for seed in (1, 2):
        g = make_graph(400, seed=seed)
        assert_equals_networkx(g, [0, 57, 211, 399])


def test_benchmark_graph_has_road_classes() -> None:
    """100 × 100 nodes at 200 m: primary roads on grid lines 20 and 60 (rows and columns), a motorway on line 75."""
    g = make_graph(10_000, seed=1)
    u, v, w = g.edges()
    kmh = np.hypot(g.x[u] - g.x[v], g.y[u] - g.y[v]) / 1000 / w * 60
    assert np.isclose(kmh, 80).sum() == 4 * 99 * 2  # 4 lines of 99 links, both ways, none missing
    assert np.isclose(kmh, 110).sum() == 2 * 6 * 2  # row and column 75: junctions every 15 nodes (0..90)
    assert set(np.unique(np.round(kmh[kmh < 79]))) == {30, 50, 60}


def test_bounded_networkx_search_equals_engine_with_limit() -> None:
    """The network benchmark's peer (networkx with a cutoff) and its equality check."""
    g = make_graph(10_000, seed=2)
    G = to_networkx(g)
    eng = NetworkEngine(g, limit=10)
    sites = g.xy()[[0, 5050, 7575]]
    nodes, _ = eng.snap(sites)
    found = [nx.single_source_dijkstra_path_length(G, int(n), cutoff=10, weight="minutes") for n in nodes]
    assert all(0 < len(f) < g.n_nodes for f in found)  # the cutoff bites
    check_same(eng, sites, found)
    found[1][next(iter(found[1]))] += 0.5
    with pytest.raises(RuntimeError, match="minutes differ"):
        check_same(eng, sites, found)
    del found[2][max(found[2])]
    with pytest.raises(RuntimeError, match="reached nodes differ"):
        check_same(eng, sites[[2]], found[2:])


# --- engine ------------------------------------------------------------------------------
def square() -> RoadGraph:
    """0 -(1 min)- 1 -(1 min)- 2 -(1 min)- 3 along x, 1 km apart, both ways."""
    x = np.array([0.0, 1000.0, 2000.0, 3000.0])
    y = np.zeros(4)
    u = np.array([0, 1, 1, 2, 2, 3])
    v = np.array([1, 0, 2, 1, 3, 2])
    return RoadGraph.from_edges(x, y, u, v, np.ones(6), source="test", date="2026-01-01")


def test_snapping_picks_nearest_node_and_adds_time() -> None:
    eng = NetworkEngine(square(), snap_speed_kmh=15)
    pts = np.array([[10.0, 10.0], [1400.0, -300.0], [1600.0, 200.0], [3000.0, 500.0]])
    nodes, snap = eng.snap(pts)
    assert nodes.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(snap, np.hypot(*(pts - [[0, 0], [1000, 0], [2000, 0], [3000, 0]]).T) / 1000 / 15 * 60)
    m = eng.minutes((0.0, 0.0), pts)
    np.testing.assert_allclose(m, np.array([0, 1, 2, 3]) + snap)


def test_snap_cache_follows_array_content() -> None:
    eng = NetworkEngine(square())
    pts = np.array([[0.0, 0.0], [2900.0, 0.0]])
    assert eng.snap(pts) is eng.snap(pts.copy())
    pts[1] = [1000.0, 0.0]
    assert eng.snap(pts)[0].tolist() == [0, 1]


def test_points_far_from_network_are_unreachable() -> None:
    eng = NetworkEngine(square(), max_snap_m=2000)
    m = eng.minutes((0.0, 0.0), np.array([[0.0, 1500.0], [0.0, 2500.0]]))
    assert np.isfinite(m[0]) and np.isinf(m[1])


def test_limit_is_honoured() -> None:
    eng = NetworkEngine(square(), limit=2.5)
    m = eng.minutes((0.0, 0.0), np.array([[1000.0, 0.0], [2000.0, 0.0], [3000.0, 0.0]]))
    assert m.tolist() == [1.0, 2.0, np.inf]
    assert np.isinf(eng.node_minutes((0.0, 0.0), limit=1.5)[2])
    # the snap gap counts towards the limit
    m = eng.minutes((0.0, 0.0), np.array([[2000.0, 120.0]]))  # 2 min + 0.48 min
    assert np.isfinite(m[0])
    m = eng.minutes((0.0, 0.0), np.array([[2000.0, 200.0]]))  # 2 min + 0.8 min > 2.5
    assert np.isinf(m[0])


def test_engine_protocol_and_description() -> None:
    eng = NetworkEngine(square(), snap_speed_kmh=15, limit=90)
    assert eng.method == "network"
    text = eng.describe()
    assert "15 km/t" in text and "90 min" in text and "Vejnet" in text


def test_isochrone_polygons() -> None:
    g = make_graph(2500, seed=3)
    eng = NetworkEngine(g)
    site = node_xy(g, 1275)
    iso = eng.isochrones(site, (2, 4, 8))
    assert iso.crs.to_epsg() == 25832
    assert iso["minutes"].tolist() == [8.0, 4.0, 2.0]
    assert (iso.geometry.area.diff().dropna() < 0).all()


def test_isochrones_are_kept_per_site_and_handed_out_as_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    g = make_graph(2500, seed=3)
    eng = NetworkEngine(g)
    hulls = []
    concave_hull = shapely.concave_hull
    monkeypatch.setattr(shapely, "concave_hull", lambda *a, **k: hulls.append(1) or concave_hull(*a, **k))
    first = eng.isochrones(node_xy(g, 1275), (2, 4, 8))
    first.loc[0, "minutes"] = -1.0  # a caller's change stays in its copy
    again = eng.isochrones(node_xy(g, 1275), (2, 4, 8))
    assert len(hulls) == 3  # drawn once: the map and the board pack share the outlines
    assert again["minutes"].tolist() == [8.0, 4.0, 2.0]
    assert eng.isochrones(node_xy(g, 1275), (2, 4))["minutes"].tolist() == [4.0, 2.0] and len(hulls) == 5


def test_save_load_round_trip(tmp_path: Path, osm_graph: RoadGraph) -> None:
    g = osm_graph
    g.links = {"Færgen": [(2, 5), (5, 2)]}
    p1, p2 = g.save(tmp_path / "a.npz"), g.save(tmp_path / "b.npz")
    assert p1.read_bytes() == p2.read_bytes()  # deterministic bytes
    back = RoadGraph.load(p1)
    np.testing.assert_array_equal(back.x, g.x)
    np.testing.assert_array_equal(back.y, g.y)
    np.testing.assert_allclose(back.matrix.toarray(), g.matrix.toarray(), rtol=1e-6)
    assert (back.source, back.date, back.quality, back.links) == (g.source, g.date, g.quality, g.links)
    assert load_default_roads(tmp_path / "missing.npz") is None


def test_edges_are_deduplicated_fastest_wins() -> None:
    g = RoadGraph.from_edges([0, 1], [0, 0], [0, 0, 1, 1], [1, 1, 0, 1], [5.0, 2.0, 3.0, 1.0])
    assert g.n_edges == 2 and g.matrix[0, 1] == 2.0 and g.matrix[1, 0] == 3.0


# --- synthetic default network --------------------------------------------------------
def lonlat(lon: float, lat: float) -> tuple[float, float]:
    return tuple(float(c) for c in TO_UTM.transform(lon, lat))  # type: ignore[return-value]


NYKOBING_F = lonlat(11.87425, 54.76906)
NAESTVED = lonlat(11.76092, 55.22992)
COPENHAGEN = lonlat(12.56553, 55.67594)
NAKSKOV = lonlat(11.13567, 54.83038)


@pytest.fixture(scope="module")
def default_roads() -> RoadGraph:
    g = load_default_roads()
    assert g is not None, "data/default/roads_synthetic.npz missing: run data/scripts/build_roads.py"
    return g


def test_default_network_is_small_and_labelled(default_roads: RoadGraph) -> None:
    from geo.data.roads import DEFAULT_ROADS_FILE

    assert DEFAULT_ROADS_FILE.stat().st_size < 2 * 1024 * 1024
    assert default_roads.quality == "synthetic"
    assert default_roads.provenance().quality == "synthetic"
    assert "syntetisk" in NetworkEngine(default_roads).describe()


def test_island_reaches_mainland_only_over_the_bridges(default_roads: RoadGraph) -> None:
    g = default_roads
    eng = NetworkEngine(g, limit=300)
    towns = np.array([NAESTVED, COPENHAGEN, NAKSKOV])
    open_ = eng.minutes(NYKOBING_F, towns)
    assert np.all(np.isfinite(open_))
    assert 30 < open_[0] < 90  # Nykøbing F - Næstved, about 50 min in reality

    # the shortest path to Næstved crosses a Zealand-Falster bridge
    from scipy.sparse.csgraph import dijkstra

    (src, dst), _ = eng.snap(np.array([NYKOBING_F, NAESTVED]))
    _, pred = dijkstra(g.matrix, indices=int(src), return_predecessors=True)
    path, node = [], int(dst)
    while node != src:
        path.append(node)
        node = int(pred[node])
    bridges = g.links["Storstrømsbroen"] + g.links["Farøbroerne"]
    bridge_nodes = {n for pair in bridges for n in pair}
    assert bridge_nodes & set(path)

    # close both bridges: the mainland is unreachable, Lolland still is
    closed = NetworkEngine(g.without_edges(bridges), limit=300)
    shut = closed.minutes(NYKOBING_F, towns)
    assert np.isinf(shut[0]) and np.isinf(shut[1]) and np.isfinite(shut[2])
    reached = np.isfinite(closed.node_minutes(NYKOBING_F, limit=10_000))
    assert not reached[g.y > NAESTVED[1]].any()
    # and Lolland hangs on Falster by the Guldborgsund bridges
    guld = g.links["Guldborgsundbroen"] + g.links["Guldborgbroen"]
    assert np.isinf(NetworkEngine(g.without_edges(guld), limit=300).minutes(NYKOBING_F, towns)[2])


@pytest.mark.slow
def test_default_network_file_matches_build_script(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_roads", ROOT / "data/scripts/build_roads.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    mod.main(["--out", str(tmp_path / "roads.npz")])
    assert (tmp_path / "roads.npz").read_bytes() == (ROOT / "data/default/roads_synthetic.npz").read_bytes()


# --- benchmark smoke ------------------------------------------------------------------
def test_benchmark_smoke() -> None:
    from benchmarks import format_table, network

    parser = argparse.ArgumentParser()
    network.add_arguments(parser)
    args = parser.parse_args(["--nodes", "2000", "--workplaces", "1500", "--sites", "2",
                              "--peer-nodes", "1000", "--peer-sites", "1"])
    rows = network.run(args)
    assert rows and all({"figure", "value", "unit", "command", "ratio"} <= set(r) for r in rows)
    assert "networkx" in format_table(rows)


def test_build_roads_from_file(osm_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "roads.npz"
    osm_roads.build_roads(osm_file, (11.9, 54.9, 12.2, 55.05), out)
    g = RoadGraph.load(out)
    assert g.n_nodes == 7  # the island (lon 12.3) is outside the bbox


def test_engine_falls_back_to_labelled_estimate_without_graph(monkeypatch, tmp_path) -> None:
    from geo.data import roads
    from geo.reach import engines

    monkeypatch.delenv(engines.ENV_ROADS, raising=False)
    monkeypatch.setattr(engines, "ROADS_FILE", tmp_path / "none.npz")
    monkeypatch.setattr(roads, "load_default_roads", lambda: None)
    engine, notes = engines.select_engine("network")
    assert engine.method == "estimate"
    assert notes and "estimeret fra luftlinje" in notes[0]


def test_default_engine_for_network_is_the_synthetic_graph_and_says_so() -> None:
    from geo.reach.engines import select_engine

    engine, notes = select_engine("network")
    assert engine.method == "network" and not notes
    assert "syntetisk" in engine.label() and "syntetisk" in engine.describe()
