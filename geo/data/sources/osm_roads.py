"""Drive graph from OpenStreetMap: an ``.osm.pbf``/``.osm`` file (pyosmium) or Overpass (osmnx).

Speeds per road class (``maxspeed`` when numeric), one-way streets as single directed
edges, ferry routes (``route=ferry``) as one edge between the terminals carrying the
crossing time (``duration`` tag, else distance at 20 km/h) plus 15 min boarding.
Both readers are imported lazily: ``osmium`` and ``osmnx`` are only needed to build.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse.csgraph import connected_components
from shapely.geometry import box

from geo.crs import transform
from geo.data.roads import RoadGraph
from geo.errors import SourceError
from geo.settings import CRS_DISPLAY, CRS_METRIC, ROADS_FILE, ROADS_REGION_BBOX_LONLAT

#: Free-flow speed per OSM highway class (km/h), used when ``maxspeed`` is missing.
HIGHWAY_SPEED_KMH: dict[str, float] = {
    "motorway": 110, "motorway_link": 60, "trunk": 80, "trunk_link": 50,
    "primary": 70, "primary_link": 40, "secondary": 60, "secondary_link": 40,
    "tertiary": 50, "tertiary_link": 30, "unclassified": 40, "residential": 40,
    "living_street": 15, "road": 40,
}
#: Danish implicit limits written as ``maxspeed=DK:…``.
_IMPLICIT_MAXSPEED = {"dk:urban": 50, "dk:rural": 80, "dk:motorway": 130}
FERRY_SPEED_KMH = 20.0
FERRY_BOARDING_MIN = 15.0
OSM_SOURCE = "OpenStreetMap-bidragydere (ODbL)"
#: Overpass filter for drivable ways, as osmnx's "drive" network type.
DRIVE_FILTER = (
    '["highway"]["area"!~"yes"]["access"!~"private"]'
    '["highway"!~"abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|'
    'escalator|footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|'
    'service|services|steps|track"]["motor_vehicle"!~"no"]["motorcar"!~"no"]'
)
FERRY_FILTER = '["route"="ferry"]'


# --- tag interpretation ---------------------------------------------------------------
def _first(value: Any) -> str | None:
    """osmnx merges tags of simplified edges into lists; take the first value."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def parse_maxspeed(value: Any) -> float | None:
    """Numeric ``maxspeed`` in km/h ("50", "80 mph", "DK:rural"); None if not numeric."""
    vals = value if isinstance(value, (list, tuple)) else [value]
    speeds = []
    for raw in vals:
        s = _first(raw)
        if not s:
            continue
        s = s.strip().lower()
        if s in _IMPLICIT_MAXSPEED:
            speeds.append(float(_IMPLICIT_MAXSPEED[s]))
            continue
        m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?$", s)
        if m:
            speeds.append(float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0))
    speeds = [v for v in speeds if v > 0]
    return min(speeds) if speeds else None


def parse_duration_min(value: Any) -> float | None:
    """OSM ``duration`` ("HH:MM", "H:MM:SS", or minutes) in minutes; None if unparseable."""
    s = _first(value)
    if not s:
        return None
    s = s.strip()
    try:
        parts = [float(p) for p in s.split(":")]
    except ValueError:
        return None
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0] * 60 + parts[1]
    if len(parts) == 3:
        return parts[0] * 60 + parts[1] + parts[2] / 60
    return None


def is_ferry(tags: Mapping[str, Any]) -> bool:
    """True for ``route=ferry`` ways."""
    r = tags.get("route")
    vals = r if isinstance(r, (list, tuple)) else [r]
    return any(_first(v) == "ferry" for v in vals)


def road_speed_kmh(tags: Mapping[str, Any]) -> float | None:
    """Speed for a drivable way, or None when cars may not use it."""
    hw = tags.get("highway")
    classes = [c for c in (hw if isinstance(hw, (list, tuple)) else [hw]) if c]
    classes = [str(c) for c in classes if str(c) in HIGHWAY_SPEED_KMH]
    if not classes:
        return None
    for key in ("access", "motor_vehicle", "motorcar"):
        if _first(tags.get(key)) in {"no", "private"}:
            return None
    if _first(tags.get("area")) == "yes":
        return None
    ms = parse_maxspeed(tags.get("maxspeed"))
    return ms if ms is not None else max(HIGHWAY_SPEED_KMH[c] for c in classes)


def oneway_direction(tags: Mapping[str, Any]) -> int:
    """1 = forward only, -1 = against the drawing direction only, 0 = both ways."""
    ow = (_first(tags.get("oneway")) or "").lower()
    if ow in {"yes", "true", "1"}:
        return 1
    if ow in {"-1", "reverse"}:
        return -1
    if ow in {"no", "false", "0"}:
        return 0
    if _first(tags.get("junction")) in {"roundabout", "circular"}:
        return 1
    if _first(tags.get("highway")) in {"motorway"}:
        return 1
    return 0


def ferry_minutes(length_m: float, tags: Mapping[str, Any]) -> float:
    """Crossing time (``duration`` or distance at 20 km/h) plus boarding."""
    dur = parse_duration_min(tags.get("duration"))
    crossing = dur if dur is not None and dur > 0 else length_m / 1000.0 / FERRY_SPEED_KMH * 60
    return crossing + FERRY_BOARDING_MIN


# --- graph assembly -------------------------------------------------------------------
def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:

    x, y = transform(CRS_DISPLAY, CRS_METRIC, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def _assemble(
    node_ids: np.ndarray, lon: np.ndarray, lat: np.ndarray,
    u_id: np.ndarray, v_id: np.ndarray, minutes: np.ndarray,
    largest_component: bool, **meta: object,
) -> RoadGraph:
    """Compact node numbering, optional largest strongly connected component."""

    if len(u_id) == 0:
        raise SourceError("Ingen veje fundet i OSM-data for området.",
                          "No drivable roads found in the OSM data for the area.")
    used, inv = np.unique(np.concatenate([u_id, v_id]), return_inverse=True)
    pos = np.searchsorted(node_ids, used)
    x, y = _project(lon[pos], lat[pos])
    u, v = inv[: len(u_id)], inv[len(u_id):]
    g = RoadGraph.from_edges(x, y, u, v, minutes, **meta)
    if largest_component:
        _, labels = connected_components(g.matrix, directed=True, connection="strong")
        big = labels == np.bincount(labels).argmax()
        if not big.all():
            remap = np.cumsum(big) - 1
            eu, ev, ew = g.edges()
            k = big[eu] & big[ev]
            g = RoadGraph.from_edges(x[big], y[big], remap[eu[k]], remap[ev[k]], ew[k], **meta)
    return g


def _in_bbox(lon: np.ndarray, lat: np.ndarray, bbox: tuple[float, float, float, float] | None):
    if bbox is None:
        return np.ones(len(lon), dtype=bool)
    x0, y0, x1, y1 = bbox
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def graph_from_osm_file(
    path: str | Path,
    bbox: tuple[float, float, float, float] | None = None,
    largest_component: bool = True,
    date: str | None = None,
) -> RoadGraph:
    """Drive graph from an ``.osm.pbf`` or ``.osm`` XML file, read with pyosmium.

    Parameters
    ----------
    path : path to a Geofabrik extract (``.osm.pbf``) or an OSM XML file.
    bbox : (min_lon, min_lat, max_lon, max_lat); edges with an end outside are dropped.
    largest_component : keep only the largest strongly connected component.
    date : data date for provenance; default the file's modification date.
    """
    try:
        import osmium  # optional: builds the national road graph only
    except ImportError as exc:  # pragma: no cover - depends on installation
        raise SourceError("Pakken 'osmium' mangler; installer den for at læse OSM-filer.",
                          "Package 'osmium' is missing; install it to read OSM files.") from exc
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"OSM-filen findes ikke: {path}", f"OSM file not found: {path}")
    try:
        fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
              .with_locations()
              .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
              .with_filter(osmium.filter.KeyFilter("highway", "route")))
        ids, lons, lats, wids, ways = _collect_ways(fp)
    except RuntimeError:  # libosmium's error for an unknown format or a damaged file
        raise SourceError(f"OSM-filen {path.name} kan ikke læses: den er beskadiget eller ikke en "
                          ".osm.pbf- eller .osm-fil.", f"OSM file {path.name} cannot be read.") from None
    if not ways:
        raise SourceError("Ingen veje fundet i OSM-filen.", "No drivable roads in the OSM file.")
    meta = {"source": f"{OSM_SOURCE}, {path.name}",
            "date": date or dt.date.fromtimestamp(path.stat().st_mtime).isoformat(),
            "quality": "real", "method": "OSM-vejklasser/maxspeed, pyosmium"}
    return _graph_from_occurrences(np.array(ids, dtype=np.int64), np.array(lons), np.array(lats),
                                   np.array(wids, dtype=np.int64), ways, bbox,
                                   largest_component, meta)


def _collect_ways(fp: Any) -> tuple[list[int], list[float], list[float], list[int], list]:
    """Node ids, lon, lat, way index per node occurrence, and (speed, direction, ferry, tags)
    per drivable way or ferry route."""
    ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    wids: list[int] = []
    ways: list[tuple[float, int, bool, dict[str, str]]] = []
    for way in fp:
        tags = {t.k: t.v for t in way.tags}
        ferry = is_ferry(tags)
        speed = None if ferry else road_speed_kmh(tags)
        if not ferry and speed is None:
            continue
        refs = [(n.ref, n.location) for n in way.nodes if n.location.valid()]
        if len(refs) < 2:
            continue
        w = len(ways)
        ways.append((speed or 0.0, oneway_direction(tags), ferry, tags))
        for ref, loc in refs:
            ids.append(ref)
            lons.append(loc.lon)
            lats.append(loc.lat)
            wids.append(w)
    return ids, lons, lats, wids, ways


#: Alias named after the brief: the same reader handles ``.osm.pbf`` and ``.osm``.
graph_from_osm_pbf = graph_from_osm_file


def _graph_from_occurrences(ids, lon, lat, wid, ways, bbox, largest_component, meta) -> RoadGraph:
    x, y = _project(lon, lat)
    inside = _in_bbox(lon, lat, bbox)
    speed = np.array([w[0] for w in ways])
    direction = np.array([w[1] for w in ways])
    ferry = np.array([w[2] for w in ways])
    seg = np.nonzero(wid[:-1] == wid[1:])[0]
    seg_len = np.hypot(x[seg + 1] - x[seg], y[seg + 1] - y[seg])
    us, vs, ms = [], [], []
    # roads: one edge per consecutive node pair
    road = ~ferry[wid[seg]] & inside[seg] & inside[seg + 1]
    s = seg[road]
    mins = seg_len[road] / 1000.0 / speed[wid[s]] * 60.0
    d = direction[wid[s]]
    fwd, bwd = d >= 0, d <= 0
    us += [ids[s][fwd], ids[s + 1][bwd]]
    vs += [ids[s + 1][fwd], ids[s][bwd]]
    ms += [mins[fwd], mins[bwd]]
    # ferries: one edge between the terminals
    way_len = np.bincount(wid[seg], weights=seg_len, minlength=len(ways))
    first = np.searchsorted(wid, np.arange(len(ways)), side="left")
    last = np.searchsorted(wid, np.arange(len(ways)), side="right") - 1
    for w in np.nonzero(ferry)[0]:
        a, b = first[w], last[w]
        if not (inside[a] and inside[b]) or ids[a] == ids[b]:
            continue
        m = ferry_minutes(float(way_len[w]), ways[w][3])
        if direction[w] >= 0:
            us.append(ids[a:a + 1]); vs.append(ids[b:b + 1]); ms.append(np.array([m]))
        if direction[w] <= 0:
            us.append(ids[b:b + 1]); vs.append(ids[a:a + 1]); ms.append(np.array([m]))
    order = np.argsort(ids, kind="stable")
    uniq, first_occ = np.unique(ids[order], return_index=True)
    return _assemble(uniq, lon[order][first_occ], lat[order][first_occ],
                     np.concatenate(us), np.concatenate(vs), np.concatenate(ms),
                     largest_component, **meta)


def graph_from_networkx(G: Any, largest_component: bool = True, **meta: object) -> RoadGraph:
    """Convert an osmnx MultiDiGraph (lon/lat nodes, ``length`` in metres) to a RoadGraph."""
    node_ids = np.array(sorted(G.nodes), dtype=np.int64)
    lon = np.array([G.nodes[n]["x"] for n in node_ids], dtype=float)
    lat = np.array([G.nodes[n]["y"] for n in node_ids], dtype=float)
    us, vs, ms = [], [], []
    for a, b, data in G.edges(data=True):
        length = float(data.get("length", 0.0))
        if is_ferry(data):
            m = ferry_minutes(length, data)
        else:
            sp = road_speed_kmh(data)
            if sp is None:
                continue
            m = length / 1000.0 / sp * 60.0
        us.append(a); vs.append(b); ms.append(m)
    meta = {"source": OSM_SOURCE, "date": dt.date.today().isoformat(), "quality": "real",
            "method": "OSM-vejklasser/maxspeed, osmnx", **meta}
    return _assemble(node_ids, lon, lat, np.array(us, dtype=np.int64),
                     np.array(vs, dtype=np.int64), np.array(ms, dtype=float),
                     largest_component, **meta)


_EXTRA_WAY_TAGS = ("route", "duration", "motor_vehicle", "motorcar", "access", "junction")


def _osmnx():
    try:
        import osmnx as ox  # optional: Overpass road download only
    except ImportError as exc:  # pragma: no cover - depends on installation
        raise SourceError("Pakken 'osmnx' mangler; installer den for at hente vejnet.",
                          "Package 'osmnx' is missing; install it to fetch road networks.") from exc
    tags = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = tags + [t for t in _EXTRA_WAY_TAGS if t not in tags]
    return ox


def graph_from_osm_xml_osmnx(path: str | Path, largest_component: bool = True) -> RoadGraph:
    """Drive graph from an OSM XML file through ``osmnx.graph_from_xml`` (no network access)."""
    ox = _osmnx()
    G = ox.graph_from_xml(str(path), simplify=False, retain_all=True)
    return graph_from_networkx(G, largest_component, source=f"{OSM_SOURCE}, {Path(path).name}")


def graph_from_overpass(polygon: Any, largest_component: bool = True) -> RoadGraph:
    """Drive graph and ferries inside a lon/lat shapely polygon, fetched from Overpass via osmnx.

    Needs network access at run time.
    """
    ox = _osmnx()
    try:
        G = ox.graph_from_polygon(polygon, custom_filter=[DRIVE_FILTER, FERRY_FILTER],
                                  simplify=True, retain_all=True)
    except Exception as exc:
        raise SourceError("Vejnettet kunne ikke hentes fra Overpass (OpenStreetMap).",
                          f"Could not fetch the road network from Overpass: {exc}") from exc
    return graph_from_networkx(G, largest_component, source=f"{OSM_SOURCE}, Overpass API")


# --- build -----------------------------------------------------------------------------

def build_roads(pbf: str | Path | None = None,
                bbox: tuple[float, float, float, float] | None = ROADS_REGION_BBOX_LONLAT,
                out: str | Path = ROADS_FILE) -> RoadGraph:
    """Build the drive graph (from `pbf` if given, else Overpass) and save it as ``.npz``.

    Parameters
    ----------
    pbf : an ``.osm.pbf`` (Geofabrik) or ``.osm`` file; None fetches from Overpass.
    bbox : (min_lon, min_lat, max_lon, max_lat) to keep; None keeps the whole file.
    out : where the graph is written.
    """
    if pbf:
        graph = graph_from_osm_file(pbf, bbox=bbox)
    else:
        graph = graph_from_overpass(box(*(bbox or ROADS_REGION_BBOX_LONLAT)))
    graph.save(Path(out))
    return graph
