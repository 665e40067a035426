"""Municipal boundaries from a DAGI file (FOT GeoJSON, Datafordeleren export, GPKG, SHP)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_crs
from geo.data.provenance import Provenance
from geo.data.schema import MUNICIPALITIES
from geo.data.sources.filedate import data_date
from geo.data.sources.geofile import (
    PathOrBuffer,
    check_in_denmark,
    dissolve_polygons,
    find_column,
    read_geo,
    source_name_and_date,
)
from geo.errors import InputFileError
from geo.settings import CRS_METRIC

SOURCE = "Klimadatastyrelsen, DAGI (kommuneinddeling)"
CODE_COLUMNS = ("kommunekode", "kommunekod", "komkode", "kom_kode", "kode", "lau1", "lau_1")
NAME_COLUMNS = ("navn", "komnavn", "kommunenavn", "kom_navn", "name")


def normalise_code(value: object) -> str | None:
    """'253', 253, 253.0, '0253' -> '0253'; anything else -> None."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        return None
    return text.zfill(4)


def read_boundaries(
    path_or_buffer: PathOrBuffer,
    population: Mapping[str, int] | None = None,
    only_codes: Iterable[str] | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance]:
    """Read municipal boundaries, one (Multi)Polygon per municipality, in EPSG:25832.

    Columns: kommunekode (4-digit string), navn, population (float; NaN unless given).

    Raises
    ------
    InputFileError
        Not a geo file, empty, too large, a zip bomb, no municipality-code column, or no
        polygons.
    CoordinateError
        The geometries do not lie in Denmark (the message says when axes look swapped).
    """
    raw = read_geo(path_or_buffer, "kommunegrænser", "municipal boundaries")
    code_col = find_column(raw.columns, CODE_COLUMNS)
    if code_col is None:
        cols = ", ".join(str(c) for c in raw.columns if c != raw.geometry.name)
        raise InputFileError(
            f"Filen med kommunegrænser mangler en kolonne med kommunekode "
            f"(fx 'kommunekode' eller 'KOMKODE'). Fundne kolonner: {cols or 'ingen'}.",
            f"The boundary file lacks a municipality-code column "
            f"('kommunekode' or 'KOMKODE'). Columns found: {cols or 'none'}.",
        )
    check_in_denmark(raw, "kommunegrænser", "municipal boundaries")
    name_col = find_column(raw.columns, NAME_COLUMNS)
    gdf = gpd.GeoDataFrame(
        {
            "kommunekode": [normalise_code(v) for v in raw[code_col]],
            "navn": raw[name_col].astype(object) if name_col else None,
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )
    bad = int(gdf["kommunekode"].isna().sum())
    if bad == len(gdf):
        raise InputFileError(
            f"Ingen gyldige kommunekoder i kolonnen '{code_col}' (forventet 4 cifre, fx '0253').",
            f"No valid municipality codes in column '{code_col}' (expected 4 digits).",
        )
    gdf = gdf[gdf["kommunekode"].notna()]
    if only_codes is not None:
        wanted = {normalise_code(c) for c in only_codes}
        gdf = gdf[gdf["kommunekode"].isin(wanted)]
        if gdf.empty:
            raise InputFileError(
                "Filen indeholder ingen af de valgte kommuner.",
                "The file contains none of the requested municipalities.",
            )
    out = dissolve_polygons(gdf, by="kommunekode", first=["navn"])
    out = out[out.geometry.notna()]
    if out.empty:
        raise InputFileError(
            "Filen med kommunegrænser indeholder ingen polygoner.",
            "The boundary file contains no polygons.",
        )
    pop = {normalise_code(k): v for k, v in (population or {}).items()}
    out["population"] = pd.Series(
        [float(pop[c]) if c in pop else np.nan for c in out["kommunekode"]],
        index=out.index,
        dtype="float64",
    )
    out = out[["kommunekode", "navn", "population", "geometry"]].reset_index(drop=True)
    out = to_crs(out, CRS_METRIC)
    name, _ = source_name_and_date(path_or_buffer)
    when = data_date(path_or_buffer, raw)
    prov = Provenance(
        layer=MUNICIPALITIES.name_da,
        source=f"{SOURCE}, {name}",
        date=when,
        method=f"{len(gdf)} polygondele samlet til {len(out)} kommuner (dissolve pr. kommunekode)"
        + (f"; {bad} objekter uden gyldig kommunekode sprunget over" if bad else ""),
        quality="real",
        url="https://datafordeler.dk",
    )
    return out, prov


def municipalities_frame(
    rows: list[dict[str, Any]],
    regions: pd.DataFrame | None = None,
    population: Mapping[str, int] | None = None,
) -> gpd.GeoDataFrame:
    """Rows (kommunekode, navn, [regionLokalid], geometry in EPSG:25832) -> dissolved layer."""
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=CRS_METRIC)
    gdf = gdf[gdf["kommunekode"].notna() & gdf.geometry.notna()]
    if "regionLokalid" not in gdf:
        gdf["regionLokalid"] = None
    out = dissolve_polygons(gdf, by="kommunekode", first=["navn", "regionLokalid"])
    if regions is not None and len(regions):
        lookup = regions.set_index("id_lokalId")
        out["regionskode"] = out["regionLokalid"].map(lookup["regionskode"])
        out["regionsnavn"] = out["regionLokalid"].map(lookup["regionsnavn"])
    else:
        out["regionskode"] = None
        out["regionsnavn"] = None
    pop = {normalise_code(k): v for k, v in (population or {}).items()}
    out["population"] = pd.Series([float(pop.get(c, np.nan)) for c in out["kommunekode"]],
                                  index=out.index, dtype="float64")
    cols = ["kommunekode", "navn", "population", "regionskode", "regionsnavn", "geometry"]
    return gpd.GeoDataFrame(out[cols].reset_index(drop=True), geometry="geometry", crs=CRS_METRIC)
