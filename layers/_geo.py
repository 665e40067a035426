"""Small helpers shared by the builders: reprojection for display and escaping."""

from __future__ import annotations

import html

import geopandas as gpd

from geo.settings import CRS_DISPLAY


def to_display(gdf: gpd.GeoDataFrame, simplify_m: float = 0.0, precision: int = 5) -> gpd.GeoDataFrame:
    """Simplify in metres (optional), reproject to EPSG:4326 and trim coordinate precision."""
    out = gdf.copy()
    if simplify_m:
        out["geometry"] = out.geometry.simplify(simplify_m, preserve_topology=True)
    out = out.to_crs(CRS_DISPLAY)
    out["geometry"] = out.geometry.set_precision(10**-precision)
    return out


def esc(value: object) -> str:
    """HTML-escape any value for tooltips and popups (company names are user-chosen)."""
    return html.escape(str(value), quote=True)
