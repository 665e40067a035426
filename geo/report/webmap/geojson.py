"""Small helpers shared by the builders: reprojection for display, GeoJSON dicts, escaping."""

from __future__ import annotations

import html
import json

import geopandas as gpd
import shapely

from geo.crs import to_crs
from geo.settings import CRS_DISPLAY


def to_display(gdf: gpd.GeoDataFrame, simplify_m: float = 0.0, precision: int = 5) -> gpd.GeoDataFrame:
    """Simplify in metres (optional), reproject to EPSG:4326 and trim coordinate precision."""
    out = gdf.copy()
    if simplify_m:
        out["geometry"] = out.geometry.simplify(simplify_m, preserve_topology=True)
    out = to_crs(out, CRS_DISPLAY)
    out["geometry"] = out.geometry.set_precision(10**-precision)
    return out


def feature_collection(gdf: gpd.GeoDataFrame, properties: list[str]) -> dict:
    """A GeoJSON FeatureCollection as a plain dict (cacheable), built in one vectorised pass."""
    geoms = shapely.to_geojson(gdf.geometry.to_numpy())
    props = gdf[properties].to_dict("records")
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": json.loads(g), "properties": p} for g, p in zip(geoms, props, strict=True)],
    }


def esc(value: object) -> str:
    """HTML-escape any value for tooltips and popups (company names are user-chosen).

    folium puts tooltip text inside JavaScript template literals, so backtick, dollar and
    backslash are escaped too: they could otherwise end the literal or run `${…}`. Braces are
    escaped as well: branca compiles every rendered piece of a map again as a Jinja template on
    the server, where ``{{ … }}`` or ``{% … %}`` in a name would run (or ``{#`` break the map).
    """
    return (
        html.escape(str(value), quote=True)
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("\\", "&#92;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )
