"""Real-data mode: notes and provenance speak only of layers in use; file dates from the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.cli.main import main
from geo.data.loading import UserFiles, load_layers
from geo.data.sites import Site
from geo.data.sources.filedate import MTIME_LABEL, data_date
from geo.report.scenario import Scenario, from_query_params, scenario_from_dict, to_query_params
from geo.text import md
from ui.sidebar import default_source

# two K17 municipalities as lon/lat squares (FOT spelling), and a CVR export placed by town
BOUNDARIES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"KOMKODE": code, "KOMNAVN": name},
     "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + 0.3, y], [x + 0.3, y + 0.2], [x, y + 0.2], [x, y]]]}}
    for code, name, x, y in (("0370", "Næstved", 11.6, 55.15), ("0265", "Roskilde", 11.95, 55.55))]}
CVR = ("CVR-nummer;Navn;Postnr.;By;Årsværk;Hovedbranche\n"
       "11111111;VVS Næstved ApS;4700;Næstved;12;F 43.22.00 VVS-installation\n"
       "22222222;Byg Roskilde A/S;4000;Roskilde;30;410000 Opførelse af bygninger\n")
DEMO_WORDS = ("Demodata", "43.548", "kommuneområderne er omtrentlige", "omtrentlige", "syntetisk")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def real_files(tmp_path: Path) -> tuple[Path, Path]:
    boundaries = tmp_path / "kommuner_fot2014.geojson"
    boundaries.write_text(json.dumps(BOUNDARIES), encoding="utf-8")
    companies = tmp_path / "cvr_export.csv"
    companies.write_text(CVR, encoding="utf-8")
    return boundaries, companies


def test_real_files_leave_no_demo_note(real_files: tuple[Path, Path]) -> None:
    layers = load_layers(UserFiles(*real_files))
    text = " ".join([*layers.notes(), layers.provenance["municipalities"].label(),
                     layers.provenance["workplaces"].label()])
    assert not any(word in text for word in DEMO_WORDS), text
    assert "2 virksomheder læst fra cvr_export.csv." in layers.notes()
    assert layers.provenance["municipalities"].date == "2014"  # from the file name, not the clock
    assert sorted(layers.workplaces["industry_code"]) == ["410000", "432200"]


def test_cli_stderr_says_nothing_about_demo_data(real_files: tuple[Path, Path], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("navn,lat,lon\nNæstved,55.23,11.76\n", encoding="utf-8")
    boundaries, companies = real_files
    assert main(["indicators", "--sites", str(sites), "--boundaries", str(boundaries),
                 "--companies", str(companies), "--out", str(tmp_path / "out.csv")]) == 0
    err = capsys.readouterr().err
    assert "virksomheder læst" in err and not any(word in err for word in DEMO_WORDS), err
    out = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "beskæftigelse: CVR-eksport, periode ikke angivet" in out
    assert not any(word in out for word in ("Demodata", "43.548"))


def test_default_layers_still_say_demo() -> None:
    notes = " ".join(load_layers().notes())
    assert "Demodata" in notes and "omtrentlige" in notes


def test_file_date_from_attributes_name_and_mtime(tmp_path: Path) -> None:
    frame = pd.DataFrame({"virkningFra": ["2024-01-01T00:00:00Z", "2025-03-04T10:00:00Z"]})
    assert data_date(tmp_path / "dagi.geojson", frame) == "2025-03-04"
    assert data_date(tmp_path / "kommuner_2023-06-30.gpkg") == "2023-06-30"
    plain = tmp_path / "kommuner.geojson"
    plain.write_text("{}", encoding="utf-8")
    os.utime(plain, (1_600_000_000, 1_600_000_000))  # 2020-09-13
    assert data_date(plain) == "2020-09-13" + MTIME_LABEL
    assert data_date(b"bytes without a name") == "ukendt"


def test_real_data_is_the_default_mode() -> None:
    assert default_source(has_folder=True, has_snapshot=True) == "folder"
    assert default_source(has_folder=False, has_snapshot=True) == "snapshot"
    assert default_source(has_folder=False, has_snapshot=False) == "default"


def test_data_source_travels_in_link_and_scenario() -> None:
    scenario = Scenario(sites=[Site("Næstved", 55.23, 11.76)], data_source="folder")
    params = to_query_params(scenario)
    assert params["d"] == "folder"
    assert from_query_params(params)["data_source"] == "folder"
    assert "data_source" not in from_query_params({**params, "d": "../etc"})
    assert scenario_from_dict(scenario.to_dict()).data_source == "folder"


def test_app_opens_on_the_data_folder_without_demo_text(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLYNGESTED_DATA_DIR", str(shared_data))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["source"] == "folder"
    texts = [e.value for kind in (at.markdown, at.info, at.caption, at.warning) for e in kind]
    assert not [t for t in texts if any(word in t for word in DEMO_WORDS[:3])]
    lines = [line for t in texts if t.startswith("- ") for line in t.splitlines()]  # Kilder og metode
    assert any(md("kommuner_fot2014.geojson (2014)") in line for line in lines)  # shown as escaped text
