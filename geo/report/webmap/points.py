"""Institutions by kind and rail stations, each drawn as one GeoJSON layer of circles."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data.schema import LOCATION_QUALITY_DA
from geo.reach.indicators import kind_label
from geo.report.webmap.geojson import esc, feature_collection, to_display
from geo.style import KIND_COLOURS, STATION_COLOUR


def _quality(value: str) -> str:
    return esc(LOCATION_QUALITY_DA.get(value, value))


SPREAD_PX = 12  #: on-screen radius for institutions that share one (town) coordinate
DOT_PX = 18


def pixel_offsets(points: gpd.GeoDataFrame, radius_px: int = SPREAD_PX) -> list[tuple[int, int]]:
    """Screen offsets that fan out points sharing a coordinate onto a small circle.

    Display only, and constant in pixels at every zoom: town-placed institutions all sit on
    the town coordinate and would otherwise hide each other.
    """
    key = pd.Series(list(zip(points.geometry.x.round(0), points.geometry.y.round(0), strict=True)))
    offsets = [(0, 0)] * len(points)
    for members in pd.Series(range(len(points))).groupby(key).agg(list):
        if len(members) > 1:
            for k, i in enumerate(members):
                angle = 2 * np.pi * k / len(members)
                offsets[i] = (round(radius_px * np.cos(angle)), round(radius_px * np.sin(angle)))
    return offsets


def institutions_data(institutions: gpd.GeoDataFrame) -> list[dict]:
    """Position, pixel offset, colour by kind and escaped tooltip per institution."""
    shown = to_display(institutions)
    return [
        {
            "lat": row.geometry.y,
            "lon": row.geometry.x,
            "offset": offset,
            "colour": KIND_COLOURS.get(row.kind, "#777777"),
            "label": f"<b>{esc(row.name)}</b><br>{esc(kind_label(row.kind))}<br>Placering: {_quality(row.location_quality)}",
        }
        for row, offset in zip(shown.itertuples(), pixel_offsets(institutions), strict=True)
    ]


def stations_data(stations: gpd.GeoDataFrame) -> dict:
    """GeoJSON with an escaped tooltip per station."""
    shown = to_display(stations)
    shown["label"] = [f"<b>{esc(n)} st.</b><br>Placering: {_quality(q)}" for n, q in zip(shown["name"], shown["location_quality"], strict=True)]
    return feature_collection(shown, ["label"])


def institutions_layer(records: list[dict]) -> folium.FeatureGroup:
    """One dot per institution, coloured by kind (Okabe–Ito), fanned out where they coincide."""
    group = folium.FeatureGroup(name="Viden- og uddannelsesinstitutioner", show=True)
    half = DOT_PX // 2
    for r in records:
        dx, dy = r["offset"]
        folium.Marker(
            location=(r["lat"], r["lon"]),
            tooltip=r["label"],
            keyboard=False,  # dozens of dots would each be a Tab stop; sites and controls stay reachable
            icon=folium.DivIcon(
                icon_size=(DOT_PX, DOT_PX),
                icon_anchor=(half - dx, half + dy),
                html=f'<div style="width:{DOT_PX}px;height:{DOT_PX}px;border-radius:50%;background:{r["colour"]};'
                'border:2px solid #fff;box-shadow:0 0 0 1px #333;box-sizing:border-box"></div>',
            ),
        ).add_to(group)
    return group


def stations_layer(geojson: dict) -> folium.FeatureGroup:
    """Rail stations as white dots with a thick black ring."""
    group = folium.FeatureGroup(name="Togstationer", show=True)
    if not geojson["features"]:
        return group
    folium.GeoJson(
        geojson,
        marker=folium.CircleMarker(radius=5, weight=3, fill=True, fill_opacity=1.0),
        style_function=lambda _: {"color": STATION_COLOUR, "fillColor": "#ffffff"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(group)
    return group
