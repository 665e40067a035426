"""Institutions by kind and rail stations."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.indicators import KIND_DA
from geo.provenance import Provenance
from geo.schema import LOCATION_QUALITY_DA
from layers._geo import esc, to_display
from layers.style import KIND_COLOURS, STATION_COLOUR


def institutions_layer(institutions: gpd.GeoDataFrame, provenance: Provenance) -> folium.FeatureGroup:
    """One coloured circle per institution; colour by kind, tooltip with placement quality."""
    group = folium.FeatureGroup(name="Viden- og uddannelsesinstitutioner", show=True)
    for row in to_display(institutions).itertuples():
        quality = LOCATION_QUALITY_DA.get(row.location_quality, row.location_quality)
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x),
            radius=8,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=KIND_COLOURS.get(row.kind, "#777777"),
            fill_opacity=1.0,
            tooltip=f"<b>{esc(row.name)}</b><br>{esc(KIND_DA.get(row.kind, row.kind))}<br>Placering: {esc(quality)}",
        ).add_to(group)
    return group


def stations_layer(stations: gpd.GeoDataFrame, provenance: Provenance) -> folium.FeatureGroup:
    """Rail stations as small black-ringed white dots."""
    group = folium.FeatureGroup(name="Togstationer", show=True)
    for row in to_display(stations).itertuples():
        quality = LOCATION_QUALITY_DA.get(row.location_quality, row.location_quality)
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x),
            radius=5,
            color=STATION_COLOUR,
            weight=3,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
            tooltip=f"<b>{esc(row.name)} st.</b><br>Placering: {esc(quality)}",
        ).add_to(group)
    return group
