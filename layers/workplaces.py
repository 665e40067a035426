"""Cluster workplaces: individual points when few, density cells when many."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import box

from geo.provenance import Provenance
from geo.schema import LOCATION_QUALITY_DA
from geo.settings import CRS_METRIC
from layers._geo import esc, to_display
from layers.style import DENSITY_RAMP, WORKPLACE_COLOUR

POINT_LIMIT = 1500  #: above this many workplaces, draw density cells instead of points
CELL_M = 2500


def layer_title(provenance: Provenance) -> str:
    """Layer name with the data label the planner must see (Demodata / omtrentlig)."""
    tag = {"synthetic": " – Demodata", "approximate": " – omtrentlig placering"}.get(provenance.quality, "")
    return f"Klyngearbejdssteder{tag}"


def workplaces_layer(workplaces: gpd.GeoDataFrame, provenance: Provenance) -> folium.FeatureGroup:
    """Points with escaped tooltips, or a grid of counts when there are many."""
    group = folium.FeatureGroup(name=layer_title(provenance), show=True)
    if len(workplaces) <= POINT_LIMIT:
        _points(workplaces, provenance).add_to(group)
    else:
        _cells(workplaces, provenance).add_to(group)
    return group


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


def _colour(count: int, breaks: np.ndarray) -> str:
    return DENSITY_RAMP[int(np.searchsorted(breaks, count, side="right"))]


def _cells(workplaces: gpd.GeoDataFrame, provenance: Provenance) -> folium.GeoJson:
    cells = density_cells(workplaces)
    breaks = np.unique(np.quantile(cells["count"], [0.5, 0.75, 0.9, 0.97, 0.995]))
    cells["fill"] = [_colour(c, breaks) for c in cells["count"]]
    tag = " (Demodata)" if provenance.quality == "synthetic" else ""
    cells["label"] = [
        f"{c} arbejdssteder, {e:,.0f} ansatte{tag}".replace(",", ".") for c, e in zip(cells["count"], cells["employees"], strict=True)
    ]
    shown = to_display(cells[["fill", "label", "geometry"]], precision=4)
    return folium.GeoJson(
        shown,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": f["properties"]["fill"], "weight": 0.5, "fillOpacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )


def _points(workplaces: gpd.GeoDataFrame, provenance: Provenance) -> folium.FeatureGroup:
    shown = to_display(workplaces)
    holder = folium.FeatureGroup(control=False)
    tag = " (Demodata)" if provenance.quality == "synthetic" else ""
    for row in shown.itertuples():
        emp = "ukendt" if pd.isna(row.employees) else f"{row.employees:.0f}"
        quality = LOCATION_QUALITY_DA.get(row.location_quality, row.location_quality)
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x),
            radius=5,
            color="#222222",
            weight=1,
            fill=True,
            fill_color=WORKPLACE_COLOUR,
            fill_opacity=0.8,
            tooltip=f"<b>{esc(row.name)}</b>{tag}<br>Branche {esc(row.industry_code)} · ansatte: {emp}<br>Placering: {esc(quality)}",
        ).add_to(holder)
    return holder
