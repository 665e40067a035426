"""The CLI on the embedded default: output columns, and bad input as one Danish line, exit 2."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd

from geo.report.csv import danish_header

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ["site", "kommunekode", "kommune", "workplaces_30", "workplaces_45", "workplaces_60",
            "employees_45", "nearest_institution_km", "nearest_station_km", "method"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def read_table(text: str, sep: str = ";") -> pd.DataFrame:
    body = text.lstrip("\ufeff").split("\n\n", 1)[0]
    return pd.read_csv(io.StringIO(body), sep=sep, decimal="," if sep == ";" else ".", dtype={"kommunekode": str})


def test_indicators_on_embedded_default(tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("navn,lat,lon\nNæstved st.,55.2301,11.7605\nRoskilde st.,55.6415,12.0803\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("indicators", "--sites", str(sites), "--cluster", "byggeri", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8-sig")
    raw = pd.read_csv(io.StringIO(text.split("\n\n", 1)[0]), sep=";", dtype=str)
    assert {danish_header(c) for c in REQUIRED} <= set(raw.columns)  # Danish headers by default
    employees = raw[danish_header("employees_45")]
    assert employees.str.fullmatch(r"\d+").all(), employees.tolist()  # counts: no '2586,0'
    assert raw[danish_header("nearest_station_km")].str.fullmatch(r"\d+,\d").all()  # km: one decimal, comma
    table = read_table(text).rename(columns={danish_header(c): c for c in REQUIRED})
    assert raw["Kommunekode"].tolist() == ["0370", "0265"]
    assert (table["workplaces_30"] <= table["workplaces_45"]).all()
    assert (table["workplaces_45"] <= table["workplaces_60"]).all()
    assert (table["method"] == "estimate").all()
    assert "Demodata" in text.split("\n\n", 1)[1]


def test_without_cluster_all_industries_count(tmp_path: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text("navn;lat;lon\nNæstved;55,2301;11,7605\n", encoding="utf-8")
    all_ = read_table(run("indicators", "--sites", str(sites), "--international").stdout, sep=",")
    byg = read_table(run("indicators", "--sites", str(sites), "--cluster", "byggeri", "--international").stdout, sep=",")
    assert all_["workplaces_45"][0] > byg["workplaces_45"][0] > 0


def test_bad_input_is_one_danish_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name;x\nA;1\n", encoding="utf-8")
    for args in (
        ("indicators", "--sites", str(bad)),
        ("indicators", "--sites", str(tmp_path / "missing.csv")),
        ("indicators", "--sites", str(bad), "--cluster", "nope"),
        ("indicators",),
    ):
        result = run(*args)
        assert result.returncode == 2, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert lines[0].startswith("klyngested: ")
