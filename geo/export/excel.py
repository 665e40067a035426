"""Excel export: indicator sheet with Danish headers and units, plus 'Kilder og metode'."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geo.export.safety import neutralise
from geo.indicators import indicator_specs


def to_xlsx_bytes(table: pd.DataFrame, provenance_lines: Iterable[str]) -> bytes:
    """Workbook with numbers as numbers, a frozen header row and a sources sheet."""
    specs = {s.column: s for s in indicator_specs()}
    wb = Workbook()
    ws = wb.active
    ws.title = "Indikatorer"
    headers = [f"{specs[c].label_da} ({specs[c].unit})" if c in specs else c for c in table.columns]
    ws.append([neutralise(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and v != v) else neutralise(v) for v in row])
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(12, len(str(header)) * 0.6), 40)
    src = wb.create_sheet("Kilder og metode")
    src.append(["Kilder og metode"])
    src["A1"].font = Font(bold=True)
    for line in provenance_lines:
        src.append([neutralise(line)])
    src.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
