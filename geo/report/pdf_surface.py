"""The board pack's page of the suitability surface: one matplotlib figure, self-contained.

`draw_surface_page` draws into a given figure (the PDF page plan passes its A4 page; any other
renderer can pass its own `Figure` and embed the result as an image). It only reads a
`WeightedSurface` the app or the CLI already has: nothing is computed here.
"""

from __future__ import annotations

import textwrap

import geopandas as gpd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo.decide.suitability import WeightedSurface, describe_top
from geo.style import MUNICIPALITY_LINE, SURFACE_RAMP, TOP_AREA_LINE, surface_colours

#: Where the map sits on the page (figure fractions: left, bottom, width, height).
MAP_BOX = (0.03, 0.16, 0.58, 0.74)


def draw_surface_page(fig: Figure, surface: WeightedSurface, municipalities: gpd.GeoDataFrame | None = None) -> None:
    """The surface (cividis classes), the best areas numbered and listed, the legend in words.

    Parameters
    ----------
    fig : Figure
        The page to draw on (A4 landscape in the board pack).
    surface : WeightedSurface
        Scores and best areas under the report's weights.
    municipalities : GeoDataFrame, optional
        Borders drawn over the cells (EPSG:25832).
    """
    ax = fig.add_axes(MAP_BOX)
    cells = surface.cells
    cells.plot(ax=ax, color=surface_colours(cells["score"].to_numpy(float)), edgecolor="white", linewidth=0.15)
    if municipalities is not None and len(municipalities):
        xmin, ymin, xmax, ymax = cells.total_bounds
        near = municipalities.cx[xmin:xmax, ymin:ymax]
        near.boundary.plot(ax=ax, color=MUNICIPALITY_LINE, linewidth=0.6)
        ax.set_xlim(xmin - 2000, xmax + 2000)
        ax.set_ylim(ymin - 2000, ymax + 2000)
    _top_markers(ax, surface)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _legend(fig, surface.meaning)
    _top_list(fig, surface)


def _top_markers(ax, surface: WeightedSurface) -> None:
    """A numbered white disc with a black ring at each best area's cell centre (the best on top)."""
    centres = surface.cells.set_index("cell").geometry.centroid
    for row in surface.top.iloc[::-1].itertuples():
        point, z = centres[row.cell], 10 + 2 * (len(surface.top) - int(row.rank))
        ax.plot(point.x, point.y, "o", ms=14, mfc="white", mec=TOP_AREA_LINE, mew=2, zorder=z)
        ax.text(point.x, point.y, str(int(row.rank)), ha="center", va="center", fontsize=9, weight="bold", zorder=z + 1)


def _legend(fig: Figure, meaning: str) -> None:
    """The seven colour classes from 'mindst egnet' to 'mest egnet', and what a score means."""
    x0, y0, w, h = 0.15, 0.115, 0.045, 0.022
    fig.text(x0 - 0.01, y0 + h / 2, "mindst egnet", ha="right", va="center", fontsize=11)
    for i, colour in enumerate(SURFACE_RAMP):
        fig.add_artist(Rectangle((x0 + i * w, y0), w, h, transform=fig.transFigure, facecolor=colour, edgecolor="#555", lw=0.4))
    fig.text(x0 + len(SURFACE_RAMP) * w + 0.01, y0 + h / 2, "mest egnet", ha="left", va="center", fontsize=11)
    fig.text(0.03, 0.095, "\n".join(textwrap.wrap(meaning, 120)), va="top", fontsize=9.5, color="#222")


def _top_list(fig: Figure, surface: WeightedSurface) -> None:
    """The best areas in words, best first, beside the map."""
    fig.text(0.64, 0.86, "Bedste områder", fontsize=14, weight="bold", va="top")
    lines = describe_top(surface.top) or ["Ingen områder skiller sig ud under de valgte vægte."]
    y = 0.81
    for line in lines:
        wrapped = textwrap.wrap(line, 46)
        fig.text(0.64, y, "\n".join(wrapped), fontsize=11, va="top", linespacing=1.3)
        y -= 0.035 * len(wrapped) + 0.02
    fig.text(0.64, y - 0.01, "\n".join(textwrap.wrap(
        "Et område er en celle (H3-sekskant, ca. 5 km²), der scorer mindst lige så højt som alle sine naboer. "
        "Tallet på kortet er områdets nummer i listen.", 50)), fontsize=10, va="top", color="#333", linespacing=1.3)
