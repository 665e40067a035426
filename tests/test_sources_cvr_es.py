"""CVR Elasticsearch production units: query, scroll paging, field mapping, faults."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from geo.data.addresses import Placer
from geo.data.schema import WORKPLACES, validate
from geo.data.sources import cvr_es, geocode
from geo.data.sources.embedded import load_towns
from geo.errors import SourceError
from tests.source_fakes import body_json, client, es_page, es_unit, gsearch_hit

SEARCH = f"{cvr_es.DEFAULT_URL}/cvr-permanent/produktionsenhed/_search"
SCROLL = f"{cvr_es.DEFAULT_URL}/_search/scroll"
SECRETS = {"CVR_ES_USER": "user1", "CVR_ES_PASSWORD": "pa55-word", "DATAFORSYNINGEN_TOKEN": "tok-9"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CVR_ES_USER", "CVR_ES_PASSWORD", "DATAFORSYNINGEN_TOKEN", "KLYNGESTED_CVR_URL",
                 "KLYNGESTED_GSEARCH_URL", "KLYNGESTED_NOMINATIM_URL"):
        monkeypatch.delenv(name, raising=False)


def test_query_filters_codes_and_prefixes() -> None:
    q = cvr_es.build_query(cvr_es.UNIT_META, ["0259", "0253"], ["62", "71.12"])
    terms = q["bool"]["filter"][0]["terms"]
    assert terms[f"{cvr_es.UNIT_META}.nyesteBeliggenhedsadresse.kommune.kommuneKode"] == [259, 253]
    prefixes = [c["prefix"][f"{cvr_es.UNIT_META}.nyesteHovedbranche.branchekode"]
                for c in q["bool"]["filter"][1]["bool"]["should"]]
    assert prefixes == ["62", "7112"]


@responses.activate
def test_scroll_pages_beyond_first_page(tmp_path: Path) -> None:
    units = [es_unit(1000000 + i, 30000000 + i, f"Firma {i}", 259) for i in range(5)]
    responses.post(SEARCH, json=es_page(units[:2], "scroll-A", 5))
    responses.post(SCROLL, json=es_page(units[2:4], "scroll-B", 5))
    responses.post(SCROLL, json=es_page(units[4:], "scroll-C", 5))
    responses.post(SCROLL, json=es_page([], "scroll-C", 5))
    frame = cvr_es.fetch_records(client(tmp_path), ("user1", "pa55-word"), ["0259"], ["62"],
                                 page_size=2)
    assert list(frame["pnr"]) == [str(1000000 + i) for i in range(5)]
    first = body_json(responses.calls[0])
    assert first["size"] == 2 and "scroll=2m" in responses.calls[0].request.url
    assert [body_json(c)["scroll_id"] for c in responses.calls[1:]] == ["scroll-A", "scroll-B", "scroll-C"]
    assert all(c.request.headers["Authorization"].startswith("Basic ") for c in responses.calls)
    row = frame.iloc[0]
    assert row["cvr"] == "30000000" and row["kommunekode"] == "0259" and row["postcode"] == "4600"
    assert row["industry_code"] == "620100" and row["employees"] == 34.5
    assert row["employees_band"] == "20-49" and row["address"] == "Torvet 1"
    assert row["start_date"] == "2015-03-01" and row["status"] == "Aktiv"


@responses.activate
def test_workplaces_are_geocoded_and_valid(tmp_path: Path) -> None:
    units = [es_unit(1, 11, "A", 259, aarsvaerk=3.5),
             es_unit(2, 12, "B", 259, street="Ukendtvej", number=9, band="ANTAL_2_4"),
             es_unit(3, 13, "C", 259, status="Ophørt")]
    responses.post(SEARCH, json=es_page(units, None, 3))
    responses.get(geocode.GSEARCH_URL, json=gsearch_hit(695000.0, 6155000.0))
    responses.get(geocode.GSEARCH_URL, json=[])
    gdf, prov, notes = cvr_es.fetch_workplaces(client(tmp_path), Placer(None, load_towns()),
                                               ["0259"], None, SECRETS)
    validate(gdf, WORKPLACES)
    assert list(gdf["pnr"]) == ["1", "2"]  # the ceased unit is left out
    assert list(gdf["location_quality"]) == ["address", "town"]
    assert gdf.geometry.iloc[0].x == 695000.0 and gdf["employees"].iloc[0] == 3.5
    assert "1 ophørte" in notes[0] and "1 ved adresse" in notes[1]
    assert prov.quality == "approximate"
    text = " ".join(notes) + prov.label()
    assert "pa55-word" not in text and "tok-9" not in text


def test_no_credentials_says_which_keys(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        cvr_es.fetch_workplaces(client(tmp_path), Placer(None, None))
    assert "CVR_ES_USER" in str(info.value) and "CVR_ES_PASSWORD" in str(info.value)


@responses.activate
def test_bad_credentials(tmp_path: Path) -> None:
    responses.post(SEARCH, status=401, json={"error": "unauthorized"})
    with pytest.raises(SourceError) as info:
        cvr_es.fetch_records(client(tmp_path), ("user1", "pa55-word"), ["0259"])
    assert "HTTP 401" in str(info.value) and "CVR_ES_USER" in str(info.value)
    assert "pa55-word" not in str(info.value)


@responses.activate
def test_schema_change_missing_metadata(tmp_path: Path) -> None:
    responses.post(SEARCH, json=es_page([{"VrproduktionsEnhed": {"pNummer": 1}}], None, 1))
    with pytest.raises(SourceError, match="produktionsEnhedMetadata mangler"):
        cvr_es.fetch_records(client(tmp_path), ("u", "p"), ["0259"])


@responses.activate
def test_missing_hits_block(tmp_path: Path) -> None:
    responses.post(SEARCH, json={"error": {"type": "search_phase_execution_exception"}, "status": 200})
    with pytest.raises(SourceError, match="hits mangler"):
        cvr_es.fetch_records(client(tmp_path), ("u", "p"), ["0259"])
