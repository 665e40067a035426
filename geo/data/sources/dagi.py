"""Municipal boundaries from Datafordeleren's GraphQL service (DAGI), with a keyless fallback.

Datafordeleren moved from REST to GraphQL in 2026; DAGI is served at
``https://graphql.datafordeler.dk/DAGI/v2`` (schema version per the SDFI Confluence page
"GraphQL DAGI", pageId 199984259). The API key goes in the ``apiKey`` query parameter.
Entities are bitemporal: every query names ``registreringstid`` and ``virkningstid``.

Without a key (`DATAFORDELER_API_KEY` unset) `fetch_municipalities` falls back to
OpenStreetMap ``admin_level=7`` relations through Overpass (`geo.data.sources.osm`), labelled as
such in the provenance.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import shapely.wkt
from shapely.errors import ShapelyError

from geo.data.provenance import Provenance
from geo.data.schema import MUNICIPALITIES
from geo.data.sources._http import HttpClient, endpoint, get_secret
from geo.data.sources.dagi_file import municipalities_frame, normalise_code
from geo.data.sources.osm import fetch_osm_municipalities
from geo.errors import EmptyAnswerError, SourceError

ENV_KEY = "DATAFORDELER_API_KEY"
#: Documented GraphQL endpoint (override: KLYNGESTED_DAGI_URL).
DEFAULT_URL = "https://graphql.datafordeler.dk/DAGI/v2"
SOURCE_DA = "Datafordeleren (DAGI GraphQL)"
SOURCE_LABEL = "Klimadatastyrelsen, DAGI Kommuneinddeling via Datafordeleren GraphQL"
LICENCE = "Indeholder data fra Klimadatastyrelsen, DAGI (Datafordeleren), frie grunddata"
PAGE_SIZE = 20  # geometries at 1:10,000 are large; keep pages small
#: Datafordeleren's codes for refusals that are not a wrong key.
AUTH_HINTS = {
    "DAF-AUTH-0005": (
        "Datafordeleren tillader ikke kald fra denne maskines IP-adresse (DAF-AUTH-0005). "
        f"Nøglen i {ENV_KEY} virker kun fra IP-adresser, der er godkendt (whitelistet) på "
        "brugeren i Datafordelerens selvbetjening: tilføj serverens offentlige IP-adresse dér, "
        "eller indlæs en DAGI-fil i stedet"),
}

_MUNICIPALITY_QUERY = """
query Kommuner($tid: DafDateTime, $after: String) {
  DAGI_Kommuneinddeling(first: %(first)d, after: $after, registreringstid: $tid,
                        virkningstid: $tid%(where)s) {
    nodes { id_lokalId kommunekode navn regionLokalid geometri { wkt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
_REGION_QUERY = """
query Regioner($tid: DafDateTime, $after: String) {
  DAGI_Regionsinddeling(first: 10, after: $after, registreringstid: $tid, virkningstid: $tid) {
    nodes { id_lokalId regionskode navn }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _today_utc() -> str:
    """Today at midnight UTC: stable for a day, so the request (and its cache key) is too."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT00:00:00Z")


def graphql_pages(
    client: HttpClient,
    entity: str,
    query: str,
    api_key: str,
    variables: Mapping[str, Any] | None = None,
    url: str | None = None,
    max_pages: int = 1000,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the ``nodes`` of each page, following ``pageInfo { hasNextPage endCursor }``.

    Raises
    ------
    SourceError
        HTTP faults (see `HttpClient.fetch`), GraphQL ``errors``, or a response without the
        expected ``data.<entity>.nodes`` / ``pageInfo`` (a schema change).
    """
    target = url or endpoint("dagi", DEFAULT_URL)
    after: str | None = None
    for _ in range(max_pages):
        body = {"query": query, "variables": {**(variables or {}), "after": after}}
        nodes, has_next, after = client.fetch_json(
            SOURCE_DA, "POST", target, parse=lambda doc: _page(client, doc, entity), json_body=body,
            secret_params={"apiKey": api_key}, key_hint=ENV_KEY, headers={"Accept": "application/json"}, auth_hints=AUTH_HINTS)
        yield nodes
        if not has_next or not after:
            return
    raise _schema_error(f"mere end {max_pages} sider – paging stopper ikke")


def _page(client: HttpClient, doc: Any, entity: str) -> tuple[list[dict[str, Any]], bool, str | None]:
    """(nodes, hasNextPage, endCursor) of one GraphQL page; `SourceError` for any other shape
    (so the HTTP cache never keeps it)."""
    if not isinstance(doc, dict):
        raise _schema_error("svaret er ikke et JSON-objekt")
    if doc.get("errors"):
        errors = doc["errors"] if isinstance(doc["errors"], list) else [doc["errors"]]
        messages = "; ".join(str(e.get("message", e)) for e in errors[:3]
                             if isinstance(e, dict)) or str(doc["errors"])[:200]
        for code, cause in AUTH_HINTS.items():
            if code in str(doc["errors"]):
                raise SourceError(f"{SOURCE_DA} afviste adgangen: {cause}.",
                                  f"{SOURCE_DA}: {code} (IP address not whitelisted).")
        raise SourceError(
            client.redact(f"{SOURCE_DA} svarede med en fejl i forespørgslen: {messages}. "
                          "Tjek om tjenestens skema er ændret."),
            client.redact(f"{SOURCE_DA} returned GraphQL errors: {messages}"),
        )
    try:
        conn = doc["data"][entity]
        nodes = conn["nodes"]
        info = conn["pageInfo"]
        has_next = bool(info["hasNextPage"])
        after = info.get("endCursor")
    except (KeyError, TypeError, AttributeError):
        raise _schema_error(f"feltet data.{entity}.nodes/pageInfo mangler") from None
    nodes = nodes or []
    if not (isinstance(nodes, list) and all(isinstance(n, dict) for n in nodes)
            and isinstance(after, (str, type(None)))):
        raise _schema_error(f"feltet data.{entity}.nodes/pageInfo har en forkert type")
    return nodes, has_next, after


def _schema_error(detail: str) -> SourceError:
    return SourceError(
        f"{SOURCE_DA} svarede i et uventet format ({detail}). Tjenestens skema kan være "
        "ændret; den seneste gemte snapshot bruges stadig.",
        f"{SOURCE_DA} answered in an unexpected shape ({detail}); schema change?",
    )


def fetch_regions(client: HttpClient, api_key: str, tid: str | None = None) -> pd.DataFrame:
    """Regions: id_lokalId, regionskode (4 digits), regionsnavn."""
    rows = [
        {"id_lokalId": n.get("id_lokalId"), "regionskode": normalise_code(n.get("regionskode")),
         "regionsnavn": n.get("navn")}
        for page in graphql_pages(client, "DAGI_Regionsinddeling", _REGION_QUERY, api_key,
                                  {"tid": tid or _today_utc()})
        for n in page
    ]
    return pd.DataFrame(rows, columns=["id_lokalId", "regionskode", "regionsnavn"])


#: Node fields that name a generalisation level or scale, when an answer carries several.
_LEVEL_KEYS = ("generaliseringsniveau", "skala", "geometriskala", "målestok")


def _level(node: Mapping[str, Any]) -> str | None:
    for key, value in [*node.items(), *((node.get("geometri") or {}).items())]:
        if str(key).casefold() in _LEVEL_KEYS and value not in (None, ""):
            return str(value)
    return None


def _scale(level: str) -> float:
    """'1:10000', '10000', 'G10' -> a number to sort by (smaller = more detailed)."""
    digits = re.findall(r"\d+", level.replace(".", ""))
    return float(digits[-1]) if digits else float("inf")


def most_detailed(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The nodes of the most detailed generalisation level, when the answer carries several."""
    levels = {_level(n) for n in nodes} - {None}
    if len(levels) < 2:
        return nodes
    best = min(levels, key=_scale)
    return [n for n in nodes if _level(n) in (best, None)]


def _row(node: Mapping[str, Any]) -> dict[str, Any]:
    """One DAGI node -> kommunekode, navn, regionLokalid and a 2-D geometry (Z dropped)."""
    try:
        wkt = (node.get("geometri") or {}).get("wkt")
        return {"kommunekode": normalise_code(node["kommunekode"]), "navn": node.get("navn"),
                "regionLokalid": node.get("regionLokalid"),
                "geometry": shapely.force_2d(shapely.wkt.loads(wkt)) if wkt else None}
    except KeyError:
        raise _schema_error("feltet kommunekode mangler") from None
    except (ShapelyError, TypeError, AttributeError) as exc:
        raise _schema_error(f"ugyldig WKT-geometri ({exc})") from None


def fetch_dagi_municipalities(
    client: HttpClient,
    api_key: str,
    region: str | None = None,
    population: Mapping[str, int] | None = None,
    page_size: int = PAGE_SIZE,
) -> tuple[gpd.GeoDataFrame, Provenance]:
    """Municipalities (MUNICIPALITIES schema + regionskode, regionsnavn) from DAGI GraphQL.

    Parts are dissolved per kommunekode; `region` ('1085') limits to one region.

    Raises
    ------
    SourceError
        Any fault of the service, an unknown region, an empty result or invalid WKT.
    """
    tid = _today_utc()
    regions = fetch_regions(client, api_key, tid)
    where = ""
    if region is not None:
        code = normalise_code(region)
        match = regions[regions["regionskode"] == code]
        if match.empty:
            known = ", ".join(f"{r.regionskode} {r.regionsnavn}" for r in regions.itertuples())
            raise SourceError(f"{SOURCE_DA}: ukendt regionskode {region}. Kendte: {known}.",
                              f"{SOURCE_DA}: unknown region code {region}.")
        region_id = match.iloc[0]["id_lokalId"]
        where = f', where: {{ regionLokalid: {{ eq: "{region_id}" }} }}'
    query = _MUNICIPALITY_QUERY % {"first": page_size, "where": where}
    nodes = [n for page in graphql_pages(client, "DAGI_Kommuneinddeling", query, api_key,
                                         {"tid": tid}) for n in page]
    rows = [_row(node) for node in most_detailed(nodes)]
    if not rows:
        raise EmptyAnswerError(f"{SOURCE_DA} returnerede ingen kommuner.",
                               f"{SOURCE_DA} returned no municipalities.")
    out = municipalities_frame(rows, regions, population)
    prov = Provenance(
        layer=MUNICIPALITIES.name_da,
        source=SOURCE_LABEL,
        date=tid[:10],
        method=f"{len(rows)} polygondele (WKT, EPSG:25832) samlet til {len(out)} kommuner; "
               f"region via regionLokalid. {LICENCE}",
        quality="real",
        url=DEFAULT_URL,
    )
    return out, prov


def fetch_municipalities(
    client: HttpClient,
    region: str | None = None,
    only_codes: Iterable[str] | None = None,
    population: Mapping[str, int] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """DAGI when `DATAFORDELER_API_KEY` is set, else OpenStreetMap via Overpass (labelled).

    Returns the layer, its provenance and Danish notes (which source was used).
    """
    key = get_secret(ENV_KEY, secrets)
    if key:
        try:
            gdf, prov = fetch_dagi_municipalities(client, key, region=region, population=population)
            return gdf, prov, (f"Kommunegrænser: {SOURCE_LABEL}.",)
        except EmptyAnswerError:
            reason = f"{SOURCE_DA} svarede uden kommuner"
    else:
        reason = f"ingen {ENV_KEY}"
    gdf, prov = fetch_osm_municipalities(client, only_codes=only_codes, population=population)
    note = (f"Kommunegrænser: {reason} – bruger OpenStreetMap (admin_level=7) via Overpass som "
            "erstatning; grænserne er omtrentlige.")
    return gdf, replace(prov, method=f"{prov.method} ({reason})"), (note,)
