"""Danish board pack as PDF, rendered server-side with matplotlib (no web tiles, no network).

A4 landscape; every page carries the scenario name, the date and "Side n af N". Pages:
overview map and key figures; comparison table; ranking with robustness (when given); the
suitability surface (when the bundle carries one, `geo.report.pdf_surface`); one
page per site (map, indicators by the paper's five criteria, per-municipality fairness);
co-financing (when given); the lead municipality's case (when texts are given); sources.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # server-side, no display

import geopandas as gpd
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from geo.decide.finance import RATIO_NOTE
from geo.format import number, percent
from geo.i18n import t
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import (
    REACH_MIN,
    REACHED_DA,
    format_indicator,
    kind_label,
    spec_for,
    specs_by_criterion,
)
from geo.report.pdf_surface import draw_surface_page
from geo.settings import K17_CODES
from geo.style import (
    CRITERION_COLOURS,
    KIND_COLOURS,
    MUNICIPALITY_LINE,
    RING_DASH_MPL,
    RING_STYLES,
    SITE_COLOURS,
    WARN_COLOUR,
)
from geo.text import plain

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

A4_LANDSCAPE = (11.69, 8.27)
RINGS = tuple(colour for colour, _ in RING_STYLES)
SITES_PER_TABLE = 6
SITE_ROWS = 8  #: municipalities on a site page; the rest continue on the next page(s)
MORE_ROWS = 30  #: municipalities per continuation page
SHARE_NOTE = f"Andel af gavn: kommunens andel af de arbejdssteder, lokaliteten når inden for {REACH_MIN} min."
RC = {
    "pdf.fonttype": 42,  # TrueType: text stays searchable and extractable
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "text.parse_math": False,  # user text with '$' stays text
}


def report_to_pdf(data: ReportData) -> bytes:
    """The board pack as PDF bytes."""
    plan = page_plan(data)
    buf = io.BytesIO()
    with plt.rc_context(RC):
        ctx = _Context(data)
        with PdfPages(buf, metadata={"Title": f"Klyngested – {plain(data.scenario_name)}", "Creator": "Klyngested",
                                     "Subject": "Bestyrelsespakke"}) as pdf:
            for n, (title, draw) in enumerate(plan, start=1):
                pdf.savefig(_page(ctx, title, draw, n, len(plan)))
    return buf.getvalue()


def report_to_png_pages(data: ReportData, dpi: int = 60) -> list[bytes]:
    """Every page as PNG (for previews in the app and the README)."""
    plan = page_plan(data)
    out = []
    with plt.rc_context(RC):
        ctx = _Context(data)
        for n, (title, draw) in enumerate(plan, start=1):
            buf = io.BytesIO()
            _page(ctx, title, draw, n, len(plan)).savefig(buf, format="png", dpi=dpi)
            out.append(buf.getvalue())
    return out


def _page(ctx: _Context, title: str, draw: Callable[[Figure, _Context], None], n: int, total: int) -> Figure:
    """One drawn page; every text on it keeps only visible characters (user names may hold
    U+FEFF or lone surrogates, which matplotlib's font subsetter cannot write)."""
    fig = Figure(figsize=A4_LANDSCAPE)
    _frame(fig, ctx.data, title, n, total)
    draw(fig, ctx)
    for text in fig.findobj(Text):
        text.set_text(plain(text.get_text()))
    return fig


def page_plan(data: ReportData) -> list[tuple[str, Callable[[Figure, _Context], None]]]:
    """(title, drawer) per page, in order; the length is the page count."""
    plan: list[tuple[str, Callable[[Figure, _Context], None]]] = [("Overblik", _overview)]
    names = data.site_names()
    chunks = [list(range(i, min(i + SITES_PER_TABLE, len(names)))) for i in range(0, len(names), SITES_PER_TABLE)]
    for k, chunk in enumerate(chunks or [[]], start=1):
        suffix = f" ({k}/{len(chunks)})" if len(chunks) > 1 else ""
        plan.append((f"Sammenligning af lokaliteterne{suffix}", lambda fig, ctx, c=chunk: _comparison(fig, ctx, c)))
    if data.ranking is not None and len(data.ranking):
        plan.append(("Rangering og robusthed", _ranking))
    if data.surface is not None:
        plan.append(("Kort over egnethed: hvor i K17?", lambda fig, ctx: draw_surface_page(fig, ctx.data.surface, ctx.munis)))
    if data.suggestion:
        plan.append(("Optimeringens forslag", _suggestion))
    for i, name in enumerate(names):
        plan.append((f"Lokalitet {i + 1}: {name}", lambda fig, ctx, i=i: _site_page(fig, ctx, i)))
        n = _breakdown_count(data, name)
        for start in range(SITE_ROWS, n, MORE_ROWS):  # never cut a table: it continues on the next page
            plan.append((f"Lokalitet {i + 1}: {name} – fordeling pr. kommune (fortsat)",
                         lambda fig, ctx, i=i, start=start: _breakdown_page(fig, ctx, i, start)))
    if data.finance is not None and len(data.finance):
        plan.append(("Medfinansiering", _finance))
    if any(v.strip() for v in data.case_texts.values()):
        plan.append(("Lead-kommunens begrundelse", _case))
    plan.append(("Kilder og metode", _sources))
    return plan


class _Context:
    """Things computed once per pack: catchments, workplace density raster, extents."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.iso = data.isochrones()
        munis = data.layers.municipalities
        self.munis = munis.assign(geometry=munis.geometry.simplify(200, preserve_topology=True))
        k17 = self.munis[self.munis["kommunekode"].isin(K17_CODES)]
        self.region = k17 if len(k17) else self.munis
        self.approx_borders = data.layers.provenance["municipalities"].quality != "real"
        wp = data.cluster_workplaces()
        self.wp_xy = np.column_stack([wp.geometry.x.to_numpy(), wp.geometry.y.to_numpy()]) if len(wp) else np.empty((0, 2))
        self.density = _density(self.wp_xy, self.munis.total_bounds)
        self.extent = _pad(np.array(self.region.total_bounds), self.iso, 0.03)


# ---- page frame -------------------------------------------------------------------------------


def _frame(fig: Figure, data: ReportData, title: str, n: int, total: int) -> None:
    fig.text(0.03, 0.965, f"Klyngested · {data.scenario_name}", fontsize=12, weight="bold", va="top")
    fig.text(0.97, 0.965, f"{data.cluster_name} · {data.created}", fontsize=11, ha="right", va="top")
    fig.add_artist(Line2D([0.03, 0.97], [0.935, 0.935], color="#555", lw=0.8))
    fig.text(0.03, 0.92, title, fontsize=18, weight="bold", va="top")
    label = f"Data: {data.data_label}"
    if data.has_synthetic:
        label += " – syntetiske data, ikke til beslutninger"
    fig.text(0.03, 0.025, label, fontsize=10, color=WARN_COLOUR if data.has_synthetic else "#333")
    fig.text(0.5, 0.025, f"Rejsetid: {data.method_da}", fontsize=10, ha="center", color="#333")
    fig.text(0.97, 0.025, f"Side {n} af {total}", fontsize=10, ha="right")


# ---- maps -------------------------------------------------------------------------------------


def _density(xy: np.ndarray, bounds: np.ndarray, cell_m: float = 2500.0):
    if len(xy) == 0:
        return None
    x0, y0, x1, y1 = bounds
    nx, ny = max(1, int((x1 - x0) / cell_m)), max(1, int((y1 - y0) / cell_m))
    h, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=[nx, ny], range=[[x0, x1], [y0, y1]])
    h = np.ma.masked_less_equal(h.T, 0)
    return h, (x0, x1, y0, y1)


def _pad(bounds: np.ndarray, iso: gpd.GeoDataFrame, frac: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bounds
    if len(iso):
        ix0, iy0, ix1, iy1 = iso.total_bounds
        x0, y0, x1, y1 = min(x0, ix0), min(y0, iy0), max(x1, ix1), max(y1, iy1)
    dx, dy = (x1 - x0) * frac, (y1 - y0) * frac
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def _fit(extent: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """Grow the extent so its width/height equals the axes' aspect (no distortion, no gaps)."""
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        return x0 - grow, x1 + grow, y0, y1
    grow = (w / aspect - h) / 2
    return x0, x1, y0 - grow, y1 + grow


def _base_map(ax, ctx: _Context, extent: tuple[float, float, float, float], labels: bool) -> None:
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    x0, x1, y0, y1 = _fit(extent, (pos.width * fig_w) / (pos.height * fig_h))
    ax.set_facecolor("#e8eef4")
    ctx.munis.plot(ax=ax, color="#ffffff", edgecolor="none", zorder=1)
    if ctx.density is not None:
        h, ext = ctx.density
        ax.imshow(h, extent=ext, origin="lower", cmap="Greys", alpha=0.45, zorder=2, interpolation="nearest",
                  vmin=0, vmax=max(1.0, float(np.percentile(h.compressed(), 97)) if h.count() else 1.0))
    ctx.munis.boundary.plot(ax=ax, color=MUNICIPALITY_LINE, lw=0.9, ls="--" if ctx.approx_borders else "-", zorder=3)
    if labels:
        for row in ctx.munis.itertuples():
            p = row.geometry.representative_point()
            if x0 < p.x < x1 and y0 < p.y < y1:
                ax.text(p.x, p.y, row.navn, fontsize=8, color="#555", ha="center", va="center", zorder=4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_color("#888")
    _scale_bar(ax, x0, x1, y0, y1)
    ax.text(0.97, 0.96, "N\n↑", transform=ax.transAxes, ha="center", va="top", fontsize=12, weight="bold", zorder=9)


def _no_labels(ax) -> None:
    """geopandas sets axis labels from the CRS; a map needs none."""
    ax.set_xlabel("")
    ax.set_ylabel("")


def _scale_bar(ax, x0: float, x1: float, y0: float, y1: float) -> None:
    width_km = (x1 - x0) / 1000
    length = next((c for c in (100, 50, 25, 20, 10, 5, 2, 1) if c <= width_km / 4), 1)
    m = length * 1000
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    hgt = (y1 - y0) * 0.012
    ax.add_patch(Rectangle((bx - m * 0.08, by - hgt * 2.2), m * 1.25, hgt * 6.2, facecolor="white",
                           edgecolor="none", alpha=0.85, zorder=8))
    for k, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((bx + k * m / 2, by), m / 2, hgt, facecolor=colour, edgecolor="black", lw=0.8, zorder=9))
    for frac, text in ((0, "0"), (0.5, number(length / 2, 1 if length % 2 else 0)), (1, f"{length} km")):
        ax.text(bx + frac * m, by + hgt * 1.6, text, ha="center", va="bottom", fontsize=9, zorder=9)


def _site_marker(ax, x: float, y: float, nr: int, colour: str, size: float = 15) -> None:
    ax.plot(x, y, "o", ms=size + 5, color="white", mec="black", mew=1.2, zorder=10)
    ax.plot(x, y, "o", ms=size, color=colour, zorder=11)
    ax.text(x, y, str(nr), color="white", weight="bold", fontsize=size * 0.6, ha="center", va="center", zorder=12)


def _overview(fig: Figure, ctx: _Context) -> None:
    data = ctx.data
    ax = fig.add_axes((0.03, 0.06, 0.55, 0.80))
    _base_map(ax, ctx, ctx.extent, labels=True)
    n = len(data.sites)
    if n <= 4:
        show = sorted(data.thresholds)
    elif n <= 8:
        show = [t for t in data.thresholds if t == REACH_MIN] or [max(data.thresholds)]
    else:  # too many overlapping rings to read; each site page has its own
        show = []
    handles = []
    for i, site in enumerate(data.sites.itertuples()):
        colour = SITE_COLOURS[i % len(SITE_COLOURS)]
        shapes = ctx.iso[(ctx.iso["nr"] == i + 1) & ctx.iso["minutes"].isin(show)]
        for j, shape in enumerate(shapes.sort_values("minutes").itertuples()):
            width = 2.6 if shape.minutes == REACH_MIN else 1.2
            gpd.GeoSeries([shape.geometry]).boundary.plot(ax=ax, color=colour, lw=width,
                                                         ls=RING_DASH_MPL[j % 4] if shape.minutes != REACH_MIN else "-",
                                                         zorder=5)
        _site_marker(ax, site.geometry.x, site.geometry.y, i + 1, colour)
        handles.append(Line2D([], [], color=colour, lw=2.6, label=f"{i + 1}. {_short(site.name, 24)}"))
    if handles:
        title = f"Opland {REACH_MIN} min (tyk)" if show else "Oplande: se siden for hver lokalitet"
        ax.legend(handles=handles[:12], loc="upper left", fontsize=10, framealpha=0.95,
                  title=title, title_fontsize=10)
    _no_labels(ax)
    # key figures on the right
    fig.text(0.61, 0.86, "Nøgletal", fontsize=14, weight="bold", va="top")
    rank = {}
    if data.ranking is not None:
        rank = dict(zip(data.ranking["site"].astype(str), data.ranking["rank"], strict=False))
    rows = []
    reached, share = spec_for(f"workplaces_{REACH_MIN}"), spec_for("share_k17_45")
    for i, row in enumerate(data.table.itertuples(index=False)):
        rows.append([f"{i + 1}. {_short(row.site, 16)}", _short(row.kommune, 11),
                     reached.format(getattr(row, reached.column, np.nan)),
                     share.format(row.share_k17_45, unit=True),
                     str(int(rank[str(row.site)])) if str(row.site) in rank else "–"])
    tab = fig.add_axes((0.61, 0.40, 0.36, 0.44))
    if len(rows) > 14:
        rows = rows[:13] + [[f"… og {len(rows) - 13} til", "", "", "", ""]]
    _table(tab, ["Lokalitet", "Kommune", f"Arb.st.\n{REACH_MIN} min", "Andel\naf K17", "Rang"], rows,
           [0.36, 0.23, 0.15, 0.16, 0.1], ["left", "left", "right", "right", "center"], fontsize=9.5,
           header_lines=2)
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
    _paragraphs(fig, 0.61, 0.37, facts, width=60, fontsize=10.5)


def _comparison(fig: Figure, ctx: _Context, chunk: list[int]) -> None:
    data = ctx.data
    table = data.table.iloc[chunk] if chunk else data.table.iloc[0:0]
    header = ["Indikator", "Enhed"] + [f"{i + 1}.\n{_short(s, 14)}" for i, s in zip(chunk, table["site"], strict=True)]
    rows, bold = [], set()
    for crit, specs in specs_by_criterion(tuple(data.thresholds), set(table.columns)):
        bold.add(len(rows))
        rows.append([crit.name()] + [""] * (len(header) - 1))
        for s in specs:
            rows.append([_short(s.label(), 58), s.unit_label()] + [format_indicator(r, s, unit=False) for _, r in table.iterrows()])
    n = max(1, len(chunk))
    site_w = min(0.13, 0.55 / n)
    widths = [0.40, 0.07] + [site_w] * len(chunk)
    ax = fig.add_axes((0.03, 0.08, 0.94, 0.80))
    _table(ax, header, rows, widths, ["left", "left"] + ["right"] * len(chunk), fontsize=10, bold_rows=bold,
           header_lines=2)


def _ranking(fig: Figure, ctx: _Context) -> None:
    data = ctx.data
    rk = data.ranking
    assert rk is not None
    crits = [c for c in CRITERIA if f"contrib_{c}" in rk]
    ax = fig.add_axes((0.20, 0.52, 0.44, 0.36))
    y = np.arange(len(rk))[::-1]
    left = np.zeros(len(rk))
    for k, c in enumerate(crits):
        vals = rk[f"contrib_{c}"].to_numpy(float)
        ax.barh(y, vals, left=left, color=CRITERION_COLOURS[c], label=CRITERIA[c].name(), edgecolor="white")
        left += vals
    ax.set_yticks(y, [f"{int(r)}. {_short(s, 22)}" for r, s in zip(rk["rank"], rk["site"], strict=True)], fontsize=11)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Point (0–100, i forhold til de andre kandidater) – bidrag pr. kriterium")
    for yy, total in zip(y, left, strict=True):
        ax.text(total + 1, yy, number(total, 1), va="center", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.06, 1.0), fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    rows = []
    for _, r in rk.iterrows():
        sentence = (data.robustness or {}).get(str(r["site"]), "")
        rows.append([str(int(r["rank"])), _short(str(r["site"]), 24), number(float(r["score"]), 1),
                     _short(sentence, 95)])
    tab = fig.add_axes((0.03, 0.07, 0.94, 0.30))
    _table(tab, ["Rang", "Lokalitet", "Point", "Robusthed (samme rang ved tilfældige vægte)"], rows[:10],
           [0.06, 0.22, 0.08, 0.64], ["center", "left", "right", "left"], fontsize=10)
    lines = []
    if data.weights:
        lines.append("Vægte: " + ", ".join(f"{CRITERIA[c].name()} {number(w, 1)} %"
                                           for c, w in data.weights.items() if c in CRITERIA))
    if data.robustness_method:
        lines.append("Robusthed: " + data.robustness_method + ".")
    lines.append(t("points_note"))
    _paragraphs(fig, 0.03, 0.435, lines, width=150, fontsize=9.5)


def _suggestion(fig: Figure, ctx: _Context) -> None:
    """The optimiser's suggested sites and how the chosen sites compare, in the app's sentences."""
    _paragraphs(fig, 0.05, 0.86, ctx.data.suggestion, width=120, fontsize=12)


def _site_page(fig: Figure, ctx: _Context, i: int) -> None:
    data = ctx.data
    site = data.sites.iloc[i]
    name = str(site["name"])
    x, y = site.geometry.x, site.geometry.y
    shapes = ctx.iso[ctx.iso["nr"] == i + 1].sort_values("minutes")
    ax = fig.add_axes((0.03, 0.2, 0.45, 0.66))
    ext = _pad(np.array(shapes.total_bounds), shapes.iloc[0:0], 0.04) if len(shapes) else ctx.extent
    _base_map(ax, ctx, ext, labels=True)
    handles = []
    for j, shape in enumerate(shapes.itertuples()):
        gpd.GeoSeries([shape.geometry]).boundary.plot(ax=ax, color=RINGS[j % 4], lw=2.4 if j == 0 else 1.8,
                                                      ls=RING_DASH_MPL[j % 4], zorder=5)
        handles.append(Line2D([], [], color=RINGS[j % 4], lw=2, ls=RING_DASH_MPL[j % 4], label=f"{number(float(shape.minutes), 0)} min"))
    inst = data.layers.institutions
    for kind, colour in KIND_COLOURS.items():
        part = inst[inst["kind"] == kind]
        if len(part):
            ax.scatter(part.geometry.x, part.geometry.y, s=42, c=colour, edgecolors="white", linewidths=1, zorder=7)
            handles.append(Line2D([], [], marker="o", ls="", color=colour, label=kind_label(kind).capitalize()))
    st = data.layers.stations
    if len(st):
        ax.scatter(st.geometry.x, st.geometry.y, s=18, c="white", edgecolors="black", linewidths=1.2, zorder=6)
        handles.append(Line2D([], [], marker="o", ls="", mfc="white", mec="black", label="Togstation"))
    _site_marker(ax, x, y, i + 1, SITE_COLOURS[0], size=17)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=3, fontsize=8.5, frameon=False)  # below the map
    _no_labels(ax)
    fig.text(0.51, 0.875, f"{name} · {site['kommune']} · {number(float(site['lat']), 4)}, {number(float(site['lon']), 4)}",
             fontsize=11, va="top")
    row = data.table.iloc[i]
    rows, bold = [], set()
    for crit, specs in specs_by_criterion(tuple(data.thresholds), set(row.index)):
        bold.add(len(rows))
        rows.append([crit.name(), ""])
        for s in specs:
            rows.append(["  " + _short(s.label(), 56), format_indicator(row, s)])
    tab = fig.add_axes((0.51, 0.33, 0.46, 0.52))
    _table(tab, ["Indikator (efter K17-papirets fem kriterier)", "Værdi"], rows, [0.76, 0.24], ["left", "right"],
           fontsize=8.6, bold_rows=bold)
    header, frows, widths, align = _breakdown_rows(ctx, i)
    n = len(frows)
    fig.text(0.51, 0.315, "Fordeling pr. kommune", fontsize=11, weight="bold", va="top")
    tab2 = fig.add_axes((0.51, 0.13, 0.46, 0.165))  # room below for the notes, clear of the footer
    _table(tab2, header, frows[:SITE_ROWS], widths, align, fontsize=8.6, header_lines=2)
    notes = [f"De første {SITE_ROWS} af {n} kommuner; resten følger på næste side."] if n > SITE_ROWS else []
    _paragraphs(fig, 0.51, 0.12, notes + [SHARE_NOTE, *([RATIO_NOTE] if len(header) > 3 else [])], 100, 7.5)


def _breakdown_count(data: ReportData, name: str) -> int:
    return int((data.breakdown["site"].astype(str) == name).sum()) if len(data.breakdown) else 0


def _breakdown_rows(ctx: _Context, i: int) -> tuple[list[str], list[list[str]], list[float], list[str]]:
    """The per-municipality table of site i: header, every row, column widths and alignment."""
    data = ctx.data
    name = str(data.sites.iloc[i]["name"])
    part = data.breakdown[data.breakdown["site"].astype(str) == name] if len(data.breakdown) else data.breakdown
    fin = None
    if data.finance is not None and "amount_kr" in data.finance:
        fin = data.finance.assign(kommunekode=data.finance["kommunekode"].astype(str)).set_index("kommunekode")
    total = float(part["workplaces"].sum()) if len(part) else 0.0
    cost_total = float(fin["amount_kr"].sum()) if fin is not None else 0.0
    frows = []
    for r in part.itertuples():
        gavn = r.workplaces / total if total else 0.0
        line = [_short(f"{r.kommune} ({r.kommunekode})", 26), number(r.workplaces, 0), percent(100 * gavn, 1)]
        if fin is not None:
            kr = float(fin["amount_kr"].get(str(r.kommunekode), 0.0))
            cost = kr / cost_total if cost_total else 0.0
            line += [percent(100 * cost, 1), number(gavn / cost, 2) if cost > 0 else "–"]
        frows.append(line)
    header = ["Kommune", f"Arb.steder nået\n{REACH_MIN} min", "Andel\naf gavn"]
    widths, align = [0.40, 0.30, 0.30], ["left", "right", "right"]
    if fin is not None:
        header += ["Andel\naf udgift", "Gavn ÷\nudgift"]
        widths, align = [0.30, 0.19, 0.17, 0.17, 0.17], ["left", "right", "right", "right", "right"]
    return header, frows, widths, align


def _breakdown_page(fig: Figure, ctx: _Context, i: int, start: int) -> None:
    """A continuation page of site i's per-municipality table (rows start … start + MORE_ROWS)."""
    header, frows, widths, align = _breakdown_rows(ctx, i)
    shown = frows[start:start + MORE_ROWS]
    tab = fig.add_axes((0.05, 0.86 - 0.024 * (len(shown) + 2), 0.6, 0.024 * (len(shown) + 2)))
    _table(tab, header, shown, widths, align, fontsize=9, header_lines=2)
    last = start + len(shown)
    more = " Fortsættes på næste side." if last < len(frows) else ""
    _paragraphs(fig, 0.05, 0.15, [f"Kommune {start + 1}–{last} af {len(frows)}.{more}"]
                + [SHARE_NOTE, *([RATIO_NOTE] if len(header) > 3 else [])], 120, 9)


def _finance(fig: Figure, ctx: _Context) -> None:
    data = ctx.data
    f = data.finance
    assert f is not None
    f = f.sort_values("amount_kr", ascending=False) if "amount_kr" in f else f
    ax = fig.add_axes((0.16, 0.12, 0.33, 0.74))
    if "amount_kr" in f:
        vals = f["amount_kr"].to_numpy(float)
        ax.barh(np.arange(len(f))[::-1], vals, color="#0072B2")
        ax.set_yticks(np.arange(len(f))[::-1], [_short(str(k), 18) for k in f["kommune"]], fontsize=9)
        ax.set_xlabel("kr. pr. år")
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: number(v, 0)))
        ax.spines[["top", "right"]].set_visible(False)
    rows = []
    for _, r in f.iterrows():
        line = [_short(str(r["kommune"]), 18),
                percent(100 * float(r["share"]), 1) if "share" in f else "–",
                number(float(r["amount_kr"]), 0) if "amount_kr" in f else "–"]
        if "benefit_to_cost" in f:
            line.append(number(float(r["benefit_to_cost"]), 2))
        rows.append(line)
    header = ["Kommune", "Andel", "Beløb (kr.)"] + (["Gavn ÷ udgift"] if "benefit_to_cost" in f else [])
    widths = [0.4, 0.18, 0.24] + ([0.18] if "benefit_to_cost" in f else [])
    tab = fig.add_axes((0.55, 0.18, 0.42, 0.68))
    _table(tab, header, rows[:20], widths, ["left"] + ["right"] * (len(header) - 1), fontsize=10)
    lines = []
    if "amount_kr" in f:
        lines.append(f"I alt: {number(float(f['amount_kr'].sum()), 0)} kr. pr. år.")
    if data.finance_formula:
        lines.append(data.finance_formula)
    _paragraphs(fig, 0.55, 0.15, lines, width=80, fontsize=9)


def _case(fig: Figure, ctx: _Context) -> None:
    data = ctx.data
    y = 0.86
    for c in CRITERIA.values():
        fig.text(0.03, y, c.name(), fontsize=12, weight="bold", va="top")
        ev = _wrap("Beregnet: " + (data.evidence(c.id, data.case_site) or "–"), 72)[:4]
        fig.text(0.03, y - 0.03, "\n".join(ev), fontsize=9.5, va="top", color="#333")
        text = data.case_texts.get(c.id, "").strip() or "(ikke udfyldt)"
        fig.text(0.50, y, "\n".join(_wrap(text, 95)[:7]), fontsize=9.5, va="top")
        y -= 0.155


def _sources(fig: Figure, ctx: _Context) -> None:
    data = ctx.data
    rows = [[s["layer"], "\n".join(_wrap(s["source"], 46)[:3]), _short(s["date"], 12),
             "\n".join(_wrap(s["method"], 52)[:3]), s["quality_da"]] for s in data.sources_rows()]
    ax = fig.add_axes((0.03, 0.45, 0.94, 0.43))
    _table(ax, ["Lag", "Kilde", "Dato", "Metode", "Kvalitet"], rows, [0.11, 0.33, 0.09, 0.31, 0.16],
           ["left"] * 5, fontsize=8.5, row_lines=3, warn_col=4)
    lines = [f"{label}: {value}" for label, value in data.parameter_rows()]
    lines += [(f"Indikatorer: arbejdssteder og ansatte tælles inden for hver tærskel; befolkning og kommuner "
               f"nås når kommunens repræsentative punkt ligger inden for {REACH_MIN} min; afstande er luftlinje.")]
    lines += data.notes
    wrapped = [w for line in lines for w in _wrap(line, 175)]
    if len(wrapped) > 26:
        wrapped = wrapped[:25] + ["… (flere noter i Excel-arket 'Kilder og metode')"]
    _paragraphs(fig, 0.03, 0.43, wrapped, width=200, fontsize=8.5)
    if data.has_synthetic:
        fig.text(0.97, 0.06, "Demodata: lag markeret 'Demodata (syntetisk)' er ikke rigtige virksomheder.",
                 fontsize=10.5, color=WARN_COLOUR, weight="bold", ha="right")


# ---- text helpers ----------------------------------------------------------------------------


def _table(
    ax,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: Sequence[str],
    fontsize: float = 10,
    bold_rows: set[int] | None = None,
    row_lines: int = 1,
    warn_col: int | None = None,
    header_lines: int = 1,
) -> None:
    """A plain table drawn with text in axes coordinates (fast, crisp; cells are pre-wrapped)."""
    ax.set_axis_off()
    bold_rows = bold_rows or set()
    fig_h = ax.figure.get_size_inches()[1] * ax.get_position().height
    line_h = fontsize * 1.5 / 72 / fig_h  # axes fraction per text line
    head_h = min(0.3, line_h * (header_lines + 0.3))
    row_h = min((1.0 - head_h) / max(len(rows), 1), line_h * (row_lines + 0.25))
    xs = np.concatenate([[0.0], np.cumsum(widths)])
    pad = 0.006

    def put(top: float, height: float, cells: Sequence[str], weight: str = "normal") -> None:
        for j, text in enumerate(cells):
            a = align[j] if j < len(align) else "left"
            x = xs[j] + pad if a == "left" else (xs[j + 1] - pad if a == "right" else (xs[j] + xs[j + 1]) / 2)
            colour = WARN_COLOUR if (warn_col == j and "Demodata" in str(text)) else "#111"
            ax.text(x, top - height / 2, str(text), ha=a, va="center", fontsize=fontsize, weight=weight,
                    color=colour, transform=ax.transAxes, linespacing=1.15)

    ax.add_patch(Rectangle((0, 1 - head_h), xs[-1], head_h, transform=ax.transAxes, facecolor="#dde4ee",
                           edgecolor="none"))
    put(1.0, head_h, header, "bold")
    for r, cells in enumerate(rows):
        top = 1.0 - head_h - r * row_h
        if r in bold_rows:
            ax.add_patch(Rectangle((0, top - row_h), xs[-1], row_h, transform=ax.transAxes,
                                   facecolor="#eef1f6", edgecolor="none"))
        ax.add_line(Line2D([0, xs[-1]], [top - row_h] * 2, transform=ax.transAxes, color="#ccc", lw=0.5))
        put(top, row_h, cells, "bold" if r in bold_rows else "normal")


def _paragraphs(fig: Figure, x: float, y: float, lines: Sequence[str], width: int, fontsize: float) -> None:
    text = "\n".join("\n".join(_wrap(line, width)) for line in lines if line)
    fig.text(x, y, text, fontsize=fontsize, va="top", linespacing=1.35)


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(str(text), width) or [""]


def _short(text: object, n: int) -> str:
    s = str(text)
    return s if len(s) <= n else s[: n - 1] + "…"
