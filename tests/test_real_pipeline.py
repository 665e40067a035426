"""The real files end to end: CLI and folder loading on ../shared/data (skips without it)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

from geo.data.loading import find_folder_files, load_layers

ROOT = Path(__file__).resolve().parents[1]


def test_folder_discovery_and_load(shared_data: Path) -> None:
    files = find_folder_files(shared_data)
    assert files.boundaries.name == "kommuner_fot2014.geojson"
    assert files.companies.name == "datacvr_export_byggeri_2025.xlsx"
    assert files.postcodes.name == "postnumre_fot2014.geojson"
    layers = load_layers(files)
    assert len(layers.municipalities) == 99
    assert layers.provenance["municipalities"].quality == "real"
    # all 521 companies are placed by postcode area (checked by hand in test_real_files)
    assert len(layers.workplaces) == 521
    assert set(layers.workplaces["location_quality"]) == {"postcode"}
    assert layers.provenance["workplaces"].quality == "approximate"
    # a Næstved-area postcode lands in a real municipality: every company got a code
    assert layers.workplaces["kommunekode"].str.fullmatch(r"\d{4}").all()
    # K17 population kept from the cited table
    pop = layers.municipalities.set_index("kommunekode")["population"]
    assert pop["0370"] == 84574


def test_cli_on_real_files(shared_data: Path, tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("navn;lat;lon\nNæstved st.;55,2301;11,7605\nRoskilde st.;55,6415;12,0803\nNakskov st.;54,8306;11,1353\n")
    result = subprocess.run(
        [sys.executable, "-m", "geo", "indicators", "--sites", str(sites),
         "--boundaries", str(shared_data / "dagi/kommuner_fot2014.geojson"),
         "--companies", str(shared_data / "cvr/datacvr_export_byggeri_2025.xlsx"),
         "--postcodes", str(shared_data / "dagi/postnumre_fot2014.geojson"),
         "--cluster", "byggeri", "--international"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    body, sources = result.stdout.lstrip("\ufeff").split("\n\n", 1)
    table = pd.read_csv(io.StringIO(body), dtype={"kommunekode": str})
    # the hand-checked municipalities of the three stations on the real boundary file
    assert table["kommunekode"].tolist() == ["0370", "0265", "0360"]
    assert table["kommune"].tolist() == ["Næstved", "Roskilde", "Lolland"]
    # the export holds only 20-499-employee construction firms nationally; Roskilde (near
    # Copenhagen) reaches more of them within 60 min than Nakskov at the western tip
    assert table.loc[1, "workplaces_60"] > table.loc[2, "workplaces_60"]
    assert (table["data"] == "omtrentlig placering").all()
    assert "DAGI" in sources and "CVR" in sources
