"""Excel workbook for the meeting: indicators, municipalities, ranking, co-financing,
weights and parameters, the lead municipality's case, and 'Kilder og metode'.

Numbers are written as numbers with formats from `geo.format.excel_format` ('#,##0', '#,##0.0',
which Danish Excel shows as '2.586' and '12,3'); every text cell and header
goes through `geo.report.safety.neutralise` (OWASP formula injection). Header rows are
frozen and columns sized.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from geo.data.provenance import QUALITY_DA
from geo.decide.finance import RATIO_NOTE
from geo.format import excel_format
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import INSTITUTION_REACH_MIN, REACH_MIN, specs_by_criterion
from geo.report.safety import neutralise
from geo.settings import K17_CODES, THRESHOLDS_MIN

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

INT = excel_format(0)
DEC = excel_format(1)
PCT = excel_format(1, percent_sign=True)
RATIO = excel_format(2)
COORD = excel_format(5)
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
GROUP_FILL = PatternFill("solid", fgColor="B8C7DC")
WRAP = Alignment(wrap_text=True, vertical="top")

SHEETS = ("Indikatorer", "Kommuner", "Rangering", "Medfinansiering", "Vægte og parametre",
          "Lead-kommunens begrundelse", "Kilder og metode")

_META = [  # column, header, format, width
    ("site", "Lokalitet", None, 24),
    ("kommune", "Kommune", None, 16),
    ("kommunekode", "Kommunekode", None, 12),
    ("lat", "Breddegrad (WGS84)", COORD, 12),
    ("lon", "Længdegrad (WGS84)", COORD, 12),
]


def to_xlsx_bytes(table: pd.DataFrame, provenance_lines: Iterable[str]) -> bytes:
    """Indicator sheet and a 'Kilder og metode' sheet of provenance lines (CLI `indicators`)."""
    wb = Workbook()
    indicator_sheet(wb.active, table)
    src = wb.create_sheet("Kilder og metode")
    _title(src, "Kilder og metode")
    for line in provenance_lines:
        src.append([_cell(line)])
    src.column_dimensions["A"].width = 120
    return _save(wb)


def report_to_xlsx(data: ReportData) -> bytes:
    """The full workbook of a `ReportData` (sheets in `SHEETS`; Rangering and
    Medfinansiering only when given)."""
    wb = Workbook()
    indicator_sheet(wb.active, data.table, data.thresholds)
    municipalities_sheet(wb.create_sheet("Kommuner"), data)
    if data.ranking is not None and len(data.ranking):
        ranking_sheet(wb.create_sheet("Rangering"), data)
    if data.finance is not None and len(data.finance):
        finance_sheet(wb.create_sheet("Medfinansiering"), data)
    parameters_sheet(wb.create_sheet("Vægte og parametre"), data)
    case_sheet(wb.create_sheet("Lead-kommunens begrundelse"), data)
    sources_sheet(wb.create_sheet("Kilder og metode"), data)
    return _save(wb)


# ---- sheets --------------------------------------------------------------------------------


def indicator_sheet(ws: Worksheet, table: pd.DataFrame, thresholds: Sequence[int] | None = None) -> None:
    """One row per site; a criterion row above the headers groups the indicator columns."""
    ws.title = "Indikatorer"
    if thresholds is None:
        found = sorted(int(m.group(1)) for c in table.columns if (m := re.fullmatch(r"workplaces_(\d+)", str(c))))
        thresholds = tuple(found) or THRESHOLDS_MIN
    cols: list[tuple[str, str, str | None, float, str]] = []  # column, header, format, width, group
    for col, head, fmt, width in _META:
        if col in table:
            cols.append((col, head, fmt, width, "Lokalitet"))
    known = {"site", "kommune", "kommunekode", "lat", "lon", "method", "data", "employment"}
    for crit, specs in specs_by_criterion(tuple(thresholds), set(table.columns)):
        for s in specs:
            known.add(s.column)
            cols.append((s.column, f"{s.label()} ({s.unit_label()})", excel_format(s.decimals), 18, crit.name()))
    for col in table.columns:
        if col not in known:
            fmt = INT if pd.api.types.is_integer_dtype(table[col]) else (DEC if pd.api.types.is_float_dtype(table[col]) else None)
            cols.append((str(col), str(col), fmt, 14, "Øvrige"))
    for col, head in (("method", "Rejsetidsmetode"), ("data", "Data"), ("employment", "Beskæftigelse")):
        if col in table:
            cols.append((col, head, None, 16, "Metode"))
    # row 1: groups (merged), row 2: headers
    start = 1
    for i in range(1, len(cols) + 1):
        group = cols[i - 1][4]
        if i == len(cols) or cols[i][4] != group:
            ws.cell(row=1, column=start, value=_cell(group)).font = BOLD
            ws.cell(row=1, column=start).fill = GROUP_FILL
            if i > start:
                ws.merge_cells(start_row=1, start_column=start, end_row=1, end_column=i)
            start = i + 1
    for j, (_, head, _, width, _) in enumerate(cols, start=1):
        c = ws.cell(row=2, column=j, value=_cell(head))
        c.font, c.fill, c.alignment = BOLD, HEAD_FILL, Alignment(wrap_text=True, vertical="bottom")
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[2].height = 60
    for r, (_, row) in enumerate(table.iterrows(), start=3):
        for j, (col, _, fmt, _, _) in enumerate(cols, start=1):
            value = row[col]
            if col == "method":
                value = {"network": "vejnet", "estimate": "estimat"}.get(str(value), value)
            c = ws.cell(row=r, column=j, value=_cell(value))
            if fmt and isinstance(c.value, (int, float)):
                c.number_format = fmt
    ws.freeze_panes = "B3"


def municipalities_sheet(ws: Worksheet, data: ReportData) -> None:
    """Per site and municipality: cluster workplaces and employees reached within 45 min."""
    b = data.breakdown
    headers = ["Lokalitet", "Kommunekode", "Kommune", "K17-kommune",
               f"Klyngearbejdssteder nået inden for {REACH_MIN} min (antal)",
               f"Ansatte nået inden for {REACH_MIN} min (årsværk)",
               "Andel af lokalitetens nåede arbejdssteder (%)"]
    rows = []
    if len(b):
        totals = b.groupby("site")["workplaces"].transform("sum")
        for (_, r), tot in zip(b.iterrows(), totals, strict=True):
            rows.append([r["site"], r["kommunekode"], r["kommune"], "ja" if r["kommunekode"] in K17_CODES else "nej",
                         int(r["workplaces"]), float(r["employees"]),
                         round(100.0 * r["workplaces"] / tot, 1) if tot else None])
    write_table(ws, headers, rows, [None, None, None, None, INT, INT, DEC], [24, 12, 18, 12, 22, 22, 20])


def ranking_sheet(ws: Worksheet, data: ReportData) -> None:
    """Rank, total points, each criterion's contribution and the robustness sentence."""
    rk = data.ranking
    assert rk is not None
    crits = [c for c in CRITERIA if f"contrib_{c}" in rk]
    headers = ["Rang", "Lokalitet", "Point i alt (0–100)"] + [f"Bidrag: {CRITERIA[c].name()} (point)" for c in crits]
    headers.append("Robusthed")
    rows = []
    for _, r in rk.iterrows():
        sentence = (data.robustness or {}).get(str(r["site"]), "")
        rows.append([int(r["rank"]), r["site"], float(r["score"]),
                     *[float(r[f"contrib_{c}"]) for c in crits], sentence])
    write_table(ws, headers, rows, [INT, None, DEC, *[DEC] * len(crits), None],
                [8, 24, 14, *[18] * len(crits), 70])
    row = len(rows) + 3
    if data.weights:
        ws.cell(row=row, column=1, value="Vægte: " + ", ".join(
            f"{CRITERIA[c].name()} {_pct(w)} %" for c, w in data.weights.items() if c in CRITERIA)).font = BOLD
        row += 1
    if data.robustness_method:
        ws.cell(row=row, column=1, value=_cell("Robusthed: " + data.robustness_method))
        row += 1
    freq = data.rank_frequencies
    if freq is not None and len(freq):
        row += 1
        ws.cell(row=row, column=1, value="Hyppighed af hver rang over vægtkombinationerne").font = BOLD
        row += 1
        head = ["Lokalitet"] + [f"Nr. {int(k)}" for k in freq.columns]
        for j, h in enumerate(head, start=1):
            c = ws.cell(row=row, column=j, value=h)
            c.font, c.fill = BOLD, HEAD_FILL
        for site, vals in freq.iterrows():
            row += 1
            ws.cell(row=row, column=1, value=_cell(str(site)))
            for j, v in enumerate(vals.to_numpy(), start=2):
                ws.cell(row=row, column=j, value=float(v)).number_format = PCT


def finance_sheet(ws: Worksheet, data: ReportData) -> None:
    """The co-financing split (and fairness columns when present)."""
    f = data.finance
    assert f is not None
    spec = [  # column, header, format, width
        ("kommunekode", "Kommunekode", None, 12),
        ("kommune", "Kommune", None, 18),
        ("share", "Andel", PCT, 10),
        ("amount_kr", "Beløb (kr. pr. år)", INT, 18),
        ("share_cost", "Andel af udgiften", PCT, 14),
        ("share_benefit", "Andel af gavnen (nåede arbejdssteder)", PCT, 20),
        ("benefit_to_cost", "Gavn ÷ udgift", RATIO, 12),
    ]
    known = {s[0] for s in spec}
    cols = [s for s in spec if s[0] in f] + [(c, str(c), None, 14) for c in f.columns if c not in known]
    rows = [[_value(r[c]) for c, *_ in cols] for _, r in f.iterrows()]
    if "amount_kr" in f:
        total = [None] * len(cols)
        total[1] = "I alt"
        total[[c for c, *_ in cols].index("amount_kr")] = int(pd.to_numeric(f["amount_kr"]).sum())
        rows.append(total)
    write_table(ws, [h for _, h, _, _ in cols], rows, [fm for _, _, fm, _ in cols], [w for *_, w in cols])
    if data.finance_formula:
        ws.cell(row=len(rows) + 3, column=1, value=_cell("Fordeling: " + data.finance_formula))
    if "forhold" in f:
        ws.cell(row=len(rows) + 4, column=1, value=_cell(RATIO_NOTE))


def parameters_sheet(ws: Worksheet, data: ReportData) -> None:
    """Weights per criterion, then every parameter of the scenario."""
    rows: list[list[object]] = []
    weights = data.weights or {}
    for c in CRITERIA.values():
        rows.append([c.name(), float(weights[c.id]) if c.id in weights else None, c.id])
    write_table(ws, ["Kriterium", "Vægt (%)", "Id"], rows, [None, DEC, None], [44, 14, 12])
    r = len(rows) + 3
    ws.cell(row=r, column=1, value="Parametre").font = BOLD
    for label, value in data.parameter_rows():
        r += 1
        ws.cell(row=r, column=1, value=_cell(label))
        ws.cell(row=r, column=2, value=_cell(value))
    if not weights:
        ws.cell(row=r + 2, column=1, value="Ingen vægte valgt – der er ikke lavet en rangering.")


def case_sheet(ws: Worksheet, data: ReportData) -> None:
    """Per criterion: the paper's wording, the computed evidence and the lead municipality's text."""
    rows = [[c.name(), c.paper_da, data.evidence(c.id, data.case_site), data.case_texts.get(c.id, "")] for c in CRITERIA.values()]
    write_table(ws, ["Kriterium (K17-papiret)", "Papirets ordlyd", "Beregnet evidens", "Lead-kommunens begrundelse"],
                rows, [None] * 4, [30, 50, 60, 70], wrap=True)


def sources_sheet(ws: Worksheet, data: ReportData) -> None:
    """Every layer's source, date, method and quality; then method, thresholds and notes."""
    _title(ws, "Kilder og metode")
    ws.append([])
    rows = [[s["layer"], s["source"], s["date"], s["method"], s["quality_da"], s["url"]] for s in data.sources_rows()]
    write_table(ws, ["Lag", "Kilde", "Dato", "Metode", "Kvalitet (reelle / omtrentlige / Demodata)", "URL"],
                rows, [None] * 6, [16, 50, 14, 60, 24, 40], start_row=3, wrap=True)
    r = len(rows) + 5
    ws.cell(row=r, column=1, value="Metode og parametre").font = BOLD
    for label, value in data.parameter_rows():
        r += 1
        ws.cell(row=r, column=1, value=_cell(label))
        ws.cell(row=r, column=2, value=_cell(value))
    r += 2
    ws.cell(row=r, column=1, value="Indikatorer").font = BOLD
    for line in (f"Arbejdssteder og ansatte tælles inden for hver tærskel ({', '.join(map(str, data.thresholds))} min).",
                 f"Befolkning og K17-kommuner: kommuner hvis repræsentative punkt nås inden for {REACH_MIN} min.",
                 f"Institutioner: antal inden for {INSTITUTION_REACH_MIN} min; afstande er luftlinje i km.",
                 "Kvalitet: " + "; ".join(f"{k} = {v}" for k, v in QUALITY_DA.items()) + "."):
        r += 1
        ws.cell(row=r, column=1, value=_cell(line))
    r += 2
    ws.cell(row=r, column=1, value="Kildelinjer").font = BOLD
    for line in [*data.provenance_lines, *data.notes]:
        r += 1
        ws.cell(row=r, column=1, value=_cell(line))
    if data.has_synthetic:
        r += 2
        c = ws.cell(row=r, column=1, value="OBS: Lag markeret 'Demodata' er syntetiske og må ikke bruges til beslutninger.")
        c.font = Font(bold=True, color="B00000")
    ws.freeze_panes = "A4"


# ---- helpers -------------------------------------------------------------------------------


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None],
    widths: Sequence[float],
    start_row: int = 1,
    wrap: bool = False,
) -> None:
    """Bold shaded header row (frozen), neutralised text, numbers with formats, column widths."""
    for j, h in enumerate(headers, start=1):
        c = ws.cell(row=start_row, column=j, value=_cell(h))
        c.font, c.fill, c.alignment = BOLD, HEAD_FILL, Alignment(wrap_text=True, vertical="bottom")
        ws.column_dimensions[get_column_letter(j)].width = widths[j - 1] if j - 1 < len(widths) else 14
    for i, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row, start=1):
            c = ws.cell(row=i, column=j, value=_cell(value))
            fmt = formats[j - 1] if j - 1 < len(formats) else None
            if fmt and isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                c.number_format = fmt
            if wrap and isinstance(c.value, str):
                c.alignment = WRAP
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1).coordinate


def _value(v: object) -> object:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _cell(value: object) -> object:
    """A value openpyxl accepts: NaN -> empty, numpy -> Python, text neutralised."""
    value = _value(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32000]
    return neutralise(text)


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _title(ws: Worksheet, text: str) -> None:
    ws.append([text])
    ws["A1"].font = TITLE


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
