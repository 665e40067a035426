"""The suitability surface on the web map: hexagons coloured by score, top areas outlined.

`surface_shapes()` does the heavy part once per cell table (reprojection, GeoJSON);
`surface_map()` only colours the cached shapes by the current totals, so a weight change
costs a recolour, not a recomputation.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.format import number
from geo.report.webmap.geojson import esc, feature_collection, to_display
from geo.report.webmap.leaflet import offline_map
from geo.style import SURFACE_RAMP, TOP_AREA_LINE, surface_colours


def surface_shapes(cells: gpd.GeoDataFrame) -> dict:
    """Hexagons in EPSG:4326 as a GeoJSON dict with cell id and municipality (escaped; cacheable)."""
    shown = to_display(cells[["cell", "kommune", "geometry"]])
    shown["kommune"] = shown["kommune"].map(esc)
    return feature_collection(shown, ["cell", "kommune"])


def surface_map(shapes: dict, total: np.ndarray, top: pd.DataFrame, tiles: bool = False) -> folium.Map:
    """A map of the surface: each hexagon filled by its score class, the top areas numbered."""
    values = np.asarray(total, dtype=float).tolist()
    features = [{"type": "Feature", "geometry": f["geometry"],  # geometry shared with the cache, never changed
                 "properties": {**f["properties"], "fill": colour, "score": number(v, 1)}}
                for f, v, colour in zip(shapes["features"], values, surface_colours(values), strict=True)]
    data = {"type": "FeatureCollection", "features": features}
    lons = [f["geometry"]["coordinates"][0][0][0] for f in features]
    lats = [f["geometry"]["coordinates"][0][0][1] for f in features]
    m = offline_map((float(np.mean(lats)), float(np.mean(lons))), zoom=8, tiles=tiles)
    folium.GeoJson(
        data,
        name="Egnethed",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": 0.75, "color": "#ffffff", "weight": 0.3},
        tooltip=folium.GeoJsonTooltip(["kommune", "score"], aliases=["Kommune", "Egnethed (0–100)"]),
    ).add_to(m)
    for row in top.itertuples():
        folium.Marker(
            (row.lat, row.lon),
            tooltip=esc(f"{row.label}: {number(row.score, 1)} point"),
            icon=folium.DivIcon(html=f'<div style="background:#fff;border:3px solid {TOP_AREA_LINE};border-radius:50%;'
                                f'width:28px;height:28px;font:bold 16px/22px sans-serif;text-align:center;color:#000">{int(row.rank)}</div>',
                                icon_size=(28, 28), icon_anchor=(14, 14)),
        ).add_to(m)
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    return m


def surface_legend_html(meaning: str) -> str:
    """The legend in words: what the colour means, low to high, in large type."""
    steps = "".join(f'<span style="display:inline-block;width:34px;height:18px;background:{c}"></span>' for c in SURFACE_RAMP)
    return (
        '<div class="klyngested-legend" role="note" aria-label="Signaturforklaring for egnethed" '
        'style="background:rgba(255,255,255,.95);padding:6px 10px;border:1px solid #555;border-radius:6px;'
        'font:16px/1.8 sans-serif;color:#111">'
        f'<span style="margin-right:8px">mindst egnet</span>{steps}<span style="margin-left:8px">mest egnet</span>'
        f' · <span style="border:3px solid {TOP_AREA_LINE};border-radius:50%;padding:0 6px">1</span> bedste områder'
        f'<br>{esc(meaning)}</div>'
    )
