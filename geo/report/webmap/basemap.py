"""The static part of the map: everything except the user's sites.

`map_data()` does the heavy work once (reprojection, simplification, aggregation, escaping)
and returns plain, picklable data the app caches per data state; `base_map()` turns it into a
folium Map quickly on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from geo.crs import to_crs
from geo.data.bundle import Layers
from geo.data.spatial import assign_municipality
from geo.report.webmap.geojson import esc
from geo.report.webmap.leaflet import offline_map
from geo.report.webmap.legend import MapNotes, legend_html
from geo.report.webmap.municipalities import municipalities_data, municipalities_layer
from geo.report.webmap.points import (
    institutions_data,
    institutions_layer,
    stations_data,
    stations_layer,
)
from geo.report.webmap.workplaces import workplaces_data, workplaces_layer
from geo.settings import CRS_DISPLAY, K17_CODES
from geo.style import TOWN_LABEL


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
    towns: tuple[tuple[str, float, float], ...] = ()  #: K17 main towns: name, lat, lon


def main_towns(layers: Layers) -> tuple[tuple[str, float, float], ...]:
    """The largest town of each K17 municipality (name, lat, lon), for labels on the map."""
    towns = layers.towns
    if towns.empty:
        return ()
    codes = assign_municipality(towns, layers.municipalities)
    frame = pd.DataFrame({"name": towns["name"].to_numpy(), "code": codes.to_numpy(),
                          "pop": pd.to_numeric(towns["population"], errors="coerce").fillna(0).to_numpy()})
    best = frame[frame["code"].isin(K17_CODES)].sort_values("pop", ascending=False).drop_duplicates("code")
    shown = to_crs(towns.loc[best.index], CRS_DISPLAY)
    return tuple((str(n), float(p.y), float(p.x)) for n, p in zip(shown["name"], shown.geometry, strict=True))


def towns_layer(towns: tuple[tuple[str, float, float], ...]) -> folium.FeatureGroup:
    """Town names as plain labels (not clickable, not Tab stops) with a white halo."""
    group = folium.FeatureGroup(name="Bynavne", show=True)
    halo = "-1px -1px 0 #fff,1px -1px 0 #fff,-1px 1px 0 #fff,1px 1px 0 #fff,0 0 4px #fff"
    for name, lat, lon in towns:
        folium.Marker(
            location=(lat, lon), interactive=False, keyboard=False,
            icon=folium.DivIcon(icon_size=(160, 20), icon_anchor=(-12, 24), class_name="klyngested-town",
                                html=f'<div style="font:600 15px/20px sans-serif;color:{TOWN_LABEL};'
                                     f'text-shadow:{halo};white-space:nowrap;pointer-events:none">{esc(name)}</div>'),
        ).add_to(group)
    return group


def map_data(layers: Layers, cluster_workplaces: gpd.GeoDataFrame) -> MapData:
    """Prepare every static layer for display; the map extent is K17 when present."""
    munis = layers.municipalities
    k17 = munis[munis["kommunekode"].isin(K17_CODES)]
    bounds = tuple(float(v) for v in to_crs(k17 if len(k17) else munis, CRS_DISPLAY).total_bounds)
    prov = layers.provenance
    return MapData(
        bounds=bounds,  # type: ignore[arg-type]
        municipalities=municipalities_data(munis, prov["municipalities"]),
        workplaces=workplaces_data(cluster_workplaces, prov["workplaces"]),
        workplace_count=len(cluster_workplaces),
        institutions=institutions_data(layers.institutions),
        stations=stations_data(layers.stations),
        attributions=[p.short() for p in prov.values()],
        towns=main_towns(layers),
    )


def base_map(data: MapData, thresholds: tuple[int, ...], tiles: bool = False, with_legend: bool = True,
             attribution_inside: bool = True) -> folium.Map:
    """Municipalities, cluster workplaces, stations, institutions, town names, attribution (and legend).

    The app shows legend and attribution below the map (with_legend=False, attribution_inside=False),
    so nothing covers K17 land; the standalone HTML map carries both inside.
    """
    w, s, e, n = data.bounds
    m = offline_map(((s + n) / 2, (w + e) / 2), zoom=9, tiles=tiles)
    municipalities_layer(data.municipalities).add_to(m)
    workplaces_layer(data.workplaces).add_to(m)
    stations_layer(data.stations).add_to(m)
    institutions_layer(data.institutions).add_to(m)
    towns_layer(data.towns).add_to(m)
    legend = legend_html(thresholds, data.workplaces["title"], data.workplace_count) if with_legend else ""
    MapNotes(legend, data.attributions if attribution_inside else []).add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    return m
