"""A board-pack picture: a matplotlib figure rasterised once, as JPEG, with its Danish alternative text.

JPEG because Typst embeds it in the PDF as it is (DCTDecode); a PNG it would decode and compress
again. The quality is high and the chroma is not subsampled, so thin lines and small text stay
clean at 100 %.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib

matplotlib.use("Agg")  # server-side, no display

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from geo.text import plain

P = ParamSpec("P")
#: Raster resolution of maps and charts (pixels per figure inch; printed at about 0.9 of the
#: figure's size, so about 135 dpi on paper): sharp at 100 %, quick to draw and small to embed.
DPI = 120
JPEG_QUALITY = 92
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 15,
    "axes.titleweight": "bold",
    "text.parse_math": False,  # user text with '$' stays text
}


@dataclass(frozen=True)
class Picture:
    """A drawn map or chart: its file's bytes (JPEG, or SVG when `extension` says so), its size in
    pixels, its alternative text and printed width (mm)."""

    data: bytes
    size: tuple[int, int]
    alt: str
    width_mm: float
    extension: str = "jpg"

    @property
    def height_mm(self) -> float:
        """The printed height, keeping the picture's proportions."""
        width, height = self.size
        return round(self.width_mm * height / width, 1)


def visible(fig: Figure) -> Figure:
    """The figure with every text keeping only visible characters (user names may hold U+FEFF or lone surrogates)."""
    for text in fig.findobj(Text):
        text.set_text(plain(text.get_text()))
    return fig


def pixels(fig: Figure, under: np.ndarray | None = None) -> np.ndarray:
    """The figure drawn at `DPI`, as a new (height, width, 3) array of RGB bytes (the figure is opaque).

    Parameters
    ----------
    fig : Figure
        The figure; drawn with the rc settings in force (the pack's `RC`).
    under : ndarray, optional
        RGB pixels of the figure's size to draw the figure over, as they are (nothing resampled);
        the figure's own background must then be hidden.
    """
    fig.set_dpi(DPI)
    renderer = FigureCanvasAgg(fig).get_renderer()
    canvas = np.asarray(renderer.buffer_rgba())
    if under is None:
        renderer.clear()
    else:
        canvas[..., :3], canvas[..., 3] = under, 255
    fig.draw(renderer)
    return canvas[..., :3].copy()  # the canvas goes with the figure


def rasterised(draw: Callable[P, Figure]) -> Callable[P, np.ndarray]:
    """A drawer of one figure as a maker of its RGB pixels (`pixels`), drawn with the pack's rc settings.

    Every text keeps only visible characters (`visible`).
    """

    @functools.wraps(draw)
    def rgb(*args: P.args, **kwargs: P.kwargs) -> np.ndarray:
        with plt.rc_context(RC):
            return pixels(visible(draw(*args, **kwargs)))

    return rgb


def encoded(rgb: np.ndarray) -> tuple[bytes, tuple[int, int]]:
    """RGB pixels as (JPEG bytes, (width, height))."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return buf.getvalue(), (rgb.shape[1], rgb.shape[0])


def drawn(draw: Callable[P, Figure]) -> Callable[P, tuple[bytes, tuple[int, int]]]:
    """A drawer of one figure as a maker of (JPEG bytes, (width, height) in pixels); see `rasterised`."""
    rgb = rasterised(draw)

    @functools.wraps(draw)
    def jpeg(*args: P.args, **kwargs: P.kwargs) -> tuple[bytes, tuple[int, int]]:
        return encoded(rgb(*args, **kwargs))

    return jpeg
