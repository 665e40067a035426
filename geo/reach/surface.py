"""The suitability grid: H3 hexagons over the municipalities in use, every site indicator per cell.

Cells are H3 hexagons (Uber's hierarchical hexagonal grid, the `h3` package) whose centre
lies in a K17 municipality (all municipalities when the layer holds no K17 one). A cell's
centre is the H3 centre rounded to 5 decimals of latitude and longitude, the precision of a
site, so a site placed at a cell centre ("Tilføj som lokalitet") has exactly that cell's
indicators: cells and sites both go through `geo.reach.indicators.measure`.

The cell indicators are the expensive part (one travel-time search per cell); they are
kept on disk per data state, cluster, method and resolution (`cached_cells`), so the CLI
and the app compute them once and a weight change only recolours.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely import Polygon

from geo.crs import to_crs
from geo.data.spatial import assign_municipality
from geo.errors import KlyngestedError
from geo.reach import indicators
from geo.reach.indicators import IndicatorContext
from geo.settings import CRS_DISPLAY, CRS_METRIC, K17_CODES

#: H3 resolution of the surface: ~5.2 km² per cell, about 1,400 cells over K17's land.
RESOLUTION = 7
#: The finer level offered on zoom: ~0.74 km² per cell, about 10,000 cells over K17.
FINE_RESOLUTION = 8
#: Bump when the indicator set or the grid rules change: old cached cells are then ignored.
CACHE_VERSION = "1"
#: Environment variable naming the folder of cached surfaces.
ENV_SURFACE_CACHE = "KLYNGESTED_SURFACE_CACHE"
DEFAULT_CACHE = Path("~/.cache/klyngested/surface")
#: Columns describing a cell (the rest are indicators).
CELL_COLUMNS = ("cell", "lat", "lon", "kommunekode", "kommune", "x", "y")


class SurfaceError(KlyngestedError):
    """The suitability grid cannot be made (no municipalities, bad resolution)."""


def hex_grid(municipalities: gpd.GeoDataFrame, resolution: int = RESOLUTION,
             codes: tuple[str, ...] = K17_CODES) -> gpd.GeoDataFrame:
    """H3 cells whose centre lies in the municipalities (the K17 ones when present).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell, lat, lon, kommunekode, kommune, x, y`` and the hexagon in EPSG:25832;
        ``x, y`` is the rounded centre in metres, exactly as a site at ``lat, lon``.
    """
    if not 0 <= int(resolution) <= 10:
        raise SurfaceError("Opløsningen skal være et helt tal fra 0 til 10 (7 ≈ 5 km² pr. celle).",
                           "The resolution must be an integer from 0 to 10.")
    used = municipalities[municipalities["kommunekode"].isin(codes)]
    used = used if len(used) else municipalities
    if used.empty:
        raise SurfaceError("Kommunelaget er tomt; der er intet område at lægge et kort over egnethed på.",
                           "The municipality layer is empty.")
    area = to_crs(used, CRS_DISPLAY).geometry.union_all()
    cells = sorted(h3.geo_to_cells(area, int(resolution)))
    centres = np.round(np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2), 5)
    points = to_crs(gpd.GeoSeries(gpd.points_from_xy(centres[:, 1], centres[:, 0]), crs=CRS_DISPLAY), CRS_METRIC)
    hexes = to_crs(gpd.GeoSeries([Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells],
                                 crs=CRS_DISPLAY), CRS_METRIC)
    grid = gpd.GeoDataFrame({"cell": cells, "lat": centres[:, 0], "lon": centres[:, 1]}, geometry=hexes.values)
    codes_found = assign_municipality(gpd.GeoDataFrame(geometry=points.values, crs=CRS_METRIC), municipalities)
    names = municipalities.set_index("kommunekode")["navn"]
    grid["kommunekode"] = codes_found.to_numpy()
    grid["kommune"] = [names.get(c, "uden for kommunelaget") if c else "uden for kommunelaget" for c in grid["kommunekode"]]
    grid["x"], grid["y"] = points.x.to_numpy(), points.y.to_numpy()
    return grid[[*CELL_COLUMNS, "geometry"]]


_WORKER_CTX: IndicatorContext | None = None


def _init_worker(ctx: IndicatorContext) -> None:
    global _WORKER_CTX  # one context per worker process, sent once
    _WORKER_CTX = ctx


def _worker_frame(xys: np.ndarray) -> pd.DataFrame:
    assert _WORKER_CTX is not None
    return indicators.indicator_frame(_WORKER_CTX, xys)


def cell_indicators(ctx: IndicatorContext, grid: gpd.GeoDataFrame, workers: int = 1) -> gpd.GeoDataFrame:
    """The grid with every site indicator per cell, computed at the cell centres.

    Parameters
    ----------
    workers : int
        Processes sharing the cells (the travel-time search holds the GIL, so threads
        would not help); 1 computes in this process.
    """
    xys = grid[["x", "y"]].to_numpy(float)
    if workers > 1 and len(xys) > workers * indicators.BATCH:
        chunks = np.array_split(xys, workers * 8)
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_init_worker,
                                 initargs=(ctx,)) as pool:
            table = pd.concat(list(pool.map(_worker_frame, chunks)), ignore_index=True)
    else:
        table = indicators.indicator_frame(ctx, xys)
    return gpd.GeoDataFrame(pd.concat([grid.reset_index(drop=True).drop(columns="geometry"), table], axis=1),
                            geometry=grid.geometry.values, crs=grid.crs)


def cache_folder() -> Path:
    """$KLYNGESTED_SURFACE_CACHE or ~/.cache/klyngested/surface."""
    value = os.environ.get(ENV_SURFACE_CACHE, "").strip()
    return Path(value or DEFAULT_CACHE).expanduser()


def cache_key(ctx: IndicatorContext, municipalities: gpd.GeoDataFrame, resolution: int) -> str:
    """Hash of everything the cell indicators depend on: data arrays, municipalities, engine, grid."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (ctx.points_xy, ctx.wp_employees, ctx.wp_k17, ctx.muni_pop, ctx.inst_kind.astype(str),
                  ctx.muni_code.astype(str), np.asarray(ctx.thresholds)):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(b"".join(municipalities.geometry.to_wkb()))
    digest.update(",".join(municipalities["kommunekode"].astype(str)).encode())
    digest.update(f"{CACHE_VERSION}|{resolution}|{ctx.engine.fingerprint()}|{ctx.data_label}".encode())
    return digest.hexdigest()


def cached_cells(ctx: IndicatorContext, municipalities: gpd.GeoDataFrame, resolution: int = RESOLUTION,
                 workers: int = 1, folder: Path | None = None) -> tuple[gpd.GeoDataFrame, bool]:
    """Cell indicators from the disk cache, or computed and stored (atomically).

    Returns
    -------
    cells, from_cache
    """
    folder = cache_folder() if folder is None else folder
    path = folder / f"cells_{cache_key(ctx, municipalities, resolution)}.parquet"
    if path.is_file():
        try:
            return gpd.read_parquet(path), True
        except (OSError, ValueError):
            path.unlink(missing_ok=True)  # a damaged cache file is recomputed
    cells = cell_indicators(ctx, hex_grid(municipalities, resolution), workers)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        cells.to_parquet(tmp)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs the next run the computation
    return cells, False
