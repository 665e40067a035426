"""The static part of the map: everything except the user's sites.

`map_data()` does the heavy work once (reprojection, simplification, aggregation, escaping)
and returns plain, picklable data the app caches per data state; `base_map()` turns it into a
folium Map quickly on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd

from geo.data.bundle import Layers
from geo.settings import CRS_DISPLAY, K17_CODES
from layers.assets import offline_map
from layers.legend import MapNotes, legend_html
from layers.municipalities import municipalities_data, municipalities_layer
from layers.points import institutions_data, institutions_layer, stations_data, stations_layer
from layers.workplaces import workplaces_data, workplaces_layer


@dataclass(frozen=True)
class MapData:
    """Display-ready content of the static layers (EPSG:4326)."""

    bounds: tuple[float, float, float, float]
    municipalities: dict
    workplaces: dict
    workplace_count: int
    institutions: list[dict]
    stations: dict
    attributions: list[str]


def map_data(layers: Layers, cluster_workplaces: gpd.GeoDataFrame) -> MapData:
    """Prepare every static layer for display; the map extent is K17 when present."""
    munis = layers.municipalities
    k17 = munis[munis["kommunekode"].isin(K17_CODES)]
    bounds = tuple(float(v) for v in (k17 if len(k17) else munis).to_crs(CRS_DISPLAY).total_bounds)
    prov = layers.provenance
    return MapData(
        bounds=bounds,  # type: ignore[arg-type]
        municipalities=municipalities_data(munis, prov["municipalities"]),
        workplaces=workplaces_data(cluster_workplaces, prov["workplaces"]),
        workplace_count=len(cluster_workplaces),
        institutions=institutions_data(layers.institutions),
        stations=stations_data(layers.stations),
        attributions=[p.short() for p in prov.values()],
    )


def base_map(data: MapData, thresholds: tuple[int, ...], tiles: bool = False, with_legend: bool = True) -> folium.Map:
    """Municipalities, cluster workplaces, stations, institutions, attribution (and legend)."""
    w, s, e, n = data.bounds
    m = offline_map(((s + n) / 2, (w + e) / 2), zoom=9, tiles=tiles)
    municipalities_layer(data.municipalities).add_to(m)
    workplaces_layer(data.workplaces).add_to(m)
    stations_layer(data.stations).add_to(m)
    institutions_layer(data.institutions).add_to(m)
    legend = legend_html(thresholds, data.workplaces["title"], data.workplace_count) if with_legend else ""
    MapNotes(legend, data.attributions).add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    return m
