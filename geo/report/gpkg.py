"""GeoPackage for QGIS: sites with indicators, catchments, workplaces reached, municipalities
with per-site indicators, and a non-spatial `provenance` table. All layers in EPSG:25832.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.crs import to_crs
from geo.reach.indicators import REACH_MIN

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

LAYERS = ("sites", "catchments", "workplaces_reached", "municipalities", "provenance")


def report_to_gpkg(data: ReportData) -> bytes:
    """The GeoPackage as bytes (written to a temporary file and read back)."""
    with tempfile.TemporaryDirectory(prefix="klyngested-gpkg-") as tmp:
        path = Path(tmp) / "klyngested.gpkg"
        write_gpkg(data, path)
        return path.read_bytes()


def write_gpkg(data: ReportData, path: str | os.PathLike) -> None:
    """Write every layer of `LAYERS` to ``path`` (overwritten)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    frames = {
        "sites": sites_layer(data),
        "catchments": data.isochrones,
        "workplaces_reached": workplaces_reached_layer(data),
        "municipalities": municipalities_layer(data),
    }
    for name, gdf in frames.items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    pyogrio.write_dataframe(provenance_table(data), path, layer="provenance", driver="GPKG")


def sites_layer(data: ReportData) -> gpd.GeoDataFrame:
    """Site points with their number (as on the map) and every indicator column."""
    sites = data.sites.reset_index(drop=True)
    out = gpd.GeoDataFrame({"nr": np.arange(1, len(sites) + 1), "site": sites["name"].astype(str)},
                           geometry=sites.geometry.to_numpy(), crs=sites.crs)
    table = data.table.reset_index(drop=True)
    for col in table.columns:
        if col != "site":
            out[col] = table[col].to_numpy() if len(table) == len(out) else None
    if data.ranking is not None and len(data.ranking):
        rk = data.ranking.set_index(data.ranking["site"].astype(str))
        out["rank"] = out["site"].map(rk["rank"])
        out["score"] = out["site"].map(rk["score"])
    if data.robustness:
        out["robustness"] = out["site"].map(data.robustness).fillna("")
    return out


def workplaces_reached_layer(data: ReportData) -> gpd.GeoDataFrame:
    """Cluster workplaces within the largest threshold of any site, with the nearest site."""
    wp = data.cluster_workplaces
    limit = max(data.thresholds)
    keep = ["cvr", "name", "industry_code", "employees", "kommunekode", "location_quality"]
    if wp.empty or data.sites.empty:
        return gpd.GeoDataFrame({c: [] for c in [*keep, "nearest_site", "minutes", "sites_within"]},
                                geometry=[], crs=data.sites.crs)
    xy = np.column_stack([wp.geometry.x.to_numpy(), wp.geometry.y.to_numpy()])
    names = data.site_names()
    mins = np.vstack([data.engine.minutes((p.x, p.y), xy) for p in data.sites.geometry])
    best = np.argmin(mins, axis=0)
    best_min = mins[best, np.arange(mins.shape[1])]
    within = (mins <= limit).sum(axis=0)
    mask = within > 0
    out = wp.loc[mask, [c for c in keep if c in wp.columns] + ["geometry"]].copy()
    out["nearest_site"] = np.asarray(names, dtype=object)[best[mask]]
    out["minutes"] = np.round(best_min[mask], 1)
    out["sites_within"] = within[mask].astype(np.int32)
    out["threshold_min"] = int(limit)
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=wp.crs)


def municipalities_layer(data: ReportData) -> gpd.GeoDataFrame:
    """Municipal polygons with, per site number n, s{n}_workplaces_45 and s{n}_employees_45."""
    munis = data.layers.municipalities[["kommunekode", "navn", "population", "geometry"]].copy()
    b = data.breakdown
    for nr, name in enumerate(data.site_names(), start=1):
        part = b[b["site"].astype(str) == name].set_index("kommunekode") if len(b) else pd.DataFrame(columns=["workplaces", "employees"])
        munis[f"s{nr}_workplaces_{REACH_MIN}"] = munis["kommunekode"].map(part["workplaces"]).fillna(0).astype("int64")
        munis[f"s{nr}_employees_{REACH_MIN}"] = munis["kommunekode"].map(part["employees"]).fillna(0.0).astype(float)
    if data.finance is not None and "amount_kr" in data.finance:
        f = data.finance.assign(kommunekode=data.finance["kommunekode"].astype(str)).set_index("kommunekode")
        munis["cofinancing_kr"] = munis["kommunekode"].map(f["amount_kr"])
    return gpd.GeoDataFrame(munis.reset_index(drop=True), geometry="geometry", crs=data.layers.municipalities.crs)


def provenance_table(data: ReportData) -> pd.DataFrame:
    """Non-spatial table: one row per layer, then method, thresholds, scenario and site numbers."""
    rows = [{"kind": "layer", **s} for s in data.sources_rows()]
    for label, value in data.parameter_rows():
        rows.append({"kind": "parameter", "layer": label, "source": str(value)})
    for nr, name in enumerate(data.site_names(), start=1):
        rows.append({"kind": "site", "layer": f"s{nr}", "source": name})
    for line in data.provenance_lines:
        rows.append({"kind": "line", "source": line})
    cols = ["kind", "layer", "source", "date", "method", "quality", "quality_da", "url"]
    return pd.DataFrame(rows, columns=cols).fillna("").astype(str)


def surface_to_gpkg(cells: gpd.GeoDataFrame, top: pd.DataFrame, provenance_lines: list[str]) -> bytes:
    """The suitability grid as a GeoPackage: `cells` (hexagons, every indicator and score),
    `top_areas` (cell centres) and a non-spatial `provenance` table; EPSG:25832."""
    points = to_crs(gpd.GeoDataFrame(top.reset_index(drop=True),
                                     geometry=gpd.points_from_xy(top["lon"], top["lat"]), crs="EPSG:4326"), cells.crs)
    with tempfile.TemporaryDirectory(prefix="klyngested-surface-") as tmp:
        path = Path(tmp) / "surface.gpkg"
        cells.to_file(path, layer="cells", driver="GPKG", engine="pyogrio")
        points.to_file(path, layer="top_areas", driver="GPKG", engine="pyogrio")
        pyogrio.write_dataframe(pd.DataFrame({"source": provenance_lines}, dtype=str), path, layer="provenance", driver="GPKG")
        return path.read_bytes()
