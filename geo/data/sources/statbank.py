"""Statistics Denmark's StatBank API (keyless): population and workplaces per municipality.

Requests are POSTed as JSON to ``https://api.statbank.dk/v1/tableinfo`` (to find the latest
period and the variable codes) and ``/v1/data`` (``format: CSV``, ``valuePresentation:
Code``, ``;``-separated). DST's area codes are 3 digits ('253' Greve); the municipality code
is the same number with 4 digits ('0253'). '000' (Denmark) and '081'–'085' (regions) are not
municipalities and are dropped. Source: Danmarks Statistik, free reuse with attribution.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.data.provenance import Provenance
from geo.data.sources._http import HttpClient, endpoint
from geo.errors import SourceError

DEFAULT_URL = "https://api.statbank.dk/v1"
SOURCE_DA = "Danmarks Statistik (Statistikbanken API)"
LICENCE = "Kilde: Danmarks Statistik, Statistikbanken (fri genbrug med kildeangivelse)"
POPULATION_TABLE = "FOLK1A"
#: "Arbejdssteder og job ultimo november" by municipality (DST ERHV-family).
WORKPLACES_TABLE = "ERHV2"
AREA_VARIABLE = "OMRÅDE"


def dst_to_kommunekode(area: object) -> str | None:
    """'253' -> '0253'; '000', regions ('081'–'085'), landsdele and text -> None."""
    text = str(area).strip().split(" ")[0]
    if not text.isdigit() or len(text) > 3:
        return None
    number = int(text)
    return f"{number:04d}" if 101 <= number <= 999 else None


@dataclass(frozen=True)
class TableInfo:
    """Variables of a StatBank table: id -> list of (value id, text)."""

    table: str
    variables: dict[str, list[tuple[str, str]]]
    eliminable: frozenset[str]

    def latest_time(self) -> str:
        """The newest period id ('2026K2')."""
        times = self.variables.get("Tid") or self.variables.get("TID") or []
        if not times:
            raise _shape_error(self.table, "variablen Tid mangler")
        return times[-1][0]


def _shape_error(table: str, detail: str) -> SourceError:
    return SourceError(
        f"{SOURCE_DA} svarede i et uventet format for tabel {table} ({detail}). Tabellen kan "
        "være ændret; den seneste gemte snapshot bruges stadig.",
        f"{SOURCE_DA}: unexpected shape for table {table} ({detail}).",
    )


def table_info(client: HttpClient, table: str) -> TableInfo:
    """Metadata of one table (POST /tableinfo)."""
    return client.fetch_json(SOURCE_DA, "POST", endpoint("statbank", DEFAULT_URL) + "/tableinfo",
                             parse=lambda doc: _table_info(table, doc),
                             json_body={"table": table, "format": "JSON", "lang": "da"},
                             ttl_s=6 * 3600.0)


def _table_info(table: str, doc: Any) -> TableInfo:
    try:
        variables = {v["id"]: [(str(x["id"]), str(x.get("text", ""))) for x in v["values"]]
                     for v in doc["variables"]}
        eliminable = frozenset(v["id"] for v in doc["variables"] if v.get("elimination"))
    except (KeyError, TypeError, AttributeError):
        raise _shape_error(table, "feltet variables mangler") from None
    return TableInfo(table, variables, eliminable)


def fetch_csv(client: HttpClient, table: str, variables: Mapping[str, list[str]]) -> pd.DataFrame:
    """POST /data with format CSV and codes; returns the table as strings (INDHOLD numeric)."""
    body: dict[str, Any] = {
        "table": table, "format": "CSV", "lang": "da", "valuePresentation": "Code",
        "variables": [{"code": k, "values": list(v)} for k, v in variables.items()],
    }
    return client.fetch_parsed(SOURCE_DA, "POST", endpoint("statbank", DEFAULT_URL) + "/data",
                               lambda content: _csv_table(table, content), json_body=body,
                               ttl_s=6 * 3600.0)


def _csv_table(table: str, content: bytes) -> pd.DataFrame:
    """The semicolon CSV answer as strings (INDHOLD numeric); `SourceError` for another shape."""
    text = content.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows or not rows[0] or "INDHOLD" not in [c.strip().upper() for c in rows[0]]:
        raise _shape_error(table, "kolonnen INDHOLD mangler i CSV-svaret")
    header = [c.strip().upper() for c in rows[0]]
    width = len(header)
    body_rows = [r for r in rows[1:] if r]
    if any(len(r) != width for r in body_rows):
        raise _shape_error(table, "afbrudt eller ufuldstændigt CSV-svar")
    frame = pd.DataFrame(body_rows, columns=header)
    frame["INDHOLD"] = pd.to_numeric(frame["INDHOLD"].str.replace(",", "."), errors="coerce")
    return frame


def fetch_population(client: HttpClient) -> tuple[dict[str, int], Provenance]:
    """Population per kommunekode (FOLK1A, latest quarter, all sexes/ages/marital states)."""
    info = table_info(client, POPULATION_TABLE)
    period = info.latest_time()
    area = _area_variable(info)
    frame = fetch_csv(client, POPULATION_TABLE, {area: ["*"], "Tid": [period]})
    if area.upper() not in frame:
        raise _shape_error(POPULATION_TABLE, f"kolonnen {area} mangler")
    frame["kommunekode"] = frame[area.upper()].map(dst_to_kommunekode)
    frame = frame[frame["kommunekode"].notna() & frame["INDHOLD"].notna()]
    if frame.empty:
        raise SourceError(f"{SOURCE_DA} returnerede ingen befolkningstal pr. kommune (FOLK1A).",
                          f"{SOURCE_DA} returned no population rows.")
    population = {k: int(v) for k, v in zip(frame["kommunekode"], frame["INDHOLD"])}
    prov = Provenance(
        layer="befolkning",
        source=f"Danmarks Statistik, {POPULATION_TABLE} ({period})",
        date=period,
        method=f"Folketal den 1. i kvartalet pr. kommune, {len(population)} kommuner. {LICENCE}",
        quality="real",
        url=f"https://www.statistikbanken.dk/{POPULATION_TABLE}",
    )
    return population, prov


def fetch_workplace_counts(client: HttpClient, table: str = WORKPLACES_TABLE) -> pd.DataFrame:
    """Workplaces/jobs per municipality and industry group for the latest year (long format).

    Columns: kommunekode, period, plus one ``<VAR>`` and ``<VAR>_text`` pair per other
    variable (e.g. the industry group and the unit 'Arbejdssteder'/'Job'), and value.
    """
    info = table_info(client, table)
    period = info.latest_time()
    area = _area_variable(info)
    others = [v for v in info.variables if v not in (area, "Tid", "TID")]
    frame = fetch_csv(client, table, {area: ["*"], **{v: ["*"] for v in others},
                                      "Tid": [period]})
    frame["kommunekode"] = frame[area.upper()].map(dst_to_kommunekode)
    frame = frame[frame["kommunekode"].notna()].copy()
    for var in others:
        labels = dict(info.variables[var])
        col = var.upper()
        if col in frame:
            frame[f"{col}_text"] = frame[col].map(labels)
    frame["period"] = period
    cols = ["kommunekode", "period", *[c for v in others for c in (v.upper(), f"{v.upper()}_text")
                                        if c in frame], "INDHOLD"]
    return frame[cols].rename(columns={"INDHOLD": "value"}).reset_index(drop=True)


def _area_variable(info: TableInfo) -> str:
    for name in info.variables:
        if name.upper() in (AREA_VARIABLE, "OMRADE", "KOMK", "BOPKOM"):
            return name
    raise _shape_error(info.table, "ingen områdevariabel (OMRÅDE)")
