"""Overpass institutions and stations merged with the project's cited lists."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from geo.data.schema import INSTITUTIONS, STATIONS, validate
from geo.data.sources import osm
from geo.data.sources.embedded import load_institutions, load_municipalities, load_stations
from geo.errors import SourceError
from tests.source_fakes import client, overpass


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLYNGESTED_OVERPASS_URL", raising=False)


def test_kind_mapping() -> None:
    assert osm.institution_kind({"amenity": "university", "name": "Roskilde Universitet"}) == "university"
    assert osm.institution_kind({"amenity": "college", "name": "Zealand Erhvervsakademi"}) == "business_academy"
    assert osm.institution_kind({"amenity": "college", "name": "EUC Sjælland"}) == "vocational_school"
    assert osm.institution_kind({"amenity": "college", "name": "Professionshøjskolen Absalon"}) == "university_college"
    assert osm.institution_kind({"amenity": "research_institute", "name": "X"}) == "research_institute"


@responses.activate
def test_institutions_merge_and_dedupe(tmp_path: Path) -> None:
    cited = load_institutions()
    first = cited.iloc[0]  # a town-placed row of the cited list
    lonlat = cited.to_crs("EPSG:4326").geometry.iloc[0]
    responses.post(osm.DEFAULT_URL, json=overpass([
        # the same institution a few hundred metres from its town coordinate, as a way with center
        {"type": "way", "id": 10, "center": {"lat": lonlat.y + 0.003, "lon": lonlat.x},
         "tags": {"amenity": "college", "name": first["name"]}},
        # a new institution, mapped twice (node + way) 100 m apart -> counted once
        {"type": "node", "id": 11, "lat": 55.6410, "lon": 12.0800,
         "tags": {"amenity": "research_institute", "name": "Testinstitut Roskilde"}},
        {"type": "way", "id": 12, "center": {"lat": 55.6419, "lon": 12.0800},
         "tags": {"amenity": "research_institute", "name": "Testinstitut Roskilde"}},
        {"type": "node", "id": 13, "lat": 55.0, "lon": 12.0, "tags": {"amenity": "college"}},  # no name
    ]))
    munis = load_municipalities()
    gdf, prov, notes = osm.fetch_institutions(client(tmp_path), munis)
    validate(gdf, INSTITUTIONS)
    assert len(gdf) == len(cited) + 1
    row = gdf[gdf["name"] == first["name"]].iloc[0]
    assert row["location_quality"] == "exact" and "OpenStreetMap" in row["source"]
    new = gdf[gdf["name"] == "Testinstitut Roskilde"].iloc[0]
    assert new["kind"] == "research_institute" and new["kommunekode"] == "0265"
    assert "1 genkendt" in notes[0] and "1 tilføjet" in notes[0]
    assert "ODbL" in prov.method
    query = responses.calls[0].request.body
    assert b"research_institute" in query and b"out+center" in query


@responses.activate
def test_stations_merge(tmp_path: Path) -> None:
    cited = load_stations()
    responses.post(osm.DEFAULT_URL, json=overpass([
        {"type": "node", "id": 1, "lat": 55.6415, "lon": 12.0803,
         "tags": {"railway": "station", "name": "Roskilde", "train": "yes"}},
        {"type": "node", "id": 2, "lat": 55.30, "lon": 11.90,
         "tags": {"railway": "station", "name": "Museumsbanen", "usage": "tourism"}},
        {"type": "node", "id": 3, "lat": 55.45, "lon": 12.20,
         "tags": {"public_transport": "station", "train": "yes", "name": "Ny Teststation"}},
    ]))
    gdf, _, _ = osm.fetch_stations(client(tmp_path), load_municipalities())
    validate(gdf, STATIONS)
    assert len(gdf) == len(cited) + 1
    assert "Museumsbanen" not in set(gdf["name"])
    assert gdf[gdf["name"] == "Ny Teststation"].iloc[0]["location_quality"] == "exact"


@responses.activate
def test_overpass_runtime_error_and_bad_shape(tmp_path: Path) -> None:
    responses.post(osm.DEFAULT_URL, json=overpass([], remark="runtime error: Query timed out"))
    with pytest.raises(SourceError, match="afbrød"):
        osm.fetch_osm_stations(client(tmp_path), osm.DEFAULT_BBOX_SWNE)
    responses.replace(responses.POST, osm.DEFAULT_URL, body="<html>rate limited</html>")
    with pytest.raises(SourceError, match="JSON"):
        osm.fetch_osm_stations(client(tmp_path / "b"), osm.DEFAULT_BBOX_SWNE)
