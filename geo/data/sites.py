"""Candidate sites: validation of typed or uploaded coordinates and the lead municipality."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_crs, transform
from geo.data.spatial import assign_municipality
from geo.errors import CoordinateError, InputFileError, SiteNameError
from geo.settings import CRS_DISPLAY, CRS_METRIC, DENMARK_BBOX_LONLAT, MAX_SITE_NAME
from geo.text import plain


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


#: Most sites read from one site list (a scenario holds at most as many; see geo.report.scenario).
MAX_SITES = 200
#: Largest site-list file (bytes).
MAX_SITE_FILE_BYTES = 5 * 1024 * 1024


def clean_name(name: object, fallback: str) -> str:
    """A site name as one line of plain text.

    Invisible format characters (zero-width, bidi overrides and isolates, U+FEFF) are
    removed, control characters and runs of whitespace become one space, the ends are
    trimmed and the name is cut to `MAX_SITE_NAME` characters. Markup is kept as text (it
    is escaped wherever it is shown, see `geo.text.md`).

    Parameters
    ----------
    name
        The name as typed, uploaded or read from a link or file (any value).
    fallback
        Used when nothing visible is left (e.g. ``"Lokalitet 3"``).

    Returns
    -------
    str
        A non-empty name of at most `MAX_SITE_NAME` characters.
    """
    text = " ".join(plain(name).split())[:MAX_SITE_NAME].rstrip()
    return text or " ".join(plain(fallback).split())[:MAX_SITE_NAME]


def unique_name(name: str, taken: Collection[str]) -> str:
    """`name`, or ``"name (2)"``, ``"name (3)"`` … when it is already among `taken`.

    The base is shortened so the result stays within `MAX_SITE_NAME` characters.
    """
    candidate, k = name, 2
    while candidate in taken:
        suffix = f" ({k})"
        candidate = name[:MAX_SITE_NAME - len(suffix)].rstrip() + suffix
        k += 1
    return candidate


def clean_sites(sites: Iterable[Site], taken: Collection[str] = ()) -> list[Site]:
    """Sites with clean names, unique among themselves and against `taken`.

    Every entry path (form, town picker, map click, table rename, link, scenario, site
    list, CLI) and `sites_frame` pass through here, so two sites never share a name.
    Unnamed sites become ``"Lokalitet n"``.
    """
    seen = set(taken)
    out = []
    for site in sites:
        name = unique_name(clean_name(site.name, f"Lokalitet {len(seen) + 1}"), seen)
        seen.add(name)
        out.append(site if name == site.name else replace(site, name=name))
    return out


def check_unique_names(names: Iterable[object]) -> None:
    """Raise SiteNameError (Danish) when two sites share a name.

    For frames made without `sites_frame` (which makes names unique): the indicator
    table, the ranking, the co-financing benefit and the reports are keyed by name.
    """
    seen: set[str] = set()
    for name in map(str, names):
        if name in seen:
            raise SiteNameError(f"To lokaliteter hedder '{name}'; giv dem forskellige navne.",
                                f"Two sites are called '{name}'; give them different names.")
        seen.add(name)


def _coordinate(values: pd.Series) -> pd.Series:
    """Numbers from text with decimal comma or point; anything else (and inf) -> NaN."""
    text = values.astype(object).where(values.notna(), "").astype(str).str.strip()
    text = text.str.replace("\u2212", "-", regex=False).str.replace(",", ".", regex=False)
    numeric = text.str.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", na=False)
    numbers = pd.to_numeric(text.where(numeric, ""), errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def read_sites_csv(data: bytes | str) -> tuple[list[Site], list[str]]:
    """Read a site list with columns navn,lat,lon (',' ';' or tab, decimal comma allowed).

    Swapped lat/lon and EPSG:25832 metres are corrected with a note; rows outside
    Denmark or without coordinates are dropped and counted in the notes. At most
    `MAX_SITES` sites and `MAX_SITE_FILE_BYTES` bytes; larger lists are refused in Danish.
    """
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > MAX_SITE_FILE_BYTES:
        raise InputFileError(
            f"Filen med lokaliteter er for stor ({size / 1024 / 1024:.1f} MB); højst "
            f"{MAX_SITE_FILE_BYTES // (1024 * 1024)} MB og {MAX_SITES} lokaliteter.".replace(".", ",", 1),
            f"The site file is too large ({size} bytes); at most {MAX_SITE_FILE_BYTES} bytes.",
        )
    text = _decode(data).replace("\x00", "")
    if not text.strip():
        raise InputFileError("Filen med lokaliteter er tom.", "The site file is empty.")
    first = next((line for line in text.splitlines() if line.strip()), "")
    sep = max((";", ",", "\t"), key=first.count)
    bad_rows: list[list[str]] = []
    try:
        with warnings.catch_warnings():  # short/long rows are counted below instead
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, skipinitialspace=True,
                             nrows=MAX_SITES + 1, engine="python", index_col=False,
                             on_bad_lines=lambda fields: bad_rows.append(fields))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as err:
        raise InputFileError(
            f"Filen med lokaliteter kunne ikke læses som CSV ({type(err).__name__}). "
            "Forventet: kolonnerne navn, lat, lon adskilt af ',' eller ';'.",
            f"The site file could not be read as CSV: {err}",
        ) from err
    if len(df) > MAX_SITES:
        raise InputFileError(
            f"Filen har mere end {MAX_SITES} lokaliteter; højst {MAX_SITES} kan indlæses ad gangen.",
            f"The file has more than {MAX_SITES} sites; at most {MAX_SITES} can be read.",
        )
    aliases = {"name": "navn", "latitude": "lat", "breddegrad": "lat", "longitude": "lon",
               "lng": "lon", "laengdegrad": "lon", "længdegrad": "lon"}
    seen: set[str] = set()
    columns = []
    for column in df.columns:  # first of duplicate or aliased headers wins
        key = str(column).strip().lower().lstrip("\ufeff").strip('"')
        key = aliases.get(key, key)
        columns.append(key if key not in seen else f"_dup_{len(columns)}")
        seen.add(key)
    df.columns = columns
    missing = [c for c in ("navn", "lat", "lon") if c not in df.columns]
    if missing:
        raise InputFileError(
            f"Filen med lokaliteter mangler kolonnerne: {', '.join(missing)} (forventet: navn, lat, lon).",
            f"The site file lacks columns: {', '.join(missing)}.",
        )
    lat = _coordinate(df["lat"])
    lon = _coordinate(df["lon"])
    sites: list[Site] = []
    swapped = metric = no_coords = outside = 0
    for name, la, lo in zip(df["navn"], lat, lon, strict=True):
        if pd.isna(la) or pd.isna(lo):
            no_coords += 1
            continue
        if abs(la) > 1000 and abs(lo) > 1000:  # metres, EPSG:25832 given as lat/lon
            x, y = (lo, la) if la > lo else (la, lo)
            lo, la = transform(CRS_METRIC, CRS_DISPLAY, x, y)
            metric += 1
        if not in_denmark(la, lo) and in_denmark(lo, la):
            la, lo = lo, la
            swapped += 1
        if not in_denmark(la, lo):
            outside += 1
            continue
        sites.append(Site(clean_name(name, f"Lokalitet {len(sites) + 1}"), float(la), float(lo)))
    unique = clean_sites(sites)
    renamed = [b.name for a, b in zip(sites, unique, strict=True) if a.name != b.name]
    notes = []
    if renamed:
        notes.append(f"{len(renamed)} lokalitet(er) havde samme navn som en anden og fik et nummer, fx '{renamed[0]}'.")
    if swapped:
        notes.append(f"{swapped} lokalitet(er) havde bredde- og længdegrad byttet om og blev rettet.")
    if metric:
        notes.append(f"{metric} lokalitet(er) var angivet i meter (EPSG:25832) og blev omregnet.")
    reasons = [f"{no_coords} med manglende eller ugyldige koordinater" if no_coords else "",
               f"{outside} uden for Danmark" if outside else "",
               f"{len(bad_rows)} med for mange felter (sæt navne med '{sep}' i anførselstegn)"
               if bad_rows else ""]
    detail = ", ".join(r for r in reasons if r)
    if detail:
        notes.append(f"{no_coords + outside + len(bad_rows)} række(r) blev sprunget over: {detail}.")
    if not sites:
        raise InputFileError(
            "Filen indeholder ingen gyldige lokaliteter i Danmark" + (f" ({detail})." if detail else "."),
            "No valid sites in Denmark.",
        )
    return unique, notes


def sites_frame(sites: list[Site], municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Sites as a GeoDataFrame in EPSG:25832 with the lead municipality by point-in-polygon.

    Names are cleaned and made unique (`clean_sites`), so everything computed from the
    frame can index by name.
    """
    sites = clean_sites(sites)
    points = to_crs(gpd.GeoSeries(gpd.points_from_xy([s.lon for s in sites], [s.lat for s in sites]),
                                  crs=CRS_DISPLAY), CRS_METRIC)
    codes = assign_municipality(points, municipalities).tolist() if sites else []
    names = dict(zip(municipalities["kommunekode"], municipalities["navn"], strict=True))
    return gpd.GeoDataFrame(
        {"name": [s.name for s in sites], "lat": [s.lat for s in sites], "lon": [s.lon for s in sites],
         "geometry": points.values, "kommunekode": codes,
         "kommune": [names.get(c, "uden for kommunelaget") if c else "uden for kommunelaget" for c in codes]},
        crs=CRS_METRIC,
    )


def _decode(data: bytes | str) -> str:
    """Text of a site list: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if isinstance(data, str):
        return data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096] or data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            "Filen med lokaliteter er ikke en tekstfil (CSV). Gem den som CSV (navn, lat, lon).",
            "The site file is not a text (CSV) file.",
        )
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputFileError("Filens tegnsæt kunne ikke genkendes (brug UTF-8).", "Unknown encoding.")
