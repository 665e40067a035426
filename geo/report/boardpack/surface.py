"""The board pack's map of the suitability surface, with its alternative text.

It only reads a `WeightedSurface` the app or the CLI already has: nothing is computed here.
The legend and the list of best areas are text on the page (`geo.report.boardpack.sections`).
"""

from __future__ import annotations

import geopandas as gpd
from matplotlib.figure import Figure

from geo.decide.suitability import WeightedSurface
from geo.report.boardpack.picture import Picture, drawn
from geo.style import MUNICIPALITY_LINE, TOP_AREA_LINE, surface_colours


@drawn
def draw_surface_map(surface: WeightedSurface, municipalities: gpd.GeoDataFrame | None = None) -> Figure:
    """The cells in their cividis class colours, municipality borders, the best areas numbered.

    Parameters
    ----------
    surface : WeightedSurface
        Scores and best areas under the report's weights.
    municipalities : GeoDataFrame, optional
        Borders drawn over the cells (EPSG:25832).
    """
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
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
    return fig


def _top_markers(ax, surface: WeightedSurface) -> None:
    """A numbered white disc with a black ring at each best area's cell centre (the best on top)."""
    centres = surface.cells.set_index("cell").geometry.centroid
    for row in surface.top.iloc[::-1].itertuples():
        point, z = centres[row.cell], 10 + 2 * (len(surface.top) - int(row.rank))
        ax.plot(point.x, point.y, "o", ms=14, mfc="white", mec=TOP_AREA_LINE, mew=2, zorder=z)
        ax.text(point.x, point.y, str(int(row.rank)), ha="center", va="center", fontsize=9, weight="bold", zorder=z + 1)


def surface_map(surface: WeightedSurface, municipalities: gpd.GeoDataFrame | None = None) -> Picture:
    """The surface map with a Danish alternative text."""
    n = len(surface.top)
    marked = (f" De {n} bedste områder er markeret med numrene 1–{n} fra listen Bedste områder." if n > 1 else
              " Det bedste område er markeret med 1." if n == 1 else "")
    alt = ("Kort over K17 delt i sekskanter, farvet efter egnethed i syv trin fra mindst egnet (mørkeblå) "
           f"til mest egnet (gul), med kommunegrænser.{marked}")
    return Picture(*draw_surface_map(surface, municipalities), alt, 150)
