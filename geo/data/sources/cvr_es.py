"""Production units (workplaces) from CVR's system-to-system Elasticsearch distribution.

Endpoints (Erhvervsstyrelsen, "CVR system-til-system adgang"):
``http://distribution.virk.dk/cvr-permanent/produktionsenhed/_search`` and
``…/virksomhed/_search``; Basic auth with `CVR_ES_USER` / `CVR_ES_PASSWORD`. A single
search returns at most 3,000 hits, so results are read with the scroll API
(``?scroll=2m`` then ``POST /_search/scroll``).

Production units (P-numbers) are the demand points, not head offices. Mapped fields
(``VrproduktionsEnhed.produktionsEnhedMetadata.*``): ``nyesteNavn.navn``,
``nyesteCvrNummerRelation``, ``nyesteHovedbranche.branchekode/branchetekst``,
``nyesteBeliggenhedsadresse`` (incl. ``kommune.kommuneKode``), employment from
``nyesteErstMaanedsbeskaeftigelse`` (current), else ``nyesteKvartalsbeskaeftigelse`` (stopped
around 2019 Q3), else ``nyesteAarsbeskaeftigelse`` (stopped around 2018) – numbers, or interval
codes such as 'ANTAL_20_49' -> midpoint, open 'ANTAL_1000_' -> 1000 (see `geo.data.employment`),
``sammensatStatus``; start date from ``livsforloeb``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.data.addresses import Placer
from geo.data.employment import BLOCKS, employment_line, from_metadata
from geo.data.provenance import Provenance
from geo.data.schema import WORKPLACES
from geo.data.sources._http import HttpClient, endpoint, get_secret
from geo.data.sources.geocode import geocode_addresses
from geo.errors import SourceError

ENV_USER = "CVR_ES_USER"
ENV_PASSWORD = "CVR_ES_PASSWORD"
DEFAULT_URL = "http://distribution.virk.dk"
INDEX = "cvr-permanent"
SOURCE_DA = "CVR (Erhvervsstyrelsens system-til-system Elasticsearch)"
LICENCE = "Kilde: Erhvervsstyrelsen, Det Centrale Virksomhedsregister (CVR), frie grunddata"
PAGE_SIZE = 1000  # the distribution caps a page at 3,000
MAX_HITS = 500_000
SCROLL = "2m"
INACTIVE = ("ophørt", "ophoert", "inaktiv", "opløst", "oploest")

UNIT = "VrproduktionsEnhed"
UNIT_META = f"{UNIT}.produktionsEnhedMetadata"
COMPANY = "Vrvirksomhed"
COMPANY_META = f"{COMPANY}.virksomhedMetadata"


def credentials(secrets: Mapping[str, Any] | None = None) -> tuple[str, str] | None:
    """(user, password) from the environment or the passed mapping; None if either is unset."""
    user, password = get_secret(ENV_USER, secrets), get_secret(ENV_PASSWORD, secrets)
    return (user, password) if user and password else None


def build_query(meta: str, kommunekoder: Iterable[str] | None,
                industry_prefixes: Iterable[str] | None) -> dict[str, Any]:
    """Bool filter on municipality codes (ints) and industry-code prefixes ('62', '7112')."""
    filters: list[dict[str, Any]] = []
    codes = [int(c) for c in (kommunekoder or [])]
    if codes:
        filters.append({"terms": {f"{meta}.nyesteBeliggenhedsadresse.kommune.kommuneKode": codes}})
    prefixes = [re.sub(r"\D", "", str(p)) for p in (industry_prefixes or [])]
    prefixes = [p for p in prefixes if p]
    if prefixes:
        filters.append({"bool": {"should": [
            {"prefix": {f"{meta}.nyesteHovedbranche.branchekode": p}} for p in prefixes
        ], "minimum_should_match": 1}})
    return {"bool": {"filter": filters}} if filters else {"match_all": {}}


def scroll_search(
    client: HttpClient,
    index: str,
    query: Mapping[str, Any],
    auth: tuple[str, str],
    source_fields: list[str] | None = None,
    page_size: int = PAGE_SIZE,
    max_hits: int = MAX_HITS,
) -> Iterator[dict[str, Any]]:
    """Every hit's ``_source`` for a query, paging with the scroll API.

    Raises
    ------
    SourceError
        HTTP faults (401/403 names CVR_ES_USER/CVR_ES_PASSWORD), a missing ``hits`` block or
        ``_scroll_id`` (a schema change), or more than `max_hits` hits.
    """
    base = endpoint("cvr", DEFAULT_URL).rstrip("/")
    body: dict[str, Any] = {"size": min(page_size, 3000), "query": dict(query)}
    if source_fields:
        body["_source"] = source_fields
    hint = f"{ENV_USER}/{ENV_PASSWORD}"
    doc = client.fetch_json(SOURCE_DA, "POST", f"{base}/{INDEX}/{index}/_search",
                            params={"scroll": SCROLL}, json_body=body, auth=auth,
                            key_hint=hint, cache=False)
    seen = 0
    while True:
        try:
            hits = doc["hits"]["hits"]
            scroll_id = doc.get("_scroll_id")
        except (KeyError, TypeError):
            raise SourceError(f"{SOURCE_DA} svarede i et uventet format (feltet hits mangler). "
                              "Tjenestens skema kan være ændret.",
                              f"{SOURCE_DA}: no 'hits' in the answer.") from None
        if not hits:
            return
        for hit in hits:
            yield hit.get("_source") or {}
        seen += len(hits)
        if seen >= max_hits:
            raise SourceError(f"{SOURCE_DA}: mere end {max_hits} enheder – afgræns søgningen "
                              "med kommuner eller brancher.", f"{SOURCE_DA}: too many hits.")
        if not scroll_id:
            if len(hits) < body["size"]:
                return
            raise SourceError(f"{SOURCE_DA} svarede uden _scroll_id; flere sider kan ikke hentes.",
                              f"{SOURCE_DA}: no _scroll_id.")
        doc = client.fetch_json(SOURCE_DA, "POST", f"{base}/_search/scroll",
                                json_body={"scroll": SCROLL, "scroll_id": scroll_id}, auth=auth,
                                key_hint=hint, cache=False)


def _get(doc: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(part)
    return doc


def _street(addr: Mapping[str, Any]) -> str | None:
    parts = [addr.get("vejnavn"), addr.get("husnummerFra"), addr.get("bogstavFra")]
    text = " ".join(str(p) for p in parts[:2] if p not in (None, ""))
    if parts[2]:
        text += str(parts[2])
    if addr.get("etage"):
        text += f", {addr['etage']}."
        if addr.get("sidedoer"):
            text += f" {addr['sidedoer']}"
    return text.strip() or addr.get("fritekst") or None


def _start_date(periods: Any) -> str | None:
    dates = [_get(p, "periode.gyldigFra") for p in periods or [] if isinstance(p, Mapping)]
    dates = [d for d in dates if d]
    return min(dates) if dates else None


def record(source: Mapping[str, Any], kind: str = "produktionsenhed") -> dict[str, Any]:
    """One ``_source`` document -> a flat row (cvr, pnr, name, industry, address, …)."""
    root_name, meta_path = (UNIT, "produktionsEnhedMetadata") if kind == "produktionsenhed" \
        else (COMPANY, "virksomhedMetadata")
    root = source.get(root_name)
    if not isinstance(root, Mapping) or not isinstance(root.get(meta_path), Mapping):
        raise SourceError(f"{SOURCE_DA} svarede i et uventet format (feltet "
                          f"{root_name}.{meta_path} mangler). Tjenestens skema kan være ændret.",
                          f"{SOURCE_DA}: missing {root_name}.{meta_path}.")
    meta = root[meta_path]
    addr = meta.get("nyesteBeliggenhedsadresse") or {}
    work = from_metadata(meta)
    code = _get(addr, "kommune.kommuneKode")
    postcode = addr.get("postnummer")
    if kind == "produktionsenhed":
        cvr, pnr = meta.get("nyesteCvrNummerRelation"), root.get("pNummer")
    else:
        cvr, pnr = root.get("cvrNummer"), None
    industry = meta.get("nyesteHovedbranche") or {}
    return {
        "cvr": str(cvr) if cvr not in (None, "") else None,
        "pnr": str(pnr) if pnr not in (None, "") else None,
        "name": _get(meta, "nyesteNavn.navn"),
        "industry_code": (str(industry.get("branchekode")).zfill(6)
                          if industry.get("branchekode") not in (None, "") else None),
        "industry_text": industry.get("branchetekst"),
        "employees": work.value,
        "employees_band": work.band,
        "employees_basis": work.basis,
        "employees_period": work.period,
        "employees_open": work.open_top,
        "kommunekode": f"{int(code):04d}" if str(code or "").isdigit() else None,
        "address": _street(addr),
        "postcode": f"{int(postcode):04d}" if str(postcode or "").isdigit() else None,
        "city": addr.get("postdistrikt"),
        "status": meta.get("sammensatStatus"),
        "start_date": _start_date(root.get("livsforloeb")) or root.get("stiftelsesDato"),
    }


SOURCE_FIELDS = {
    "produktionsenhed": [f"{UNIT}.pNummer", f"{UNIT}.livsforloeb", f"{UNIT_META}.nyesteNavn",
                         f"{UNIT_META}.nyesteCvrNummerRelation", f"{UNIT_META}.nyesteHovedbranche",
                         f"{UNIT_META}.nyesteBeliggenhedsadresse",
                         *(f"{UNIT_META}.{key}" for _, key in BLOCKS),
                         f"{UNIT_META}.sammensatStatus"],
    "virksomhed": [f"{COMPANY}.cvrNummer", f"{COMPANY}.livsforloeb", f"{COMPANY_META}.nyesteNavn",
                   f"{COMPANY_META}.nyesteHovedbranche",
                   f"{COMPANY_META}.nyesteBeliggenhedsadresse",
                   *(f"{COMPANY_META}.{key}" for _, key in BLOCKS),
                   f"{COMPANY_META}.sammensatStatus"],
}


def fetch_records(
    client: HttpClient,
    auth: tuple[str, str],
    kommunekoder: Iterable[str] | None = None,
    industry_prefixes: Iterable[str] | None = None,
    kind: str = "produktionsenhed",
    page_size: int = PAGE_SIZE,
) -> pd.DataFrame:
    """Flat rows for production units ('produktionsenhed') or companies ('virksomhed')."""
    meta = UNIT_META if kind == "produktionsenhed" else COMPANY_META
    query = build_query(meta, kommunekoder, industry_prefixes)
    rows = [record(src, kind) for src in scroll_search(client, kind, query, auth,
                                                       SOURCE_FIELDS[kind], page_size)]
    columns = ["cvr", "pnr", "name", "industry_code", "industry_text", "employees",
               "employees_band", "employees_basis", "employees_period", "employees_open",
               "kommunekode", "address", "postcode", "city", "status", "start_date"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype({c: object for c in columns if c not in ("employees", "employees_open")})
    return frame.astype({"employees": "float64", "employees_open": bool})


def fetch_workplaces(
    client: HttpClient,
    placer: Placer,
    kommunekoder: Iterable[str] | None = None,
    industry_prefixes: Iterable[str] | None = None,
    secrets: Mapping[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """Active production units geocoded to points: WORKPLACES schema + extras, EPSG:25832.

    Raises
    ------
    SourceError
        No credentials (names the env vars and the CVR-export alternative), or any fault.
    """
    auth = credentials(secrets)
    if auth is None:
        raise SourceError(
            f"{SOURCE_DA} kræver adgang: sæt {ENV_USER} og {ENV_PASSWORD} (ansøg om "
            "system-til-system adgang hos Erhvervsstyrelsen), eller indlæs en CVR-eksport "
            "fra datacvr.virk.dk i stedet.",
            f"{SOURCE_DA} needs {ENV_USER} and {ENV_PASSWORD}, or use a CVR export file.",
        )
    frame = fetch_records(client, auth, kommunekoder, industry_prefixes)
    total = len(frame)
    if total == 0:
        raise SourceError(f"{SOURCE_DA} fandt ingen produktionsenheder for de valgte kommuner "
                          "og brancher.", f"{SOURCE_DA}: no production units found.")
    inactive = frame["status"].fillna("").str.casefold().isin(INACTIVE)
    frame = frame[~inactive & frame["pnr"].notna()].drop_duplicates("pnr").reset_index(drop=True)
    points, quality, notes = geocode_addresses(frame, client, placer, secrets)
    placed = quality.notna().to_numpy()
    gdf = gpd.GeoDataFrame(frame[placed], geometry=points[placed].values, crs=points.crs)
    gdf["location_quality"] = quality[placed].to_numpy()
    extras = [c for c in frame.columns if c not in WORKPLACES.columns]
    gdf = gdf[[*WORKPLACES.columns, *extras, "geometry"]].reset_index(drop=True)
    summary = (f"CVR: {total} produktionsenheder hentet, {int(inactive.sum())} ophørte "
               f"udeladt, {int((~placed).sum())} kunne ikke placeres.")
    all_notes = (summary, *notes)
    exact = (gdf["location_quality"] == "address").all()
    prov = Provenance(
        layer=WORKPLACES.name_da,
        source="Erhvervsstyrelsen, CVR system-til-system (produktionsenheder)",
        date=pd.Timestamp.now(tz="UTC").date().isoformat(),
        method="Aktive produktionsenheder (P-numre) i de valgte kommuner; "
               + employment_line(gdf) + " (nyeste måneds-, ellers kvartals-, ellers årstal; "
               "intervaller: midtpunkt); geokodet: " + notes[0] + f" {LICENCE}",
        quality="real" if exact else "approximate",
        url="http://distribution.virk.dk/cvr-permanent/produktionsenhed/_search",
    )
    return gdf, prov, all_notes
