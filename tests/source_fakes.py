"""Small HTTP answers in the real response shapes of the online sources, for offline tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geo.data.sources._http import HttpClient, make_retry, make_session

# Two squares near Køge in EPSG:25832; 0259 comes as two parts (mainland + island).
KOEGE_A = "POLYGON ((690000 6150000, 700000 6150000, 700000 6160000, 690000 6160000, 690000 6150000))"
KOEGE_B = "POLYGON ((701000 6150000, 703000 6150000, 703000 6152000, 701000 6152000, 701000 6150000))"
GREVE = "POLYGON ((690000 6160000, 700000 6160000, 700000 6170000, 690000 6170000, 690000 6160000))"
REGION_ID = "region-1085-uuid"


def client(tmp_path: Path, **kwargs: Any) -> HttpClient:
    """A client with a private cache folder and no backoff sleeping."""
    session = make_session(make_retry(backoff=0))
    return HttpClient(cache_path=tmp_path / "http-cache", session=session, **kwargs)


def gql_page(entity: str, nodes: list[dict], has_next: bool, cursor: str | None) -> dict:
    """A Datafordeleren GraphQL connection page."""
    return {"data": {entity: {"nodes": nodes,
                              "pageInfo": {"hasNextPage": has_next, "endCursor": cursor}}}}


def dagi_regions() -> dict:
    return gql_page("DAGI_Regionsinddeling", [
        {"id_lokalId": REGION_ID, "regionskode": "1085", "navn": "Region Sjælland"},
        {"id_lokalId": "region-1084-uuid", "regionskode": "1084", "navn": "Region Hovedstaden"},
    ], False, None)


def dagi_kommune(code: str, name: str, wkt: str) -> dict:
    return {"id_lokalId": f"kom-{code}", "kommunekode": code, "navn": name,
            "regionLokalid": REGION_ID, "geometri": {"wkt": wkt}}


def es_unit(pnr: int, cvr: int, name: str, kommune: int, street: str = "Torvet",
            number: int = 1, postcode: int = 4600, city: str = "Køge",
            branch: str = "620100", status: str = "Aktiv", band: str | None = "ANTAL_20_49",
            aarsvaerk: float | None = None) -> dict:
    """One ``_source`` of the produktionsenhed index."""
    return {"VrproduktionsEnhed": {
        "pNummer": pnr,
        "livsforloeb": [{"periode": {"gyldigFra": "2015-03-01", "gyldigTil": None}}],
        "produktionsEnhedMetadata": {
            "nyesteNavn": {"navn": name},
            "nyesteCvrNummerRelation": cvr,
            "nyesteHovedbranche": {"branchekode": branch, "branchetekst": "Computerprogrammering"},
            "nyesteBeliggenhedsadresse": {
                "vejnavn": street, "husnummerFra": number, "bogstavFra": None, "etage": None,
                "sidedoer": None, "postnummer": postcode, "postdistrikt": city,
                "kommune": {"kommuneKode": kommune, "kommuneNavn": city.upper()},
            },
            "nyesteAarsbeskaeftigelse": {"aar": 2025, "antalAarsvaerk": aarsvaerk,
                                         "antalAnsatte": None,
                                         "intervalKodeAntalAnsatte": band},
            "nyesteKvartalsbeskaeftigelse": None,
            "sammensatStatus": status,
        },
    }}


def es_page(sources: list[dict], scroll_id: str | None, total: int) -> dict:
    """An Elasticsearch 6 search/scroll answer."""
    return {"_scroll_id": scroll_id, "took": 3, "timed_out": False,
            "hits": {"total": total, "max_score": 1.0,
                     "hits": [{"_index": "cvr-permanent", "_type": "_doc", "_id": str(i),
                               "_score": 1.0, "_source": s} for i, s in enumerate(sources)]}}


def gsearch_hit(x: float, y: float, text: str = "Torvet 1, 4600 Køge") -> list[dict]:
    """GSearch v2.0 /adresse answer with one hit (EPSG:25832 MultiPoint)."""
    return [{"id": "0a3f50a0-1234-32b8-e044-0003ba298018", "visningstekst": text,
             "vejnavn": "Torvet", "husnummer": "1", "postnummer": "4600",
             "postnummernavn": "Køge", "kommunekode": "0259",
             "geometri": {"type": "MultiPoint", "coordinates": [[x, y]]},
             "vejpunkt_geometri": {"type": "MultiPoint", "coordinates": [[x, y]]}}]


def nominatim_hit(lat: float, lon: float, rank: int = 30) -> list[dict]:
    return [{"place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
             "osm_type": "node", "osm_id": 42, "lat": str(lat), "lon": str(lon),
             "category": "place", "type": "house", "place_rank": rank, "importance": 0.0,
             "addresstype": "place", "name": "", "display_name": "1, Torvet, Køge, Danmark"}]


def overpass(elements: list[dict], remark: str | None = None) -> dict:
    doc: dict[str, Any] = {"version": 0.6, "generator": "Overpass API 0.7.62",
                           "osm3s": {"timestamp_osm_base": "2026-09-01T10:00:00Z",
                                     "copyright": "The data included in this document is from "
                                                  "www.openstreetmap.org. ODbL 1.0."},
                           "elements": elements}
    if remark:
        doc["remark"] = remark
    return doc


def statbank_tableinfo(table: str, areas: list[tuple[str, str]], times: list[str],
                       extra: dict[str, list[tuple[str, str]]] | None = None) -> dict:
    variables = [{"id": "OMRÅDE", "text": "område", "elimination": True,
                  "values": [{"id": i, "text": t} for i, t in areas]}]
    for var, values in (extra or {}).items():
        variables.append({"id": var, "text": var.lower(), "elimination": True,
                          "values": [{"id": i, "text": t} for i, t in values]})
    variables.append({"id": "Tid", "text": "tid", "elimination": False, "time": True,
                      "values": [{"id": t, "text": t} for t in times]})
    return {"id": table, "text": "Befolkningen", "unit": "antal", "updated": "2026-08-11T08:00:00",
            "variables": variables}


def body_json(call: Any) -> dict:
    """JSON body of a recorded `responses` call."""
    return json.loads(call.request.body)
