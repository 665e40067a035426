"""Spatial joins shared by loaders and analysis: which municipality a point lies in."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

#: Points outside every polygon (coast, harbour, rounding) snap to the nearest one within this.
NEAREST_MAX_M = 2000.0


def assign_municipality(
    points_gdf: gpd.GeoDataFrame | gpd.GeoSeries,
    municipalities_gdf: gpd.GeoDataFrame,
    max_distance_m: float = NEAREST_MAX_M,
) -> pd.Series:
    """kommunekode of the polygon each point lies within, indexed like the points.

    Points outside every polygon get the nearest polygon within `max_distance_m` metres,
    else None. Missing or empty geometries get None. Both inputs are compared in the
    municipalities' CRS (EPSG:25832 for a validated layer).
    """
    pts = points_gdf if isinstance(points_gdf, gpd.GeoDataFrame) else gpd.GeoDataFrame(
        geometry=points_gdf
    )
    values = np.full(len(pts), None, dtype=object)
    if pts.empty or municipalities_gdf.empty:
        return pd.Series(values, index=pts.index, dtype=object, name="kommunekode")
    polys = municipalities_gdf[["kommunekode", municipalities_gdf.geometry.name]]
    polys = polys.reset_index(drop=True)
    valid = pts.geometry.notna() & ~pts.geometry.is_empty
    left = gpd.GeoDataFrame(
        {"_pos": range(int(valid.sum()))}, geometry=pts.geometry[valid].values, crs=pts.crs
    )
    if left.crs is not None and polys.crs is not None and left.crs != polys.crs:
        left = left.to_crs(polys.crs)
    valid_positions = np.flatnonzero(valid.to_numpy())
    inside = gpd.sjoin(left, polys, how="inner", predicate="within")
    inside = inside.drop_duplicates("_pos")
    codes: dict[int, str] = dict(zip(inside["_pos"], inside["kommunekode"]))
    outside = left[~left["_pos"].isin(inside["_pos"])]
    if len(outside):
        near = gpd.sjoin_nearest(
            outside, polys, how="inner", max_distance=max_distance_m, distance_col="_dist"
        )
        near = near.sort_values("_dist").drop_duplicates("_pos")
        codes.update(zip(near["_pos"], near["kommunekode"]))
    for pos, code in codes.items():
        values[valid_positions[pos]] = str(code)
    return pd.Series(values, index=pts.index, dtype=object, name="kommunekode")
