"""Snapshot store: atomic writes, interrupted refresh, checksums, fallback, refresh CLI."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import responses

from geo.cli.main import build_parser, main
from geo.cli.refresh import run_refresh
from geo.data import refresh, snapshot
from geo.data.loading import load_layers
from geo.data.sources import osm, statbank
from geo.errors import InputFileError
from tests.report_support import layers as default_layers
from tests.source_fakes import client, overpass, statbank_tableinfo

ROOT = Path(__file__).resolve().parents[1]
SECRET_ENV = ("DATAFORDELER_API_KEY", "CVR_ES_USER", "CVR_ES_PASSWORD", "DATAFORSYNINGEN_TOKEN")


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _write_default(root: Path, layers: tuple[str, ...] | None = None) -> Path:
    default = default_layers()  # built once per run
    names = layers or ("municipalities", "workplaces", "institutions", "stations", "towns")
    return snapshot.write_snapshot({n: getattr(default, n) for n in names},
                                   {n: default.provenance[n] for n in names}, root,
                                   notes=("testnote",))


def test_roundtrip_and_manifest(tmp_path: Path) -> None:
    folder = _write_default(tmp_path)
    assert snapshot.current_snapshot(tmp_path) == folder
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["schema_version"] == snapshot.SCHEMA_VERSION
    assert set(manifest["layers"]) == {"municipalities", "workplaces", "institutions", "stations", "towns"}
    for entry in manifest["layers"].values():
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    layers = snapshot.load_snapshot(None, tmp_path)
    default = default_layers()  # built once per run
    assert len(layers.workplaces) == len(default.workplaces)
    assert list(layers.municipalities["kommunekode"]) == list(default.municipalities["kommunekode"])
    assert layers.provenance["towns"] == default.provenance["towns"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


def test_missing_layers_fall_back_to_default(tmp_path: Path) -> None:
    folder = _write_default(tmp_path, ("municipalities", "stations"))
    layers = snapshot.load_snapshot(folder)
    assert "standarddata bruges" in layers.provenance["workplaces"].method
    assert "standarddata bruges" not in layers.provenance["stations"].method
    assert any("ikke i snapshot" in line for line in layers.notes())


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    folder = _write_default(tmp_path)
    with (folder / "stations.parquet").open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(snapshot.SnapshotError, match="kontrolsum"):
        snapshot.load_snapshot(folder)


def test_schema_checked_on_load(tmp_path: Path) -> None:
    default = default_layers()  # built once per run
    broken = default.stations.drop(columns=["location_quality"])
    folder = snapshot.write_snapshot({"stations": broken}, {"stations": default.provenance["stations"]},
                                     tmp_path)
    with pytest.raises(InputFileError, match="location_quality"):
        snapshot.load_snapshot(folder)


def test_unknown_snapshot_and_wrong_version(tmp_path: Path) -> None:
    with pytest.raises(snapshot.SnapshotError, match="ingen gemt snapshot"):
        snapshot.load_snapshot(None, tmp_path)
    folder = _write_default(tmp_path, ("towns",))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["schema_version"] = 99
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(snapshot.SnapshotError, match="skemaversion 99"):
        snapshot.load_snapshot(folder.name, tmp_path)


@pytest.mark.parametrize("fault", ["exception", "disk_full"])
def test_interrupted_write_leaves_previous_snapshot_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    previous = _write_default(tmp_path)
    before = _tree_digest(tmp_path)
    real_write = snapshot.write_layer
    calls = {"n": 0}

    def failing_write(gdf, path):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:  # two layers already written to the temporary folder
            if fault == "disk_full":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            raise RuntimeError("simulated crash inside a layer write")
        real_write(gdf, path)

    monkeypatch.setattr(snapshot, "write_layer", failing_write)
    default = default_layers()  # built once per run
    names = ("municipalities", "workplaces", "institutions", "stations", "towns")
    expected = snapshot.SnapshotError if fault == "disk_full" else RuntimeError
    with pytest.raises(expected) as info:
        snapshot.write_snapshot({n: getattr(default, n) for n in names}, default.provenance, tmp_path)
    if fault == "disk_full":
        assert "disken er fuld" in str(info.value)
    assert _tree_digest(tmp_path) == before  # byte-identical, no temp folder left behind
    assert snapshot.current_snapshot(tmp_path) == previous
    assert len(snapshot.load_snapshot(None, tmp_path).workplaces) == len(default.workplaces)


def test_load_layers_accepts_a_snapshot(tmp_path: Path) -> None:
    _write_default(tmp_path, ("municipalities",))
    layers = load_layers(None, snapshot=tmp_path)  # a root: its current snapshot
    assert layers.report[0].startswith("Snapshot ")


# --- refresh ----------------------------------------------------------------------------
def _offline_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in SECRET_ENV and not k.startswith("KLYNGESTED_")}
    dead = "http://127.0.0.1:9"
    for name in ("DAGI", "CVR", "GSEARCH", "NOMINATIM", "STATBANK", "OVERPASS"):
        env[f"KLYNGESTED_{name}_URL"] = f"{dead}/{name.lower()}"
    env["KLYNGESTED_SNAPSHOT_DIR"] = str(tmp_path / "snapshots")
    env["KLYNGESTED_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_refresh_help_lists_sources_and_keys(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "geo", "refresh", "--help"], cwd=ROOT,
                         env=_offline_env(tmp_path), capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0
    for word in ("DAGI_Kommuneinddeling", "FOLK1A", "produktionsenhed", "GSearch", "Nominatim",
                 "Overpass", "institutions", "stations", "roads", *SECRET_ENV,
                 "KLYNGESTED_SNAPSHOT_DIR", "--region", "--only"):
        assert word in out.stdout, word


def test_refresh_offline_fails_with_one_danish_line_per_source(tmp_path: Path) -> None:
    previous = _write_default(tmp_path / "snapshots", ("towns",))
    before = _tree_digest(tmp_path / "snapshots")
    out = subprocess.run([sys.executable, "-m", "geo", "refresh", "--no-progress"], cwd=ROOT,
                         env=_offline_env(tmp_path), capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 2, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 5, out.stderr  # one per source, nothing else
    for layer in ("boundaries", "population", "companies", "institutions", "stations"):
        assert sum(ln.startswith(f"klyngested: {layer}:") for ln in lines) == 1, layer
    assert "CVR_ES_USER" in out.stderr and "kan ikke nås" in out.stderr
    assert "Traceback" not in out.stderr
    assert _tree_digest(tmp_path / "snapshots") == before
    assert snapshot.current_snapshot(tmp_path / "snapshots") == previous


def test_refresh_rejects_unknown_layer(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "geo", "refresh", "--only", "weather"], cwd=ROOT,
                         env=_offline_env(tmp_path), capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 2 and "Ukendt lag" in out.stderr


@responses.activate
def test_refresh_writes_snapshot_from_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process refresh against fake sources: population + stations succeed, then a load."""


    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    for name in ("STATBANK", "OVERPASS"):
        monkeypatch.delenv(f"KLYNGESTED_{name}_URL", raising=False)
    monkeypatch.setattr(refresh, "probe", lambda url, timeout_s=3.0: True)
    responses.post(f"{statbank.DEFAULT_URL}/tableinfo",
                   json=statbank_tableinfo("FOLK1A", [("259", "Køge")], ["2026K2"]))
    responses.post(f"{statbank.DEFAULT_URL}/data", body="OMRÅDE;TID;INDHOLD\n259;2026K2;70000\n".encode())
    responses.post(osm.DEFAULT_URL, json=overpass([
        {"type": "node", "id": 3, "lat": 55.45, "lon": 12.20,
         "tags": {"railway": "station", "name": "Ny Teststation"}}]))
    root = tmp_path / "snaps"
    args = build_parser().parse_args(["refresh", "--only", "population,stations",
                                      "--snapshot-dir", str(root), "--no-progress"])
    assert run_refresh(args, secrets={}, client=client(tmp_path)) == 0
    layers = load_layers(None, snapshot=root)
    munis = layers.municipalities.set_index("kommunekode")
    assert munis.loc["0259", "population"] == 70000
    assert "FOLK1A (2026K2)" in layers.provenance["municipalities"].source
    assert "Ny Teststation" in set(layers.stations["name"])
    assert "Demodata" in layers.provenance["workplaces"].source  # not refreshed: default kept


def test_cli_indicators_reads_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:

    _write_default(tmp_path / "snaps", ("stations", "towns"))
    sites = tmp_path / "sites.csv"
    sites.write_text("navn,lat,lon\nRoskilde st.,55.6415,12.0803\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["indicators", "--sites", str(sites), "--data", str(tmp_path / "snaps"),
                 "--out", str(out)]) == 0
    assert "Snapshot " in capsys.readouterr().err
    assert main(["indicators", "--sites", str(sites), "--data", str(tmp_path / "nothing")]) == 2
    assert "Snapshot findes ikke" in capsys.readouterr().err
