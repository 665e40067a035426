"""Statistics Denmark StatBank API: latest period, area-code mapping, CSV faults."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from geo.data.sources import statbank
from geo.errors import SourceError
from tests.source_fakes import body_json, client, statbank_tableinfo

INFO = f"{statbank.DEFAULT_URL}/tableinfo"
DATA = f"{statbank.DEFAULT_URL}/data"
AREAS = [("000", "Hele landet"), ("085", "Region Sjælland"), ("253", "Greve"), ("259", "Køge")]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLYNGESTED_STATBANK_URL", raising=False)


def test_area_codes() -> None:
    assert statbank.dst_to_kommunekode("253") == "0253"
    assert statbank.dst_to_kommunekode("101") == "0101"
    assert statbank.dst_to_kommunekode("000") is None
    assert statbank.dst_to_kommunekode("085") is None
    assert statbank.dst_to_kommunekode("Greve") is None


@responses.activate
def test_population_latest_quarter(tmp_path: Path) -> None:
    responses.post(INFO, json=statbank_tableinfo("FOLK1A", AREAS, ["2025K4", "2026K1", "2026K2"]))
    csv = ("\ufeffOMRÅDE;TID;INDHOLD\n000;2026K2;6011488\n085;2026K2;853000\n"
           "253;2026K2;51990\n259;2026K2;63012\n")
    responses.post(DATA, body=csv.encode("utf-8"), content_type="text/csv")
    population, prov = statbank.fetch_population(client(tmp_path))
    assert population == {"0253": 51990, "0259": 63012}
    assert prov.date == "2026K2" and "FOLK1A" in prov.source and "Danmarks Statistik" in prov.method
    request = body_json(responses.calls[1])
    assert request["format"] == "CSV" and request["table"] == "FOLK1A"
    assert {"code": "Tid", "values": ["2026K2"]} in request["variables"]
    assert {"code": "OMRÅDE", "values": ["*"]} in request["variables"]


@responses.activate
def test_truncated_csv(tmp_path: Path) -> None:
    responses.post(INFO, json=statbank_tableinfo("FOLK1A", AREAS, ["2026K2"]))
    responses.post(DATA, body=b"OMR\xc3\x85DE;TID;INDHOLD\n253;2026K2;51990\n259;2026")
    with pytest.raises(SourceError, match="ufuldstændigt"):
        statbank.fetch_population(client(tmp_path))


@responses.activate
def test_error_body_instead_of_csv(tmp_path: Path) -> None:
    responses.post(INFO, json=statbank_tableinfo("FOLK1A", AREAS, ["2026K2"]))
    responses.post(DATA, json={"errorTypeCode": "VARIABLE-NOT-FOUND", "message": "..."})
    with pytest.raises(SourceError, match="INDHOLD mangler"):
        statbank.fetch_population(client(tmp_path))


@responses.activate
def test_tableinfo_schema_change(tmp_path: Path) -> None:
    responses.post(INFO, json={"id": "FOLK1A"})
    with pytest.raises(SourceError, match="variables mangler"):
        statbank.fetch_population(client(tmp_path))


@responses.activate
def test_workplace_counts_long_format(tmp_path: Path) -> None:
    units = [("ARB", "Arbejdssteder ultimo november"), ("JOB", "Job ultimo november")]
    responses.post(INFO, json=statbank_tableinfo("ERHV2", AREAS, ["2023", "2024"],
                                                 {"ENHED": units}))
    csv = "OMRÅDE;ENHED;TID;INDHOLD\n000;ARB;2024;300000\n259;ARB;2024;3400\n259;JOB;2024;33000\n"
    responses.post(DATA, body=csv.encode("utf-8"))
    frame = statbank.fetch_workplace_counts(client(tmp_path))
    assert list(frame["kommunekode"]) == ["0259", "0259"]
    assert list(frame["ENHED_text"]) == ["Arbejdssteder ultimo november", "Job ultimo november"]
    assert list(frame["value"]) == [3400, 33000] and set(frame["period"]) == {"2024"}
