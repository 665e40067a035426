"""DAGI GraphQL boundaries: cursor paging, region join, dissolve, faults, keyless fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from geo.data.schema import MUNICIPALITIES, validate
from geo.data.sources import dagi, osm
from geo.errors import SourceError
from tests.source_fakes import (
    GREVE,
    KOEGE_A,
    KOEGE_B,
    REGION_ID,
    body_json,
    client,
    dagi_kommune,
    dagi_regions,
    gql_page,
    overpass,
)

KEY = "dafo-api-key-XYZ"


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (dagi.ENV_KEY, "KLYNGESTED_DAGI_URL", "KLYNGESTED_OVERPASS_URL"):
        monkeypatch.delenv(name, raising=False)


def _register_two_pages() -> None:
    responses.post(dagi.DEFAULT_URL, json=dagi_regions())
    responses.post(dagi.DEFAULT_URL, json=gql_page("DAGI_Kommuneinddeling", [
        dagi_kommune("0259", "Køge", KOEGE_A), dagi_kommune("0253", "Greve", GREVE),
    ], True, "cursor-1"))
    responses.post(dagi.DEFAULT_URL, json=gql_page("DAGI_Kommuneinddeling", [
        dagi_kommune("259", "Køge", KOEGE_B),
    ], False, "cursor-2"))


@responses.activate
def test_cursor_paging_region_and_dissolve(tmp_path: Path) -> None:
    _register_two_pages()
    gdf, prov = dagi.fetch_dagi_municipalities(client(tmp_path), KEY, region="1085",
                                               population={"0259": 62458})
    assert list(gdf["kommunekode"]) == ["0253", "0259"]
    koege = gdf.set_index("kommunekode").loc["0259"]
    assert koege.geometry.geom_type == "MultiPolygon"
    assert koege.geometry.area == pytest.approx(100e6 + 4e6)
    assert koege["population"] == 62458 and koege["regionskode"] == "1085"
    assert gdf.set_index("kommunekode").loc["0253", "population"] != gdf.set_index(
        "kommunekode").loc["0253", "population"]  # NaN: no figure given
    validate(gdf, MUNICIPALITIES)
    assert prov.quality == "real" and "DAGI" in prov.source and KEY not in prov.url
    # second page asked for the cursor of the first; the region filter used regionLokalid
    bodies = [body_json(c) for c in responses.calls]
    assert bodies[1]["variables"]["after"] is None
    assert bodies[2]["variables"]["after"] == "cursor-1"
    assert f'regionLokalid: {{ eq: "{REGION_ID}" }}' in bodies[1]["query"]
    assert "geometri { wkt }" in bodies[1]["query"]
    assert all(f"apiKey={KEY}" in c.request.url for c in responses.calls)
    cache_text = "".join(p.read_text() for p in (tmp_path / "http-cache").rglob("*.json"))
    assert KEY not in cache_text


@responses.activate
def test_unknown_region(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, json=dagi_regions())
    with pytest.raises(SourceError, match="ukendt regionskode 9999"):
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY, region="9999")


@responses.activate
def test_bad_key_names_env_var_and_hides_key(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, status=401, body="Unauthorized")
    with pytest.raises(SourceError) as info:
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY)
    assert dagi.ENV_KEY in str(info.value) and KEY not in str(info.value)
    assert "Datafordeleren" in str(info.value)


@responses.activate
def test_graphql_errors_and_schema_change(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, json={"errors": [{"message": "The field `navn2` does not exist"}]})
    with pytest.raises(SourceError, match="skema"):
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY)
    responses.replace(responses.POST, dagi.DEFAULT_URL, json={"data": {"Something": {}}})
    with pytest.raises(SourceError, match="uventet format"):
        dagi.fetch_dagi_municipalities(client(tmp_path / "b"), KEY)


@responses.activate
def test_empty_result(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, json=dagi_regions())
    responses.post(dagi.DEFAULT_URL, json=gql_page("DAGI_Kommuneinddeling", [], False, None))
    with pytest.raises(SourceError, match="ingen kommuner"):
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY)


@responses.activate
def test_endpoint_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLYNGESTED_DAGI_URL", "http://dagi.test/graphql")
    responses.post("http://dagi.test/graphql", json=dagi_regions())
    responses.post("http://dagi.test/graphql", json=gql_page(
        "DAGI_Kommuneinddeling", [dagi_kommune("0259", "Køge", KOEGE_A)], False, None))
    gdf, _ = dagi.fetch_dagi_municipalities(client(tmp_path), KEY)
    assert list(gdf["kommunekode"]) == ["0259"]


def _osm_relation(rel_id: int, name: str, ring: list[tuple[float, float]], tags: dict | None = None) -> dict:
    geometry = [{"lat": lat, "lon": lon} for lon, lat in ring]
    return {"type": "relation", "id": rel_id,
            "tags": {"boundary": "administrative", "admin_level": "7", "name": name, **(tags or {})},
            "members": [
                {"type": "way", "ref": rel_id * 10, "role": "outer", "geometry": geometry[:3]},
                {"type": "way", "ref": rel_id * 10 + 1, "role": "outer", "geometry": geometry[2:]},
            ]}


@responses.activate
def test_without_key_falls_back_to_overpass(tmp_path: Path) -> None:
    koege = [(12.1, 55.4), (12.3, 55.4), (12.3, 55.5), (12.1, 55.5), (12.1, 55.4)]
    greve = [(12.1, 55.5), (12.3, 55.5), (12.3, 55.6), (12.1, 55.6), (12.1, 55.5)]
    responses.post(osm.DEFAULT_URL, json=overpass([
        _osm_relation(1, "Køge Kommune", koege),
        _osm_relation(2, "Greve Kommune", greve, {"ref": "253"}),
        _osm_relation(3, "Ukendt Kommune", greve),
    ]))
    gdf, prov, notes = dagi.fetch_municipalities(client(tmp_path), region="1085",
                                                 population={"0253": 51507})
    assert sorted(gdf["kommunekode"]) == ["0253", "0259"]
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    validate(gdf, MUNICIPALITIES)
    assert prov.quality == "approximate" and "OpenStreetMap" in prov.source
    assert "OpenStreetMap" in notes[0] and dagi.ENV_KEY in notes[0]
    assert len(responses.calls) == 1 and b"admin_level" in responses.calls[0].request.body


@responses.activate
def test_ip_not_whitelisted_is_named(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, status=403, json={
        "errorCode": "DAF-AUTH-0005", "message": "Access denied: the calling IP address is not allowed"})
    with pytest.raises(SourceError) as info:
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY)
    text = str(info.value)
    assert "DAF-AUTH-0005" in text and "IP-adresse" in text and "whitelistet" in text
    assert KEY not in text


@responses.activate
def test_ip_refusal_inside_graphql_errors_is_named(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, json={"errors": [{"message": "DAF-AUTH-0005: IP address not allowed"}]})
    with pytest.raises(SourceError, match="IP-adresse"):
        dagi.fetch_dagi_municipalities(client(tmp_path), KEY)


@responses.activate
def test_empty_answer_with_key_falls_back_to_osm_labelled(tmp_path: Path) -> None:
    responses.post(dagi.DEFAULT_URL, json=dagi_regions())
    responses.post(dagi.DEFAULT_URL, json=gql_page("DAGI_Kommuneinddeling", [], False, None))
    koege = [(12.1, 55.4), (12.3, 55.4), (12.3, 55.5), (12.1, 55.5), (12.1, 55.4)]
    responses.post(osm.DEFAULT_URL, json=overpass([_osm_relation(1, "Køge Kommune", koege)]))
    gdf, prov, notes = dagi.fetch_municipalities(client(tmp_path), region="1085", secrets={dagi.ENV_KEY: KEY})
    assert list(gdf["kommunekode"]) == ["0259"]
    assert prov.quality == "approximate" and "OpenStreetMap" in prov.source
    assert "svarede uden kommuner" in notes[0] and "svarede uden kommuner" in prov.method


@responses.activate
def test_z_is_dropped_and_the_most_detailed_level_kept(tmp_path: Path) -> None:
    koege_z = ("MULTIPOLYGON Z (((690000 6150000 0, 700000 6150000 0, 700000 6160000 0, "
               "690000 6160000 0, 690000 6150000 0)))")
    coarse = {**dagi_kommune("0259", "Køge", KOEGE_B), "generaliseringsniveau": "1:500000"}
    fine = {**dagi_kommune("0259", "Køge", koege_z), "generaliseringsniveau": "1:10000"}
    responses.post(dagi.DEFAULT_URL, json=dagi_regions())
    responses.post(dagi.DEFAULT_URL, json=gql_page("DAGI_Kommuneinddeling", [coarse, fine], False, None))
    gdf, _ = dagi.fetch_dagi_municipalities(client(tmp_path), KEY)
    geom = gdf.geometry.iloc[0]
    assert not geom.has_z
    assert geom.area == pytest.approx(100e6)  # only the 1:10000 square, not the 2x2 km coarse one
