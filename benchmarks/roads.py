"""National road graph: build ``data/roads.npz`` from a Denmark-sized ``.osm.pbf``.

Writes a synthetic OpenStreetMap extract with pyosmium: a street lattice over Denmark's
extent whose ways carry Denmark's mix of drivable road classes (about 1.5 M nodes on drivable
ways by default, as in Geofabrik's ``denmark-latest.osm.pbf`` after the highway filter), plus
the bulk a real extract carries and the filter must skip (footways, service roads, tracks and
buildings). The graph is then built through the real code path
(``geo.data.refresh.refresh(layers=['roads'], region='alle', pbf=…)``) in a fresh process,
whose wall time and peak resident memory are reported.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import in_fresh_process, row
from geo.data.refresh import refresh
from geo.data.roads import RoadGraph

#: Share of drivable way nodes per highway class (OSM Denmark, rounded), plus maxspeed tags.
CLASS_SHARE = {
    "residential": 0.38, "unclassified": 0.25, "tertiary": 0.12, "secondary": 0.10,
    "primary": 0.05, "living_street": 0.02, "motorway": 0.03, "motorway_link": 0.01,
    "trunk": 0.02, "trunk_link": 0.005, "primary_link": 0.005, "secondary_link": 0.005,
    "tertiary_link": 0.005,
}
SKIPPED = ("footway", "service", "track", "cycleway", "path")
#: Denmark (Jutland to Zealand, without Bornholm), lon/lat.
EXTENT = (8.07, 54.56, 12.69, 57.75)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--drivable-nodes", type=int, default=1_500_000,
                        help="nodes on drivable ways (Denmark: about 1.5 M)")
    parser.add_argument("--other-nodes", type=int, default=40_000_000,
                        help="nodes the highway filter must skip (buildings, paths)")
    parser.add_argument("--pbf", type=Path, default=None,
                        help="keep the written file here; an existing file is reused, not rewritten")
    parser.add_argument("--seed", type=int, default=11)


def _node_lines(ids: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> str:
    return "".join(f"n{i} x{x:.7f} y{y:.7f}\n"
                   for i, x, y in zip(ids.tolist(), lon.tolist(), lat.tolist()))


def _way_line(wid: int, refs: np.ndarray, tags: dict[str, str]) -> str:
    tag_text = ",".join(f"{k}={v}" for k, v in tags.items())
    return f"w{wid} T{tag_text} N" + ",".join(f"n{r}" for r in refs.tolist()) + "\n"


def _lattice_ways(side: int, rng: np.random.Generator) -> list[tuple[np.ndarray, dict[str, str]]]:
    """Rows and columns of the lattice cut into ways of 5-60 nodes, classes drawn by share."""
    classes = list(CLASS_SHARE)
    share = np.array(list(CLASS_SHARE.values()))
    ways: list[tuple[np.ndarray, dict[str, str]]] = []
    for axis in (0, 1):
        for k in range(side):
            start = 0
            while start < side - 1:
                stop = min(side, start + int(rng.integers(5, 61)))
                idx = np.arange(start, stop)
                refs = (k * side + idx + 1) if axis == 0 else (idx * side + k + 1)
                ways.append((refs, {}))
                start = stop - 1
    picks = rng.choice(len(classes), size=len(ways), p=share / share.sum())
    speeds = rng.choice([50, 60, 80, 90], size=len(ways))
    for (_, tags), pick, speed, draw in zip(ways, picks, speeds, rng.random(len(ways))):
        tags["highway"] = classes[pick]
        if classes[pick].startswith("motorway"):
            tags["oneway"] = "yes"
        if draw < 0.3:
            tags["maxspeed"] = str(speed)
    return ways


def write_pbf(path: Path, drivable_nodes: int, other_nodes: int, seed: int) -> dict[str, int]:
    """Write the synthetic extract (OPL text converted by libosmium); counts of what it holds."""
    import osmium  # optional: only this benchmark writes OSM files

    rng = np.random.default_rng(seed)
    side = int(np.sqrt(drivable_nodes))
    grid_lon, grid_lat = np.meshgrid(np.linspace(EXTENT[0], EXTENT[2], side),
                                     np.linspace(EXTENT[1], EXTENT[3], side))
    first_extra = side * side + 1
    lattice = _lattice_ways(side, rng)
    opl = path.with_suffix(".opl")
    with opl.open("w", encoding="ascii") as out:
        out.write(_node_lines(np.arange(1, first_extra), grid_lon.ravel(), grid_lat.ravel()))
        for start in range(0, other_nodes, 1_000_000):
            ids = np.arange(first_extra + start, first_extra + min(other_nodes, start + 1_000_000))
            out.write(_node_lines(ids, rng.uniform(EXTENT[0], EXTENT[2], len(ids)),
                                  rng.uniform(EXTENT[1], EXTENT[3], len(ids))))
        for wid, (refs, tags) in enumerate(lattice, start=1):
            out.write(_way_line(wid, refs, tags))
        wid = len(lattice) + 1
        for n, first in enumerate(range(first_extra, first_extra + other_nodes - 4, 5)):
            refs = np.array([*range(first, first + 5), first])  # a closed ring
            tags = {"highway": SKIPPED[n % len(SKIPPED)]} if n % 4 == 0 else {"building": "yes"}
            out.write(_way_line(wid, refs, tags))
            wid += 1
    path.unlink(missing_ok=True)
    writer = osmium.WriteHandler(str(path))
    osmium.apply(str(opl), writer)
    writer.close()
    opl.unlink()
    return {"nodes": side * side + other_nodes, "drivable_ways": len(lattice), "ways": wid - 1}


def run(args: argparse.Namespace) -> list[dict]:
    """Write the file here, build the graph in a fresh process (its own peak memory)."""
    cmd = (f"python -m benchmarks roads --drivable-nodes {args.drivable_nodes} "
           f"--other-nodes {args.other_nodes}")
    with tempfile.TemporaryDirectory() as tmp:
        pbf = args.pbf or Path(tmp) / "denmark-synthetic.osm.pbf"
        rows = []
        if not pbf.is_file():
            t0 = time.perf_counter()
            counts = write_pbf(pbf, args.drivable_nodes, args.other_nodes, args.seed)
            label = f"{counts['nodes']:,} nodes, {counts['ways']:,} ways"
            rows.append(row(f"write synthetic .osm.pbf ({label})", time.perf_counter() - t0, "s", cmd))
        size_mb = pbf.stat().st_size / 1e6
        (seconds, cpu, n_nodes, n_edges), peak_mb = in_fresh_process(_build, str(pbf), tmp)
    return [
        *rows,
        row(f"build graph from a {size_mb:,.0f} MB .osm.pbf: refresh --only roads --region alle "
            f"--pbf ({n_nodes:,} graph nodes, {n_edges:,} edges), wall time", seconds, "s", cmd),
        row("the same build, CPU time (user + system) of its process", cpu, "s", cmd),
        row("peak resident memory of the build (a fresh process)", peak_mb, "MB", cmd),
    ]


def _build(pbf: str, tmp: str) -> tuple[float, float, int, int]:
    out = Path(tmp) / "roads.npz"
    t0 = time.perf_counter()
    result = refresh(["roads"], region="alle", pbf=pbf, roads_out=out,
                     snapshot_dir=Path(tmp) / "snapshots")
    seconds = time.perf_counter() - t0
    if result.failures:
        raise RuntimeError("; ".join(result.failures))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    graph = RoadGraph.load(out)
    return seconds, usage.ru_utime + usage.ru_stime, graph.n_nodes, graph.n_edges
