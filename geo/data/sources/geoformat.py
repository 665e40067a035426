"""Open polygon files by what their bytes are, never by their name, and only with allowed readers.

Accepted: GeoJSON (parsed here with `json` and shapely: GDAL's GeoJSON driver would fetch a
`crs` link from the network), GeoPackage (a SQLite file with a GeoPackage application id,
without views or foreign virtual tables, read by GDAL's GPKG driver) and a zipped Shapefile
(or a zip holding one GeoJSON/GeoPackage). Everything else – GDAL VRT, GML, KML or any other
XML, `/vsi*` paths, plain SQLite, nested zips – is refused with a Danish `InputFileError`
before GDAL sees it. GDAL only ever opens bytes this module has checked, written to a private
temporary folder under names chosen here, and the driver it picked is checked before reading.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
from shapely.geometry import shape

from geo.data.sources.geolimits import check_counts, check_features
from geo.errors import InputFileError
from geo.settings import MAX_GEO_FEATURES, MAX_GEOJSON_BYTES

SQLITE_MAGIC = b"SQLite format 3\x00"
#: GeoPackage application ids (SQLite header offset 68): 1.2+ and the 1.0/1.1 drafts.
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
SHP_MAGIC = b"\x00\x00\x27\x0a"
#: Zip members that hold a layer, and the Shapefile parts read beside a .shp.
LAYER_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
SHAPE_PARTS = (".shx", ".dbf", ".prj", ".cpg")
#: Sidecar files GIS programs put beside a Shapefile; allowed in a zip, never read.
IGNORED_SUFFIXES = (".sbn", ".sbx", ".qix", ".qmd", ".shp.xml", ".txt")
#: Nesting depth of coordinates per GeoJSON geometry type (0: one position).
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}
_EPSG = re.compile(r"(?:urn:ogc:def:crs:)?EPSG:{1,2}(?:[0-9.]*:)?([0-9]{4,5})", re.I)
_CRS84 = re.compile(r"(?:urn:ogc:def:crs:)?OGC:(?:1\.3:)?CRS84", re.I)
_WKT = re.compile(rb"\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|PROJCRS|GEOGCRS|GEODCRS|BOUNDCRS|COMPOUNDCRS)\s*\[")
_CPG = re.compile(rb"\s*[A-Za-z0-9_. -]{1,40}\s*")
_SAFE_PART = re.compile(r"[^/\\:\x00-\x1f]{1,255}")


def _refuse(what_da: str, what_en: str, why_da: str, why_en: str) -> InputFileError:
    return InputFileError(
        f"Filen kunne ikke læses som {what_da}: {why_da} Brug GeoJSON, GeoPackage eller en "
        "zippet Shapefile.",
        f"The file could not be read as {what_en}: {why_en}",
    )


def _shown(name: str) -> str:
    """A member name fit for a message: printable, at most 60 characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in name)
    return text if len(text) <= 60 else text[:57] + "..."


def read_vector(data: bytes, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """The layer in `data` (GeoJSON, GeoPackage or zip), in its own CRS (None if it names none).

    The format is decided from the first bytes. Feature and vertex caps are checked before
    any geometry is checked or repaired (`geo.data.sources.geolimits.check_counts`).

    Raises
    ------
    InputFileError
        Not an allowed format (XML such as a GDAL VRT, plain SQLite, unknown bytes), a zip
        member with a path outside the archive or a disallowed type, or a cap exceeded.
    """
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return _geojson(data, what_da, what_en)
    if data.startswith(SQLITE_MAGIC):
        return _geopackage(data, what_da, what_en)
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zipped(data, what_da, what_en)
    if head[:1] == b"<":
        raise _refuse(what_da, what_en, "filen er XML (fx GDAL VRT, GML eller KML), som ikke indlæses.",
                      "the file is XML (e.g. a GDAL VRT, GML or KML), which is not read.")
    raise _refuse(what_da, what_en, "formatet blev ikke genkendt.", "unknown format.")


# --------------------------------------------------------------------------- GeoJSON


def _geojson(data: bytes, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    if len(data) > MAX_GEOJSON_BYTES:
        raise InputFileError(
            f"GeoJSON-filen ({what_da}) fylder {len(data) // 2**20} MB; højst "
            f"{MAX_GEOJSON_BYTES // 2**20} MB kan indlæses. Brug GeoPackage eller forenkl geometrierne.",
            f"The GeoJSON file ({what_en}) is {len(data)} bytes; at most {MAX_GEOJSON_BYTES} allowed.",
        )
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse(what_da, what_en, "GeoJSON-filen er ikke gyldig JSON (UTF-8).",
                      f"invalid JSON ({type(exc).__name__}).") from exc
    features = _features(doc, what_da, what_en)
    check_features(len(features), what_da, what_en)
    geometries = [f.get("geometry") for f in features]
    check_counts([_positions(g, what_da, what_en) for g in geometries], what_da, what_en)
    try:
        geoms = [shape(g) if isinstance(g, dict) else None for g in geometries]
    except Exception as exc:  # shapely/numpy raise several types for malformed coordinates
        raise _refuse(what_da, what_en, "en geometri har ugyldige koordinater.",
                      f"invalid coordinates ({type(exc).__name__}).") from exc
    props = pd.DataFrame.from_records(
        [p if isinstance(p := f.get("properties"), dict) else {} for f in features],
        index=pd.RangeIndex(len(features)))
    props = props.drop(columns=[c for c in props.columns if str(c).lower() == "geometry"])
    return gpd.GeoDataFrame(props, geometry=geoms, crs=_geojson_crs(doc))


def _features(doc: object, what_da: str, what_en: str) -> list[dict]:
    """The features of a FeatureCollection, a single Feature or a bare geometry."""
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection" and isinstance(doc.get("features"), list):
        features = doc["features"]
    elif kind == "Feature":
        features = [doc]
    elif kind in _DEPTH or kind == "GeometryCollection":
        features = [{"geometry": doc}]
    else:
        raise _refuse(what_da, what_en, "JSON-filen er ikke GeoJSON (ingen 'FeatureCollection').",
                      "the JSON is not GeoJSON.")
    if not all(isinstance(f, dict) for f in features):
        raise _refuse(what_da, what_en, "GeoJSON-filen har objekter, der ikke er 'Feature'.",
                      "non-object features.")
    return features


def _positions(geom: object, what_da: str, what_en: str) -> int:
    """Number of coordinate positions in a GeoJSON geometry, from list lengths only."""
    if not isinstance(geom, dict):
        return 0
    kind = geom.get("type")
    if kind == "GeometryCollection" and isinstance(geom.get("geometries"), list):
        return sum(_positions(g, what_da, what_en) for g in geom["geometries"])
    if kind not in _DEPTH:
        raise _refuse(what_da, what_en, "ukendt geometritype i GeoJSON-filen.", "unknown geometry type.")

    def count(coords: object, depth: int) -> int:
        if not isinstance(coords, list):
            raise _refuse(what_da, what_en, "en geometri har ugyldige koordinater.", "invalid coordinates.")
        return len(coords) if depth <= 1 else sum(count(c, depth - 1) for c in coords)

    return 1 if _DEPTH[kind] == 0 else count(geom.get("coordinates"), _DEPTH[kind])


def _geojson_crs(doc: dict) -> str | None:
    """EPSG code named by a legacy GeoJSON 'crs' member; None for anything else (links are never followed)."""
    crs = doc.get("crs")
    props = crs.get("properties") if isinstance(crs, dict) and crs.get("type") == "name" else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        return None
    if _CRS84.fullmatch(name.strip()):
        return "EPSG:4326"
    match = _EPSG.fullmatch(name.strip())
    if match is None:
        return None
    try:
        return pyproj.CRS.from_epsg(int(match[1])).to_string()
    except pyproj.exceptions.CRSError:
        return None


# --------------------------------------------------------------------------- GeoPackage / Shapefile


def _check_geopackage(data: bytes, what_da: str, what_en: str) -> None:
    """A GeoPackage application id, a readable schema, no views and only rtree virtual tables."""
    if data[68:72] not in GPKG_IDS:
        raise _refuse(what_da, what_en, "SQLite-filen er ikke en GeoPackage.", "SQLite but not a GeoPackage.")
    con = sqlite3.connect(":memory:")
    try:
        con.deserialize(data)
        schema = con.execute("SELECT type, sql FROM sqlite_master").fetchall()
    except (sqlite3.Error, OverflowError, MemoryError) as exc:
        raise _refuse(what_da, what_en, "GeoPackage-filen er beskadiget.",
                      f"corrupt GeoPackage ({type(exc).__name__}).") from exc
    finally:
        con.close()
    for kind, sql in schema:
        virtual = re.match(r"\s*CREATE\s+VIRTUAL\s+TABLE", sql or "", re.I)
        if kind == "view" or (virtual and not re.search(r"\bUSING\s+rtree\s*\(", sql, re.I)):
            raise _refuse(what_da, what_en, "GeoPackage-filen indeholder views eller virtuelle tabeller.",
                          "the GeoPackage holds views or virtual tables.")


def _read_with_gdal(path: Path, driver: str, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """Read a checked file with GDAL; refuse if GDAL chose another driver or it has too many features."""
    try:
        info = pyogrio.read_info(path)
        if info["driver"] != driver:
            raise _refuse(what_da, what_en, "filtypen svarer ikke til indholdet.",
                          f"GDAL chose {info['driver']}, not {driver}.")
        check_features(int(info["features"]), what_da, what_en)
        gdf = pyogrio.read_dataframe(path, max_features=MAX_GEO_FEATURES + 1)
    except InputFileError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several unrelated types for unreadable data
        raise _refuse(what_da, what_en, f"{driver}-filen er beskadiget eller tom.",
                      f"unreadable {driver} file ({type(exc).__name__}).") from exc
    check_counts(gdf.geometry.count_coordinates(), what_da, what_en)
    return gdf


def _geopackage(data: bytes, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    _check_geopackage(data, what_da, what_en)
    with tempfile.TemporaryDirectory(prefix="klyngested-") as tmp:
        path = Path(tmp) / "lag.gpkg"
        path.write_bytes(data)
        return _read_with_gdal(path, "GPKG", what_da, what_en)


def _shapefile(parts: dict[str, bytes], what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """Write the checked parts under fixed names and read them with GDAL's Shapefile driver."""
    for suffix in (".shp", ".shx", ".dbf"):
        if suffix not in parts:
            raise _refuse(what_da, what_en, f"Shapefilen mangler {suffix}-filen.", f"missing {suffix}.")
    if not (parts[".shp"].startswith(SHP_MAGIC) and parts[".shx"].startswith(SHP_MAGIC)):
        raise _refuse(what_da, what_en, ".shp/.shx-filen er ikke en Shapefile.", "not a Shapefile.")
    if ".prj" in parts and not _WKT.match(parts[".prj"]):
        del parts[".prj"]  # not WKT: the CRS is guessed from the coordinates instead
    if ".cpg" in parts and not _CPG.fullmatch(parts[".cpg"]):
        del parts[".cpg"]
    with tempfile.TemporaryDirectory(prefix="klyngested-") as tmp:
        for suffix, content in parts.items():
            (Path(tmp) / f"lag{suffix}").write_bytes(content)
        return _read_with_gdal(Path(tmp) / "lag.shp", "ESRI Shapefile", what_da, what_en)


# --------------------------------------------------------------------------- zip


def _member_suffix(name: str, what_da: str, what_en: str) -> str | None:
    """The allowed suffix of a zip member; None for ignored sidecars; refuse anything else."""
    parts = PurePosixPath(name).parts
    if name.startswith("/") or not parts or any(p in (".", "..") or not _SAFE_PART.fullmatch(p) for p in parts):
        raise _refuse(what_da, what_en, f"zip-filen har et ugyldigt filnavn ({_shown(name)}).",
                      f"unsafe member name {name!r}.")
    lower = name.lower()
    if lower.endswith(IGNORED_SUFFIXES):
        return None
    suffix = PurePosixPath(lower).suffix
    if suffix in LAYER_SUFFIXES or suffix in SHAPE_PARTS:
        return suffix
    raise _refuse(what_da, what_en, f"zip-filen indeholder en filtype, der ikke indlæses ({_shown(name)}).",
                  f"member of a disallowed type {name!r}.")


def _zipped(data: bytes, what_da: str, what_en: str) -> gpd.GeoDataFrame:
    """Exactly one layer from a zip: a Shapefile (with its parts) or one GeoJSON/GeoPackage.

    The caller has checked the archive's declared sizes (`geofile.check_zip`).
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(i.filename, _member_suffix(i.filename, what_da, what_en))
                   for i in archive.infolist() if not i.is_dir()]
        layers = [name for name, suffix in members if suffix in LAYER_SUFFIXES]
        if len(layers) != 1:
            raise _refuse(what_da, what_en,
                          f"zip-filen skal indeholde præcis ét lag (.shp, .geojson eller .gpkg); fandt {len(layers)}.",
                          f"the zip must hold exactly one layer; found {len(layers)}.")
        (layer,) = layers
        stem = layer[: -len(PurePosixPath(layer).suffix)].lower()
        try:
            content = {suffix: archive.read(name) for name, suffix in members
                       if name == layer or (suffix in SHAPE_PARTS and name[: -len(suffix)].lower() == stem)}
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise _refuse(what_da, what_en, "zip-filen er beskadiget.", f"corrupt zip ({type(exc).__name__}).") \
                from exc
    suffix = PurePosixPath(layer.lower()).suffix
    if suffix == ".shp":
        return _shapefile(content, what_da, what_en)
    inner = content[suffix]
    if suffix == ".gpkg" and not inner.startswith(SQLITE_MAGIC):
        raise _refuse(what_da, what_en, ".gpkg-filen i zip-filen er ikke en GeoPackage.", "not a GeoPackage.")
    if suffix != ".gpkg" and inner[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        raise _refuse(what_da, what_en, "GeoJSON-filen i zip-filen er ikke JSON.", "the GeoJSON is not JSON.")
    return read_vector(inner, what_da, what_en)
