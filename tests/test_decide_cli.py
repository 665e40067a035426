"""`rank`, `suggest` and `split` on the embedded default: checked against what must hold."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True, timeout=180)


def table(stdout: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(stdout.lstrip("\ufeff").split("\n\n", 1)[0]), dtype={"kommunekode": str})


@pytest.fixture()
def sites(tmp_path: Path) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text("navn,lat,lon\nNæstved st.,55.2301,11.7605\nRoskilde st.,55.6415,12.0803\nNykøbing F,54.7691,11.8743\n")
    return path


def test_split_sums_exactly_over_the_17_by_default() -> None:
    result = run("split", "--international", "--total", "1000001", "--key", "equal")
    assert result.returncode == 0, result.stderr
    t = table(result.stdout)
    assert len(t) == 17 and t["amount_kr"].sum() == 1_000_001
    # 1,000,001 / 17 = 58,823.59 -> ten municipalities pay 58,824 and seven 58,823
    assert sorted(t["amount_kr"].value_counts().items()) == [(58_823, 7), (58_824, 10)]


def test_rank_orders_by_score_with_a_robustness_sentence(sites: Path) -> None:
    result = run("rank", "--international", "--sites", str(sites), "--cluster", "byggeri", "--draws", "2000")
    assert result.returncode == 0, result.stderr
    t = table(result.stdout)
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["score"].is_monotonic_decreasing
    contrib = t[[c for c in t.columns if c.startswith("contrib_")]].sum(axis=1)
    assert (contrib - t["score"]).abs().max() < 0.01  # contributions add up to the total
    assert all("vægtkombinationer" in s for s in t["robustness"])


def test_suggest_keeps_the_fixed_office_and_reports_the_gap(sites: Path) -> None:
    result = run("suggest", "--international", "--k", "2", "--cluster", "byggeri", "--fixed", "Næstved", "--sites", str(sites))
    assert result.returncode == 0, result.stderr
    t = table(result.stdout)
    assert len(t) == 2 and "Næstved" in t["name"].tolist()
    assert (t["gap_pct"] >= 0).all() and "Jeres bedste 2 af 3 lokaliteter" in result.stderr and "forslaget med 2 steder dækker" in result.stderr


def test_suggest_with_unknown_fixed_office_is_one_danish_line() -> None:
    result = run("suggest", "--international", "--k", "2", "--fixed", "Atlantis")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["klyngested: Eksisterende kontor findes ikke blandt kandidaterne: Atlantis."]
