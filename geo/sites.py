"""Candidate sites: validation of typed or uploaded coordinates and the lead municipality."""

from __future__ import annotations

import io
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from pyproj import Transformer

from geo.errors import CoordinateError, InputFileError
from geo.settings import CRS_DISPLAY, CRS_METRIC, DENMARK_BBOX_LONLAT

_TO_LONLAT = Transformer.from_crs(CRS_METRIC, CRS_DISPLAY, always_xy=True)


@dataclass(frozen=True)
class Site:
    """A candidate site as the user made it (WGS84)."""

    name: str
    lat: float
    lon: float


def in_denmark(lat: float, lon: float) -> bool:
    """True when the point lies inside Denmark's bounding box."""
    w, s, e, n = DENMARK_BBOX_LONLAT
    return w <= lon <= e and s <= lat <= n


def check_lonlat(lat: float, lon: float) -> None:
    """Raise CoordinateError with a Danish hint when a point is not in Denmark."""
    if pd.isna(lat) or pd.isna(lon):
        raise CoordinateError("Koordinaterne mangler.", "Coordinates are missing.")
    if in_denmark(lat, lon):
        return
    if in_denmark(lon, lat):
        raise CoordinateError(
            f"Punktet ({lat:.4f}, {lon:.4f}) ligger uden for Danmark – bredde- og længdegrad ser ud til at være byttet om. "
            "Breddegrad (lat) er ca. 54–58, længdegrad (lon) ca. 8–15.",
            f"Point ({lat:.4f}, {lon:.4f}) is outside Denmark; latitude and longitude look swapped.",
        )
    raise CoordinateError(
        f"Punktet ({lat:.4f}, {lon:.4f}) ligger uden for Danmark. Breddegrad skal være ca. 54–58 og længdegrad ca. 8–15.",
        f"Point ({lat:.4f}, {lon:.4f}) is outside Denmark.",
    )


def read_sites_csv(data: bytes | str) -> tuple[list[Site], list[str]]:
    """Read a site list with columns navn,lat,lon (',' or ';', decimal comma allowed).

    Swapped lat/lon and EPSG:25832 metres are corrected with a note; rows outside
    Denmark or without coordinates are dropped and counted in the notes.
    """
    text = _decode(data)
    if not text.strip():
        raise InputFileError("Filen med lokaliteter er tom.", "The site file is empty.")
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as err:
        raise InputFileError(f"Filen med lokaliteter kunne ikke læses som CSV ({err}).", str(err)) from err
    df.columns = [str(c).strip().lower().lstrip("\ufeff") for c in df.columns]
    df = df.rename(columns={"name": "navn", "latitude": "lat", "longitude": "lon", "lng": "lon"})
    missing = [c for c in ("navn", "lat", "lon") if c not in df.columns]
    if missing:
        raise InputFileError(
            f"Filen med lokaliteter mangler kolonnerne: {', '.join(missing)} (forventet: navn, lat, lon).",
            f"The site file lacks columns: {', '.join(missing)}.",
        )
    lat = pd.to_numeric(df["lat"].str.replace(",", ".", regex=False), errors="coerce")
    lon = pd.to_numeric(df["lon"].str.replace(",", ".", regex=False), errors="coerce")
    sites: list[Site] = []
    swapped = metric = dropped = 0
    for name, la, lo in zip(df["navn"].fillna("").astype(str), lat, lon, strict=True):
        if pd.isna(la) or pd.isna(lo):
            dropped += 1
            continue
        if la > 1000 and lo > 1000:  # metres, EPSG:25832 given as lat/lon
            x, y = (lo, la) if la > lo else (la, lo)
            lo, la = _TO_LONLAT.transform(x, y)
            metric += 1
        if not in_denmark(la, lo) and in_denmark(lo, la):
            la, lo = lo, la
            swapped += 1
        if not in_denmark(la, lo):
            dropped += 1
            continue
        sites.append(Site(name.strip() or f"Lokalitet {len(sites) + 1}", float(la), float(lo)))
    notes = []
    if swapped:
        notes.append(f"{swapped} lokalitet(er) havde bredde- og længdegrad byttet om og blev rettet.")
    if metric:
        notes.append(f"{metric} lokalitet(er) var angivet i meter (EPSG:25832) og blev omregnet.")
    if dropped:
        notes.append(f"{dropped} række(r) blev sprunget over: manglende koordinater eller uden for Danmark.")
    if not sites:
        raise InputFileError("Filen indeholder ingen gyldige lokaliteter i Danmark.", "No valid sites in Denmark.")
    return sites, notes


def sites_frame(sites: list[Site], municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sites as a GeoDataFrame in EPSG:25832 with the lead municipality by point-in-polygon."""
    from geo.spatial import assign_municipality

    gdf = gpd.GeoDataFrame(
        {"name": [s.name for s in sites], "lat": [s.lat for s in sites], "lon": [s.lon for s in sites]},
        geometry=gpd.points_from_xy([s.lon for s in sites], [s.lat for s in sites]),
        crs=CRS_DISPLAY,
    ).to_crs(CRS_METRIC)
    codes = assign_municipality(gdf, municipalities) if len(gdf) else pd.Series([], dtype=object)
    names = municipalities.set_index("kommunekode")["navn"]
    gdf["kommunekode"] = codes.to_numpy() if len(gdf) else []
    gdf["kommune"] = [names.get(c, "uden for kommunelaget") if c else "uden for kommunelaget" for c in gdf["kommunekode"]]
    return gdf


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError("Filens tegnsæt kunne ikke genkendes (brug UTF-8).", "Unknown encoding.")
