"""Local stand-in servers for the online sources, answering in their documented real shapes.

One threaded HTTP server on 127.0.0.1 serves every source under its own path; `env()` gives the
``KLYNGESTED_<SOURCE>_URL`` overrides and keys that point a refresh at it. The shapes (and where
each comes from) are listed in docs/sources.md. CVR answers in today's shape: current figures in
``nyesteErstMaanedsbeskaeftigelse`` (September 2026), the yearly block stale (2018).
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import shapely
from shapely import wkt

from geo.data.sources.embedded import load_default
from geo.settings import CRS_DISPLAY
from tests.source_fakes import es_page, gql_page, gsearch_hit, overpass, statbank_tableinfo

KEYS = {"DATAFORDELER_API_KEY": "standin-dafo-key", "CVR_ES_USER": "standin-user",
        "CVR_ES_PASSWORD": "standin-pass", "DATAFORSYNINGEN_TOKEN": "standin-token"}
REGION_ID = "region-1085-uuid"
#: Street address -> EPSG:25832 point GSearch answers with (near Næstved and Roskilde stations).
ADDRESSES = {"Axeltorv": (675_400.0, 6_124_000.0), "Ringstedgade": (675_900.0, 6_123_500.0),
             "Algade": (694_800.0, 6_170_600.0)}


def cvr_unit(pnr: int, name: str, kommune: int, street: str, postcode: int, city: str,
             branch: str, month: dict[str, Any] | None, year: dict[str, Any] | None,
             status: str = "NORMAL", start: str = "2015-03-01") -> dict[str, Any]:
    """One ``_source`` of ``cvr-permanent/produktionsenhed`` as the distribution sends it."""
    return {"VrproduktionsEnhed": {
        "pNummer": pnr, "livsforloeb": [{"periode": {"gyldigFra": start, "gyldigTil": None}}],
        "produktionsEnhedMetadata": {
            "nyesteNavn": {"navn": name, "periode": {"gyldigFra": start, "gyldigTil": None}},
            "nyesteCvrNummerRelation": 40_000_000 + pnr,
            "nyesteHovedbranche": {"branchekode": branch, "branchetekst": "Bygge- og anlæg"},
            "nyesteBeliggenhedsadresse": {
                "vejnavn": street, "husnummerFra": 1, "bogstavFra": None, "etage": None,
                "sidedoer": None, "postnummer": postcode, "postdistrikt": city,
                "kommune": {"kommuneKode": kommune, "kommuneNavn": city.upper()}},
            "nyesteErstMaanedsbeskaeftigelse": month,
            "nyesteKvartalsbeskaeftigelse": None,
            "nyesteAarsbeskaeftigelse": year,
            "sammensatStatus": status,
        }}}


def _month(value: float | None = None, band: str | None = None) -> dict[str, Any]:
    return {"aar": 2026, "maaned": 9, "antalAarsvaerk": value, "antalAnsatte": None,
            "intervalKodeAntalAarsvaerk": band, "intervalKodeAntalAnsatte": band,
            "sidstOpdateret": "2026-10-20T03:01:02.000+02:00"}


#: Today's shape: a unit with 23 årsværk now (8 in the stale 2018 block), one registered in
#: 2021 (no yearly block), one in the open top band, one ceased.
UNITS = [
    cvr_unit(1001, "Næstved VVS ApS", 370, "Axeltorv", 4700, "Næstved", "432200",
             _month(23.0, "ANTAL_20_49"), {"aar": 2018, "antalAarsvaerk": 8.0,
                                            "intervalKodeAntalAarsvaerk": "ANTAL_5_9"}),
    cvr_unit(1002, "Ny Byg Næstved ApS", 370, "Ringstedgade", 4700, "Næstved", "412000",
             _month(band="ANTAL_10_19"), None, start="2021-05-01"),
    cvr_unit(1003, "Stor Entreprise A/S", 265, "Algade", 4000, "Roskilde", "421100",
             _month(band="ANTAL_1000_"), None),
    cvr_unit(1004, "Lukket Byg ApS", 370, "Axeltorv", 4700, "Næstved", "412000",
             _month(3.0), None, status="OPHØRT"),
]


class _Handler(BaseHTTPRequestHandler):
    server: StandIns  # type: ignore[assignment]

    def log_message(self, *args: object) -> None:  # quiet test output
        pass

    def do_HEAD(self) -> None:  # the refresh probes every host first
        self.send_response(200)
        self.end_headers()

    def do_GET(self) -> None:
        self._dispatch(b"")

    def do_POST(self) -> None:
        self._dispatch(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _dispatch(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        source = parts.path.strip("/").split("/")[0]
        self.server.calls.append((source, parts.path))
        status, payload, kind = self.server.answer(source, parts.path, parse_qs(parts.query), body,
                                                   self.headers.get("Authorization", ""))
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class StandIns(ThreadingHTTPServer):
    """All six sources on one local port; started in a thread, stopped with `close()`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[tuple[str, str]] = []
        self.scrolls: dict[str, list[dict]] = {}
        self.municipalities = load_default().municipalities
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def env(self) -> dict[str, str]:
        """URL overrides and keys that point every source at the stand-ins."""
        urls = {f"KLYNGESTED_{name.upper()}_URL": f"{self.url}/{name}" for name in
                ("dagi", "cvr", "gsearch", "nominatim", "statbank", "overpass")}
        return {**urls, **KEYS}

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def answer(self, source: str, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        """(status, payload, content type) for one request."""
        handler = {"dagi": self._dagi, "cvr": self._cvr, "gsearch": self._gsearch,
                   "nominatim": self._nominatim, "statbank": self._statbank,
                   "overpass": self._overpass}.get(source)
        if handler is None:
            return 404, {"error": "not found"}, "application/json"
        return handler(path, query, body, auth)

    # --- sources -----------------------------------------------------------------------
    def _dagi(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        if query.get("apiKey") != [KEYS["DATAFORDELER_API_KEY"]]:
            return 403, {"errorCode": "DAF-AUTH-0001", "message": "Invalid API key"}, "application/json"
        text = json.loads(body)["query"]
        if "DAGI_Regionsinddeling" in text:
            return 200, gql_page("DAGI_Regionsinddeling", [
                {"id_lokalId": REGION_ID, "regionskode": "1085", "navn": "Region Sjælland"}], False, None), \
                "application/json"
        nodes = [{"id_lokalId": f"kom-{r.kommunekode}", "kommunekode": r.kommunekode, "navn": r.navn,
                  "regionLokalid": REGION_ID,
                  "geometri": {"wkt": wkt.dumps(shapely.force_3d(r.geometry), rounding_precision=1)}}
                 for r in self.municipalities.itertuples()]
        return 200, gql_page("DAGI_Kommuneinddeling", nodes, False, None), "application/json"

    def _cvr(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        expected = base64.b64encode(f"{KEYS['CVR_ES_USER']}:{KEYS['CVR_ES_PASSWORD']}".encode()).decode()
        if auth != f"Basic {expected}":
            return 401, {"error": "Unauthorized"}, "application/json"
        request = json.loads(body or b"{}")
        if path.endswith("/_search/scroll"):
            pages = self.scrolls.get(request.get("scroll_id"), [])
            page = pages.pop(0) if pages else []
            return 200, es_page(page, request.get("scroll_id"), len(UNITS)), "application/json"
        size = int(request.get("size", 10))
        pages = [UNITS[i:i + size] for i in range(0, len(UNITS), size)]
        scroll_id = f"scroll-{len(self.scrolls)}"
        self.scrolls[scroll_id] = pages[1:]
        return 200, es_page(pages[0], scroll_id, len(UNITS)), "application/json"

    def _gsearch(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        if query.get("token") != [KEYS["DATAFORSYNINGEN_TOKEN"]]:
            return 403, {"message": "Invalid token"}, "application/json"
        text = query.get("q", [""])[0]
        street = next((s for s in ADDRESSES if text.startswith(s)), None)
        return 200, (gsearch_hit(*ADDRESSES[street], text) if street else []), "application/json"

    def _nominatim(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        return 200, [], "application/json"

    def _statbank(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        areas = [(str(int(r.kommunekode)), r.navn) for r in self.municipalities.itertuples()]
        if path.endswith("/tableinfo"):
            return 200, statbank_tableinfo("FOLK1A", [("000", "Hele landet"), *areas], ["2026K2", "2026K3"]), \
                "application/json"
        rows = "".join(f"{code};2026K3;{50_000 + int(code)}\n" for code, _ in areas)
        return 200, ("OMRÅDE;TID;INDHOLD\n000;2026K3;6001008\n" + rows).encode(), "text/csv; charset=utf-8"

    def _overpass(self, path: str, query: dict, body: bytes, auth: str) -> tuple[int, Any, str]:
        text = parse_qs(body.decode())["data"][0]
        if "amenity" in text:
            return 200, overpass([{"type": "node", "id": 11, "lat": 55.6525, "lon": 12.1395, "tags": {
                "amenity": "university", "name": "Roskilde Universitet"}}]), "application/json"
        if "railway" in text:
            return 200, overpass([{"type": "node", "id": 21, "lat": 55.2297, "lon": 11.7617, "tags": {
                "railway": "station", "public_transport": "station", "train": "yes", "name": "Næstved"}}]), \
                "application/json"
        return 200, overpass([]), "application/json"


def town_point(name: str) -> tuple[float, float]:
    """(lat, lon) of a default town, for site lists."""
    towns = load_default().towns.to_crs(CRS_DISPLAY).set_index("name")
    return float(towns.loc[name].geometry.y), float(towns.loc[name].geometry.x)
