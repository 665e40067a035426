"""Shared helpers for reading polygon files (GeoJSON, GeoPackage, Shapefile) via pyogrio."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path
from typing import IO, Union

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import InputFileError
from geo.settings import CRS_METRIC

#: A path, raw bytes or an open binary file (e.g. a Streamlit upload).
PathOrBuffer = Union[str, os.PathLike, bytes, IO[bytes]]


def source_name_and_date(path_or_buffer: PathOrBuffer) -> tuple[str, str]:
    """File name and modification date (YYYY-MM-DD), or 'upload'/'ukendt' for buffers."""
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        try:
            return path.name, date.fromtimestamp(path.stat().st_mtime).isoformat()
        except OSError:
            return path.name, "ukendt"
    return str(getattr(path_or_buffer, "name", "") or "upload"), "ukendt"


def read_bytes(path_or_buffer: PathOrBuffer) -> bytes:
    """All bytes of the input; InputFileError if missing, unreadable or empty."""
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        if not path.is_file():
            raise InputFileError(f"Filen findes ikke: {path}", f"File not found: {path}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(
                f"Filen kunne ikke læses: {path.name} ({exc})",
                f"Could not read {path.name}: {exc}",
            ) from exc
    elif isinstance(path_or_buffer, (bytes, bytearray, memoryview)):
        data = bytes(path_or_buffer)
    elif hasattr(path_or_buffer, "read"):
        if hasattr(path_or_buffer, "seek"):
            path_or_buffer.seek(0)
        data = path_or_buffer.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise InputFileError(
            f"Ukendt inputtype: {type(path_or_buffer).__name__}",
            f"Unknown input type: {type(path_or_buffer).__name__}",
        )
    if not data or not data.strip():
        raise InputFileError("Filen er tom.", "The file is empty.")
    return data


def read_geo(path_or_buffer: PathOrBuffer, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """Read any vector file pyogrio understands; InputFileError with a Danish message if not."""
    data = read_bytes(path_or_buffer)
    source: str | io.BytesIO
    if isinstance(path_or_buffer, (str, os.PathLike)):
        source = str(path_or_buffer)
    else:
        source = io.BytesIO(data)
    try:
        gdf = gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable data
        raise InputFileError(
            f"Filen kunne ikke læses som {what_da} (GeoJSON, GeoPackage eller Shapefile): {exc}",
            f"The file could not be read as {what_en} (GeoJSON, GeoPackage or Shapefile): {exc}",
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise InputFileError(
            f"Filen indeholder ingen geometrier ({what_da}).",
            f"The file contains no geometries ({what_en}).",
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        raise InputFileError(
            f"Filen indeholder ingen geometrier ({what_da}).",
            f"The file contains no geometries ({what_en}).",
        )
    return to_metric(gdf)


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop Z, guess EPSG:25832 for metric coordinates without a usable CRS, reproject."""
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    minx, miny, maxx, maxy = gdf.total_bounds
    looks_metric = max(abs(minx), abs(miny), abs(maxx), abs(maxy)) > 360
    if gdf.crs is None or (looks_metric and gdf.crs.is_geographic):
        # GeoJSON without a crs member is read as CRS84; Datafordeleren delivers EPSG:25832.
        gdf = gdf.set_crs(CRS_METRIC if looks_metric else "EPSG:4326", allow_override=True)
    return gdf.to_crs(CRS_METRIC)


def find_column(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    """First column whose name matches one of the candidates, ignoring case."""
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """make_valid and keep only the polygon parts (Polygon or MultiPolygon, or None)."""
    if geom is None or geom.is_empty:
        return None
    geom = shapely.make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def dissolve_polygons(gdf: gpd.GeoDataFrame, by: str, first: list[str]) -> gpd.GeoDataFrame:
    """Repair, dissolve by one column (keeping the first value of `first`), repair again."""
    gdf = gdf.set_geometry([polygonal(g) for g in gdf.geometry], crs=gdf.crs)
    gdf = gdf[gdf.geometry.notna()]
    out = gdf.dissolve(by=by, aggfunc={c: "first" for c in first}, sort=True).reset_index()
    return out.set_geometry([polygonal(g) for g in out.geometry], crs=gdf.crs)
