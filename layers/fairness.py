"""Choropleth of what one site reaches of each municipality's own cluster workplaces.

Drawn as a static matplotlib map: it renders in any tab, offline, and reads on a projector.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geo.format import number  # noqa: E402
from geo.style import DENSITY_RAMP, SITE_COLOUR, SITE_RING  # noqa: E402

#: Share classes (upper bounds, %) and their viridis colours; a left-out municipality is white,
#: hatched, with a thick red-brown outline, which reads without colour too.
SHARE_BREAKS = (20.0, 40.0, 60.0, 80.0, 100.0)
LEFT_OUT_LINE = "#D55E00"


def share_colour(share: float) -> str:
    """Viridis class colour for a share in percent (yellow = little, purple = all)."""
    if not share == share or share <= 0:
        return "#ffffff"
    return DENSITY_RAMP[min(int(np.searchsorted(SHARE_BREAKS, share, side="left")) + 1, len(DENSITY_RAMP) - 1)]


def fairness_figure(munis: gpd.GeoDataFrame, fair: pd.DataFrame, site_name: str, site_xy: tuple[float, float],
                    minutes: int = 45) -> plt.Figure:
    """Municipalities coloured by the share of their cluster workplaces within `minutes` of the site."""
    column = f"share_workplaces_{minutes}"
    shown = munis[["kommunekode", "geometry"]].merge(fair, on="kommunekode", how="inner")
    fig, ax = plt.subplots(figsize=(7.5, 8), dpi=100)
    shown.plot(ax=ax, color=[share_colour(v) for v in shown[column]], edgecolor="#333333", linewidth=0.8)
    left = shown[shown["left_out"].astype(bool)]
    if len(left):
        left.plot(ax=ax, facecolor="none", edgecolor=LEFT_OUT_LINE, linewidth=3, hatch="//")
    for name, point in zip(shown["kommune"], shown.geometry.representative_point(), strict=True):
        ax.annotate(name, (point.x, point.y), ha="center", va="center", fontsize=10, parse_math=False,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.scatter([site_xy[0]], [site_xy[1]], s=260, c=SITE_COLOUR, edgecolors=SITE_RING, linewidths=3, zorder=5)
    ax.annotate(site_name, site_xy, xytext=(12, 12), textcoords="offset points", fontsize=13, weight="bold", parse_math=False,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#000"})
    lo, handles = 0.0, []
    for hi in SHARE_BREAKS:
        handles.append(Patch(facecolor=share_colour((lo + hi) / 2), edgecolor="#333", label=f"{number(lo)}–{number(hi)} %"))
        lo = hi
    handles.append(Patch(facecolor="white", edgecolor=LEFT_OUT_LINE, hatch="//", linewidth=2, label="ikke nået (0 %)"))
    # below the map, not on it: inside, it hid the southern municipalities (Lolland, Guldborgsund)
    ax.legend(handles=handles, title=f"Andel af kommunens klyngearbejdssteder inden for {minutes} min",
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=11, title_fontsize=11, frameon=False)
    ax.set_axis_off()
    fig.tight_layout()
    return fig
