"""Institutions by kind and rail stations."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.indicators import KIND_DA
from geo.schema import LOCATION_QUALITY_DA
from layers._geo import esc, to_display
from layers.style import KIND_COLOURS, STATION_COLOUR


def institutions_data(institutions: gpd.GeoDataFrame) -> list[dict]:
    """Position, colour by kind and escaped tooltip per institution."""
    return [
        {
            "lat": row.geometry.y,
            "lon": row.geometry.x,
            "colour": KIND_COLOURS.get(row.kind, "#777777"),
            "tooltip": f"<b>{esc(row.name)}</b><br>{esc(KIND_DA.get(row.kind, row.kind))}"
            f"<br>Placering: {esc(LOCATION_QUALITY_DA.get(row.location_quality, row.location_quality))}",
        }
        for row in to_display(institutions).itertuples()
    ]


def stations_data(stations: gpd.GeoDataFrame) -> list[dict]:
    """Position and escaped tooltip per station."""
    return [
        {
            "lat": row.geometry.y,
            "lon": row.geometry.x,
            "tooltip": f"<b>{esc(row.name)} st.</b>"
            f"<br>Placering: {esc(LOCATION_QUALITY_DA.get(row.location_quality, row.location_quality))}",
        }
        for row in to_display(stations).itertuples()
    ]


def institutions_layer(records: list[dict]) -> folium.FeatureGroup:
    """One circle per institution, coloured by kind (Okabe–Ito)."""
    group = folium.FeatureGroup(name="Viden- og uddannelsesinstitutioner", show=True)
    for r in records:
        folium.CircleMarker(
            location=(r["lat"], r["lon"]), radius=8, color="#ffffff", weight=2, fill=True,
            fill_color=r["colour"], fill_opacity=1.0, tooltip=r["tooltip"],
        ).add_to(group)
    return group


def stations_layer(records: list[dict]) -> folium.FeatureGroup:
    """Rail stations as white dots with a thick black ring."""
    group = folium.FeatureGroup(name="Togstationer", show=True)
    for r in records:
        folium.CircleMarker(
            location=(r["lat"], r["lon"]), radius=5, color=STATION_COLOUR, weight=3, fill=True,
            fill_color="#ffffff", fill_opacity=1.0, tooltip=r["tooltip"],
        ).add_to(group)
    return group
