"""Cluster workplaces: individual points when few, density cells when many."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from geo.data.provenance import Provenance
from geo.data.schema import LOCATION_QUALITY_DA
from geo.format import number
from geo.report.webmap.geojson import esc, feature_collection, to_display
from geo.settings import CRS_METRIC
from geo.style import DENSITY_RAMP, WORKPLACE_COLOUR

POINT_LIMIT = 1500  #: above this many workplaces, draw density cells instead of points
CELL_M = 2500


def layer_title(provenance: Provenance) -> str:
    """Layer name with the data label the planner must see (Demodata / omtrentlig)."""
    tag = {"synthetic": " – Demodata", "approximate": " – omtrentlig placering"}.get(provenance.quality, "")
    return f"Klyngearbejdssteder{tag}"


def density_cells(workplaces: gpd.GeoDataFrame, cell_m: float = CELL_M) -> gpd.GeoDataFrame:
    """Square cells (EPSG:25832) with the number of workplaces and employees in each."""
    x = workplaces.geometry.x.to_numpy()
    y = workplaces.geometry.y.to_numpy()
    ix, iy = np.floor(x / cell_m).astype(np.int64), np.floor(y / cell_m).astype(np.int64)
    emp = pd.to_numeric(workplaces["employees"], errors="coerce").fillna(0).to_numpy()
    counts = (
        pd.DataFrame({"ix": ix, "iy": iy, "emp": emp})
        .groupby(["ix", "iy"], as_index=False)
        .agg(count=("emp", "size"), employees=("emp", "sum"))
    )
    geoms = [box(i * cell_m, j * cell_m, (i + 1) * cell_m, (j + 1) * cell_m) for i, j in zip(counts["ix"], counts["iy"], strict=True)]
    return gpd.GeoDataFrame(counts[["count", "employees"]], geometry=geoms, crs=CRS_METRIC)


def workplaces_data(workplaces: gpd.GeoDataFrame, provenance: Provenance) -> dict:
    """GeoJSON of points (few) or density cells (many), with escaped tooltip labels."""
    tag = " (Demodata)" if provenance.quality == "synthetic" else ""
    title = layer_title(provenance)
    if len(workplaces) <= POINT_LIMIT:
        shown = to_display(workplaces)
        shown["label"] = [
            f"<b>{esc(name)}</b>{tag}<br>Branche {esc(code)} · ansatte: {'ukendt' if pd.isna(emp) else number(emp)}"
            f"<br>Placering: {esc(LOCATION_QUALITY_DA.get(q, q))}"
            for name, code, emp, q in zip(shown["name"], shown["industry_code"], shown["employees"], shown["location_quality"], strict=True)
        ]
        return {"mode": "points", "title": title, "geojson": feature_collection(shown, ["label"])}
    cells = density_cells(workplaces)
    breaks = np.unique(np.quantile(cells["count"], [0.5, 0.75, 0.9, 0.97, 0.995]))
    cells["fill"] = [DENSITY_RAMP[int(np.searchsorted(breaks, c, side="right"))] for c in cells["count"]]
    cells["label"] = [f"{number(c)} arbejdssteder · {number(e)} ansatte" for c, e in zip(cells["count"], cells["employees"], strict=True)]
    shown = to_display(cells[["fill", "label", "geometry"]], precision=3)  # ~100 m on 2.5 km cells
    return {"mode": "cells", "title": title, "geojson": feature_collection(shown, ["fill", "label"])}


def workplaces_layer(data: dict) -> folium.FeatureGroup:
    """Points as small circles or cells coloured by count (viridis)."""
    group = folium.FeatureGroup(name=data["title"], show=True)
    if not data["geojson"]["features"]:  # e.g. a cluster with no workplaces in the data
        return group
    tooltip = folium.GeoJsonTooltip(fields=["label"], labels=False)
    if data["mode"] == "points":
        folium.GeoJson(
            data["geojson"],
            marker=folium.CircleMarker(radius=5, color="#222222", weight=1, fill=True, fill_color=WORKPLACE_COLOUR, fill_opacity=0.8),
            tooltip=tooltip,
        ).add_to(group)
    else:
        folium.GeoJson(
            data["geojson"],
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": f["properties"]["fill"], "weight": 0.5, "fillOpacity": 0.55},
            tooltip=tooltip,
        ).add_to(group)
    return group
