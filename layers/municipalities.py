"""Municipal boundaries layer."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.provenance import Provenance
from layers._geo import esc, to_display
from layers.style import MUNICIPALITY_LINE


def municipalities_layer(munis: gpd.GeoDataFrame, provenance: Provenance) -> folium.FeatureGroup:
    """Outlines with a tooltip (name, code, population); approximate areas say so."""
    approx = provenance.quality != "real"
    name = "Kommuner" + (" (omtrentlige grænser)" if approx else "")
    shown = to_display(munis[["kommunekode", "navn", "population", "geometry"]], simplify_m=150)
    shown["label"] = [
        f"<b>{esc(n)}</b> ({esc(k)})<br>Befolkning: {int(p):,}".replace(",", ".")
        + ("<br><i>omtrentlig afgrænsning</i>" if approx else "")
        if p == p else f"<b>{esc(n)}</b> ({esc(k)})"
        for k, n, p in zip(shown["kommunekode"], shown["navn"], shown["population"], strict=True)
    ]
    group = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        shown[["label", "geometry"]],
        style_function=lambda _: {
            "color": MUNICIPALITY_LINE,
            "weight": 2,
            "dashArray": "6 4" if approx else "",
            "fillColor": "#ffffff",
            "fillOpacity": 0.05,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=False),
        highlight_function=lambda _: {"weight": 4},
    ).add_to(group)
    return group
