"""The board pack's maps and charts, drawn with matplotlib (no web tiles, no network) as PNG.

Every picture comes with its Danish alternative text: what the map or chart shows, with the
numbers a reader needs (the same numbers are in the tables beside it).
"""

from __future__ import annotations

import functools
import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec

import matplotlib

matplotlib.use("Agg")  # server-side, no display

import geopandas as gpd
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from geo.format import kroner, number
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import REACH_MIN, kind_label
from geo.settings import K17_CODES
from geo.style import CRITERION_COLOURS, KIND_COLOURS, MUNICIPALITY_LINE, RING_DASH_MPL, RING_STYLES, SITE_COLOURS
from geo.text import plain

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

P = ParamSpec("P")
RINGS = tuple(colour for colour, _ in RING_STYLES)
#: Raster resolution of maps and charts: sharp on paper, quick to draw and small to embed.
DPI = 150
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "text.parse_math": False,  # user text with '$' stays text
}


@dataclass(frozen=True)
class Picture:
    """A drawn map or chart: PNG bytes, its alternative text and its printed width (mm)."""

    png: bytes
    alt: str
    width_mm: float

    @property
    def height_mm(self) -> float:
        """The printed height, from the PNG's own width and height (its IHDR header)."""
        width, height = struct.unpack(">II", self.png[16:24])
        return round(self.width_mm * height / width, 1)


class MapContext:
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


def drawn(draw: Callable[P, Figure]) -> Callable[P, bytes]:
    """A drawer of one figure as a maker of PNG bytes, drawn with the pack's rc settings.

    Every text keeps only visible characters (user names may hold U+FEFF or lone surrogates).
    """

    @functools.wraps(draw)
    def png(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with plt.rc_context(RC):
            fig = draw(*args, **kwargs)
            for text in fig.findobj(Text):
                text.set_text(plain(text.get_text()))
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=DPI)
        return buf.getvalue()

    return png


# ---- map helpers ------------------------------------------------------------------------------


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


def _base_map(ax, ctx: MapContext, extent: tuple[float, float, float, float]) -> None:
    """Municipalities (named), the density of the cluster's workplaces, scale bar and north arrow."""
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
    for row in ctx.munis.itertuples():
        p = row.geometry.representative_point()
        if x0 < p.x < x1 and y0 < p.y < y1:
            ax.text(p.x, p.y, row.navn, fontsize=8, color="#555", ha="center", va="center", zorder=4)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas sets axis labels from the CRS; a map needs none
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_color("#888")
    _scale_bar(ax, x0, x1, y0, y1)
    ax.text(0.97, 0.96, "N\n↑", transform=ax.transAxes, ha="center", va="top", fontsize=12, weight="bold", zorder=9)


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


@drawn
def _overview_figure(ctx: MapContext) -> Figure:
    data, show = ctx.data, _overview_rings(ctx.data)
    fig = Figure(figsize=(6.2, 6.2))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    _base_map(ax, ctx, ctx.extent)
    handles = []
    for i, site in enumerate(data.sites.itertuples()):
        colour = SITE_COLOURS[i % len(SITE_COLOURS)]
        shapes = ctx.iso[(ctx.iso["nr"] == i + 1) & ctx.iso["minutes"].isin(show)]
        for j, shape in enumerate(shapes.sort_values("minutes").itertuples()):
            thick = shape.minutes == REACH_MIN
            gpd.GeoSeries([shape.geometry]).boundary.plot(ax=ax, color=colour, lw=2.6 if thick else 1.2,
                                                         ls="-" if thick else RING_DASH_MPL[j % 4], zorder=5)
        _site_marker(ax, site.geometry.x, site.geometry.y, i + 1, colour)
        handles.append(Line2D([], [], color=colour, lw=2.6, label=f"{i + 1}. {_short(site.name, 24)}"))
    if handles:
        title = f"Opland {REACH_MIN} min (tyk)" if show else "Oplande: se siden for hver lokalitet"
        ax.legend(handles=handles[:12], loc="upper left", fontsize=9, framealpha=0.95, title=title, title_fontsize=9)
    return fig


def overview_map(ctx: MapContext) -> Picture:
    """K17 with every site numbered and (for a few sites) their catchments."""
    data, show = ctx.data, _overview_rings(ctx.data)
    where = "K17" if ctx.region is not ctx.munis else "området"
    sites = [f"{i + 1}. {s.name} ({s.kommune})" for i, s in enumerate(data.sites.itertuples())]
    rings = (f" Linjerne om hver lokalitet viser, hvor langt man når på {_listing([str(m) for m in show])} min "
             f"(den tykke linje er {REACH_MIN} min)." if show else " Oplandene er vist på siden for hver lokalitet.")
    alt = (f"Kort over {where} med kommunegrænser og de {len(sites)} lokaliteter nummereret: {'; '.join(sites)}.{rings} "
           "Gråt viser, hvor klyngens arbejdssteder ligger tæt. Tallene står i tabellen Nøgletal.")
    return Picture(_overview_figure(ctx), alt, 150)


def _site_marks(data: ReportData) -> list[tuple[str, gpd.GeoDataFrame, dict]]:
    """(legend label, points, scatter style) of the institutions by kind and the train stations."""
    inst = data.layers.institutions
    marks = [(kind_label(kind), inst[inst["kind"] == kind],
              {"s": 42, "c": colour, "edgecolors": "white", "linewidths": 1, "zorder": 7})
             for kind, colour in KIND_COLOURS.items()]
    marks.append(("togstationer", data.layers.stations,
                  {"s": 18, "c": "white", "edgecolors": "black", "linewidths": 1.2, "zorder": 6}))
    return [m for m in marks if len(m[1])]


@drawn
def _site_figure(ctx: MapContext, i: int) -> Figure:
    site = ctx.data.sites.iloc[i]
    shapes = ctx.iso[ctx.iso["nr"] == i + 1].sort_values("minutes")
    fig = Figure(figsize=(5.2, 5.6))
    ax = fig.add_axes((0.01, 0.16, 0.98, 0.83))
    _base_map(ax, ctx, _pad(np.array(shapes.total_bounds), shapes.iloc[0:0], 0.04) if len(shapes) else ctx.extent)
    handles = []
    for j, shape in enumerate(shapes.itertuples()):
        gpd.GeoSeries([shape.geometry]).boundary.plot(ax=ax, color=RINGS[j % 4], lw=2.4 if j == 0 else 1.8,
                                                      ls=RING_DASH_MPL[j % 4], zorder=5)
        handles.append(Line2D([], [], color=RINGS[j % 4], lw=2, ls=RING_DASH_MPL[j % 4],
                              label=f"{number(float(shape.minutes), 0)} min"))
    for label, points, style in _site_marks(ctx.data):
        ax.scatter(points.geometry.x, points.geometry.y, **style)
        handles.append(Line2D([], [], marker="o", ls="", mfc=style["c"], mec=style["edgecolors"],
                              label=label.capitalize()))
    _site_marker(ax, site.geometry.x, site.geometry.y, i + 1, SITE_COLOURS[0], size=17)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.01), ncol=3, fontsize=8.5, frameon=False)
    return fig


def site_map(ctx: MapContext, i: int) -> Picture:
    """Site i with its catchment rings, the institutions and the train stations around it."""
    site = ctx.data.sites.iloc[i]
    minutes = [number(float(m), 0) for m in sorted(ctx.iso.loc[ctx.iso["nr"] == i + 1, "minutes"])]
    rings = f" med linjer for, hvor langt man når på {_listing(minutes)} min" if minutes else ""
    marks = [label for label, _, _ in _site_marks(ctx.data)]
    dots = f" Kortet viser også {_listing(marks)} som prikker." if marks else ""
    alt = (f"Kort over lokalitet {i + 1}, {site['name']} i {site['kommune']}{rings}.{dots} "
           "Gråt viser, hvor klyngens arbejdssteder ligger tæt. Tallene står i tabellerne ved siden af.")
    return Picture(_site_figure(ctx, i), alt, 115)


@drawn
def _ranking_figure(data: ReportData) -> Figure:
    rk = data.ranking
    assert rk is not None
    height = 0.9 + 0.32 * len(rk)
    fig = Figure(figsize=(10.0, height))
    ax = fig.add_axes((0.22, 0.75 / height, 0.50, 1 - 0.85 / height))
    y = np.arange(len(rk))[::-1]
    left = np.zeros(len(rk))
    for c in _criteria(data):
        vals = rk[f"contrib_{c}"].to_numpy(float)
        ax.barh(y, vals, left=left, color=CRITERION_COLOURS[c], label=CRITERIA[c].name(), edgecolor="white")
        left += vals
    ax.set_yticks(y, [f"{int(r)}. {_short(s, 22)}" for r, s in zip(rk["rank"], rk["site"], strict=True)], fontsize=10)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Point (0–100, i forhold til de andre kandidater) – bidrag pr. kriterium", fontsize=10)
    for yy, total in zip(y, left, strict=True):
        ax.text(total + 1, yy, number(total, 1), va="center", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), fontsize=9, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


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
    return Picture(_ranking_figure(data), alt, 250)


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
    return Picture(_finance_figure(data), alt, 105)
