"""Scenarios: JSON round trip, validation of hostile files, URL query, snapshot diff, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pypdf
import pytest

from geo.data.sites import Site
from geo.errors import InputFileError
from geo.report.bundle import report_data_from_scenario
from geo.report.scenario import (
    MAX_BYTES,
    SCHEMA_VERSION,
    Scenario,
    diff_snapshot,
    from_query_params,
    load_scenario,
    save_scenario,
    scenario_from_json,
    to_query_params,
)
from tests.report_support import layers

ROOT = Path(__file__).resolve().parents[1]


def scenario(**kw) -> Scenario:
    base = {
        "sites": [Site("Næstved", 55.2301, 11.7605), Site("Holbæk", 55.7167, 11.7167)],
        "name": "K17 møde", "created": "2026-11-26T10:00:00+00:00", "cluster_id": "byggeri",
        "codes": ("41", "42", "43", "711", "813"),
        "weights": {"value": 30.0, "attract": 20.0, "knowledge": 20.0, "network": 15.0, "research": 15.0},
        "method": "estimate", "snapshot_id": "standard", "layer_dates": {"workplaces": "2019-11-30"},
        "case_texts": {"value": "Vi vil tiltrække virksomheder."},
    }
    base.update(kw)
    return Scenario(**base)


def good() -> dict:
    return scenario().to_dict()


def test_round_trip_equal(tmp_path):
    s = scenario()
    path = tmp_path / "s.json"
    save_scenario(s, path)
    loaded = load_scenario(path)
    assert loaded == s
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["schema_version"] == SCHEMA_VERSION and "Næstved" in path.read_text(encoding="utf-8")


def test_loaded_scenario_reproduces_indicator_table(tmp_path):
    from geo.reach.engines import select_engine

    s = scenario()
    path = tmp_path / "s.json"
    save_scenario(s, path)
    engine, _ = select_engine("estimate")
    a = report_data_from_scenario(s, layers(), engine, robustness_draws=0)
    b = report_data_from_scenario(load_scenario(path), layers(), engine, robustness_draws=0)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.ranking["site"].tolist() == b.ranking["site"].tolist()


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("sites"), "mangler"),
        (lambda d: d.update(schema_version=99), "skemaversion 99"),
        (lambda d: d.update(schema_version="1"), "helt tal"),
        (lambda d: d.update(sites="Næstved"), "skal være en liste"),
        (lambda d: d.update(sites=[]), "ingen lokaliteter"),
        (lambda d: d["sites"][0].update(lat="55,2"), "skal være et tal"),
        (lambda d: d["sites"][0].update(lat=True), "skal være et tal"),
        (lambda d: d["sites"][0].update(lat=10.0), "uden for Danmark"),
        (lambda d: d["sites"][0].pop("lon"), "mangler"),
        (lambda d: d.update(sites=[{"name": f"S{i}", "lat": 55.5, "lon": 11.5} for i in range(201)]), "højst 200"),
        (lambda d: d.update(method="teleport"), "'method'"),
        (lambda d: d.update(thresholds=[15, "30"]), "'thresholds'"),
        (lambda d: d.update(thresholds=list(range(1, 20))), "'thresholds'"),
        (lambda d: d.update(weights={"value": -5}), "mellem 0 og 100"),
        (lambda d: d.update(weights={"evil": 5}), "Ukendte kriterier"),
        (lambda d: d.update(weights=[1, 2]), "'weights'"),
        (lambda d: d.update(codes=["41", "<x>"]), "'codes'"),
        (lambda d: d.update(cluster_id="../../etc/passwd"), "'cluster_id'"),
        (lambda d: d.update(case_texts={"value": 5}), "tekst"),
        (lambda d: d.update(name="x" * 1000), "for langt"),
    ],
)
def test_hostile_or_malformed_json_rejected_in_danish(mutate, fragment):
    d = good()
    mutate(d)
    with pytest.raises(InputFileError) as err:
        scenario_from_json(json.dumps(d))
    assert fragment in err.value.message_da


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"", "tom"),
        (b"{not json", "ikke gyldig JSON"),
        (b"[1, 2, 3]", "JSON-objekt"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        ((b'{"schema_version": 1, "sites": [{"name": "A", "lat": NaN, "lon": 11}], "method": "estimate", '
          b'"thresholds": [15]}'), "NaN"),
        (b"[" * 100_000 + b"]" * 100_000, "indlejret"),
    ],
)
def test_garbage_bytes_rejected(payload, fragment):
    with pytest.raises(InputFileError) as err:
        scenario_from_json(payload)
    assert fragment in err.value.message_da


def test_huge_file_refused_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_BYTES + 1))
    with pytest.raises(InputFileError, match="for stor"):
        load_scenario(path)
    with pytest.raises(InputFileError, match="for stor"):
        scenario_from_json(b" " * (MAX_BYTES + 1))
    with pytest.raises(InputFileError, match="findes ikke"):
        load_scenario(tmp_path / "nope.json")


def test_query_params_round_trip():
    s = scenario(sites=[Site("Næstved", 55.2301, 11.7605), Site("A~B|C", 55.4028, 11.3546)], method="network")
    params = to_query_params(s)
    assert params["s"] == "Næstved~55.2301~11.7605|A-B-C~55.4028~11.3546"
    assert params["w"] == "value:30,attract:20,knowledge:20,network:15,research:15"
    back = from_query_params(params)
    assert [(x.lat, x.lon) for x in back["sites"]] == [(x.lat, x.lon) for x in s.sites]
    assert back["sites"][0].name == "Næstved" and back["weights"] == s.weights
    assert back["cluster_id"] == "byggeri" and back["method"] == "network" and back["notes"] == []
    assert from_query_params({"s": [params["s"]]})["sites"][1].name == "A-B-C"  # parse_qs style lists


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"s": ""},
        {"s": "|||~~~"},
        {"s": "X~abc~11"},
        {"s": "X~10~10"},
        {"s": "X~nan~inf"},
        {"s": "~55.5~11.5~extra"},
        {"w": "value:abc,evil:5,attract:-3"},
        {"c": "<script>"},
        {"m": "teleport"},
        {"s": "A~55.5~11.5|" * 500},
        {"s": None, "w": 5, "c": ["a", "b"]},
        {"s": "x" * 1_000_000},
    ],
)
def test_query_params_robust_to_garbage(params):
    out = from_query_params(params)
    assert isinstance(out["notes"], list)
    assert len(out.get("sites", [])) <= 200
    for site in out.get("sites", []):
        assert 54 < site.lat < 58 and 7 < site.lon < 16
    assert out.get("method", "estimate") in ("estimate", "network")
    assert set(out.get("weights", {})) <= {"value", "attract", "knowledge", "network", "research"}


def test_query_params_duplicate_names_made_unique():
    out = from_query_params({"s": "A~55.5~11.5|A~55.6~11.6"})
    assert [s.name for s in out["sites"]] == ["A", "A (2)"]


def test_snapshot_diff_warns():
    s = scenario(snapshot_id="20260101T000000Z", snapshot_date="2026-01-01",
                 layer_dates={"workplaces": "2019-11-30", "municipalities": "2023-01-01"})
    assert diff_snapshot(s, "20260101T000000Z", "2026-01-01", {"workplaces": "2019-11-30",
                                                               "municipalities": "2023-01-01"}) == []
    warnings = diff_snapshot(s, "20261126T101530Z", "2026-11-26", {"workplaces": "2025-08-01",
                                                                   "municipalities": "2023-01-01"})
    assert "20260101T000000Z (2026-01-01)" in warnings[0] and "20261126T101530Z" in warnings[0]
    assert any("2019-11-30 → 2025-08-01" in w for w in warnings)
    assert not any("municipalities" in w for w in warnings)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], check=False, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_scenario_then_report_each_format(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("navn;lat;lon\nNæstved;55,2301;11,7605\nHolbæk;55,7167;11,7167\n", encoding="utf-8")
    out = tmp_path / "s.json"
    r = _run("scenario", "--sites", str(sites), "--cluster", "byggeri", "--weights",
             "value=30,attract=20,knowledge=20,network=15,research=15", "--name", "CLI-test", "--out", str(out),
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    s = load_scenario(out)
    assert s.name == "CLI-test" and s.cluster_id == "byggeri" and len(s.sites) == 2 and s.weights["value"] == 30
    procs = {ext: subprocess.Popen([sys.executable, "-m", "geo", "report", "--scenario", str(out),
                                    "--out", str(tmp_path / f"pack.{ext}"), "--finance", "500000"],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for ext in ("pdf", "xlsx", "gpkg", "html")}
    for ext, p in procs.items():
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, (ext, err)
    # no case texts: these sections, each starting a page with its heading (long tables continue);
    # a page's first line is its running header
    starts = [t for t in (p.extract_text() for p in pypdf.PdfReader(tmp_path / "pack.pdf").pages)
              if "(fortsat)" not in t]
    assert [t.splitlines()[1] for t in starts] == ["Overblik", "Sammenligning af lokaliteterne",
                                                   "Rangering og robusthed", "Lokalitet 1: Næstved",
                                                   "Lokalitet 2: Holbæk", "Medfinansiering", "Kilder og metode"]
    wb = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    assert "Medfinansiering" in wb.sheetnames and wb["Indikatorer"]["A3"].value == "Næstved"
    assert len(pyogrio.read_dataframe(tmp_path / "pack.gpkg", layer="catchments")) == 8
    assert "L.map(" in (tmp_path / "pack.html").read_text(encoding="utf-8")


def test_cli_bad_input_is_danish_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1}', encoding="utf-8")
    r = _run("report", "--scenario", str(bad), "--out", str(tmp_path / "x.pdf"), cwd=tmp_path)
    assert r.returncode == 2 and "mangler" in r.stderr and "Traceback" not in r.stderr
    r = _run("report", "--scenario", str(bad), "--out", str(tmp_path / "x.docx"), cwd=tmp_path)
    assert r.returncode == 2 and ".pdf, .xlsx, .gpkg eller .html" in r.stderr
    sites = tmp_path / "sites.csv"
    sites.write_text("navn,lat,lon\nA,55.5,11.5\n", encoding="utf-8")
    r = _run("scenario", "--sites", str(sites), "--cluster", "nope", "--out", str(tmp_path / "s.json"), cwd=tmp_path)
    assert r.returncode == 2 and "Ukendt klynge" in r.stderr
    r = _run("scenario", "--sites", str(sites), "--weights", "value=abc", "--out", str(tmp_path / "s.json"),
             cwd=tmp_path)
    assert r.returncode == 2 and "vægten" in r.stderr.lower()
