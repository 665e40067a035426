"""Candidate sites with their catchment areas drawn underneath."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd

from geo.reach.catchment import CatchmentEngine
from geo.report.webmap.geojson import esc, to_display
from geo.style import RING_HALO, RING_STYLES, SITE_COLOUR, SITE_RING, SUGGESTION_COLOUR

#: Layer names of the map's dynamic groups (the app lists them in its layer control).
SITES_GROUP = "Lokaliteter og oplande"
SUGGESTIONS_GROUP = "Foreslåede steder"


def catchment_shapes(engine: CatchmentEngine, xy: tuple[float, float], thresholds: tuple[int, ...]) -> list[dict]:
    """One site's catchment outlines (EPSG:4326, simplified) as GeoJSON features, innermost
    first, styled by threshold; the label is added per site name in `sites_layer`."""
    shapes = to_display(engine.isochrones(xy, thresholds), simplify_m=100).sort_values("minutes")
    return [
        {"type": "Feature", "geometry": shape.geometry.__geo_interface__,
         "properties": {"colour": colour, "dash": dash, "minutes": float(shape.minutes)}}
        for (colour, dash), shape in zip(RING_STYLES, shapes.itertuples(), strict=False)
    ]


def ring_features(name: str, rings: list[dict], method: str) -> list[dict]:
    """One site's outlines (`catchment_shapes`), each labelled with the site's name (escaped),
    its minutes and the method ("vejnet" for ``network``, else "estimat")."""
    shown = "vejnet" if method == "network" else "estimat"
    return [{**ring, "properties": {**ring["properties"], "label": f"{esc(name)}: {ring['properties']['minutes']:g} min ({shown})"}}
            for ring in rings]


@dataclass(frozen=True)
class LabelMarker:
    """A marker drawn as a labelled HTML box (no image or plugin needed), centred on its point."""

    lat: float
    lon: float
    tooltip: str
    size: tuple[int, int]
    html: str


def _label_marker(location: tuple[float, float], text: str, aria: str, tooltip: str,
                  size: tuple[int, int], style: str) -> LabelMarker:
    width, height = size
    return LabelMarker(location[0], location[1], tooltip, size,
                       f'<div role="img" aria-label="{esc(aria)}" style="width:{width}px;height:{height}px;{style};'
                       f'text-align:center;box-sizing:border-box">{esc(text)}</div>')


def site_markers(sites: gpd.GeoDataFrame) -> list[LabelMarker]:
    """Numbered site markers (1, 2, …) with name and municipality as tooltip."""
    return [
        _label_marker(
            (site.geometry.y, site.geometry.x), str(number), f"Lokalitet {number}: {site.name}",
            f"<b>{number}. {esc(site.name)}</b><br>{esc(site.kommune)}", (34, 34),
            f"border-radius:50%;background:{SITE_COLOUR};color:#fff;border:4px solid {SITE_RING};"
            "box-shadow:0 0 0 2px #000;font:bold 18px/26px sans-serif",
        )
        for number, site in enumerate(to_display(sites).itertuples(), start=1)
    ]


def suggestion_markers(chosen: list[dict]) -> list[LabelMarker]:
    """Suggested sites (from location-allocation) as labelled squares F1, F2, …"""
    return [
        _label_marker(
            (site["lat"], site["lon"]), f"F{number}", f"Forslag {number}: {site['name']}",
            f"<b>Forslag {number}: {esc(site['name'])}</b>", (40, 30),
            f"background:{SUGGESTION_COLOUR};color:#000;border:3px solid #000;font:bold 16px/24px sans-serif",
        )
        for number, site in enumerate(chosen, start=1)
    ]


def halo_style(_feature: dict) -> dict:
    """Leaflet style of the light halo under every outline (3:1 contrast on any base map)."""
    return {"color": RING_HALO, "weight": 6, "opacity": 0.9, "fill": False}


def ring_style(feature: dict) -> dict:
    """Leaflet style of one catchment outline (colour and dash by threshold, no fill)."""
    return {"color": feature["properties"]["colour"], "weight": 3, "dashArray": feature["properties"]["dash"], "fill": False}


def site_rings(sites: gpd.GeoDataFrame, catchments: list[list[dict]], method: str) -> dict:
    """The sites' catchment outlines as one FeatureCollection, labelled per site and method."""
    features = [f for name, rings in zip(sites["name"], catchments, strict=True) for f in ring_features(name, rings, method)]
    return {"type": "FeatureCollection", "features": features}


def _folium_marker(marker: LabelMarker) -> folium.Marker:
    width, height = marker.size
    return folium.Marker(location=(marker.lat, marker.lon), tooltip=marker.tooltip,
                         icon=folium.DivIcon(icon_size=marker.size, icon_anchor=(width // 2, height // 2), html=marker.html))


def sites_layer(sites: gpd.GeoDataFrame, catchments: list[list[dict]], method: str) -> folium.FeatureGroup:
    """Numbered site markers above their catchment outlines (`catchment_shapes` per site)."""
    group = folium.FeatureGroup(name=SITES_GROUP)
    rings = site_rings(sites, catchments, method)
    if rings["features"]:  # a site off the road network has no catchment to draw
        folium.GeoJson(rings, style_function=halo_style, interactive=False).add_to(group)
        folium.GeoJson(rings, style_function=ring_style,
                       tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(group)
    for marker in site_markers(sites):
        _folium_marker(marker).add_to(group)
    return group
