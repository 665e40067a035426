"""Site maps as SVG: the base map's pixels under vector layers drawn in the map's box.

Matplotlib took about 25 ms a map to draw each site's rings, marker, dots, scale bar and north
arrow over its window of the base map (a whole site map took 35–49 ms); written as SVG, a whole
site map takes about half of that, and Typst prints the layers as vectors (sharp at any zoom). The look is the matplotlib maps': sizes given in points are
converted at the pack's `DPI`, dash patterns are matplotlib's (in line widths), the font is
DejaVu Sans. Nothing in an SVG comes from a user: numbers, fixed labels and our own geometry.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.format import number
from geo.report.boardpack.picture import DPI

PX_PER_PT = DPI / 72
#: Matplotlib's dash patterns for "-", "--", "-.", ":" (lines.*_pattern), in line widths.
DASHES = {"-": (), "--": (3.7, 1.6), "-.": (6.4, 1.6, 1.0, 1.6), ":": (1.0, 1.65)}
FRAME_COLOUR = "#888"
FONT = 'font-family="DejaVu Sans"'
DESCENT = 0.24  #: DejaVu Sans's descent, in ems: a text set on its baseline reaches this far below it


@dataclass(frozen=True)
class ScaleBar:
    """A scale bar for a map of `extent`: its length (km), where it starts and its bar's height (metres)."""

    km: float
    x: float
    y: float
    height: float

    @classmethod
    def of(cls, x0: float, x1: float, y0: float, y1: float) -> ScaleBar:
        """The longest of 100, 50, 25, 20, 10, 5, 2, 1 km that fits in a quarter of the map's width."""
        width_km = (x1 - x0) / 1000
        km = next((c for c in (100, 50, 25, 20, 10, 5, 2, 1) if c <= width_km / 4), 1)
        return cls(km, x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05, (y1 - y0) * 0.012)

    @property
    def labels(self) -> tuple[tuple[float, str], ...]:
        """(share of the bar's length, text) of the bar's three labels."""
        return (0, "0"), (0.5, number(self.km / 2, 1 if self.km % 2 else 0)), (1, f"{self.km:g} km")


class SvgMap:
    """One map as SVG text: a raster filling the picture, then vector layers clipped to the map's box.

    Parameters
    ----------
    size : (int, int)
        The picture's width and height in pixels (the raster's size).
    box : (int, int, int, int)
        The map's left, top, width and height in pixels (from the picture's top-left corner).
    extent : (float, float, float, float)
        The map's x0, x1, y0, y1 in metres (EPSG:25832), with the box's proportions.
    """

    def __init__(self, size: tuple[int, int], box: tuple[int, int, int, int],
                 extent: tuple[float, float, float, float]) -> None:
        self.size, self.box, self.extent = size, box, extent
        left, top, width, height = box
        x0, x1, y0, y1 = extent
        self._scale = (width / (x1 - x0), height / (y1 - y0))
        self._origin = (left - x0 * self._scale[0], top + y1 * self._scale[1])
        self.parts: list[str] = []

    def px(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metres to the picture's pixels (y grows downwards)."""
        return self._origin[0] + np.asarray(x) * self._scale[0], self._origin[1] - np.asarray(y) * self._scale[1]

    def raster(self, jpeg: bytes) -> None:
        """The picture's pixels (base map, margins, legend) as its background."""
        width, height = self.size
        self.parts.append(f'<image width="{width}" height="{height}" '
                          f'href="data:image/jpeg;base64,{base64.b64encode(jpeg).decode("ascii")}"/>')

    def outline(self, geometry: BaseGeometry, colour: str, width_pt: float, dash: str) -> None:
        """A (multi)polygon's boundary as lines, simplified to half a pixel and clipped to the box."""
        x0, y0 = self._origin
        sx, sy = self._scale
        shown = shapely.transform(geometry, lambda c: np.column_stack([x0 + c[:, 0] * sx, y0 - c[:, 1] * sy]))
        lines = shapely.get_parts(shapely.boundary(shapely.get_parts(shapely.simplify(shown, 0.5))))
        data = " ".join(_path(np.asarray(line.coords)) for line in lines)
        width = width_pt * PX_PER_PT
        pattern = " ".join(f"{d * width:.2f}" for d in DASHES[dash])
        dashes = f' stroke-dasharray="{pattern}"' if pattern else ""
        self.parts.append(f'<path d="{data}" fill="none" stroke="{colour}" stroke-width="{width:.2f}" '
                          f'stroke-linejoin="round"{dashes} clip-path="url(#box)"/>')

    def dots(self, layers: Sequence[dict]) -> None:
        """Scatter layers (`geo.report.boardpack.basemap` dots: x, y, s, c, edgecolors, linewidths), those in the box."""
        left, top, width, height = self.box
        for layer in layers:
            xs, ys = self.px(np.asarray(layer["x"], float), np.asarray(layer["y"], float))
            inside = np.flatnonzero((xs > left - 10) & (xs < left + width + 10) & (ys > top - 10) & (ys < top + height + 10))
            self.parts += [
                f'<circle cx="{xs[k]:.1f}" cy="{ys[k]:.1f}" r="{math.sqrt(layer["s"][k]) / 2 * PX_PER_PT:.2f}" '
                f'fill="{layer["c"][k]}" stroke="{layer["edgecolors"][k]}" '
                f'stroke-width="{layer["linewidths"][k] * PX_PER_PT:.2f}" clip-path="url(#box)"/>'
                for k in inside]

    def marker(self, x: float, y: float, nr: int, colour: str, size_pt: float) -> None:
        """A numbered site marker: a coloured disc in a white ring with a black edge (sizes as matplotlib's ``ms``)."""
        (cx,), (cy,) = self.px(np.array([x]), np.array([y]))
        self.parts += [
            (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{(size_pt + 5) / 2 * PX_PER_PT:.2f}" fill="white" '
             f'stroke="black" stroke-width="{1.2 * PX_PER_PT:.2f}"/>'),
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{size_pt / 2 * PX_PER_PT:.2f}" fill="{colour}"/>',
            _text(cx, cy, str(nr), size_pt * 0.6, "white", bold=True, baseline="central"),
        ]

    def scale_bar(self) -> None:
        """The scale bar at the box's lower left: a white panel, a black and a white half, three labels."""
        bar = ScaleBar.of(*self.extent)
        m = bar.km * 1000
        self._rect(bar.x - m * 0.08, bar.y - bar.height * 2.2, m * 1.25, bar.height * 6.2, 'fill="white" fill-opacity="0.85"')
        for k, colour in enumerate(("black", "white")):
            self._rect(bar.x + k * m / 2, bar.y, m / 2, bar.height,
                       f'fill="{colour}" stroke="black" stroke-width="{0.8 * PX_PER_PT:.2f}"')
        for share, label in bar.labels:
            (tx,), (ty,) = self.px(np.array([bar.x + share * m]), np.array([bar.y + bar.height * 1.6]))
            self.parts.append(_text(tx, ty - DESCENT * 9 * PX_PER_PT, label, 9, "black"))  # bottom on the line

    def north_arrow(self) -> None:
        """"N" over an arrow up, in the box's upper right corner."""
        left, top, width, height = self.box
        x, y = left + 0.97 * width, top + 0.04 * height + 12 * PX_PER_PT
        self.parts += [_text(x, y, "N", 12, "black", bold=True), _text(x, y + 14 * PX_PER_PT, "↑", 12, "black", bold=True)]

    def frame(self) -> None:
        """The box's thin grey edge."""
        left, top, width, height = self.box
        self.parts.append(f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" '
                          f'stroke="{FRAME_COLOUR}" stroke-width="{0.8 * PX_PER_PT:.2f}"/>')

    def svg(self) -> bytes:
        """The picture as UTF-8 SVG."""
        width, height = self.size
        left, top, box_w, box_h = self.box
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'viewBox="0 0 {width} {height}"><defs><clipPath id="box"><rect x="{left}" y="{top}" width="{box_w}" '
                f'height="{box_h}"/></clipPath></defs>{"".join(self.parts)}</svg>').encode()

    def _rect(self, x: float, y: float, w: float, h: float, style: str) -> None:
        """A rectangle given in metres (lower-left corner, width, height)."""
        (px0, px1), (py0, py1) = self.px(np.array([x, x + w]), np.array([y, y + h]))
        self.parts.append(f'<rect x="{px0:.1f}" y="{py1:.1f}" width="{px1 - px0:.1f}" height="{py0 - py1:.1f}" {style}/>')


def _path(coords: np.ndarray) -> str:
    """Pixel coordinates as an SVG path's data (one line)."""
    return "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in coords)


def _text(x: float, y: float, text: str, size_pt: float, colour: str, bold: bool = False,
          baseline: str = "auto") -> str:
    """Centred text at (x, y) pixels, its baseline there unless `baseline` says otherwise."""
    weight = ' font-weight="bold"' if bold else ""
    anchor = "" if baseline == "auto" else f' dominant-baseline="{baseline}"'
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size_pt * PX_PER_PT:.1f}"{weight} fill="{colour}" '
            f'text-anchor="middle"{anchor}>{html.escape(text)}</text>')
