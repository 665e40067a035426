"""A whole refresh against local stand-ins in the real shapes: CLI and the app's button.

The stand-in CVR answers in today's shape (current figures only in the monthly block), so
the new snapshot must count 23 årsværk (not the stale 8), a unit registered after 2019, and
1,000 for the open band 'ANTAL_1000_'; indicators computed from the snapshot say so.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.data.snapshot import current_snapshot, load_snapshot
from geo.text import md
from tests.helpers import shown_tables
from tests.standins import StandIns, town_point

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def standins() -> Iterator[StandIns]:
    server = StandIns()
    yield server
    server.close()


def _sites(tmp_path: Path) -> Path:
    path = tmp_path / "sites.csv"
    rows = [f"{name},{lat:.5f},{lon:.5f}" for name in ("Næstved", "Roskilde") for lat, lon in [town_point(name)]]
    path.write_text("navn,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _table(csv_bytes: bytes) -> pd.DataFrame:
    """The table of an `--international` CSV (English codes, comma-separated, decimal point)."""
    text = csv_bytes.decode("utf-8-sig").replace("\r\n", "\n")
    return pd.read_csv(io.StringIO(text.split("\n\n")[0]), sep=",", decimal=".")


def test_cli_refresh_then_indicators_use_the_monthly_employment(standins: StandIns, tmp_path: Path) -> None:
    env = {**os.environ, **standins.env(), "PYTHONPATH": str(ROOT),
           "KLYNGESTED_SNAPSHOT_DIR": str(tmp_path / "snaps"), "KLYNGESTED_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "geo", "refresh", "--no-progress"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "snapshot gemt" in done.stderr
    assert {source for source, _ in standins.calls} >= {"dagi", "cvr", "gsearch", "statbank", "overpass"}
    layers = load_snapshot(None, tmp_path / "snaps")
    wp = layers.workplaces.set_index("name")
    assert wp.loc["Næstved VVS ApS", "employees"] == 23.0  # not the stale 2018 figure (8)
    assert wp.loc["Ny Byg Næstved ApS", "employees"] == 14.5  # registered 2021: only the monthly block
    assert wp.loc["Stor Entreprise A/S", "employees"] >= 1000  # ANTAL_1000_
    assert "Lukket Byg ApS" not in wp.index
    assert "beskæftigelse: CVR, september 2026" in layers.provenance["workplaces"].method
    assert not layers.municipalities.geometry.has_z.any()  # MULTIPOLYGON Z from DAGI, Z dropped

    out = tmp_path / "out.csv"
    done = subprocess.run([sys.executable, "-m", "geo", "indicators", "--sites", str(_sites(tmp_path)),
                           "--data", str(tmp_path / "snaps"), "--cluster", "byggeri", "--out", str(out),
                           "--international"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    table = _table(out.read_bytes()).set_index("site")
    # Næstved reaches its two units within 15 min (23 + 14.5); Roskilde's 1,000 are 50 km away
    assert table.loc["Næstved", "employees_15"] == 38  # 23 + 14.5 årsværk, shown without decimals
    assert table.loc["Roskilde", "employees_15"] == 1000
    assert set(table["employment"]) == {"CVR, september 2026"}
    assert "Demodata" not in done.stderr and "Demodata" not in out.read_text(encoding="utf-8-sig")


def test_app_button_refreshes_and_uses_the_new_snapshot(standins: StandIns, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**standins.env(), "KLYNGESTED_SNAPSHOT_DIR": str(tmp_path / "snaps"),
                        "KLYNGESTED_CACHE_DIR": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    assert at.session_state["source"] == "default"  # no snapshot yet: the demo
    at.button(key="refresh").click()
    at.run()
    assert not at.exception, at.exception
    snap = current_snapshot(tmp_path / "snaps")
    assert snap is not None
    assert at.session_state["source"] == "snapshot"
    at.text_input(key="coord_name").set_value("Næstved")
    lat, lon = town_point("Næstved")
    at.number_input(key="coord_lat").set_value(lat)
    at.number_input(key="coord_lon").set_value(lon)
    at.button(key="coord_add").click()
    at.run()
    assert not at.exception, at.exception
    table = shown_tables(at)[0]
    assert "beskæftigelse: CVR, september 2026" in str(table.loc["Metode / data"].iloc[-1])
    assert at.radio(key="source").value == "snapshot"
    lines = [line for m in at.markdown if m.value.startswith("- ") for line in m.value.splitlines()]  # Kilder og metode
    assert any(md("CVR system-til-system") in line and "september 2026" in line for line in lines)
    assert not any("Demodata" in line for line in lines), lines
