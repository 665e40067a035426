"""Closed doors (issue 11): snapshots named by id only, checked manifests, bounded scenario
numbers, a cache that keeps only good bodies without secrets, stale temporary folders,
invisible characters before formulas, weights 0–100, and a CLI that never shows a traceback.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import subprocess
import sys
import time
import tomllib
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest
import requests
import responses

from geo.cli import main as cli
from geo.data import snapshot
from geo.data.sources import dagi
from geo.data.sources._http import HttpClient, encoded_forms
from geo.data.sources.embedded import load_default
from geo.decide.weights import WeightsError, normalise, parse_weights
from geo.errors import InputFileError, SourceError
from geo.report.csv import to_csv_bytes
from geo.report.safety import neutralise, neutralise_frame
from geo.report.scenario import from_query_params, scenario_from_dict, scenario_from_json
from tests.source_fakes import client as make_client

ROOT = Path(__file__).resolve().parents[1]
SECRET = "dafoKEY-closed-doors-5e1f"
URL = "https://graphql.example.dk/DAGI"
ENGLISH = ("Traceback", "Error", "No such file", "invalid", "Exceeds", "expected", "required")


# ---- helpers ---------------------------------------------------------------------------------


def _snapshot(root: Path, note: str = "testnote") -> Path:
    default = load_default()
    return snapshot.write_snapshot({"stations": default.stations}, {"stations": default.provenance["stations"]},
                                   root, notes=(note,))


def _edit_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(manifest)), encoding="utf-8")


def _scenario_dict(**changes) -> dict:
    base = {"schema_version": 1, "sites": [{"name": "Næstved", "lat": 55.2301, "lon": 11.7605}],
            "method": "estimate", "thresholds": [15, 30, 45, 60]}
    return {**base, **changes}


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    try:
        code = cli.main(list(argv))
    except SystemExit as stop:  # argparse
        code = stop.code
    return code, capsys.readouterr().err.strip().splitlines()


def _danish_one_line(lines: list[str], fragment: str) -> None:
    assert len(lines) == 1, lines
    assert lines[0].startswith("klyngested: ") and fragment in lines[0], lines
    assert not any(word in lines[0] for word in ENGLISH), lines


# ---- 1. snapshots by id, manifests checked -------------------------------------------------------


@pytest.mark.parametrize("bad", ["../../../../another/folder", "/etc", "20260101T000000Z/../x", "..", "",
                                 "20260101T000000Z\x00", "C:\\snapshots\\x", 20260101])
def test_snapshot_id_that_is_a_path_is_refused(tmp_path: Path, bad: object) -> None:
    _snapshot(tmp_path)
    with pytest.raises(snapshot.SnapshotError, match="ikke et snapshot-id"):
        snapshot.snapshot_by_id(bad, tmp_path)


def test_snapshot_id_must_be_listed(tmp_path: Path) -> None:
    folder = _snapshot(tmp_path)
    assert snapshot.snapshot_by_id(folder.name, tmp_path) == folder
    with pytest.raises(snapshot.SnapshotError, match="findes ikke"):
        snapshot.snapshot_by_id("20000101T000000Z", tmp_path)


def test_current_pointer_with_a_path_is_ignored(tmp_path: Path) -> None:
    elsewhere = _snapshot(tmp_path / "elsewhere")
    root = tmp_path / "root"
    root.mkdir()
    (root / "current").write_text(f"../elsewhere/{elsewhere.name}\n", encoding="utf-8")
    assert snapshot.current_snapshot(root) is None


def test_scenario_naming_a_forged_snapshot_by_path_loads_the_default(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "snapshots"
    monkeypatch.setenv(snapshot.ENV_SNAPSHOT_DIR, str(root))
    _snapshot(root)
    forged = _snapshot(tmp_path / "another" / "folder", note="FORGED-SNAPSHOT")
    for ref in (os.path.relpath(forged, root), str(forged)):
        scen = tmp_path / "s.json"
        scen.write_text(json.dumps(_scenario_dict(snapshot_id=ref)), encoding="utf-8")
        code, lines = _run_cli(capsys, "report", "--scenario", str(scen), "--out", str(tmp_path / "m.html"))
        assert code == 0
        assert not any("FORGED-SNAPSHOT" in line for line in lines), lines
        assert any("ikke et snapshot-id" in line and "standarddata bruges" in line for line in lines), lines


@pytest.mark.parametrize("file", ["../../etc/passwd", "/etc/passwd", "../stations.parquet", "sub/../../x"])
def test_manifest_file_outside_the_snapshot_is_refused(tmp_path: Path, file: str) -> None:
    folder = _snapshot(tmp_path)

    def escape(m: dict) -> dict:
        m["layers"]["stations"]["file"] = file
        return m

    _edit_manifest(folder, escape)
    with pytest.raises(snapshot.SnapshotError, match="uden for snapshotmappen"):
        snapshot.load_snapshot(folder)


def test_manifest_file_symlinked_outside_is_refused(tmp_path: Path) -> None:
    folder = _snapshot(tmp_path / "root")
    outside = tmp_path / "outside.parquet"
    (folder / "stations.parquet").rename(outside)
    (folder / "stations.parquet").symlink_to(outside)
    with pytest.raises(snapshot.SnapshotError, match="uden for snapshotmappen"):
        snapshot.load_snapshot(folder)


@pytest.mark.parametrize("change", [
    lambda m: [m],
    lambda m: {**m, "layers": ["stations"]},
    lambda m: {**m, "layers": {"stations": "stations.parquet"}},
    lambda m: {**m, "layers": {"stations": {**m["layers"]["stations"], "file": 7}}},
    lambda m: {**m, "layers": {"stations": {**m["layers"]["stations"], "sha256": None}}},
    lambda m: {**m, "layers": {"evil": m["layers"]["stations"]}},
    lambda m: {**m, "provenance": {"stations": {"layer": "x"}}},
    lambda m: {**m, "provenance": {"stations": {**m["provenance"]["stations"], "extra": "x"}}},
    lambda m: {**m, "provenance": {"stations": {**m["provenance"]["stations"], "quality": "great"}}},
    lambda m: {**m, "provenance": []},
    lambda m: {**m, "notes": "one note"},
    lambda m: {**m, "id": {"x": 1}},
], ids=["list", "layers-list", "entry-text", "file-number", "sha-none", "unknown-layer", "prov-missing",
        "prov-extra", "prov-quality", "prov-list", "notes-text", "id-object"])
def test_manifest_of_odd_shape_is_a_danish_error(tmp_path: Path, change) -> None:
    folder = _snapshot(tmp_path)
    _edit_manifest(folder, change)
    with pytest.raises(snapshot.SnapshotError, match="manifest.json har en uventet opbygning"):
        snapshot.load_snapshot(folder)


def test_manifest_with_a_5000_digit_number_is_a_danish_error(tmp_path: Path) -> None:
    folder = _snapshot(tmp_path)
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    (folder / "manifest.json").write_text(text.replace('"schema_version": 1', '"schema_version": ' + "1" * 5000))
    with pytest.raises(snapshot.SnapshotError, match="ikke gyldig JSON") as info:
        snapshot.load_snapshot(folder)
    assert "Exceeds" not in str(info.value)


# ---- scenario numbers and field types ------------------------------------------------------------


@pytest.mark.parametrize("field, length", [("schema_version", 5000), ("lat", 5003), ("thresholds", 5000),
                                           ("weight", 5001)])
def test_5000_digit_number_in_a_scenario_is_a_danish_error(field: str, length: int) -> None:
    text = json.dumps(_scenario_dict(weights={"value": 30}))
    huge = "9" * 5000
    text = {"schema_version": text.replace('"schema_version": 1', f'"schema_version": {huge}'),
            "lat": text.replace("55.2301", f"55.{huge}"),
            "thresholds": text.replace("[15,", f"[{huge},"),
            "weight": text.replace('"value": 30', f'"value": -{huge}')}[field]
    with pytest.raises(InputFileError, match="højst 40 tegn") as info:
        scenario_from_json(text)
    assert f"et tal med {length} tegn" in str(info.value) and "Exceeds" not in str(info.value)


@pytest.mark.parametrize("changes, fragment", [
    ({"snapshot_id": ["../x"]}, "'snapshot_id' skal være tekst"),
    ({"snapshot_date": 2026}, "'snapshot_date' skal være tekst"),
    ({"layer_dates": {"stations": 1}}, "'layer_dates.stations' skal være tekst"),
    ({"case_site": 5}, "'case_site' skal være tekst"),
    ({"method": ["estimate"]}, "'method'"),
    ({"thresholds": [15.5]}, "'thresholds'"),
    ({"sites": [{"name": "A", "lat": "55.2", "lon": 11.7}]}, "'lat' skal være et tal"),
])
def test_scenario_field_of_wrong_type_is_a_danish_error(changes: dict, fragment: str) -> None:
    with pytest.raises(InputFileError, match=fragment.replace("[", "\\[").replace(".", "\\.")):
        scenario_from_dict(_scenario_dict(**changes))


# ---- 2. HTTP cache: only good bodies, never a secret ----------------------------------------------


def _all_forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, raw.hex().encode(), raw.hex().upper().encode(), base64.b64encode(raw).rstrip(b"="),
            base64.urlsafe_b64encode(raw).rstrip(b"="), urllib.parse.quote(secret).encode()]


def _cache_blobs(folder: Path) -> list[bytes]:
    """Every cache file's bytes, plus each record's decoded body."""
    blobs = []
    for path in folder.rglob("*"):
        if path.is_file():
            blobs.append(path.read_bytes())
            try:
                blobs.append(binascii.unhexlify(json.loads(path.read_text())["content"]))
            except (ValueError, KeyError, TypeError):
                pass
    return blobs


def _echo_body(valid: bool) -> dict:
    body = {"echo": f"POST /DAGI?apiKey={SECRET}", "hex": SECRET.encode().hex(),
            "b64": base64.b64encode(b"key=" + SECRET.encode()).decode()}
    if valid:
        body["data"] = {"DAGI_Kommuneinddeling": {"nodes": [], "pageInfo": {"hasNextPage": False}}}
    return body


def _pages(c: HttpClient) -> list:
    return list(dagi.graphql_pages(c, "DAGI_Kommuneinddeling", "query { x }", SECRET, url=URL))


@responses.activate
def test_a_200_body_failing_the_schema_is_not_cached_and_the_outage_is_reported(tmp_path: Path) -> None:
    responses.post(URL, json=_echo_body(valid=False))
    responses.post(URL, body=requests.exceptions.ConnectionError("down"))
    c = make_client(tmp_path)
    with pytest.raises(SourceError, match="uventet format"):
        _pages(c)
    assert not _cache_blobs(tmp_path / "http-cache")
    with pytest.raises(SourceError, match="kunne ikke nås"):  # the next refresh: an outage, not the bad body
        _pages(c)
    assert len(responses.calls) == 2


@responses.activate
def test_a_good_body_echoing_the_key_in_any_encoding_is_not_cached(tmp_path: Path) -> None:
    responses.post(URL, json=_echo_body(valid=True))
    c = make_client(tmp_path)
    assert _pages(c) == [[]]
    blobs = _cache_blobs(tmp_path / "http-cache")
    assert not [form for form in _all_forms(SECRET) for blob in blobs if form in blob]
    assert not blobs


@responses.activate
def test_a_good_body_without_secrets_is_cached_and_reused(tmp_path: Path) -> None:
    body = _echo_body(valid=True)
    del body["echo"], body["hex"], body["b64"]
    responses.post(URL, json=body)
    c = make_client(tmp_path)
    assert _pages(c) == _pages(c) == [[]]
    assert len(responses.calls) == 1 and c.cache_hits == 1
    assert len(list((tmp_path / "http-cache").rglob("*.json"))) == 1


@responses.activate
def test_a_bad_body_left_in_the_cache_is_dropped_and_the_outage_reported(tmp_path: Path) -> None:
    c = make_client(tmp_path)
    body = {"query": "query { x }", "variables": {"after": None}}
    key = c.cache_key("POST", URL, None, json.dumps(body, sort_keys=True).encode())
    c._cache_write(key, URL, b'{"data": null}')  # what an older version kept
    responses.post(URL, body=requests.exceptions.ConnectionError("down"))
    with pytest.raises(SourceError, match="kunne ikke nås"):
        _pages(c)
    assert not _cache_blobs(tmp_path / "http-cache")


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_secret_found_inside_longer_base64_at_any_alignment(shift: int) -> None:
    c = HttpClient(cache_path=Path("/nonexistent"), secrets=[SECRET])
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        blob = encode(b"x" * shift + SECRET.encode() + b"tail")
        assert c.holds_secret(blob)
        assert SECRET not in c.redact(blob.decode()) and "***" in c.redact(blob.decode())
    assert not c.holds_secret(base64.b64encode(b"x" * shift + b"an innocent body of text"))


def test_redact_removes_every_encoded_form() -> None:
    c = HttpClient(cache_path=Path("/nonexistent"), secrets=[SECRET])
    for form in encoded_forms(SECRET):
        assert c.redact(f"svar: {form}!") == "svar: ***!", form


# ---- 3. stale temporary folders -----------------------------------------------------------------


def test_stale_tmp_folders_are_removed_at_the_next_write(tmp_path: Path) -> None:
    stale = tmp_path / ".tmp-20200101T000000Z-abc"
    stale.mkdir()
    (stale / "stations.parquet").write_bytes(b"half written")
    stale_pointer = tmp_path / ".current.k1ll3d"
    stale_pointer.write_text("20200101T000000Z")
    fresh = tmp_path / ".tmp-20990101T000000Z-running"
    fresh.mkdir()
    old = time.time() - 2 * snapshot.STALE_TMP_S
    for path in (stale / "stations.parquet", stale, stale_pointer):
        os.utime(path, (old, old))
    folder = _snapshot(tmp_path)
    assert not stale.exists() and not stale_pointer.exists()
    assert fresh.is_dir()  # maybe a refresh running right now
    assert folder.is_dir() and snapshot.list_snapshots(tmp_path) == [folder.name]


# ---- 4. formula neutraliser ---------------------------------------------------------------------

INVISIBLE = ["\u202e", "\ufeff", "\u200b", "\u200e", "\u200f", "\u2066", "\u2069", "\u061c", "\u2060",
             "\u00a0", "\u3000", "\u202e\u200b \ufeff"]


@pytest.mark.parametrize("prefix", INVISIBLE)
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\uff1d", "\ufe62"])
def test_invisible_prefix_does_not_hide_a_formula(prefix: str, trigger: str) -> None:
    value = f"{prefix}{trigger}HYPERLINK(\"http://x\")"
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("prefix", INVISIBLE)
def test_invisible_prefix_before_text_is_left_alone(prefix: str) -> None:
    assert neutralise(f"{prefix}Næstved") == f"{prefix}Næstved"


def test_csv_export_neutralises_a_bidi_prefixed_formula() -> None:
    frame = pd.DataFrame({"site": ["\u202e=1+1", "Køge"], "n": [1, 2]})
    text = to_csv_bytes(frame, [], danish=True).decode("utf-8-sig")
    assert "'\u202e=1+1" in text and "'Køge" not in text
    assert neutralise_frame(frame)["site"].tolist() == ["'\u202e=1+1", "Køge"]


# ---- 5. weights 0–100 ---------------------------------------------------------------------------


def test_weights_above_100_are_refused_everywhere(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="mellem 0 og 100"):
        parse_weights("value=1000")
    with pytest.raises(WeightsError, match="mellem 0 og 100"):
        normalise({"value": 100.5})
    assert normalise({"value": 100, "attract": 100}) == {"value": 50.0, "attract": 50.0, "knowledge": 0.0,
                                                         "network": 0.0, "research": 0.0}
    with pytest.raises(InputFileError, match="mellem 0 og 100"):
        scenario_from_dict(_scenario_dict(weights={"value": 1000}))
    found = from_query_params({"w": "value:1000,attract:20"})
    assert found["weights"] == {"attract": 20.0}
    sites = tmp_path / "s.csv"
    sites.write_text("navn,lat,lon\nNæstved,55.2301,11.7605\n", encoding="utf-8")
    code, lines = _run_cli(capsys, "rank", "--sites", str(sites), "--weights", "value=1000")
    assert code == 2
    _danish_one_line(lines, "mellem 0 og 100")


# ---- 6. the CLI: exit 2 and one Danish line for bad input -----------------------------------------


@pytest.fixture()
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(snapshot.ENV_SNAPSHOT_DIR, str(tmp_path / "snapshots"))
    (tmp_path / "good.csv").write_text("navn,lat,lon\nNæstved,55.2301,11.7605\n", encoding="utf-8")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bytes.csv").write_bytes(b"\xff\xfe\x00\x81navn\x80")
    (tmp_path / "folder").mkdir()
    (tmp_path / "huge.json").write_text(json.dumps(_scenario_dict()).replace("55.2301", "5" * 5000))
    return tmp_path


CASES = [
    (("indicators", "--sites", "{d}/empty.csv"), "tom"),
    (("indicators", "--sites", "{d}/bytes.csv"), "ikke en tekstfil"),
    (("indicators", "--sites", "{d}/missing.csv"), "Filen findes ikke"),
    (("indicators", "--sites", "{d}/folder"), "er en mappe"),
    (("indicators", "--sites", "{d}/good.csv", "--roads", "{d}/bytes.csv", "--method", "network"),
     "Vejnettet bytes.csv kan ikke læses"),
    (("indicators", "--sites", "{d}/good.csv", "--out", "{d}/nowhere/x.csv"), "findes ikke"),
    (("indicators", "--sites", "{d}/good.csv", "--data", "../../etc"), "Snapshot findes ikke"),
    (("indicators",), "disse argumenter mangler: --sites"),
    (("rank", "--sites", "{d}/good.csv", "--draws", "1000000000"), "mellem 1 og 100.000"),
    (("rank", "--sites", "{d}/good.csv", "--seed", "-1"), "mindst 0"),
    (("rank", "--sites", "{d}/good.csv", "--draws", "x"), "--draws skal være et helt tal"),
    (("suggest", "--k", "2", "--minutes", "nan"), "mellem 1 og 240 minutter"),
    (("suggest", "--k", "2", "--objective", "best"), "ugyldigt valg 'best'"),
    (("split", "--total", "9" * 40), "helt antal kroner mellem 0 og"),
    (("split", "--total", "1000", "--lead", "0370", "--lead-share", "nan"), "mellem 0 og 100 %"),
    (("scenario", "--sites", "{d}/good.csv", "--out", "{d}/s.json", "--thresholds", "9" * 5000), "--thresholds"),
    (("scenario", "--sites", "{d}/good.csv", "--cluster", "a", "--codes", "41", "--out", "{d}/s.json"),
     "kan ikke bruges sammen med"),
    (("report", "--scenario", "{d}/huge.json", "--out", "{d}/x.pdf"), "højst 40 tegn"),
    (("report", "--scenario", "{d}/bytes.csv", "--out", "{d}/x.pdf"), "ikke UTF-8"),
    (("report", "--scenario", "{d}/empty.csv", "--out", "{d}/x.pdf"), "tom"),
    (("refresh", "--only", "everything"), "Ukendt lag"),
    (("refresh", "--only", "roads", "--pbf", "{d}/bytes.csv", "--roads-out", "{d}/r.npz"),
     "OSM-filen bytes.csv kan ikke læses"),
    (("nonsense",), "ugyldigt valg 'nonsense'"),
]


@pytest.mark.parametrize("argv, fragment", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_cli_input_is_exit_2_and_one_danish_line(files: Path, capsys: pytest.CaptureFixture[str],
                                                      argv: tuple[str, ...], fragment: str) -> None:
    code, lines = _run_cli(capsys, *(a.replace("{d}", str(files)) for a in argv))
    assert code == 2, lines
    _danish_one_line(lines, fragment)


def test_an_unexpected_bug_is_exit_1_one_danish_line_without_paths(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(_args: object) -> int:
        raise KeyError("/srv/klyngested/secret/path.py")

    monkeypatch.setitem(cli.COMMANDS, "split", bug)
    monkeypatch.delenv(cli.ENV_DEBUG, raising=False)
    code, lines = _run_cli(capsys, "split", "--total", "1")
    assert code == 1 and len(lines) == 1
    assert "uventet fejl (KeyError)" in lines[0] and "/srv" not in lines[0]
    monkeypatch.setenv(cli.ENV_DEBUG, "1")
    with pytest.raises(KeyError):
        cli.main(["split", "--total", "1"])


def test_real_process_prints_no_traceback(files: Path) -> None:
    for argv in (("report", "--scenario", str(files / "huge.json"), "--out", str(files / "x.pdf")),
                 ("suggest", "--k", "zwei")):
        result = subprocess.run([sys.executable, "-m", "geo", *argv], check=False, cwd=ROOT, capture_output=True,
                                text=True, timeout=120, env={**os.environ, "KLYNGESTED_DEBUG": ""})
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# ---- 7. the app asks no one else -----------------------------------------------------------------


def test_streamlit_config_hides_error_details_and_developer_menu() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"] == {"showErrorDetails": "none", "toolbarMode": "minimal"}
    assert config["browser"]["gatherUsageStats"] is False
    for path in (ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))):
        text = path.read_text(encoding="utf-8")
        assert "fonts.g" not in text and "googleapis" not in text, path
    assert 'page_icon=":material' not in (ROOT / "app.py").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_the_app_makes_no_outside_request() -> None:
    from tests.e2e_support import browser_page, running_app

    requests_seen: list[str] = []
    with running_app() as url, browser_page() as page:
        page.on("request", lambda r: requests_seen.append(r.url))
        page.goto(url, wait_until="domcontentloaded")
        page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(
            ".leaflet-control-layers").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    outside = [u for u in requests_seen if not u.startswith((url, "data:", "blob:", "about:"))]
    assert requests_seen and not outside, outside
    assert icon.startswith("data:image/svg+xml"), icon


def test_an_uncaught_app_error_shows_no_message_path_or_trace(tmp_path: Path) -> None:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "boom.py"
    script.write_text('raise KeyError("/srv/klyngested/secret/path.py")\n', encoding="utf-8")
    at = AppTest.from_file(str(script)).run()
    assert config.get_option("client.showErrorDetails") == "none"  # read from .streamlit/config.toml
    assert len(at.exception) == 1  # still reported, but redacted
    shown = at.exception[0].proto
    assert "/srv" not in shown.message and not list(shown.stack_trace) and "KeyError" not in shown.type
