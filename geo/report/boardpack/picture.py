"""A board-pack picture: a matplotlib figure rasterised once, as JPEG, with its Danish alternative text.

JPEG because WeasyPrint embeds it in the PDF as it is (DCTDecode); a PNG it would decode, split
into colour and alpha and compress again (about ten times the work). The quality is high and the
chroma is not subsampled, so thin lines and small text stay clean at 100 %.
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
    """A drawn map or chart: JPEG bytes, its size in pixels, its alternative text and printed width (mm)."""

    jpeg: bytes
    size: tuple[int, int]
    alt: str
    width_mm: float

    @property
    def height_mm(self) -> float:
        """The printed height, keeping the picture's proportions."""
        width, height = self.size
        return round(self.width_mm * height / width, 1)


def pixels(fig: Figure) -> np.ndarray:
    """The figure drawn at `DPI`, as an (height, width, 3) array of RGB bytes (the figure is opaque)."""
    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3]


def rasterised(draw: Callable[P, Figure]) -> Callable[P, np.ndarray]:
    """A drawer of one figure as a maker of its RGB pixels, drawn with the pack's rc settings.

    Every text keeps only visible characters (user names may hold U+FEFF or lone surrogates).
    """

    @functools.wraps(draw)
    def rgb(*args: P.args, **kwargs: P.kwargs) -> np.ndarray:
        with plt.rc_context(RC):
            fig = draw(*args, **kwargs)
            for text in fig.findobj(Text):
                text.set_text(plain(text.get_text()))
            return pixels(fig).copy()  # the figure's buffer goes with the figure

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
