"""The board pack's base map, drawn once per pack as pixels: municipalities, workplace density, names.

Site maps of about the same reach share a scale, so one raster of the base map (a sheet) under
them is drawn once and each site map shows its own window of it (whole pixels, no resampling);
its rings, marker, dots and scale bar are drawn over that window as vectors
(`geo.report.boardpack.vector`). The overview map draws its own base the same way, at its own
scale, under matplotlib's layers (`MapCanvas`). Maps are in EPSG:25832 metres.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from shapely.geometry.base import BaseGeometry

from geo.reach.indicators import kind_label
from geo.report.boardpack.picture import DPI, RC, pixels, visible
from geo.report.boardpack.vector import FRAME_COLOUR, ScaleBar
from geo.settings import K17_CODES
from geo.style import KIND_COLOURS, MUNICIPALITY_LINE
from geo.text import plain

if TYPE_CHECKING:
    from geo.data.bundle import Layers
    from geo.report.bundle import ReportData

SEA = "#e8eef4"  #: outside the municipalities
MAX_SHEET_PIXELS = 16_000_000  #: a larger base-map sheet is drawn as one sheet per site map instead
ZOOM_STEP = 1.25  #: site maps' scales are powers of this (metres per pixel), so nearby sites share a sheet
Extent = tuple[float, float, float, float]  #: x0, x1, y0, y1 in metres


@dataclass(frozen=True)
class MapLayout:
    """A map figure in whole pixels at `DPI`: the figure's size and the map's box in it.

    Whole pixels let a window of the shared base raster fill the map's box pixel for pixel.
    """

    figure: tuple[int, int]  #: width, height
    box: tuple[int, int, int, int]  #: left, bottom, width, height

    @classmethod
    def of(cls, size_in: tuple[float, float], margins_in: tuple[float, float, float, float]) -> MapLayout:
        """The layout of a figure of `size_in` inches with (left, bottom, right, top) margins around the map."""
        w, h = (round(v * DPI) for v in size_in)
        left, bottom, right, top = (round(v * DPI) for v in margins_in)
        return cls((w, h), (left, bottom, w - left - right, h - bottom - top))

    def new_figure(self) -> tuple[Figure, Axes]:
        """An empty figure of this size and the axes of its map."""
        w, h = self.figure
        left, bottom, bw, bh = self.box
        fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI)
        return fig, fig.add_axes((left / w, bottom / h, bw / w, bh / h))


#: The overview map: a square with a thin margin and a strip below it for the legend (never on the map).
OVERVIEW_MAP = MapLayout.of((6.2, 7.0), (0.06, 0.86, 0.06, 0.06))
#: A site map: wide, beside its indicator table (its legend is drawn below it, once per pack).
SITE_MAP = MapLayout.of((5.6, 3.1), (0.04, 0.02, 0.04, 0.04))


class MapContext:
    """Things computed once per pack: catchments, workplace density raster, extents, dots, base maps."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.iso = data.isochrones
        #: Each site's catchments (by site number from 1), innermost first.
        self.rings = {int(nr): rings.sort_values("minutes") for nr, rings in self.iso.groupby("nr")}
        munis = data.layers.municipalities
        self.munis = munis.assign(geometry=munis.geometry.simplify(200, preserve_topology=True))
        k17 = self.munis[self.munis["kommunekode"].isin(K17_CODES)]
        self.region = k17 if len(k17) else self.munis
        self.approx_borders = data.layers.provenance["municipalities"].quality != "real"
        wp = data.cluster_workplaces
        self.wp_xy = np.column_stack([wp.geometry.x.to_numpy(), wp.geometry.y.to_numpy()]) if len(wp) else np.empty((0, 2))
        self.density = _density(self.wp_xy, self.munis.total_bounds)
        self.extent = pad(np.array(self.region.total_bounds), self.iso, 0.03)
        self.marks = _site_marks(data)
        self.dots = _dots(self.marks)
        self.legends: dict[tuple[float, ...], np.ndarray] = {}  #: site-map legends drawn, by their rings' minutes

    def site_rings(self, i: int) -> gpd.GeoDataFrame:
        """Site i's catchments (from 0), innermost first; none when the site reaches no road."""
        rings = self.rings.get(i + 1)
        return self.iso.iloc[0:0] if rings is None else rings

    @functools.cached_property
    def site_views(self) -> SiteViews:
        """The site maps' windows and their shared base raster (drawn when the first site map is)."""
        return SiteViews(self, SITE_MAP)



def _site_marks(data: ReportData) -> list[tuple[str, gpd.GeoDataFrame, dict]]:
    """(legend label, points, scatter style) of the institutions by kind and the train stations."""
    inst = data.layers.institutions
    marks = [(kind_label(kind), inst[inst["kind"] == kind],
              {"s": 42, "c": colour, "edgecolors": "white", "linewidths": 1, "zorder": 7})
             for kind, colour in KIND_COLOURS.items()]
    marks.append(("togstationer", data.layers.stations,
                  {"s": 18, "c": "white", "edgecolors": "black", "linewidths": 1.2, "zorder": 6}))
    return [m for m in marks if len(m[1])]


def _dots(marks: list[tuple[str, gpd.GeoDataFrame, dict]]) -> list[dict]:
    """The marks as scatter arguments: one collection per layer (z-order), the kinds in their order."""
    layers: dict[int, dict[str, list]] = {}
    for _, points, style in marks:
        layer = layers.setdefault(style["zorder"], {"x": [], "y": [], "s": [], "c": [], "edgecolors": [],
                                                     "linewidths": []})
        layer["x"] += points.geometry.x.tolist()
        layer["y"] += points.geometry.y.tolist()
        for key in ("s", "c", "edgecolors", "linewidths"):
            layer[key] += [style[key]] * len(points)
    return [{**layer, "zorder": z} for z, layer in sorted(layers.items())]


def _density(xy: np.ndarray, bounds: np.ndarray, cell_m: float = 2500.0):
    if len(xy) == 0:
        return None
    x0, y0, x1, y1 = bounds
    nx, ny = max(1, int((x1 - x0) / cell_m)), max(1, int((y1 - y0) / cell_m))
    h, _, _ = np.histogram2d(xy[:, 0], xy[:, 1], bins=[nx, ny], range=[[x0, x1], [y0, y1]])
    h = np.ma.masked_less_equal(h.T, 0)
    return h, (x0, x1, y0, y1)


def pad(bounds: np.ndarray, iso: gpd.GeoDataFrame, frac: float) -> Extent:
    """The (x0, y0, x1, y1) bounds grown to hold `iso`, then by `frac` of their size, as an extent."""
    x0, y0, x1, y1 = bounds
    if len(iso):
        ix0, iy0, ix1, iy1 = iso.total_bounds
        x0, y0, x1, y1 = min(x0, ix0), min(y0, iy0), max(x1, ix1), max(y1, iy1)
    dx, dy = (x1 - x0) * frac, (y1 - y0) * frac
    return x0 - dx, x1 + dx, y0 - dy, y1 + dy


def fit(extent: Extent, aspect: float) -> Extent:
    """Grow the extent so its width/height equals `aspect` (no distortion, no gaps)."""
    x0, x1, y0, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w / h < aspect:
        grow = (h * aspect - w) / 2
        return x0 - grow, x1 + grow, y0, y1
    grow = (w / aspect - h) / 2
    return x0, x1, y0 - grow, y1 + grow


BASES_KEPT = 24  #: base-map rasters kept between packs (about 1 MB each)
_bases: OrderedDict[tuple, tuple[Layers, np.ndarray]] = OrderedDict()
_bases_lock = threading.Lock()


def draw_base(ctx: MapContext, extent: Extent, size: tuple[int, int]) -> np.ndarray:
    """The base map over `extent` as (height, width, 3) RGB pixels of `size` (width, height), read-only.

    Municipalities (named), the density of the cluster's workplaces, the sea around them. The
    extent must have the pixels' proportions. The last `BASES_KEPT` are kept per data state,
    cluster, extent and size: a pack made again for the same sites (another name, other weights)
    draws no base map again.
    """
    layers = ctx.data.layers
    key = (id(layers), ctx.data.codes, ctx.approx_borders, tuple(round(v, 3) for v in extent), tuple(size))
    with _bases_lock:
        kept = _bases.get(key)
        if kept is not None and kept[0] is layers:  # held: its id is not reused while kept
            _bases.move_to_end(key)
            return kept[1]
    base = _draw_base(ctx, extent, size)
    base.flags.writeable = False  # shared by the packs that keep it
    with _bases_lock:
        _bases[key] = (layers, base)
        while len(_bases) > BASES_KEPT:
            _bases.popitem(last=False)
    return base


def _draw_base(ctx: MapContext, extent: Extent, size: tuple[int, int]) -> np.ndarray:
    with plt.rc_context(RC):
        fig = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI, facecolor=SEA)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ctx.munis.plot(ax=ax, color="#ffffff", edgecolor="none", zorder=1)
        if ctx.density is not None:
            h, ext = ctx.density
            ax.imshow(h, extent=ext, origin="lower", cmap="Greys", alpha=0.45, zorder=2, interpolation="nearest",
                      vmin=0, vmax=max(1.0, float(np.percentile(h.compressed(), 97)) if h.count() else 1.0))
        ctx.munis.boundary.plot(ax=ax, color=MUNICIPALITY_LINE, lw=0.9, ls="--" if ctx.approx_borders else "-",
                                zorder=3)
        for row in ctx.munis.itertuples():
            p = row.geometry.representative_point()
            ax.text(p.x, p.y, plain(row.navn), fontsize=8, color="#555", ha="center", va="center", zorder=4,
                    clip_on=True)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        return pixels(fig)


def outline(ax: Axes, geometry: BaseGeometry, **style) -> None:
    """The boundary of a (multi)polygon as lines, in one collection (quicker than one plot per part)."""
    lines = [np.asarray(part.coords) for part in shapely.get_parts(shapely.boundary(shapely.get_parts(geometry)))]
    ax.add_collection(LineCollection(lines, **style), autolim=False)


def framed(layout: MapLayout, base: np.ndarray) -> np.ndarray:
    """A white canvas of the layout's figure size with `base` (RGB pixels) in the map's box."""
    width, height = layout.figure
    left, bottom, box_w, box_h = layout.box
    canvas = np.full((height, width, 3), 255, np.uint8)
    canvas[height - bottom - box_h:height - bottom, left:left + box_w] = base
    return canvas


class MapCanvas:
    """A map figure drawn over base pixels: the overview map.

    The drawing lays a base raster into the map's box as it is (not drawn as an image: nothing is
    resampled), then the frame, the north arrow, a scale bar and the drawing's own layers.
    """

    def __init__(self, layout: MapLayout) -> None:
        self.layout = layout
        with plt.rc_context(RC):
            self.fig, self.ax = layout.new_figure()
            self.fig.patch.set_visible(False)  # the base, on white, is the background
            self.ax.patch.set_visible(False)
            self.ax.set_xticks([])
            self.ax.set_yticks([])
            for s in self.ax.spines.values():
                s.set_color(FRAME_COLOUR)
            self.ax.text(0.97, 0.96, "N\n↑", transform=self.ax.transAxes, ha="center", va="top", fontsize=12,
                         weight="bold", zorder=9)

    def draw(self, base: np.ndarray, extent: Extent, layers: Callable[[Axes], None]) -> np.ndarray:
        """The map of `extent` as RGB pixels: `base` filling the map's box, a scale bar and what `layers` draws.

        The extent must have the base's proportions (a `fit` extent). Every text keeps only visible
        characters (`visible`).
        """
        with plt.rc_context(RC):
            self.ax.set_xlim(extent[0], extent[1])
            self.ax.set_ylim(extent[2], extent[3])
            _scale_bar(self.ax, *extent)
            layers(self.ax)
            return pixels(visible(self.fig), under=framed(self.layout, base))


def _scale_bar(ax: Axes, x0: float, x1: float, y0: float, y1: float) -> None:
    bar = ScaleBar.of(x0, x1, y0, y1)
    m = bar.km * 1000
    # add_artist: the map's limits are set, so the patches need not widen them (add_patch's cost)
    ax.add_artist(Rectangle((bar.x - m * 0.08, bar.y - bar.height * 2.2), m * 1.25, bar.height * 6.2,
                            facecolor="white", edgecolor="none", alpha=0.85, zorder=8))
    for k, colour in enumerate(("black", "white")):
        ax.add_artist(Rectangle((bar.x + k * m / 2, bar.y), m / 2, bar.height, facecolor=colour, edgecolor="black",
                                lw=0.8, zorder=9))
    for share, text in bar.labels:
        ax.text(bar.x + share * m, bar.y + bar.height * 1.6, text, ha="center", va="bottom", fontsize=9, zorder=9)


@dataclass(frozen=True)
class Sheet:
    """A raster of the base map that site maps show windows of: its top-left corner, scale and size."""

    left: float
    top: float
    metres: float  #: per pixel
    size: tuple[int, int]  #: width, height in pixels

    @property
    def extent(self) -> Extent:
        """The sheet's extent, in metres."""
        return self.left, self.left + self.size[0] * self.metres, self.top - self.size[1] * self.metres, self.top


class SiteViews:
    """Every site map's window of a base-map sheet; each sheet is drawn once.

    A site's ideal scale fits its catchments (their bounds, padded by 4 %; the whole region when
    it has none); it is rounded up to a power of `ZOOM_STEP`, so sites of about the same reach
    share a scale and a sheet. A window is centred on its catchments (or site) and snapped to the
    sheet's whole pixels. Sites too far apart for one sheet get a sheet each.
    """

    def __init__(self, ctx: MapContext, layout: MapLayout) -> None:
        self.ctx = ctx
        self.width, self.height = layout.box[2:]
        centres, levels = self._fits(ctx)
        self.sheets: list[Sheet] = []
        self.windows: list[tuple[int, int, int]] = [(0, 0, 0)] * len(centres)  #: (sheet, column, row) per site
        for level in sorted(set(levels)):
            members = [i for i, lv in enumerate(levels) if lv == level]
            metres = ZOOM_STEP ** level
            self._place(members, [centres[i] for i in members], metres)
        self._pixels: dict[int, np.ndarray] = {}

    def _fits(self, ctx: MapContext) -> tuple[list[tuple[float, float]], list[int]]:
        """Each site's window centre and zoom level (a power of `ZOOM_STEP`, in metres per pixel)."""
        centres, levels = [], []
        for i, site in enumerate(ctx.data.sites.geometry):
            rings = ctx.site_rings(i)
            x0, x1, y0, y1 = (pad(np.array(rings.total_bounds), rings.iloc[0:0], 0.04) if len(rings)
                              else fit(ctx.extent, self.width / self.height))
            centres.append(((x0 + x1) / 2, (y0 + y1) / 2) if len(rings) else (site.x, site.y))
            levels.append(math.ceil(math.log(max((x1 - x0) / self.width, (y1 - y0) / self.height), ZOOM_STEP)))
        return centres, levels

    def _place(self, members: list[int], centres: list[tuple[float, float]], metres: float) -> None:
        """Windows of one scale on one sheet (or, spread too far, one sheet each)."""
        half_w, half_h = self.width * metres / 2, self.height * metres / 2
        left, top = min(cx for cx, _ in centres) - half_w, max(cy for _, cy in centres) + half_h
        offsets = [(round((cx - half_w - left) / metres), round((top - cy - half_h) / metres)) for cx, cy in centres]
        size = (max(c for c, _ in offsets) + self.width, max(r for _, r in offsets) + self.height)
        if size[0] * size[1] > MAX_SHEET_PIXELS and len(members) > 1:
            for i, centre in zip(members, centres, strict=True):
                self._place([i], [centre], metres)
            return
        self.sheets.append(Sheet(left, top, metres, size))
        for i, (col, row) in zip(members, offsets, strict=True):
            self.windows[i] = (len(self.sheets) - 1, col, row)

    def extent(self, i: int) -> Extent:
        """Site i's window, in metres."""
        k, col, row = self.windows[i]
        sheet = self.sheets[k]
        x0, y1 = sheet.left + col * sheet.metres, sheet.top - row * sheet.metres
        return x0, x0 + self.width * sheet.metres, y1 - self.height * sheet.metres, y1

    def base(self, i: int) -> np.ndarray:
        """Site i's window of its sheet, as RGB pixels (the sheet is drawn the first time)."""
        k, col, row = self.windows[i]
        if k not in self._pixels:
            self._pixels[k] = draw_base(self.ctx, self.sheets[k].extent, self.sheets[k].size)
        return self._pixels[k][row:row + self.height, col:col + self.width]
