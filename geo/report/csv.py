"""CSV export of the indicator table with a provenance block."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pandas as pd

from geo.report.safety import neutralise, neutralise_frame


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

    danish=True gives ';' as separator and decimal comma, which Danish Excel opens directly.
    Every text cell and header is neutralised against formula injection
    (`geo.report.safety.neutralise`).
    """
    sep, decimal = (";", ",") if danish else (",", ".")
    buf = io.StringIO()
    safe = neutralise_frame(table)
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_one_record)
    safe.columns = [_one_record(c) for c in safe.columns]
    safe.to_csv(buf, sep=sep, decimal=decimal, index=False, lineterminator="\n")
    buf.write("\n")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["Kilder og metode"])
    for line in provenance_lines:
        writer.writerow([_one_record(neutralise(line))])
    return buf.getvalue().encode("utf-8-sig")
