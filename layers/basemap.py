"""The static part of the map: everything except the user's sites, built once per data state."""

from __future__ import annotations

import folium
import geopandas as gpd

from geo.layers import Layers
from geo.settings import CRS_DISPLAY, K17_CODES
from layers.assets import offline_map
from layers.legend import MapNotes, legend_html
from layers.municipalities import municipalities_layer
from layers.points import institutions_layer, stations_layer
from layers.workplaces import layer_title, workplaces_layer


def base_map(
    layers: Layers, cluster_workplaces: gpd.GeoDataFrame, thresholds: tuple[int, ...], tiles: bool = False,
    with_legend: bool = True,
) -> folium.Map:
    """Municipalities, cluster workplaces, institutions, stations, legend and attribution."""
    munis = layers.municipalities
    k17 = munis[munis["kommunekode"].isin(K17_CODES)]
    bounds = (k17 if len(k17) else munis).to_crs(CRS_DISPLAY).total_bounds
    centre = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    m = offline_map(centre, zoom=9, tiles=tiles)
    prov = layers.provenance
    municipalities_layer(layers.municipalities, prov["municipalities"]).add_to(m)
    workplaces_layer(cluster_workplaces, prov["workplaces"]).add_to(m)
    stations_layer(layers.stations, prov["stations"]).add_to(m)
    institutions_layer(layers.institutions, prov["institutions"]).add_to(m)
    attributions = [p.short() for p in prov.values()]
    legend = legend_html(thresholds, layer_title(prov["workplaces"]), len(cluster_workplaces)) if with_legend else ""
    MapNotes(legend, attributions).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m
