"""What each section of the board pack says: headings, tables as rows of text, sentences, pictures.

Every builder takes the pack's `MapContext` and returns a `Part`: the layout of the Typst template
(`templates/pack.typ`) that places it and the values it shows. Numbers are formatted here, with
`geo.format`; the template only places text (handed over as data, never as markup) and pictures.
Tables are never cut: the PDF continues them on the next page under their headings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from geo.decide.finance import RATIO_NOTE
from geo.decide.suitability import describe_top
from geo.format import kroner, number, percent
from geo.i18n import t
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import (
    REACH_MIN,
    REACHED_DA,
    format_indicator,
    spec_for,
    specs_by_criterion,
)
from geo.report.boardpack.basemap import MapContext
from geo.report.boardpack.figures import finance_chart, overview_map, ranking_chart, site_map
from geo.report.boardpack.surface import surface_map
from geo.style import SURFACE_RAMP

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

SHARE_NOTE = f"Andel af gavn: kommunens andel af de arbejdssteder, lokaliteten når inden for {REACH_MIN} min."
#: A site's municipalities go under its map (the site on one page) up to this many; more go below both
#: columns, where the table may continue on the next page (the map's column then ends with the map).
ROWS_UNDER_MAP = 13
TOP_NOTE = ("Et område er en celle (H3-sekskant, ca. 5 km²), der scorer mindst lige så højt som alle sine naboer. "
            "Tallet på kortet er områdets nummer i listen.")


@dataclass
class Row:
    """One table row; a group row (one cell across the table) names the rows below it."""

    cells: list[str]
    group: bool = False
    warn: bool = False


@dataclass
class Table:
    """A table as text: column headings, rows, each column's alignment ('l', 'r' or 'c') and width (%).

    Fixed column widths keep narrow columns from breaking words. `style` is the look: "compact"
    (8 pt, tight rows: a site, a comparison chunk or all key figures on one page), "small"
    (8.5 pt, long texts) or "" (the body's 9.5 pt).
    """

    header: list[str]
    rows: list[Row]
    align: list[str]
    widths: list[float]
    label: str = ""
    style: str = ""


@dataclass
class Part:
    """One section's layout (a function of the Typst template) and the values it shows."""

    layout: str
    values: dict[str, object] = field(default_factory=dict)


def overview(ctx: MapContext) -> Part:
    """The overview map, the key figures of every site, and the pack's facts."""
    data = ctx.data
    rank = {}
    if data.ranking is not None:
        rank = dict(zip(data.ranking["site"].astype(str), data.ranking["rank"], strict=False))
    reached, share = spec_for(f"workplaces_{REACH_MIN}"), spec_for("share_k17_45")
    rows = [Row([f"{i + 1}. {row.site}", str(row.kommune), reached.format(getattr(row, reached.column, np.nan)),
                 share.format(row.share_k17_45, unit=True),
                 str(int(rank[str(row.site)])) if str(row.site) in rank else "–"])
            for i, row in enumerate(data.table.itertuples(index=False))]
    table = Table(["Lokalitet", "Kommune", f"Arb.st. {REACH_MIN} min", "Andel af K17", "Rang"], rows,
                  ["l", "l", "r", "r", "c"], [30, 34, 13, 13, 10], label="Nøgletal", style="compact")
    facts = [
        f"Klynge: {data.cluster_name}",
        f"Rejsetid: {data.method_da}",
        f"Tærskler: {', '.join(map(str, data.thresholds))} min; 'nået' = {REACH_MIN} min",
        f"Klyngearbejdssteder i data: {number(len(ctx.wp_xy), 0)} ({data.data_label})",
        f"Beskæftigelse: {data.employment_label}",
        f"Datasnapshot: {data.snapshot_id}" + (f" ({data.snapshot_date})" if data.snapshot_date else ""),
    ]
    if ctx.approx_borders:
        facts.append("Kommunegrænser er omtrentlige (stiplet).")
    best = data.best_site()
    if best is not None and data.robustness and best in data.robustness:
        facts.append("Robusthed: " + data.robustness[best] + ".")
    facts.append(f"Andel af K17: andel af K17's klyngearbejdssteder inden for {REACH_MIN} min. {REACHED_DA}")
    return Part("overview", {"map": overview_map(ctx), "table": table, "facts": facts})


def comparison(ctx: MapContext, chunk: list[int]) -> Part:
    """Every indicator, by criterion, for the sites in `chunk` (one column each)."""
    table = ctx.data.table.iloc[chunk]
    records = [r for _, r in table.iterrows()]
    rows = []
    for crit, specs in specs_by_criterion(tuple(ctx.data.thresholds), set(table.columns)):
        rows.append(Row([crit.name()], group=True))
        rows += [Row([s.label(), s.unit_label()] + [format_indicator(r, s, unit=False) for r in records]) for s in specs]
    header = ["Indikator", "Enhed"] + [f"{i + 1}. {s}" for i, s in zip(chunk, table["site"], strict=True)]
    site_w = min(13.0, 55.0 / max(1, len(chunk)))
    widths = [100 - 9 - site_w * len(chunk), 9] + [site_w] * len(chunk)
    return Part("table", {"table": Table(header, rows, ["l", "l"] + ["r"] * len(chunk), widths, style="compact")})


def ranking(ctx: MapContext) -> Part:
    """Points by criterion as a chart, the ranking with each site's robustness, and the weights."""
    data = ctx.data
    rk = data.ranking
    assert rk is not None
    rows = [Row([str(int(r["rank"])), str(r["site"]), number(float(r["score"]), 1),
                 (data.robustness or {}).get(str(r["site"]), "")]) for _, r in rk.iterrows()]
    table = Table(["Rang", "Lokalitet", "Point", "Robusthed (samme rang ved tilfældige vægte)"], rows,
                  ["c", "l", "r", "l"], [6, 26, 8, 60])
    lines = []
    if data.weights:
        lines.append("Vægte: " + ", ".join(f"{CRITERIA[c].name()} {number(w, 1)} %"
                                           for c, w in data.weights.items() if c in CRITERIA))
    if data.robustness_method:
        lines.append("Robusthed: " + data.robustness_method + ".")
    lines.append(t("points_note"))
    return Part("ranking", {"chart": ranking_chart(data), "table": table, "lines": lines})


def surface(ctx: MapContext) -> Part:
    """The suitability map, its legend in words and the best areas, best first."""
    ws = ctx.data.surface
    assert ws is not None
    top = describe_top(ws.top) or ["Ingen områder skiller sig ud under de valgte vægte."]
    return Part("surface", {"map": surface_map(ws, ctx.munis), "ramp": SURFACE_RAMP, "meaning": ws.meaning,
                                 "top": top, "note": TOP_NOTE})


def suggestion(ctx: MapContext) -> Part:
    """The optimiser's suggested sites and how the chosen sites compare, in the app's sentences."""
    return Part("text", {"lines": ctx.data.suggestion})


def site(ctx: MapContext, i: int) -> Part:
    """Site i: its map, its indicators by the paper's five criteria, its reach in every municipality."""
    data = ctx.data
    place = data.sites.iloc[i]
    row = data.table.iloc[i]
    rows = []
    for crit, specs in specs_by_criterion(tuple(data.thresholds), set(row.index)):
        rows.append(Row([crit.name()], group=True))
        rows += [Row([s.label(), format_indicator(row, s)]) for s in specs]
    indicators = Table(["Indikator (efter K17-papirets fem kriterier)", "Værdi"], rows, ["l", "r"], [76, 24], style="compact")
    spread = breakdown(data, i)
    notes = [SHARE_NOTE, *([RATIO_NOTE] if len(spread.header) > 3 else [])]
    where = (f"{place['name']} · {place['kommune']} · "
             f"{number(float(place['lat']), 4)}, {number(float(place['lon']), 4)}")
    return Part("site", {"map": site_map(ctx, i), "where": where, "indicators": indicators,
                              "breakdown": spread, "notes": notes, "under_map": len(spread.rows) <= ROWS_UNDER_MAP})


def breakdown(data: ReportData, i: int) -> Table:
    """Site i's reach per municipality: workplaces reached, share of the benefit (and of the cost)."""
    name = str(data.sites.iloc[i]["name"])
    part = data.breakdown[data.breakdown["site"].astype(str) == name] if len(data.breakdown) else data.breakdown
    fin = None
    if data.finance is not None and "amount_kr" in data.finance:
        fin = data.finance.assign(kommunekode=data.finance["kommunekode"].astype(str)).set_index("kommunekode")
    total = float(part["workplaces"].sum()) if len(part) else 0.0
    cost_total = float(fin["amount_kr"].sum()) if fin is not None else 0.0
    rows = []
    for r in part.itertuples():
        gavn = r.workplaces / total if total else 0.0
        line = [f"{r.kommune} ({r.kommunekode})", number(r.workplaces, 0), percent(100 * gavn, 1)]
        if fin is not None:
            kr = float(fin["amount_kr"].get(str(r.kommunekode), 0.0))
            cost = kr / cost_total if cost_total else 0.0
            line += [percent(100 * cost, 1), number(gavn / cost, 2) if cost > 0 else "–"]
        rows.append(Row(line))
    header = ["Kommune", f"Arb.steder nået {REACH_MIN} min", "Andel af gavn"]
    if fin is not None:
        header += ["Andel af udgift", "Gavn ÷ udgift"]
    label = f"Fordeling pr. kommune ({len(rows)} kommuner)"
    widths = [30, 19, 17, 17, 17] if fin is not None else [40, 30, 30]
    return Table(header, rows, ["l"] + ["r"] * (len(header) - 1), widths, label=label, style="compact")


def finance(ctx: MapContext) -> Part:
    """Each municipality's share of the yearly amount, as a chart and a table."""
    data = ctx.data
    f = data.finance
    assert f is not None
    f = f.sort_values("amount_kr", ascending=False) if "amount_kr" in f else f
    rows = []
    for _, r in f.iterrows():
        line = [str(r["kommune"]), percent(100 * float(r["share"]), 1) if "share" in f else "–",
                number(float(r["amount_kr"]), 0) if "amount_kr" in f else "–"]
        if "benefit_to_cost" in f:
            line.append(number(float(r["benefit_to_cost"]), 2))
        rows.append(Row(line))
    header = ["Kommune", "Andel", "Beløb (kr.)"] + (["Gavn ÷ udgift"] if "benefit_to_cost" in f else [])
    lines = [f"I alt: {kroner(float(f['amount_kr'].sum()))} pr. år."] if "amount_kr" in f else []
    if data.finance_formula:
        lines.append(data.finance_formula)
    return Part("finance", {"chart": finance_chart(data) if "amount_kr" in f else None,
                                 "table": Table(header, rows, ["l"] + ["r"] * (len(header) - 1),
                                                [40, 18, 24, 18][:len(header)]),
                                 "lines": lines})


def case(ctx: MapContext) -> Part:
    """The lead municipality's case for its site, criterion by criterion, beside the computed evidence."""
    data = ctx.data
    rows = [Row([c.name(), "Beregnet: " + (data.evidence(c.id, data.case_site) or "–"),
                 data.case_texts.get(c.id, "").strip() or "(ikke udfyldt)"]) for c in CRITERIA.values()]
    return Part("table", {"table": Table(["Kriterium", "Beregnet", "Lead-kommunens begrundelse"], rows,
                                         ["l", "l", "l"], [18, 41, 41], style="small")})


def sources(ctx: MapContext) -> Part:
    """Every layer's source, date, method and quality; the parameters and the notes."""
    data = ctx.data
    rows = [Row([s["layer"], s["source"], s["date"], s["method"], s["quality_da"]], warn="Demodata" in s["quality_da"])
            for s in data.sources_rows()]
    lines = [f"{label}: {value}" for label, value in data.parameter_rows()]
    lines.append(f"Indikatorer: arbejdssteder og ansatte tælles inden for hver tærskel; befolkning og kommuner "
                 f"nås når kommunens repræsentative punkt ligger inden for {REACH_MIN} min; afstande er luftlinje.")
    lines += data.notes
    warning = ("Demodata: lag markeret 'Demodata (syntetisk)' er ikke rigtige virksomheder."
               if data.has_synthetic else "")
    return Part("sources", {"table": Table(["Lag", "Kilde", "Dato", "Metode", "Kvalitet"], rows, ["l"] * 5,
                                           [11, 33, 9, 31, 16], style="small"), "lines": lines, "warning": warning})
