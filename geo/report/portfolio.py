"""The cluster portfolio in the exports: its own Excel sheet and board-pack pages (one overview + one per office).

Kept apart from `geo.report.excel` and `geo.report.pdf` so either can change without this:
`add_portfolio_sheet` adds a sheet to any workbook's bytes, `portfolio_figures` returns
A4 pages the PDF writer can append.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from openpyxl import load_workbook

from geo.format import excel_format, number
from geo.report.excel import write_table
from geo.style import cluster_colour

SHEET = "Portefølje"
A4 = (8.27, 11.69)
OFFICE_HEAD = ["Klynge", "By", "Kommunekode", "Kommune", "Klyngeansatte dækket", "Andel af klyngen", "Gns. minutter",
               "Fast kontor", "Robusthed"]


@dataclass(frozen=True)
class PortfolioReport:
    """What the exports show of a solved portfolio.

    Attributes
    ----------
    offices : DataFrame
        `geo.decide.portfolio.Placement.offices`.
    method_da, cost_da : str
        How it was solved (gap included) and what the joint rules cost.
    robustness : dict
        Office label -> Danish sentence.
    reach : DataFrame
        `geo.decide.portfolio_fair.municipality_reach`.
    split : DataFrame or None
        `geo.decide.portfolio_fair.portfolio_split` table, and its formula.
    """

    offices: pd.DataFrame
    method_da: str
    cost_da: str
    robustness: dict[str, str] = field(default_factory=dict)
    reach: pd.DataFrame | None = None
    split: pd.DataFrame | None = None
    split_formula: str = ""

    def office_rows(self) -> list[list[object]]:
        """The office table as rows for `write_table` (Danish headers `OFFICE_HEAD`)."""
        return [[r.cluster_name, r.town, r.kommunekode, r.kommune, r.employees_covered, r.share_covered,
                 r.mean_minutes, "ja" if r.fixed else "nej", self.robustness.get(f"{r.cluster_name} i {r.town}", "")]
                for r in self.offices.itertuples()]


def add_portfolio_sheet(xlsx: bytes, report: PortfolioReport) -> bytes:
    """The workbook with a "Portefølje" sheet: offices, method and cost, reach per municipality, the split."""
    wb = load_workbook(io.BytesIO(xlsx))
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET)
    write_table(ws, OFFICE_HEAD, report.office_rows(), [None, None, None, None, excel_format(0), excel_format(1, percent_sign=True), excel_format(1), None, None],
                [28, 16, 12, 16, 14, 12, 10, 8, 60], wrap=True)
    row = len(report.offices) + 3
    for line in (report.method_da, report.cost_da):
        ws.cell(row=row, column=1, value=line)
        row += 1
    if report.reach is not None:
        row += 1
        head = ["Kommunekode", "Kommune", "Kontorer inden for 30 min", "45 min", "60 min", "Klyngeansatte betjent"]
        rows = report.reach[["kommunekode", "kommune", "offices_30", "offices_45", "offices_60", "employees_served"]].values.tolist()
        write_table(ws, head, rows, [None, None, None, None, None, excel_format(0)], [12, 16, 40, 40, 40, 14], start_row=row, wrap=True)
        row += len(rows) + 2
    if report.split is not None:
        cols = list(report.split.columns)
        write_table(ws, cols, report.split.values.tolist(), [None, None, *[excel_format(0)] * (len(cols) - 2)], [12, 16],
                    start_row=row)
        ws.cell(row=row + len(report.split) + 1, column=1, value=report.split_formula)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(fig: Figure, y: float, lines: list[str], size: float = 9.5, width: int = 95) -> float:
    for line in lines:
        for part in textwrap.wrap(line, width) or [""]:
            fig.text(0.07, y, part, fontsize=size, va="top")
            y -= 0.018 * size / 9.5
        y -= 0.006
    return y


def portfolio_figures(report: PortfolioReport) -> list[Figure]:
    """A4 pages: one overview (map of offices by cluster colour, the table, method) and one per office."""
    figs = []
    fig = plt.figure(figsize=A4)
    fig.text(0.07, 0.95, "Klyngeportefølje", fontsize=18, weight="bold", va="top")
    ax = fig.add_axes((0.07, 0.52, 0.86, 0.38))
    for i, r in enumerate(report.offices.itertuples()):
        ax.scatter(r.x, r.y, s=160, color=cluster_colour(i), edgecolor="black", zorder=3)
        ax.annotate(f"{r.cluster_name} i {r.town}", (r.x, r.y), xytext=(6, 6), textcoords="offset points", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    lines = [f"{r.cluster_name} i {r.town} ({r.kommune}): {number(r.employees_covered, 0)} klyngeansatte dækket "
             f"({number(100 * r.share_covered, 0)} % af klyngen)" for r in report.offices.itertuples()]
    _text(fig, 0.49, [*lines, "", report.method_da, report.cost_da], size=8.5, width=110)
    figs.append(fig)
    for i, r in enumerate(report.offices.itertuples()):
        fig = plt.figure(figsize=A4)
        fig.patches.append(plt.Rectangle((0.07, 0.93), 0.02, 0.03, color=cluster_colour(i), transform=fig.transFigure))
        fig.text(0.11, 0.96, f"{r.cluster_name} i {r.town}", fontsize=16, weight="bold", va="top")
        label = f"{r.cluster_name} i {r.town}"
        _text(fig, 0.9, [f"Kommune: {r.kommune} ({r.kommunekode})" + (" – eksisterende kontor" if r.fixed else ""),
                         f"Klyngeansatte dækket: {number(r.employees_covered, 0)} ({number(100 * r.share_covered, 1)} % af klyngen)",
                         f"Gennemsnitlig køretid for klyngens ansatte: {number(r.mean_minutes, 1)} min",
                         report.robustness.get(label, "")])
        figs.append(fig)
    return figs


def portfolio_to_pdf(report: PortfolioReport) -> bytes:
    """The portfolio pages as a PDF of their own (the board pack can append `portfolio_figures` instead)."""
    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        for fig in portfolio_figures(report):
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()
