"""The board pack's maps and charts, drawn with matplotlib (no web tiles, no network).

Every picture comes with its Danish alternative text: what the map or chart shows, with the
numbers a reader needs (the same numbers are in the tables beside it). The maps' base (borders,
names, density) comes from `geo.report.boardpack.basemap`, drawn once per pack.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import matplotlib.ticker
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from geo.format import kroner, number
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import REACH_MIN
from geo.report.boardpack.basemap import (
    OVERVIEW_MAP,
    SITE_MAP,
    MapCanvas,
    MapContext,
    draw_base,
    fit,
    framed,
    outline,
)
from geo.report.boardpack.picture import DPI, Picture, drawn, encoded, rasterised
from geo.report.boardpack.vector import SvgMap
from geo.style import CRITERION_COLOURS, RING_DASH_MPL, RING_STYLES, SITE_COLOURS

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

RINGS = tuple(colour for colour, _ in RING_STYLES)
OVERVIEW_MM = 150  #: printed height of the overview map with its legend strip
OVERVIEW_LEGEND_MAX = 12  #: sites the overview's legend lists (3 columns under the map)
SITE_MAP_MM = 124  #: printed width of a site map (the indicator table is beside it)
SITE_MARKER_PT = 17  #: diameter of a site map's marker (points)
CHART_MAX_MM = 150  #: printed height of the ranking chart at most: it fits under the section's heading


# ---- map helpers ------------------------------------------------------------------------------


def _site_marker(ax, x: float, y: float, nr: int, colour: str, size: float = 15) -> None:
    ax.plot(x, y, "o", ms=size + 5, color="white", mec="black", mew=1.2, zorder=10)
    ax.plot(x, y, "o", ms=size, color=colour, zorder=11)
    ax.text(x, y, str(nr), color="white", weight="bold", fontsize=size * 0.6, ha="center", va="center", zorder=12)


def _short(text: object, n: int) -> str:
    s = str(text)
    return s if len(s) <= n else s[: n - 1] + "…"


def _listing(items: list[str]) -> str:
    """'a, b og c' (Danish)."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1] if items else ""


# ---- the pictures -----------------------------------------------------------------------------


def _overview_rings(data: ReportData) -> list[int]:
    """Which catchments the overview draws: all for a few sites, fewer as the map fills up."""
    n = len(data.sites)
    if n <= 4:
        return sorted(data.thresholds)
    if n <= 8:
        return [t for t in data.thresholds if t == REACH_MIN] or [max(data.thresholds)]
    return []  # too many overlapping rings to read; each site page has its own


def _overview_pixels(ctx: MapContext) -> np.ndarray:
    size = OVERVIEW_MAP.box[2:]
    extent = fit(ctx.extent, size[0] / size[1])
    return MapCanvas(OVERVIEW_MAP).draw(draw_base(ctx, extent, size), extent, partial(_overview_layers, ctx))


def _overview_layers(ctx: MapContext, ax: Axes) -> None:
    """Every site's marker and (for a few sites) catchments, and the legend under the map."""
    data, show = ctx.data, _overview_rings(ctx.data)
    handles = []
    for i, site in enumerate(data.sites.itertuples()):
        colour = SITE_COLOURS[i % len(SITE_COLOURS)]
        shapes = ctx.site_rings(i)
        for j, shape in enumerate(shapes[shapes["minutes"].isin(show)].itertuples()):
            thick = shape.minutes == REACH_MIN
            outline(ax, shape.geometry, color=colour, lw=2.6 if thick else 1.2,
                    ls="-" if thick else RING_DASH_MPL[j % 4], zorder=5)
        _site_marker(ax, site.geometry.x, site.geometry.y, i + 1, colour)
        handles.append(Line2D([], [], color=colour, lw=2.6, label=f"{i + 1}. {_short(site.name, 24)}"))
    _overview_legend(ax.get_figure(), handles, bool(show))


def _overview_legend(fig: Figure, handles: list[Line2D], rings: bool) -> None:
    """The sites' colours in the strip under the overview map; with more sites than fit, a line
    pointing to the table (the markers carry the numbers)."""
    strip = OVERVIEW_MAP.box[1] / OVERVIEW_MAP.figure[1]  # the strip's height, as a share of the figure
    if not handles:
        return
    if len(handles) > OVERVIEW_LEGEND_MAX:
        fig.text(0.5, strip / 2, "Lokaliteternes numre står i tabellen Nøgletal; oplandene på siden for hver lokalitet.",
                 ha="center", va="center", fontsize=9)
        return
    title = f"Opland {REACH_MIN} min (tyk)" if rings else "Oplande: se siden for hver lokalitet"
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, strip), ncol=3, fontsize=9, frameon=False,
               title=title, title_fontsize=9)


def overview_map(ctx: MapContext) -> Picture:
    """K17 with every site numbered and (for a few sites) their catchments."""
    data, show = ctx.data, _overview_rings(ctx.data)
    where = "K17" if ctx.region is not ctx.munis else "området"
    sites = [f"{i + 1}. {s.name} ({s.kommune})" for i, s in enumerate(data.sites.itertuples())]
    rings = (f" Linjerne om hver lokalitet viser, hvor langt man når på {_listing([str(m) for m in show])} min "
             f"(den tykke linje er {REACH_MIN} min)." if show else " Oplandene er vist på siden for hver lokalitet.")
    alt = (f"Kort over {where} med kommunegrænser og de {len(sites)} lokaliteter nummereret: {'; '.join(sites)}.{rings} "
           "Gråt viser, hvor klyngens arbejdssteder ligger tæt. Tallene står i tabellen Nøgletal.")
    return Picture(*encoded(_overview_pixels(ctx)), alt, OVERVIEW_MM * OVERVIEW_MAP.figure[0] / OVERVIEW_MAP.figure[1])


def _site_svg(ctx: MapContext, i: int, legend: np.ndarray) -> bytes:
    """Site i's map as SVG: its window of the base map and the `legend` below as pixels, then its
    rings, the institutions and stations, the scale bar, the north arrow and its marker as vectors."""
    width, height = SITE_MAP.figure
    left, bottom, box_w, box_h = SITE_MAP.box
    views = ctx.site_views
    drawing = SvgMap((width, height + legend.shape[0]), (left, height - bottom - box_h, box_w, box_h), views.extent(i))
    drawing.raster(encoded(np.vstack([framed(SITE_MAP, views.base(i)), legend]))[0])
    drawing.frame()
    for j, shape in enumerate(ctx.site_rings(i).itertuples()):
        drawing.outline(shape.geometry, RINGS[j % 4], 2.4 if j == 0 else 1.8, RING_DASH_MPL[j % 4])
    drawing.dots(ctx.dots)
    drawing.scale_bar()
    drawing.north_arrow()
    site = ctx.data.sites.geometry.iloc[i]
    drawing.marker(site.x, site.y, i + 1, SITE_COLOURS[0], SITE_MARKER_PT)
    return drawing.svg()


@rasterised
def _site_legend(ctx: MapContext, minutes: tuple[float, ...]) -> Figure:
    """The legend below a site map: its rings (by minutes), the institutions and the stations."""
    handles = [Line2D([], [], color=RINGS[j % 4], lw=2, ls=RING_DASH_MPL[j % 4], label=f"{number(m, 0)} min")
               for j, m in enumerate(minutes)]
    handles += [Line2D([], [], marker="o", ls="", mfc=style["c"], mec=style["edgecolors"], label=label.capitalize())
                for label, _, style in ctx.marks]
    width, rows = SITE_MAP.figure[0], max(1, -(-len(handles) // 3))
    fig = Figure(figsize=(width / DPI, round((0.06 + 0.18 * rows) * DPI) / DPI), dpi=DPI)
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(SITE_MAP.box[0] / width, 1.0), ncol=3,
                   fontsize=8.5, frameon=False, borderaxespad=0.2)
    return fig


def site_map(ctx: MapContext, i: int) -> Picture:
    """Site i with its catchment rings, the institutions and the train stations around it."""
    site = ctx.data.sites.iloc[i]
    key = tuple(float(m) for m in ctx.site_rings(i)["minutes"])
    minutes = [number(m, 0) for m in key]
    rings = f" med linjer for, hvor langt man når på {_listing(minutes)} min" if minutes else ""
    marks = [label for label, _, _ in ctx.marks]
    dots = f" Kortet viser også {_listing(marks)} som prikker." if marks else ""
    alt = (f"Kort over lokalitet {i + 1}, {site['name']} i {site['kommune']}{rings}.{dots} "
           "Gråt viser, hvor klyngens arbejdssteder ligger tæt. Tallene står i tabellerne ved siden af.")
    if key not in ctx.legends:
        ctx.legends[key] = _site_legend(ctx, key)
    legend = ctx.legends[key]
    size = (SITE_MAP.figure[0], SITE_MAP.figure[1] + legend.shape[0])
    return Picture(_site_svg(ctx, i, legend), size, alt, SITE_MAP_MM, extension="svg")


@drawn
def _ranking_figure(data: ReportData) -> Figure:
    rk = data.ranking
    assert rk is not None
    height = 0.9 + 0.32 * len(rk)
    fig = Figure(figsize=(10.0, height))
    ax = fig.add_axes((0.20, 0.75 / height, 0.42, 1 - 0.85 / height))  # room for the legend at the right
    y = np.arange(len(rk))[::-1]
    left = np.zeros(len(rk))
    for c in _criteria(data):
        vals = rk[f"contrib_{c}"].to_numpy(float)
        ax.add_collection(PolyCollection(_bars(left, vals, y), facecolors=CRITERION_COLOURS[c], edgecolors="white",
                                         label=CRITERIA[c].name()))
        left += vals
    ax.set_ylim(-0.6, len(rk) - 0.4)
    ax.set_yticks(y, [f"{int(r)}. {_short(s, 22)}" for r, s in zip(rk["rank"], rk["site"], strict=True)], fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Point (0–100, i forhold til de andre kandidater) – bidrag pr. kriterium", fontsize=10)
    for yy, total in zip(y, left, strict=True):
        ax.text(total + 1, yy, number(total, 1), va="center", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _bars(left: np.ndarray, width: np.ndarray, y: np.ndarray, height: float = 0.8) -> np.ndarray:
    """Horizontal bars as polygons (one collection draws them all: a patch per bar is ten times slower)."""
    x0, x1, y0, y1 = left, left + width, y - height / 2, y + height / 2
    return np.stack([np.column_stack(corner) for corner in ((x0, y0), (x0, y1), (x1, y1), (x1, y0))], axis=1)


def _criteria(data: ReportData) -> list[str]:
    assert data.ranking is not None
    return [c for c in CRITERIA if f"contrib_{c}" in data.ranking]


def ranking_chart(data: ReportData) -> Picture:
    """Stacked bars: each site's points, split into the criteria's contributions."""
    rk = data.ranking
    assert rk is not None
    crits = _criteria(data)
    totals = rk[[f"contrib_{c}" for c in crits]].to_numpy(float).sum(axis=1)
    bars = "; ".join(f"{int(r)}. {s}: {number(float(p), 1)} point"
                     for r, s, p in zip(rk["rank"], rk["site"], totals, strict=True))
    alt = (f"Vandret søjlediagram over point (0–100) for hver lokalitet, delt op i bidrag fra "
           f"{_listing([CRITERIA[c].name() for c in crits])}: {bars}.")
    jpeg, (width, height) = _ranking_figure(data)
    return Picture(jpeg, (width, height), alt, min(250, CHART_MAX_MM * width / height))


@drawn
def _finance_figure(data: ReportData) -> Figure:
    assert data.finance is not None
    f = data.finance.sort_values("amount_kr", ascending=False)
    height = 0.8 + 0.24 * len(f)
    fig = Figure(figsize=(4.6, height))
    ax = fig.add_axes((0.36, 0.6 / height, 0.58, 1 - 0.7 / height))
    ax.barh(np.arange(len(f))[::-1], f["amount_kr"].to_numpy(float), color="#0072B2")
    ax.set_yticks(np.arange(len(f))[::-1], [_short(str(k), 18) for k in f["kommune"]], fontsize=9)
    ax.set_xlabel("kr. pr. år")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: number(v, 0)))
    ax.tick_params(axis="x", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def finance_chart(data: ReportData) -> Picture:
    """Each municipality's yearly contribution as a bar, the largest first."""
    assert data.finance is not None and "amount_kr" in data.finance
    f = data.finance.sort_values("amount_kr", ascending=False)
    bars = "; ".join(f"{k}: {kroner(float(v))}" for k, v in zip(f["kommune"], f["amount_kr"], strict=True))
    alt = f"Vandret søjlediagram over hver kommunes bidrag i kr. pr. år, største først: {bars}"
    return Picture(*_finance_figure(data), alt, 105)
