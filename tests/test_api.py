"""The public API (`geo.api`, re-exported from `geo`): the README's Python example runs as written,
and each call gives what the library underneath gives."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

import geo
from geo.data.sites import Site
from geo.errors import ClusterError, InputFileError
from geo.reach import indicators
from geo.reach.catchment import StraightLineEstimate

ROOT = Path(__file__).resolve().parents[1]
NAESTVED, ROSKILDE = ("Næstved", 55.2301, 11.7605), ("Roskilde", 55.6415, 12.0803)


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python"):text.index("## Architecture")]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def example(tmp_path_factory, monkeypatch_module) -> dict:
    folder = tmp_path_factory.mktemp("example")
    monkeypatch_module.chdir(folder)
    namespace: dict = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    namespace["folder"] = folder
    return namespace


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_readme_example_runs_and_writes_the_workbook(example) -> None:
    assert list(example["table"]["site"]) == ["Næstved", "Roskilde"]
    assert set(example["ranked"].table["site"]) == {"Næstved", "Roskilde"}
    assert sorted(example["ranked"].table["rank"]) == [1, 2]
    assert len(example["best"].chosen) == 2
    assert example["money"].table["amount_kr"].sum() == 1_000_000 and len(example["money"].table) == 17
    book = openpyxl.load_workbook(example["folder"] / "byggeri.xlsx")
    assert book["Indikatorer"]["A3"].value == "Næstved" and "Kilder og metode" in book.sheetnames
    assert all(isinstance(n, str) for n in example["notes"])


def test_indicators_are_the_library_table_for_the_cluster_codes(example) -> None:
    layers, sites = example["layers"], example["sites"]
    byggeri = ("41", "42", "43", "711", "813")  # data/clusters.json, cluster "byggeri"
    expected, _ = indicators.compute(layers, sites, StraightLineEstimate(), byggeri)
    got = geo.indicators(layers, sites, codes="41, 42, 43, 71.1, 81.3")
    assert got.equals(expected) and example["table"].equals(expected)


def test_rank_scores_sum_their_contributions_and_say_how_robust(example) -> None:
    table = example["ranked"].table
    contributions = table[[c for c in table if c.startswith("contrib_")]].sum(axis=1)
    assert (contributions - table["score"]).abs().max() < 1e-9
    assert all("vægtkombinationer" in s or "eneste" in s for s in table["robustness"])
    equal = geo.rank(example["table"], "value=20,attract=20,knowledge=20,network=20,research=20", draws=200)
    assert equal.table["score"].tolist() == geo.rank(example["table"], draws=200).table["score"].tolist()


def test_sites_from_csv_text_tuples_and_site_objects_agree(example) -> None:
    layers = example["layers"]
    from_csv = geo.sites("navn;lat;lon\nNæstved;55,2301;11,7605\n".encode(), layers)
    from_tuple = geo.sites([NAESTVED], layers)
    from_site = geo.sites([Site(*NAESTVED)], layers)
    for frame in (from_tuple, from_site):
        assert frame[["name", "lat", "lon", "kommunekode"]].equals(from_csv[["name", "lat", "lon", "kommunekode"]])
    assert from_csv["kommunekode"].iloc[0] == "0370"  # Næstved Kommune


def test_scenario_keeps_cluster_codes_and_rejects_bad_input(tmp_path) -> None:
    plan = geo.scenario([NAESTVED, ROSKILDE], cluster="byggeri", weights="value=60,attract=40", thresholds=(30, 15))
    assert plan.cluster_id == "byggeri" and plan.codes == ("41", "42", "43", "711", "813")
    assert plan.thresholds == (15, 30)
    assert plan.weights == {"value": 60, "attract": 40, "knowledge": 0, "network": 0, "research": 0}
    own = geo.scenario([NAESTVED], cluster="byggeri", codes="41")
    assert own.cluster_id is None and own.codes == ("41",)
    with pytest.raises(ClusterError, match="Ukendt klynge 'nope'"):
        geo.scenario([NAESTVED], cluster="nope")
    with pytest.raises(InputFileError, match="1–8 hele minuttal"):
        geo.scenario([NAESTVED], thresholds=(0, 15))
    with pytest.raises(InputFileError, match=r"\.pdf, \.xlsx, \.gpkg eller \.html"):
        geo.write_report(plan, tmp_path / "pakke.docx")
    with pytest.raises(InputFileError, match="Filen findes ikke"):
        geo.load(companies=tmp_path / "mangler.xlsx")
