"""CSV export of a table with a provenance block: Danish Excel style by default.

Danish: ';' separator, Danish column headers, every number through `geo.format.plain`
(decimal comma, the decimals the indicator spec gives, no thousands separator so Excel reads a
number). International: ',' separator, the English column codes, decimal point.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pandas as pd

from geo.format import plain
from geo.reach.indicators import indicator_specs
from geo.report.safety import neutralise, neutralise_frame

#: Danish headers of the columns that are not indicators (indicators take their spec's label).
HEADERS_DA: dict[str, str] = {
    "site": "Lokalitet", "name": "Navn", "kommunekode": "Kommunekode", "kommune": "Kommune",
    "lat": "Breddegrad (WGS84)", "lon": "Længdegrad (WGS84)", "method": "Rejsetidsmetode",
    "method_note": "Metode", "data": "Data", "rank": "Placering", "score": "Point (af 100, i forhold til de andre kandidater)",
    "robustness": "Robusthed", "share": "Andel (brøk)", "amount_kr": "Beløb (kr.)",
    "objective": "Mål", "covered_share": "Dækket andel (%)", "mean_minutes": "Gennemsnitlig køretid (min)",
    "gap_pct": "Afstand til det bedst mulige (%)", "status": "Status",
}
#: Decimals of the non-indicator number columns; others show what they need (at most 6).
DECIMALS: dict[str, int] = {"lat": 5, "lon": 5, "rank": 0, "amount_kr": 0, "share": 6,
                            "covered_share": 1, "mean_minutes": 1, "gap_pct": 2}


def column_decimals(column: str) -> int | None:
    """Decimals of a column: the indicator spec's, a known column's, or None (as needed)."""
    specs = {s.column: s.decimals for s in indicator_specs()}
    return specs.get(column, DECIMALS.get(column))


def danish_header(column: str) -> str:
    """'Klyngearbejdssteder inden for 45 min (antal)' for 'workplaces_45'; known names; else as is."""
    for spec in indicator_specs():
        if spec.column == column:
            return f"{spec.label()} ({spec.unit_label()})"
    return HEADERS_DA.get(column, column)


def _formatted(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every number column as text through the one formatter (missing -> empty cell)."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            decimals = column_decimals(str(col))
            out[col] = [plain(float(v), decimals, lang) if pd.notna(v) else "" for v in out[col]]
    return out


def _one_record(value: object) -> object:
    """Carriage returns become line feeds, so the writer quotes the cell and a value can never
    end the CSV record early (a bare CR would start a new row – and a new formula – in Excel)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def to_csv_bytes(
    table: pd.DataFrame,
    provenance_lines: Iterable[str],
    danish: bool = True,
) -> bytes:
    """The table as CSV (UTF-8 with BOM), then a blank line and a 'Kilder og metode' block.

    danish=True gives ';' as separator, Danish headers and decimal comma, which Danish Excel
    opens directly; danish=False keeps the column codes and a decimal point. Every text cell and header is neutralised against formula injection
    (`geo.report.safety.neutralise`).
    """
    sep = ";" if danish else ","
    buf = io.StringIO()
    headers = [neutralise(danish_header(str(c)) if danish else str(c)) for c in table.columns]
    safe = _formatted(neutralise_frame(table), "da" if danish else "en")  # numbers: not text to neutralise
    safe.columns = headers
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_one_record)
    safe.columns = [_one_record(c) for c in safe.columns]
    safe.to_csv(buf, sep=sep, index=False, lineterminator="\n")
    buf.write("\n")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["Kilder og metode"])
    for line in provenance_lines:
        writer.writerow([_one_record(neutralise(line))])
    return buf.getvalue().encode("utf-8-sig")
