"""Shared helpers for reading polygon files (GeoJSON, GeoPackage, zipped Shapefile) safely."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path
from typing import IO, Union

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from geo.crs import to_crs, transform_bounds
from geo.data.sources.geoformat import read_vector
from geo.data.sources.geolimits import check_complexity
from geo.errors import CoordinateError, InputFileError
from geo.settings import CRS_DISPLAY, CRS_METRIC, DENMARK_BBOX_LONLAT

#: A path, raw bytes or an open binary file (e.g. a Streamlit upload).
PathOrBuffer = Union[str, os.PathLike, bytes, IO[bytes]]

#: Largest input file read (bytes). Uploads are also capped by Streamlit (server.maxUploadSize).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Largest total uncompressed size of a zip (zipped shapefile, .xlsx), read from the central
#: directory before anything is extracted (zip-bomb guard).
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
#: Most members in a zip.
MAX_ZIP_ENTRIES = 10_000
#: Denmark's bounding box in EPSG:25832 (metres): data wholly outside it is not Danish (or
#: has swapped axes).
DENMARK_BBOX_METRIC: tuple[float, float, float, float] = transform_bounds(  # type: ignore[assignment]
    CRS_DISPLAY, CRS_METRIC, DENMARK_BBOX_LONLAT)


def fmt_bytes(n: float) -> str:
    """'52 MB' (Danish thousands separator) for messages."""
    return f"{n / 1024 / 1024:,.0f}".replace(",", ".") + " MB"


def _too_large(size: int, limit: int) -> InputFileError:
    return InputFileError(
        f"Filen er for stor ({fmt_bytes(size)}); højst {fmt_bytes(limit)} kan indlæses. "
        "Del filen op eller udtræk kun de nødvendige rækker.",
        f"The file is too large ({size} bytes); at most {limit} bytes can be read.",
    )


def source_name_and_date(path_or_buffer: PathOrBuffer) -> tuple[str, str]:
    """File name and modification date (YYYY-MM-DD), or 'upload'/'ukendt' for buffers."""
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        try:
            return path.name, date.fromtimestamp(path.stat().st_mtime).isoformat()
        except OSError:
            return path.name, "ukendt"
    return str(getattr(path_or_buffer, "name", "") or "upload"), "ukendt"


def read_bytes(path_or_buffer: PathOrBuffer, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """All bytes of the input; InputFileError if missing, unreadable, empty or over `max_bytes`.

    The size of a file on disk or a seekable buffer is checked before anything is read.
    """
    if isinstance(path_or_buffer, (str, os.PathLike)):
        path = Path(path_or_buffer)
        if not path.is_file():
            raise InputFileError(f"Filen findes ikke: {path}", f"File not found: {path}")
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_large(size, max_bytes)
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(
                f"Filen kunne ikke læses: {path.name} ({exc})",
                f"Could not read {path.name}: {exc}",
            ) from exc
    elif isinstance(path_or_buffer, (bytes, bytearray, memoryview)):
        data = bytes(path_or_buffer)
    elif hasattr(path_or_buffer, "read"):
        try:
            if hasattr(path_or_buffer, "seek"):
                size = path_or_buffer.seek(0, io.SEEK_END)
                if isinstance(size, int) and size > max_bytes:
                    raise _too_large(size, max_bytes)
                path_or_buffer.seek(0)
            data = path_or_buffer.read(max_bytes + 1)
        except (OSError, ValueError) as exc:
            raise InputFileError(f"Filen kunne ikke læses ({type(exc).__name__}).",
                                 f"Could not read the file ({type(exc).__name__}).") from exc
        if isinstance(data, str):
            data = data.encode("utf-8", errors="replace")
    else:
        raise InputFileError(
            f"Ukendt inputtype: {type(path_or_buffer).__name__}",
            f"Unknown input type: {type(path_or_buffer).__name__}",
        )
    if not data or not data.strip():
        raise InputFileError("Filen er tom.", "The file is empty.")
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    return data


def is_zip(data: bytes) -> bool:
    """True for a zip archive (also .xlsx, which is a zip)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def check_zip(
    data: bytes,
    what_da: str,
    what_en: str,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
    max_entries: int = MAX_ZIP_ENTRIES,
) -> None:
    """Refuse a corrupt zip or one that would unpack too large, from its central directory only.

    Nothing is extracted: the uncompressed sizes the archive declares are summed first.
    (Python's zipfile never inflates a member beyond its declared size, so the declared sum
    bounds what a later reader can unpack.)
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:
        raise InputFileError(
            f"Zip-filen ({what_da}) er beskadiget eller afkortet og kan ikke åbnes.",
            f"The zip file ({what_en}) is corrupt or truncated ({type(exc).__name__}).",
        ) from exc
    if len(infos) > max_entries:
        raise InputFileError(
            f"Zip-filen ({what_da}) indeholder {len(infos):,} filer; højst {max_entries:,} er "
            "tilladt.".replace(",", "."),
            f"The zip file ({what_en}) holds {len(infos)} files; at most {max_entries} allowed.",
        )
    total = sum(max(int(i.file_size), 0) for i in infos)
    if total > max_unzipped:
        raise InputFileError(
            f"Zip-filen ({what_da}) fylder {fmt_bytes(total)} udpakket; højst "
            f"{fmt_bytes(max_unzipped)} er tilladt. Filen er ikke pakket ud.",
            f"The zip file ({what_en}) unpacks to {total} bytes; at most {max_unzipped} "
            "allowed. Nothing was extracted.",
        )


def read_geo(path_or_buffer: PathOrBuffer, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON, GeoPackage or zipped Shapefile; InputFileError with a Danish message if not.

    Only the bytes are used (read by Python, never by GDAL from a path or URL): the format is
    decided from them (`geo.data.sources.geoformat.read_vector`), a zip is checked with `check_zip`
    first, and the feature, vertex and complexity caps are checked before any geometry is
    validated or repaired. Missing and empty geometries are dropped. Callers check
    `check_in_denmark` once columns are known.
    """
    data = read_bytes(path_or_buffer)
    if is_zip(data):
        check_zip(data, what_da, what_en)
    gdf = read_vector(data, what_da, what_en)
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise InputFileError(
            f"Filen indeholder ingen geometrier ({what_da}).",
            f"The file contains no geometries ({what_en}).",
        )
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    gdf = gdf[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if gdf.empty:
        raise InputFileError(
            f"Filen indeholder ingen geometrier ({what_da}).",
            f"The file contains no geometries ({what_en}).",
        )
    try:
        out = to_metric(gdf)
    except Exception as exc:  # unknown CRS, non-finite coordinates, …
        raise InputFileError(
            f"Koordinaterne i filen ({what_da}) kunne ikke omregnes til EPSG:25832: "
            f"{type(exc).__name__}.",
            f"The coordinates ({what_en}) could not be transformed to EPSG:25832: {exc}",
        ) from exc
    check_complexity(out.geometry.values, what_da, what_en)
    return out


def check_in_denmark(gdf: gpd.GeoDataFrame, what_da: str, what_en: str) -> None:
    """CoordinateError unless the (EPSG:25832) layer overlaps Denmark; names swapped axes."""
    bounds = np.asarray(gdf.total_bounds, dtype=float)
    w, s, e, n = DENMARK_BBOX_METRIC
    if np.isfinite(bounds).all() and bounds[0] <= e and bounds[2] >= w and bounds[1] <= n \
            and bounds[3] >= s:
        return
    lon0, lat0, lon1, lat1 = DENMARK_BBOX_LONLAT
    hint_da = hint_en = ""
    try:  # would the data lie in Denmark with x and y swapped (GeoJSON written as [lat, lon])?
        swapped = gpd.GeoSeries(
            shapely.transform(to_crs(gdf.geometry, "EPSG:4326").values, lambda xy: xy[:, ::-1]),
            crs="EPSG:4326",
        )
        minx, miny, maxx, maxy = swapped.total_bounds
        if lon0 <= minx and maxx <= lon1 and lat0 <= miny and maxy <= lat1:
            hint_da = " Bredde- og længdegrad ser ud til at være byttet om ([lat, lon] i stedet for [lon, lat])."
            hint_en = " Latitude and longitude look swapped."
    except Exception:  # noqa: BLE001 - only for the hint
        pass
    raise CoordinateError(
        f"Geometrierne i filen ({what_da}) ligger ikke i Danmark.{hint_da} Kontrollér "
        "koordinatsystemet (EPSG:25832 eller EPSG:4326).",
        f"The geometries ({what_en}) do not lie in Denmark.{hint_en}",
    )


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop Z, guess EPSG:25832 for metric coordinates without a usable CRS, reproject."""
    gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.values))
    minx, miny, maxx, maxy = gdf.total_bounds
    looks_metric = max(abs(minx), abs(miny), abs(maxx), abs(maxy)) > 360
    if gdf.crs is None or (looks_metric and gdf.crs.is_geographic):
        # GeoJSON without a crs member is read as CRS84; Datafordeleren delivers EPSG:25832.
        gdf = gdf.set_crs(CRS_METRIC if looks_metric else "EPSG:4326", allow_override=True)
    return to_crs(gdf, CRS_METRIC)


def find_column(columns: pd.Index, candidates: tuple[str, ...]) -> str | None:
    """First column whose name matches one of the candidates, ignoring case."""
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in candidates:
        if cand in lower:
            return lower[cand]
    return None


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """make_valid and keep only the polygon parts (Polygon or MultiPolygon, or None).

    The 'structure' method (rings unioned as shells and holes) repairs crossings in time that
    grows with their number, which `read_geo` has capped (`MAX_EDGE_CROSSINGS`).
    """
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
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
