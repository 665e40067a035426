"""Candidate sites with their catchment areas drawn underneath."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.catchment import CatchmentEngine
from layers._geo import esc, to_display
from layers.style import RING_STYLES, SITE_COLOUR, SITE_RING, SUGGESTION_COLOUR


def catchment_shapes(engine: CatchmentEngine, xy: tuple[float, float], thresholds: tuple[int, ...]) -> gpd.GeoDataFrame:
    """One site's catchment outlines in EPSG:4326, simplified for display."""
    return to_display(engine.isochrones(xy, thresholds), simplify_m=100)


def _ring_features(sites: gpd.GeoDataFrame, catchments: list[gpd.GeoDataFrame], method: str) -> dict:
    features = []
    for site, shapes in zip(sites.itertuples(), catchments, strict=True):
        for (colour, dash), shape in zip(RING_STYLES, shapes.sort_values("minutes").itertuples(), strict=False):
            features.append({
                "type": "Feature",
                "geometry": shape.geometry.__geo_interface__,
                "properties": {"colour": colour, "dash": dash, "label": f"{esc(site.name)}: {shape.minutes:g} min ({method})"},
            })
    return {"type": "FeatureCollection", "features": features}


def sites_layer(
    sites: gpd.GeoDataFrame, catchments: list[gpd.GeoDataFrame], method: str
) -> folium.FeatureGroup:
    """Numbered site markers above their catchment outlines (one GeoDataFrame per site)."""
    group = folium.FeatureGroup(name="Lokaliteter og oplande")
    label = "vejnet" if method == "network" else "estimat"
    rings = _ring_features(sites, catchments, label)
    if rings["features"]:  # a site off the road network has no catchment to draw
        folium.GeoJson(
            rings,
            style_function=lambda f: {"color": f["properties"]["colour"], "weight": 3, "dashArray": f["properties"]["dash"], "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(group)
    for number, site in enumerate(to_display(sites).itertuples(), start=1):
        folium.Marker(
            location=(site.geometry.y, site.geometry.x),
            tooltip=f"<b>{number}. {esc(site.name)}</b><br>{esc(site.kommune)}",
            icon=folium.DivIcon(
                icon_size=(34, 34),
                icon_anchor=(17, 17),
                html=(
                    f'<div role="img" aria-label="Lokalitet {number}: {esc(site.name)}" '
                    f'style="width:34px;height:34px;border-radius:50%;background:{SITE_COLOUR};'
                    f'color:#fff;border:4px solid {SITE_RING};box-shadow:0 0 0 2px #000;font:bold 18px/26px sans-serif;'
                    f'text-align:center">{number}</div>'
                ),
            ),
        ).add_to(group)
    return group


def suggestions_layer(chosen: list[dict]) -> folium.FeatureGroup:
    """Suggested sites (from location-allocation) as labelled squares F1, F2, …"""
    group = folium.FeatureGroup(name="Foreslåede steder")
    for number, site in enumerate(chosen, start=1):
        folium.Marker(
            location=(site["lat"], site["lon"]),
            tooltip=f"<b>Forslag {number}: {esc(site['name'])}</b>",
            icon=folium.DivIcon(
                icon_size=(40, 30),
                icon_anchor=(20, 15),
                html=(
                    f'<div role="img" aria-label="Forslag {number}: {esc(site["name"])}" '
                    f'style="width:40px;height:30px;background:{SUGGESTION_COLOUR};color:#000;border:3px solid #000;'
                    f'font:bold 16px/24px sans-serif;text-align:center">F{number}</div>'
                ),
            ),
        ).add_to(group)
    return group
