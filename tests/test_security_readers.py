"""Polygon and CVR readers open only what the bytes are, never follow a reference, and stay bounded.

A GDAL VRT (XML naming another file or a /vsicurl/ URL) under any name, in a zip, in the data
folder or given to the CLI is refused before GDAL sees it; a GeoJSON 'crs' link is never
fetched; zip members must have safe names and allowed types; and polygon files over the
feature, vertex, edge-overlap and crossing caps are refused with a Danish message naming the
limit, before any validity check or repair. A planted secret never shows up anywhere.
"""

from __future__ import annotations

import http.server
import io
import json
import sqlite3
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from shapely.geometry import box

from geo.data.addresses import read_postcode_areas
from geo.data.loading import UserFiles, find_folder_files, folder_from_env, load_layers
from geo.data.sources.cvr_export import read_cvr_export
from geo.data.sources.dagi_file import read_boundaries
from geo.errors import InputFileError, KlyngestedError
from geo.settings import (
    ENV_DATA_DIR,
    MAX_EDGE_CROSSINGS,
    MAX_EDGE_PAIRS,
    MAX_GEOJSON_BYTES,
    MAX_GEOMETRY_VERTICES,
)
from tests.test_fuzz_importers import BOUNDARIES, PLACER, geojson, polygon
from ui import data

ROOT = Path(__file__).resolve().parents[1]
SECRET = "KLYNGESTED_TEST_SECRET_7f3a9c"


@pytest.fixture
def secrets_file(tmp_path: Path) -> Path:
    """A fake secrets file that a VRT would expose as a CSV layer (a 'kommunekode' column)."""
    path = tmp_path / "secrets.csv"
    path.write_text(f"kommunekode,navn,WKT\n0370,{SECRET},\"POLYGON((11.7 55.2,11.8 55.2,11.8 55.3,11.7 55.2))\"\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server; yields its base URL and the list of paths it was asked for."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
                             b'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def vrt(source: str) -> bytes:
    """A GDAL VRT that turns `source` (a file or /vsicurl/ URL) into a polygon layer."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="secrets"><SrcDataSource>{source}</SrcDataSource>'
            '<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>').encode()


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buf.getvalue()


def refused(call, *args, match: str) -> InputFileError:
    """The call raises an InputFileError matching `match` whose texts hold no secret."""
    with pytest.raises(InputFileError, match=match) as info:
        call(*args)
    err = info.value
    for text in (str(err), err.message_en, repr(err), repr(err.__cause__), repr(err.__context__)):
        assert SECRET not in text
    return err


def test_vrt_pointing_at_a_local_file_is_refused_under_any_name(secrets_file: Path, tmp_path: Path) -> None:
    data = vrt(str(secrets_file))
    for name in ("kommuner.geojson", "kommuner.gpkg", "kommuner.vrt", "kommuner"):
        path = tmp_path / name
        path.write_bytes(data)
        refused(read_boundaries, path, match="XML")
    refused(read_boundaries, data, match="XML")  # an upload (bytes)
    refused(read_postcode_areas, io.BytesIO(b"\xef\xbb\xbf  \n" + data), match="XML")


def test_vrt_with_vsicurl_is_refused_without_any_request(http_server: tuple[str, list[str]]) -> None:
    url, hits = http_server
    refused(read_boundaries, vrt(f"/vsicurl/{url}/secrets.csv"), match="XML")
    refused(read_boundaries, zipped({"kommuner.vrt": vrt(f"/vsicurl/{url}/a.csv")}), match="filtype")
    assert hits == []


def test_geojson_crs_link_is_never_fetched(http_server: tuple[str, list[str]]) -> None:
    url, hits = http_server
    doc = json.loads(BOUNDARIES)
    for crs in ({"type": "link", "properties": {"href": f"{url}/x.prj", "type": "ogcwkt"}},
                {"type": "URL", "properties": {"url": f"{url}/y.prj"}},
                {"type": "name", "properties": {"name": f"{url}/z.prj"}}):
        out, _ = read_boundaries(json.dumps(doc | {"crs": crs}).encode())
        assert sorted(out["kommunekode"]) == ["0265", "0370"]  # coordinates recognised as lon/lat
    assert hits == []


def test_xml_named_geojson_is_refused(tmp_path: Path) -> None:
    gml = tmp_path / "kommuner.geojson"
    gml.write_text('<?xml version="1.0"?><gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml"/>')
    err = refused(read_boundaries, gml, match="XML")
    assert "GeoJSON, GeoPackage eller en zippet Shapefile" in str(err)


def test_vrt_inside_a_zip_is_refused_by_type_and_by_content(secrets_file: Path) -> None:
    refused(read_boundaries, zipped({"kommuner.vrt": vrt(str(secrets_file))}), match="filtype")
    refused(read_boundaries, zipped({"kommuner.geojson": vrt(str(secrets_file))}), match="ikke JSON")
    refused(read_boundaries, zipped({"kommuner.gpkg": vrt(str(secrets_file))}), match="ikke en GeoPackage")
    shp = zipped({"k.shp": vrt(str(secrets_file)), "k.shx": b"x", "k.dbf": b"x"})
    refused(read_boundaries, shp, match="ikke en Shapefile")


def test_zip_members_with_paths_outside_the_archive_are_refused() -> None:
    for name in ("../kommuner.geojson", "/etc/kommuner.geojson", "a/../../k.geojson", "C:\\k.geojson"):
        refused(read_boundaries, zipped({name: BOUNDARIES}), match="ugyldigt filnavn")
    out, _ = read_boundaries(zipped({"DAGI/kommuner.geojson": BOUNDARIES, "DAGI/LÆS MIG.txt": b"hej"}))
    assert sorted(out["kommunekode"]) == ["0265", "0370"]
    refused(read_boundaries, zipped({"a.geojson": BOUNDARIES, "b.geojson": BOUNDARIES}), match="præcis ét lag")


def test_geopackage_must_be_a_plain_geopackage(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"KOMKODE": ["0370"]}, geometry=[box(11.7, 55.2, 11.8, 55.3)], crs="EPSG:4326")
    path = tmp_path / "k.gpkg"
    gdf.to_file(path, driver="GPKG", engine="pyogrio")
    data = path.read_bytes()
    assert read_boundaries(data)[0]["kommunekode"].tolist() == ["0370"]
    assert read_boundaries(zipped({"k.gpkg": data}))[0]["kommunekode"].tolist() == ["0370"]
    with sqlite3.connect(path) as con:
        con.execute("CREATE VIEW v AS SELECT * FROM sqlite_master")
    refused(read_boundaries, path.read_bytes(), match="views")
    plain = tmp_path / "plain.sqlite"
    with sqlite3.connect(plain) as con:
        con.execute("CREATE TABLE t (x)")
    refused(read_boundaries, plain.read_bytes(), match="ikke en GeoPackage")


def test_vsi_path_given_to_the_cli_is_one_danish_line(tmp_path: Path, secrets_file: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("navn,lat,lon\nNæstved,55.2301,11.7605\n", encoding="utf-8")
    (tmp_path / "k.zip").write_bytes(zipped({"k.vrt": vrt(str(secrets_file))}))  # real, but named via /vsizip/
    (tmp_path / "k.geojson").write_bytes(vrt(str(secrets_file)))
    for boundaries in (f"/vsizip/{tmp_path}/k.zip/k.vrt", str(tmp_path / "k.geojson")):
        result = subprocess.run([sys.executable, "-m", "geo", "indicators", "--sites", str(sites),
                                 "--boundaries", boundaries], cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("klyngested: Fil"), result.stderr
        assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout


def test_folder_source_with_a_vrt_named_kommuner(tmp_path: Path, secrets_file: Path, monkeypatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "kommuner_x.geojson").write_bytes(vrt(str(secrets_file)))
    monkeypatch.setenv(ENV_DATA_DIR, str(folder))
    files = find_folder_files(folder_from_env())
    assert files.boundaries == folder / "kommuner_x.geojson"
    refused(load_layers, files, match="XML")


def test_xlsx_and_csv_exports_never_reach_gdal(secrets_file: Path, tmp_path: Path) -> None:
    refused(read_cvr_export, vrt(str(secrets_file)), PLACER, match="CVR-eksporten")
    shapefile = zipped({"k.shp": b"\x00\x00\x27\x0a", "k.shx": b"\x00\x00\x27\x0a", "k.dbf": b"x"})
    refused(read_cvr_export, shapefile, PLACER, match="ikke et Excel-ark")
    wb = openpyxl.Workbook()
    wb.active.append(["CVR-nummer", "Navn"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    declaration, _, body = sheet.partition("?>") if sheet.startswith("<?xml") else ("", "", sheet)
    entity = f'<!DOCTYPE worksheet [<!ENTITY s SYSTEM "file://{secrets_file}">]>'
    assert "<t>" in body
    parts["xl/worksheets/sheet1.xml"] = (declaration + _ + entity + body.replace("<t>", "<t>&s;", 1)).encode()
    refused(read_cvr_export, zipped(parts), PLACER, match="CVR-eksporten")


def star(n: int, lon: float = 11.7, lat: float = 55.3, r: float = 0.1, seed: int = 1) -> dict:
    """A polygon of n random vertices around (lon, lat): its edges cross each other ~n²/10 times."""
    xy = np.random.default_rng(seed).uniform(-r, r, (n, 2)) + (lon, lat)
    return {"type": "Polygon", "coordinates": [np.vstack([xy, xy[:1]]).round(6).tolist()]}


def test_million_vertex_self_intersecting_polygon_is_refused_naming_the_limit() -> None:
    ring = ",".join(f"[{x:.6f},{y:.6f}]" for x, y in
                    np.random.default_rng(0).uniform((11.0, 55.0), (12.0, 55.8), (1_000_000, 2)))
    data = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"KOMKODE":"0370"},'
            '"geometry":{"type":"Polygon","coordinates":[[' + ring + "]]}}]}").encode()
    assert len(data) > 20_000_000
    err = refused(read_boundaries, data, match="1.000.000 punkter")
    assert f"højst {MAX_GEOMETRY_VERTICES:,}".replace(",", ".") in str(err)


def test_crossing_and_overlapping_edges_are_capped_before_repair() -> None:
    err = refused(read_boundaries, geojson([({"KOMKODE": "0370"}, star(3000))]), match="krydser")
    assert f"{MAX_EDGE_CROSSINGS:,}".replace(",", ".") in str(err)
    angles = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    radius = np.where(np.arange(20_000) % 2 == 0, 0.1, 0.001)  # long spokes: valid, but every pair overlaps
    spokes = np.column_stack([11.7 + radius * np.cos(angles), 55.3 + radius * np.sin(angles)])
    comb = {"type": "Polygon", "coordinates": [np.vstack([spokes, spokes[:1]]).tolist()]}
    err = refused(read_postcode_areas, geojson([({"POSTNR_TXT": "4700"}, comb)]), match="par af kanter")
    assert f"{MAX_EDGE_PAIRS:,}".replace(",", ".") in str(err)


def test_a_few_crossings_are_still_repaired() -> None:
    out, _ = read_boundaries(geojson([({"KOMKODE": "0370"}, star(40)), ({"KOMKODE": "0265"}, polygon(12.0, 55.6))]))
    assert out.is_valid.all() and sorted(out["kommunekode"]) == ["0265", "0370"]


def test_upload_caches_are_bounded(monkeypatch) -> None:
    calls: list[UserFiles | None] = []
    monkeypatch.setattr(data, "load_layers", lambda files, snapshot=None: calls.append(files) or files)
    data.cached_layers.clear()
    files = [UserFiles(boundaries=bytes([i])) for i in range(data.DATA_STATES + 1)]
    for i, f in enumerate(files):
        assert data.cached_layers(f"upload-{i}", f) is f
    data.cached_layers("upload-8", files[8])  # still cached
    data.cached_layers("upload-0", files[0])  # the oldest was dropped: loaded again
    assert len(calls) == data.DATA_STATES + 2
    data.cached_layers.clear()
    for func in (data.cached_layers, data.cached_context, data.cached_map_data, data.cached_town_candidates):
        assert func._info.ttl == data.DATA_TTL and func._info.max_entries <= 2 * data.DATA_STATES


def test_oversized_geojson_is_refused_before_parsing() -> None:
    data = b'{"type": "FeatureCollection", "features": []' + b" " * MAX_GEOJSON_BYTES + b"}"
    refused(read_boundaries, data, match="højst 100 MB")


def test_every_reader_error_is_a_klyngested_error_with_no_secret(secrets_file: Path) -> None:
    for payload in (vrt(str(secrets_file)), secrets_file.read_bytes(), b"SQLite format 3\x00" + bytes(200)):
        for reader in (read_boundaries, read_postcode_areas):
            with pytest.raises(KlyngestedError) as info:
                reader(payload)
            assert SECRET not in str(info.value) + info.value.message_en
