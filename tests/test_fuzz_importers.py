"""Hostile and broken files for every importer: random bytes, truncation, encodings, separators,
Excel quirks, duplicates, a million rows, swapped or metric coordinates, points outside
Denmark, empty and invalid geometries, zip bombs and oversized uploads.

Property: for ANY input an importer either returns valid data or raises a KlyngestedError
(InputFileError / CoordinateError) whose message is Danish text – never another exception.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo.data.addresses import Placer, read_postcode_areas
from geo.data.sites import MAX_SITES, Site, in_denmark, read_sites_csv
from geo.data.sources import cvr_export
from geo.data.sources.cvr_export import read_cvr_export
from geo.data.sources.dagi_file import read_boundaries
from geo.data.sources.geofile import MAX_UNZIPPED_BYTES, check_zip, read_bytes
from geo.errors import CoordinateError, InputFileError, KlyngestedError
from geo.settings import CRS_METRIC, MAX_SITE_NAME

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = ["CVR-nummer/REG-nummer", "Navn", "Adresse", "Postnr.", "By", "Årsværk", "Hovedbranche"]
ROW = ["12345678", "Næstved Byg ApS", "Vej 1", "4700", "Næstved", "5", "410000 Opførelse af bygninger"]


def placer() -> Placer:
    areas = gpd.GeoDataFrame({"postnr": ["4700"], "navn": ["Næstved"]},
                             geometry=[box(680_000, 6_120_000, 690_000, 6_130_000)], crs=CRS_METRIC)
    towns = gpd.GeoDataFrame({"name": ["Roskilde"], "population": [51_000]},
                             geometry=[Point(692_000, 6_170_000)], crs=CRS_METRIC)
    return Placer(areas, towns)


PLACER = placer()
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def xlsx(*sheets: list[list[object]], merge: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    for i, rows in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet(f"Ark{i + 1}")
        for r in rows:
            ws.append(r)
        if merge and i == 0:
            ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def geojson(features: list[tuple[dict, object]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": p, "geometry": g} for p, g in features]}).encode()


def polygon(x: float, y: float, d: float = 0.1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


BOUNDARIES = geojson([({"KOMKODE": "0370", "KOMNAVN": "Næstved"}, polygon(11.7, 55.2)),
                      ({"KOMKODE": "0265", "KOMNAVN": "Roskilde"}, polygon(12.0, 55.6))])
POSTCODES = geojson([({"POSTNR_TXT": "4700", "POSTBYNAVN": "Næstved"}, polygon(11.7, 55.2))])
SITES = "navn;lat;lon\nNæstved st.;55,2301;11,7605\nRoskilde;55,6415;12,0803\n"
CVR_CSV = ";".join(HEADER) + "\n" + ";".join(ROW) + "\n"


def danish(err: KlyngestedError) -> None:
    """A user message: non-empty Danish text, no traceback, no Python repr noise."""
    text = str(err)
    assert text and "Traceback" not in text and len(text) < 2000
    assert err.message_da == text and err.message("en")


def check_sites(sites: list[Site], notes: list[str]) -> None:
    assert 0 < len(sites) <= MAX_SITES
    for s in sites:
        assert isinstance(s.name, str) and 0 < len(s.name) <= MAX_SITE_NAME
        assert math.isfinite(s.lat) and math.isfinite(s.lon) and in_denmark(s.lat, s.lon)
    assert all(isinstance(n, str) for n in notes)


def check_workplaces(gdf: gpd.GeoDataFrame) -> None:
    assert str(gdf.crs) == CRS_METRIC
    assert not gdf.geometry.isna().any() and not gdf.geometry.is_empty.any()
    assert (gdf["employees"].isna() | (gdf["employees"] >= 0)).all()


def check_polygons(gdf: gpd.GeoDataFrame) -> None:
    assert str(gdf.crs) == CRS_METRIC and len(gdf)
    assert gdf.is_valid.all() and set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}


def run(importer: str, data: bytes):
    """Call one importer; assert the contract; return its result or the error."""
    try:
        if importer == "sites":
            sites, notes = read_sites_csv(data)
            check_sites(sites, notes)
            return sites, notes
        if importer == "cvr":
            gdf, _, notes = read_cvr_export(data, PLACER)
            check_workplaces(gdf)
            return gdf, notes
        if importer == "boundaries":
            gdf, _ = read_boundaries(data)
            check_polygons(gdf)
            assert gdf["kommunekode"].str.fullmatch(r"[0-9]{4}").all()
            return gdf
        if importer == "postcodes":
            gdf = read_postcode_areas(data)
            check_polygons(gdf)
            return gdf
        raise AssertionError(importer)
    except KlyngestedError as err:
        danish(err)
        return err


IMPORTERS = ("sites", "cvr", "boundaries", "postcodes")
VALID = {"sites": SITES.encode(), "cvr": CVR_CSV.encode("cp1252"), "boundaries": BOUNDARIES,
         "postcodes": POSTCODES}


# --------------------------------------------------------------------------- properties


MAGIC = [b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf",
         b"\xff\xfe", b"\xfe\xff", b'{"type": "FeatureCollection", "features": [', b"navn;lat;lon\n",
         b"GPKG", b"SQLite format 3\x00", ";".join(HEADER).encode() + b"\n", b"\x1f\x8b\x08"]


@FUZZ
@given(magic=st.sampled_from(MAGIC), data=st.binary(max_size=2000), importer=st.sampled_from(IMPORTERS))
def test_any_bytes_give_data_or_a_danish_error(magic: bytes, data: bytes, importer: str) -> None:
    run(importer, magic + data)


JSON = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | TEXT,
                    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXT, kids, max_size=4),
                    max_leaves=20)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=500), JSON.map(lambda v: json.dumps(v).encode()),
                     st.fixed_dictionaries({"schema_version": st.integers(0, 2), "sites": JSON,
                                            "method": st.sampled_from(["estimate", "network", 3]),
                                            "thresholds": JSON}).map(lambda v: json.dumps(v).encode())))
def test_any_scenario_file_gives_a_scenario_or_a_danish_error(raw: bytes) -> None:
    from geo.report.scenario import scenario_from_json

    try:
        scenario = scenario_from_json(raw)
    except KlyngestedError as err:
        danish(err)
    else:
        assert scenario.method in ("estimate", "network")
        assert all(in_denmark(s.lat, s.lon) for s in scenario.sites)


@FUZZ
@given(importer=st.sampled_from(IMPORTERS), cut=st.floats(0, 1), flips=st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=4))
def test_truncated_or_corrupted_valid_files(importer: str, cut: float, flips) -> None:
    data = bytearray(VALID[importer][: max(1, int(len(VALID[importer]) * cut))])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    run(importer, bytes(data))


@FEW
@given(cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True),
                                                    st.integers(0, 255)), max_size=3))
def test_truncated_or_corrupted_xlsx(cut: float, flips) -> None:
    data = bytearray(XLSX[: max(1, int(len(XLSX) * cut))])
    for where, byte in flips:
        data[int(where * len(data))] = byte
    run("cvr", bytes(data))


XLSX = xlsx([HEADER, ROW])


@FUZZ
@given(names=st.lists(TEXT, min_size=1, max_size=5), lat=st.floats(allow_nan=True, allow_infinity=True),
       lon=st.floats(allow_nan=True, allow_infinity=True), sep=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
def test_site_lists_with_any_names_and_numbers(names, lat, lon, sep, encoding) -> None:
    lines = [sep.join(["navn", "lat", "lon"])]
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        lines.append(sep.join([quoted, repr(lat), repr(lon)]))
    data = "\n".join(lines).encode(encoding, errors="replace")
    run("sites", data)


@FUZZ
@given(cells=st.lists(st.lists(st.one_of(TEXT, st.integers(), st.floats(), st.none()),
                               min_size=7, max_size=7), max_size=6),
       sep=st.sampled_from([",", ";", "\t"]), as_xlsx=st.booleans())
def test_cvr_rows_with_any_cell_values(cells, sep, as_xlsx) -> None:
    if as_xlsx:
        clean = [[c if not isinstance(c, str) else openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", c)
                  for c in row] for row in cells]
        data = xlsx([HEADER, *clean])
    else:
        import csv

        buf = io.StringIO()
        csv.writer(buf, delimiter=sep).writerows([HEADER, *cells])
        data = buf.getvalue().encode("utf-8")
    run("cvr", data)


# --------------------------------------------------------------------------- encodings, separators


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
@pytest.mark.parametrize("sep,decimal", [(",", "."), (";", ","), (";", "."), ("\t", ",")])
def test_site_list_encodings_and_separators(encoding: str, sep: str, decimal: str) -> None:
    text = f"Navn{sep}Lat{sep}Lon\nKøge Ø{sep}55{decimal}4580{sep}12{decimal}1821\n"
    sites, _ = read_sites_csv(text.encode(encoding))
    assert sites == [Site("Køge Ø", 55.458, 12.1821)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_cvr_csv_encodings_and_separators(encoding: str, sep: str) -> None:
    row = [*ROW[:5], "2,5", ROW[6]]
    text = "\n".join(sep.join(f'"{c}"' for c in r) for r in (HEADER, row))
    gdf, notes = run("cvr", text.encode(encoding))
    assert gdf["name"].tolist() == ["Næstved Byg ApS"] and gdf["employees"].tolist() == [2.5]
    assert gdf["industry_code"].tolist() == ["410000"]


# --------------------------------------------------------------------------- Excel quirks


def test_xlsx_extra_sheets_title_rows_and_merged_title() -> None:
    cover = [["Forside"], ["intet her"]]
    data = xlsx([["Virksomhedssøgning – eksport"], [], ["", *HEADER], ["", *ROW]], cover, merge="A1:F1")
    gdf, notes = run("cvr", data)
    assert gdf["cvr"].tolist() == ["12345678"]
    # the CVR sheet need not be the first one
    gdf, _ = run("cvr", xlsx(cover, [HEADER, ROW]))
    assert len(gdf) == 1


def test_xlsx_header_split_over_merged_cells_names_missing_columns() -> None:
    data = xlsx([["CVR-nummer/REG-nummer", "Navn", None, None], ["", "", "Postnr.", "By"], ROW[:4]],
                merge="A1:A2")
    err = run("cvr", data)
    assert isinstance(err, InputFileError) and "mangler kolonnerne" in str(err)


def test_duplicate_cvr_numbers_are_counted() -> None:
    rows = [HEADER, ROW, ROW, [*ROW[:1], "Samme CVR", *ROW[2:]], ["", "Uden nummer", *ROW[2:]]]
    gdf, notes = run("cvr", xlsx(rows))
    assert len(gdf) == 1
    assert any("2 dubletter" in n for n in notes) and any("1 rækker uden CVR" in n for n in notes)


def test_hostile_cell_values_do_not_break_parsing() -> None:
    rows = [HEADER,
            ["11111111", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "4700", "Næstved", "inf", "41"],
            ["22222222", "`rm -rf`", "' OR 1=1 --", "²³", "Roskilde", "-5", "410000"],
            ["33333333", "Navn\x0bmed\x07styretegn", "", 1e300, "Roskilde", 1e308, 4.1e5]]
    gdf, notes = run("cvr", "\n".join(";".join(str(c) for c in r) for r in rows).encode())
    assert len(gdf) == 3 and gdf["employees"].isna().sum() == 2  # inf and negative are unknown
    assert "=HYPERLINK" in gdf["name"].iloc[0]  # kept as text; exports neutralise it
    rows[3] = [float("inf"), "Uendelig", "", float("nan"), None, float("-inf"), float("nan")]
    gdf, notes = run("cvr", xlsx(rows))
    assert len(gdf) == 2 and gdf["employees"].isna().sum() == 2
    assert any("1 rækker uden CVR" in n for n in notes)


# --------------------------------------------------------------------------- size limits


def big_cvr_csv(n: int) -> bytes:
    head = ";".join(HEADER) + "\n"
    body = "".join(f"{10_000_000 + i};Firma {i};Vej 1;4700;Næstved;{i % 9};410000\n" for i in range(n))
    return (head + body).encode()


def test_million_row_cvr_csv_is_refused_naming_the_limit() -> None:
    with pytest.raises(InputFileError, match="500.000 rækker"):
        read_cvr_export(big_cvr_csv(1_000_000), PLACER)


def test_cvr_export_below_the_limit_is_processed() -> None:
    gdf, _, notes = read_cvr_export(big_cvr_csv(50_000), PLACER)
    assert len(gdf) == 50_000


def test_million_row_site_list_is_refused_naming_the_limit() -> None:
    data = ("navn,lat,lon\n" + "A,55.4,11.8\n" * 1_000_000).encode()
    with pytest.raises(InputFileError, match="MB"):  # 12 MB > 5 MB byte limit
        read_sites_csv(data)
    data = ("navn,lat,lon\n" + "A,55.4,11.8\n" * (MAX_SITES + 1)).encode()
    with pytest.raises(InputFileError, match=f"højst {MAX_SITES}"):
        read_sites_csv(data)
    sites, _ = read_sites_csv(("navn,lat,lon\n" + "A,55.4,11.8\n" * MAX_SITES).encode())
    assert len(sites) == MAX_SITES


def test_oversized_upload_is_refused_before_reading(tmp_path: Path) -> None:
    class Upload(io.BytesIO):
        name = "kommuner.geojson"

        def read(self, *args):  # the whole body must not be read
            assert args and args[0] <= 1024 + 1
            return super().read(*args)

    with pytest.raises(InputFileError, match="for stor") as err:
        read_bytes(Upload(b"x" * 5000), max_bytes=1024)
    danish(err.value)
    big = tmp_path / "kommuner.geojson"
    with big.open("wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB without writing them
    with pytest.raises(InputFileError, match="højst 200 MB"):
        read_boundaries(big)
    with pytest.raises(InputFileError, match="højst 200 MB"):
        read_cvr_export(big, PLACER)


@pytest.fixture(scope="module")
def bomb_members() -> bytes:
    """A zip with a real member that inflates past the limit (zeros compress ~1000:1)."""
    buf = io.BytesIO()
    chunk = bytes(8 * 1024 * 1024)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(MAX_UNZIPPED_BYTES // len(chunk) + 1):
                f.write(chunk)
        with z.open("k.shp", "w") as f:
            f.write(b"\0" * 1000)
    return buf.getvalue()


def test_zip_bomb_xlsx_and_shapefile_refused_before_extracting(bomb_members: bytes) -> None:
    assert len(bomb_members) < 5 * 1024 * 1024
    for importer in ("cvr", "boundaries", "postcodes"):
        err = run(importer, bomb_members)
        assert isinstance(err, InputFileError), importer
        assert "udpakket" in str(err) and "512 MB" in str(err)


def test_zip_with_too_many_members_and_broken_zip() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(30):
            z.writestr(f"f{i}.txt", "x")
    with pytest.raises(InputFileError, match="højst 20"):
        check_zip(buf.getvalue(), "test", "test", max_entries=20)
    with pytest.raises(InputFileError, match="beskadiget"):
        check_zip(buf.getvalue()[:-30], "test", "test")


def test_zipped_shapefile_boundaries_are_read(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"KOMKODE": ["0370"], "KOMNAVN": ["Næstved"]},
                           geometry=[box(11.7, 55.2, 11.8, 55.3)], crs="EPSG:4326")
    gdf.to_file(tmp_path / "k.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in tmp_path.iterdir():
            z.write(f, f.name)
    out = run("boundaries", buf.getvalue())
    assert out["kommunekode"].tolist() == ["0370"]


# --------------------------------------------------------------------------- coordinates


def test_site_list_swapped_metric_and_outside_denmark_are_counted() -> None:
    text = ("navn,lat,lon\nOK,55.2301,11.7605\nByttet,11.7605,55.2301\nMeter,6123872,675549\n"
            "Meter byttet,675549,6123872\nParis,48.85,2.35\nTom,,\nTekst,abc,def\nUendelig,inf,nan\n")
    sites, notes = read_sites_csv(text.encode())
    assert [s.name for s in sites] == ["OK", "Byttet", "Meter", "Meter byttet"]
    assert any("byttet om" in n for n in notes) and any("meter" in n for n in notes)
    assert any("4 række(r) blev sprunget over: 3 med manglende eller ugyldige koordinater, 1 uden for Danmark"
               in n for n in notes), notes


def test_site_list_with_only_foreign_points_says_why() -> None:
    with pytest.raises(InputFileError, match="uden for Danmark"):
        read_sites_csv(b"navn,lat,lon\nParis,48.85,2.35\n")


def test_site_list_duplicate_and_aliased_headers() -> None:
    sites, _ = read_sites_csv(b"Name,LAT,lat,Longitude\nA,55.4,0,11.8\n")
    assert sites == [Site("A", 55.4, 11.8)]


def test_site_names_are_cleaned_but_markup_kept_as_text() -> None:
    hostile = '<img src=x onerror="alert(1)">\x07\r`x`' + "y" * 500
    text = 'navn,lat,lon\n"' + hostile.replace('"', '""') + '",55.4,11.8\n'
    (site,), _ = read_sites_csv(text.encode())
    assert site.name.startswith('<img src=x onerror="alert(1)"> `x`') and len(site.name) == MAX_SITE_NAME


def test_boundaries_with_swapped_axes_are_refused_with_a_hint() -> None:
    data = geojson([({"KOMKODE": "0370"}, {"type": "Polygon", "coordinates": [
        [[55.2, 11.7], [55.3, 11.7], [55.3, 11.8], [55.2, 11.8], [55.2, 11.7]]]})])
    with pytest.raises(CoordinateError, match="byttet om"):
        read_boundaries(data)


def test_boundaries_outside_denmark_are_refused() -> None:
    with pytest.raises(CoordinateError, match="ikke i Danmark"):
        read_boundaries(geojson([({"KOMKODE": "0370"}, polygon(2.3, 48.8))]))
    with pytest.raises(CoordinateError, match="ikke i Danmark"):
        read_postcode_areas(geojson([({"POSTNR_TXT": "4700"}, polygon(2.3, 48.8))]))


def test_boundaries_in_25832_without_crs_are_recognised() -> None:
    square = [[[675_000, 6_123_000], [676_000, 6_123_000], [676_000, 6_124_000], [675_000, 6_124_000],
               [675_000, 6_123_000]]]
    out = run("boundaries", geojson([({"KOMKODE": "370"}, {"type": "Polygon", "coordinates": square})]))
    assert out["kommunekode"].tolist() == ["0370"] and out.area.iloc[0] == pytest.approx(1e6)


def test_empty_and_null_geometries_are_dropped() -> None:
    data = geojson([({"KOMKODE": "0370"}, None),
                    ({"KOMKODE": "0370"}, {"type": "Polygon", "coordinates": []}),
                    ({"KOMKODE": "0265"}, polygon(12.0, 55.6))])
    out = run("boundaries", data)
    assert out["kommunekode"].tolist() == ["0265"]
    err = run("boundaries", geojson([({"KOMKODE": "0370"}, None)]))
    assert isinstance(err, InputFileError) and "ingen geometrier" in str(err)


def test_bowtie_polygon_is_repaired_with_make_valid() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[11.6, 55.1], [11.9, 55.4], [11.9, 55.1], [11.6, 55.4],
                                                  [11.6, 55.1]]]}
    assert not shapely.from_geojson(json.dumps(bowtie)).is_valid
    out = run("boundaries", geojson([({"KOMKODE": "0370"}, bowtie)]))
    assert out.is_valid.all() and out.geom_type.iloc[0] == "MultiPolygon" and out.area.iloc[0] > 0
    areas = run("postcodes", geojson([({"POSTNR_TXT": "4700"}, bowtie)]))
    assert areas.is_valid.all()


def test_points_or_lines_instead_of_polygons() -> None:
    err = run("boundaries", geojson([({"KOMKODE": "0370"}, {"type": "Point", "coordinates": [11.7, 55.2]})]))
    assert isinstance(err, InputFileError) and "ingen polygoner" in str(err)


def test_cvr_rows_that_cannot_be_placed_are_counted() -> None:
    rows = [HEADER, ROW, ["22222222", "Udlandet A/S", "Rue 1", "75001", "Paris", "3", "410000"],
            ["33333333", "Ingen by", "", "", "", "-", "410000"]]
    gdf, notes = run("cvr", xlsx(rows))
    assert len(gdf) == 1
    assert any("2 af 3 virksomheder kunne ikke placeres" in n for n in notes), notes


def test_importers_never_touch_the_network_or_disk_beyond_the_input(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for importer, data in VALID.items():
        run(importer, data)
    assert os.listdir(tmp_path) == []


def test_cvr_module_limits_are_documented() -> None:
    assert cvr_export.MAX_ROWS == 500_000 and "500.000" in str(cvr_export._too_many_rows())
