"""CSV export of the indicator table with a provenance block."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pandas as pd

from geo.export.safety import neutralise, neutralise_frame


def to_csv_bytes(
    table: pd.DataFrame,
    provenance_lines: Iterable[str],
    danish: bool = True,
) -> bytes:
    """The table as CSV (UTF-8 with BOM), then a blank line and a 'Kilder og metode' block.

    danish=True gives ';' as separator and decimal comma, which Danish Excel opens directly.
    """
    sep, decimal = (";", ",") if danish else (",", ".")
    buf = io.StringIO()
    neutralise_frame(table).to_csv(buf, sep=sep, decimal=decimal, index=False, lineterminator="\n")
    buf.write("\n")
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["Kilder og metode"])
    for line in provenance_lines:
        writer.writerow([neutralise(line)])
    return buf.getvalue().encode("utf-8-sig")
