"""OpenStreetMap through the Overpass API: institutions, rail stations, and boundaries.

* Institutions: ``amenity=university|college|research_institute``, merged with the project's
  cited list ``data/institutions.csv`` (the list wins; OSM adds exact positions and extras).
* Stations: ``railway=station`` and ``public_transport=station`` with ``train=yes``, merged
  with ``data/stations.csv``.
* Boundaries (keyless fallback for DAGI): ``boundary=administrative`` + ``admin_level=7``.

Duplicates: same normalised name (or one contained in the other) within `DEDUPE_M` metres;
a row of the cited list that is only placed at its town is matched within `TOWN_MATCH_M`.
Data © OpenStreetMap contributors, ODbL 1.0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote_plus

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString
from shapely.ops import polygonize, unary_union

from geo.crs import to_crs
from geo.data.addresses import normalise_name
from geo.data.provenance import Provenance
from geo.data.schema import INSTITUTIONS, MUNICIPALITIES, STATIONS, LayerSchema
from geo.data.sources._http import HttpClient, endpoint
from geo.data.sources.dagi_file import municipalities_frame, normalise_code
from geo.data.sources.embedded import load_institutions, load_stations, municipality_table
from geo.data.spatial import assign_municipality
from geo.errors import SourceError
from geo.settings import CRS_DISPLAY, CRS_METRIC

DEFAULT_URL = "https://overpass-api.de/api/interpreter"
SOURCE_DA = "OpenStreetMap (Overpass API)"
LICENCE = "© OpenStreetMap-bidragydere, ODbL 1.0 (openstreetmap.org/copyright)"
DEDUPE_M = 500.0
TOWN_MATCH_M = 15000.0
#: Region Sjælland with a margin (S, W, N, E) – Overpass bbox order.
DEFAULT_BBOX_SWNE = (54.5, 10.8, 56.15, 12.75)
_NAME_NOISE = ("kommune", "station", "st", "campus")


def overpass(client: HttpClient, query: str, ttl_s: float = 24 * 3600.0) -> list[dict[str, Any]]:
    """``elements`` of an Overpass QL query (POST form field ``data``).

    Raises
    ------
    SourceError
        HTTP faults, non-JSON, a missing ``elements`` list, or an Overpass runtime error
        (``remark`` such as a timeout) – in Danish.
    """
    return client.fetch_json(SOURCE_DA, "POST", endpoint("overpass", DEFAULT_URL), parse=_elements,
                             data=f"data={_form_quote(query)}", ttl_s=ttl_s,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


def _elements(doc: Any) -> list[dict[str, Any]]:
    """``elements`` of an Overpass answer; `SourceError` for another shape or a runtime error."""
    if not isinstance(doc, dict) or not isinstance(doc.get("elements"), list):
        raise SourceError(f"{SOURCE_DA} svarede i et uventet format (ingen 'elements'). "
                          "Prøv igen senere.", f"{SOURCE_DA}: no 'elements' in the answer.")
    remark = str(doc.get("remark") or "")
    if "error" in remark.lower() or "timed out" in remark.lower():
        raise SourceError(f"{SOURCE_DA} afbrød forespørgslen ({remark[:120]}). "
                          "Prøv igen senere.",
                          f"{SOURCE_DA} runtime error: {remark[:200]}")
    return doc["elements"]


def _form_quote(text: str) -> str:

    return quote_plus(text)


def _bbox_text(bbox_swne: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:.5f}" for v in bbox_swne)


def bbox_of(gdf: gpd.GeoDataFrame | None, margin_deg: float = 0.05) -> tuple[float, ...]:
    """(S, W, N, E) around a layer in lon/lat, or the default region box."""
    if gdf is None or gdf.empty:
        return DEFAULT_BBOX_SWNE
    w, s, e, n = to_crs(gdf, CRS_DISPLAY).total_bounds
    return (s - margin_deg, w - margin_deg, n + margin_deg, e + margin_deg)


def _element_point(el: Mapping[str, Any]) -> tuple[float, float] | None:
    if "lat" in el and "lon" in el:
        return float(el["lon"]), float(el["lat"])
    center = el.get("center")
    if isinstance(center, Mapping) and "lat" in center:
        return float(center["lon"]), float(center["lat"])
    return None


def _points_frame(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=[*columns, "lon", "lat"])
    geom = gpd.points_from_xy(frame["lon"], frame["lat"], crs=CRS_DISPLAY)
    gdf = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=geom, crs=CRS_DISPLAY)
    return to_crs(gdf, CRS_METRIC)


# --- institutions and stations ----------------------------------------------------------
def institution_kind(tags: Mapping[str, str]) -> str:
    """Map OSM tags to an INSTITUTION_KINDS value."""
    amenity = tags.get("amenity", "")
    name = normalise_name(tags.get("name", ""))
    if amenity == "research_institute":
        return "research_institute"
    if amenity == "university":
        return "university"
    if "erhvervsakademi" in name or "business academy" in name:
        return "business_academy"
    if any(w in name.split() for w in ("euc", "zbc", "sosu", "handelsskole", "erhvervsskole")) or \
            "tekniske skole" in name or "teknisk skole" in name:
        return "vocational_school"
    return "university_college"


def fetch_osm_institutions(client: HttpClient, bbox_swne: tuple[float, ...]) -> gpd.GeoDataFrame:
    """Named OSM institutions in the box: name, kind, osm_id, geometry (EPSG:25832)."""
    box = _bbox_text(bbox_swne)  # type: ignore[arg-type]
    query = (f'[out:json][timeout:90];nwr["amenity"~"^(university|college|research_institute)$"]'
             f'["name"]({box});out center tags;')
    rows = []
    for el in overpass(client, query):
        tags = el.get("tags") or {}
        point = _element_point(el)
        if point is None or not tags.get("name"):
            continue
        rows.append({"name": tags["name"], "kind": institution_kind(tags),
                     "osm_id": f"{el.get('type')}/{el.get('id')}",
                     "lon": point[0], "lat": point[1]})
    return _points_frame(rows, ["name", "kind", "osm_id"])


def fetch_osm_stations(client: HttpClient, bbox_swne: tuple[float, ...]) -> gpd.GeoDataFrame:
    """Named OSM rail stations in the box (not disused/heritage): name, osm_id, geometry."""
    box = _bbox_text(bbox_swne)  # type: ignore[arg-type]
    query = (f'[out:json][timeout:90];('
             f'nwr["railway"="station"]["name"]({box});'
             f'nwr["public_transport"="station"]["train"="yes"]["name"]({box});'
             f');out center tags;')
    rows = []
    seen: set[str] = set()
    for el in overpass(client, query):
        tags = el.get("tags") or {}
        point = _element_point(el)
        osm_id = f"{el.get('type')}/{el.get('id')}"
        if point is None or not tags.get("name") or osm_id in seen:
            continue
        if tags.get("usage") == "tourism" or tags.get("railway") in ("disused", "abandoned") \
                or tags.get("station") == "subway" or tags.get("disused") == "yes":
            continue
        seen.add(osm_id)
        rows.append({"name": tags["name"], "osm_id": osm_id, "lon": point[0], "lat": point[1]})
    return _points_frame(rows, ["name", "osm_id"])


def _key(name: object) -> str:
    words = [w for w in normalise_name(name).split() if w not in _NAME_NOISE]
    return " ".join(words)


def _same_name(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def merge_points(
    cited: gpd.GeoDataFrame,
    osm: gpd.GeoDataFrame,
    osm_source: str,
    max_m: float = DEDUPE_M,
    town_max_m: float = TOWN_MATCH_M,
) -> tuple[gpd.GeoDataFrame, int, int]:
    """Cited list + OSM extras, deduplicated by name and distance.

    A cited row matched by an OSM point takes the OSM position (``location_quality='exact'``)
    if it was only placed at its town; unmatched OSM points are appended. Returns the merged
    frame (EPSG:25832), the number of matches and the number of OSM rows added.
    """
    cited = to_crs(cited, CRS_METRIC).reset_index(drop=True).copy()
    osm = to_crs(osm, CRS_METRIC).reset_index(drop=True)
    cited_keys = [_key(n) for n in cited["name"]]
    used: set[int] = set()
    matched_osm: set[int] = set()
    geoms = list(cited.geometry)
    quality = list(cited["location_quality"])
    sources = list(cited["source"].astype(object))
    for i, (name, geom) in enumerate(zip(osm["name"], osm.geometry)):
        key = _key(name)
        best: tuple[float, int] | None = None
        for j, ckey in enumerate(cited_keys):
            if j in used or not _same_name(key, ckey):
                continue
            limit = town_max_m if quality[j] == "town" else max_m
            dist = geom.distance(geoms[j])
            if dist <= limit and (best is None or dist < best[0]):
                best = (dist, j)
        if best is not None:
            j = best[1]
            used.add(j)
            matched_osm.add(i)
            if quality[j] == "town":
                geoms[j] = geom
                quality[j] = "exact"
                sources[j] = f"{sources[j]}; position: {osm_source}"
    cited = cited.set_geometry(geoms, crs=CRS_METRIC)
    cited["location_quality"] = quality
    cited["source"] = sources
    extra = osm[[i not in matched_osm for i in range(len(osm))]].copy()
    # OSM points among themselves: the same name within max_m counts once
    keep, kept_geoms, kept_keys = [], [], []
    for idx, (name, geom) in enumerate(zip(extra["name"], extra.geometry)):
        key = _key(name)
        if any(_same_name(key, k) and geom.distance(g) <= max_m
               for k, g in zip(kept_keys, kept_geoms)):
            continue
        keep.append(idx)
        kept_geoms.append(geom)
        kept_keys.append(key)
    extra = extra.iloc[keep]
    extra["location_quality"] = "exact"
    extra["source"] = osm_source
    merged = pd.concat([cited, extra], ignore_index=True)
    return (gpd.GeoDataFrame(merged, geometry="geometry", crs=CRS_METRIC), len(matched_osm),
            len(extra))


def _with_municipality(gdf: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame | None,
                       only_codes: Iterable[str] | None) -> gpd.GeoDataFrame:
    if municipalities is not None and len(municipalities) and len(gdf):
        codes = assign_municipality(gdf, municipalities)
        gdf["kommunekode"] = gdf["kommunekode"].where(gdf["kommunekode"].notna(), codes) \
            if "kommunekode" in gdf else codes
    if "kommunekode" not in gdf:
        gdf["kommunekode"] = None
    if only_codes is not None:
        wanted = set(only_codes)
        gdf = gdf[gdf["kommunekode"].isin(wanted)]
    return gdf.reset_index(drop=True)


def fetch_institutions(
    client: HttpClient,
    municipalities: gpd.GeoDataFrame | None = None,
    only_codes: Iterable[str] | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """Cited institutions merged with OSM; INSTITUTIONS schema, EPSG:25832."""
    return _cited_plus_osm(
        load_institutions(), fetch_osm_institutions(client, bbox_of(municipalities)), municipalities, only_codes,
        INSTITUTIONS, "Projektets kildebelagte liste (data/institutions.csv) + OpenStreetMap via Overpass",
        f"Dubletter fjernet efter navn og afstand (≤ {DEDUPE_M:.0f} m; byplacerede rækker "
        f"≤ {TOWN_MATCH_M / 1000:.0f} km). {LICENCE}",
        "institutioner", " (præcis position)",
    )


def fetch_stations(
    client: HttpClient,
    municipalities: gpd.GeoDataFrame | None = None,
    only_codes: Iterable[str] | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """Cited stations merged with OSM; STATIONS schema, EPSG:25832."""
    return _cited_plus_osm(
        load_stations(), fetch_osm_stations(client, bbox_of(municipalities)), municipalities, only_codes,
        STATIONS, "Projektets stationsliste (data/stations.csv) + OpenStreetMap via Overpass",
        f"railway=station / public_transport=station+train=yes; dubletter fjernet efter "
        f"navn og afstand (≤ {DEDUPE_M:.0f} m). {LICENCE}",
        "stationer", "",
    )


def _cited_plus_osm(
    cited: gpd.GeoDataFrame, osm: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame | None,
    only_codes: Iterable[str] | None, schema: LayerSchema, source: str, method: str, what: str, matched_note: str,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """Merge a cited list with OSM points, assign municipalities, and describe the result."""
    merged, matched, added = merge_points(cited, osm, f"OpenStreetMap {LICENCE}")
    merged = _with_municipality(merged, municipalities, only_codes)
    note = (f"{what}: {len(osm)} fra OpenStreetMap, {matched} genkendt i projektets liste{matched_note}, "
            f"{added} tilføjet; i alt {len(merged)}.")
    prov = Provenance(
        layer=schema.name_da,
        source=source,
        date=pd.Timestamp.now(tz="UTC").date().isoformat(),
        method=method,
        quality="real" if (merged["location_quality"] == "exact").all() else "approximate",
        url="https://www.openstreetmap.org",
    )
    extra = [c for c in merged.columns if c not in (*schema.columns, "geometry")]
    return merged[[*schema.columns, *extra, "geometry"]], prov, (note,)


# --- boundaries (keyless fallback) ---------------------------------------------------------
def _relation_polygon(el: Mapping[str, Any]):
    """Polygon of a relation from ``out geom`` members: outer faces minus inner faces."""
    lines: dict[str, list[LineString]] = {"outer": [], "inner": []}
    for member in el.get("members") or []:
        coords = [(p["lon"], p["lat"]) for p in member.get("geometry") or [] if p]
        if member.get("type") != "way" or len(coords) < 2:
            continue
        lines["inner" if member.get("role") == "inner" else "outer"].append(LineString(coords))
    outer = unary_union(list(polygonize(unary_union(lines["outer"])))) if lines["outer"] else None
    if outer is None or outer.is_empty:
        return None
    if lines["inner"]:
        inner = unary_union(list(polygonize(unary_union(lines["inner"]))))
        outer = outer.difference(inner)
    return outer


def _osm_code(tags: Mapping[str, str], by_name: Mapping[str, str]) -> str | None:
    for tag in ("ref:kommunekode", "municipality:ref", "ref"):
        code = normalise_code(tags.get(tag))
        if code is not None and int(code) >= 100:
            return code
    name = normalise_name(tags.get("name", "")).removesuffix(" kommune")
    return by_name.get(name)


def fetch_osm_municipalities(
    client: HttpClient,
    only_codes: Iterable[str] | None = None,
    population: Mapping[str, int] | None = None,
    bbox_swne: tuple[float, ...] = DEFAULT_BBOX_SWNE,
) -> tuple[gpd.GeoDataFrame, Provenance]:
    """Municipalities from OSM ``admin_level=7`` relations (keyless; approximate coastlines).

    The code comes from ``ref:kommunekode``/``ref`` if present, else from the name matched
    against the embedded K17 table.
    """
    table = municipality_table()
    by_name = {normalise_name(n): c for n, c in zip(table["navn"], table["kommunekode"])}
    query = (f'[out:json][timeout:180];relation["boundary"="administrative"]["admin_level"="7"]'
             f'({_bbox_text(bbox_swne)});out tags geom;')  # type: ignore[arg-type]
    rows = []
    for el in overpass(client, query, ttl_s=7 * 24 * 3600.0):
        if el.get("type") != "relation":
            continue
        tags = el.get("tags") or {}
        code = _osm_code(tags, by_name)
        geom = _relation_polygon(el)
        if code is None or geom is None:
            continue
        name = str(tags.get("name", "")).removesuffix(" Kommune") or None
        rows.append({"kommunekode": code, "navn": name, "geometry": geom})
    wanted = set(only_codes) if only_codes is not None else None
    if wanted is not None:
        rows = [r for r in rows if r["kommunekode"] in wanted]
    if not rows:
        raise SourceError(f"{SOURCE_DA} returnerede ingen kommunegrænser (admin_level=7). "
                          "Prøv igen senere, eller indlæs en DAGI-fil.",
                          f"{SOURCE_DA} returned no municipal boundaries.")
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=CRS_DISPLAY)
    gdf = to_crs(gdf, CRS_METRIC)
    out = municipalities_frame(gdf.to_dict("records"), None, population)
    out["population"] = out["population"].astype("float64")
    prov = Provenance(
        layer=MUNICIPALITIES.name_da,
        source="OpenStreetMap admin_level=7 via Overpass (erstatning uden Datafordeler-nøgle)",
        date=pd.Timestamp.now(tz="UTC").date().isoformat(),
        method=f"{len(rows)} relationer samlet til {len(out)} kommuner; grænser tegnet af "
               f"frivillige efter kystlinjen – omtrentlige, ikke DAGI. {LICENCE}",
        quality="approximate",
        url="https://www.openstreetmap.org",
    )
    return out, prov
