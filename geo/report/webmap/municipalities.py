"""Municipal boundaries layer."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.data.provenance import Provenance
from geo.format import number
from geo.report.webmap.geojson import esc, feature_collection, to_display
from geo.settings import K17_CODES
from geo.style import MUNICIPALITY_LINE, MUNICIPALITY_OTHER


def municipalities_data(munis: gpd.GeoDataFrame, provenance: Provenance) -> dict:
    """Simplified outlines with an escaped tooltip label (name, code, population) and a K17 flag."""
    approx = provenance.quality != "real"
    shown = to_display(munis[["kommunekode", "navn", "population", "geometry"]], simplify_m=150, precision=4)
    shown["k17"] = shown["kommunekode"].isin(K17_CODES)
    shown["label"] = [
        f"<b>{esc(n)}</b> ({esc(k)})"
        + (f"<br>Befolkning: {number(p)}" if p == p else "")
        + ("<br><i>omtrentlig afgrænsning</i>" if approx else "")
        for k, n, p in zip(shown["kommunekode"], shown["navn"], shown["population"], strict=True)
    ]
    return {"approx": approx, "geojson": feature_collection(shown, ["label", "k17"])}


def municipality_style(feature: dict, approx: bool) -> dict:
    """K17 municipalities drawn as outlines; any others (a national file) greyed out."""
    if feature.get("properties", {}).get("k17", True):
        return {"color": MUNICIPALITY_LINE, "weight": 2, "dashArray": "6 4" if approx else "",
                "fillColor": "#ffffff", "fillOpacity": 0.05}
    return {"color": MUNICIPALITY_OTHER, "weight": 1, "dashArray": "6 4" if approx else "",
            "fillColor": MUNICIPALITY_OTHER, "fillOpacity": 0.35}


def municipalities_layer(data: dict) -> folium.FeatureGroup:
    """Outlines, dashed when the areas are approximate."""
    approx = data["approx"]
    group = folium.FeatureGroup(name="Kommuner" + (" (omtrentlige grænser)" if approx else ""), show=True)
    folium.GeoJson(
        data["geojson"],
        style_function=lambda feature: municipality_style(feature, approx),
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=False),
        highlight_function=lambda _: {"weight": 4},
    ).add_to(group)
    return group
