"""Geocoding of Danish addresses: GSearch (token) -> Nominatim (keyless) -> postcode/town.

1. Dataforsyningen GSearch v2.0 ``/adresse`` with `DATAFORSYNINGEN_TOKEN` (DAWA closed on
   17 Aug 2026; GSearch is its successor for address search). Coordinates in EPSG:25832.
2. Without a token: OpenStreetMap Nominatim, at most one request per second (enforced by a
   `RateLimiter`), with the project's User-Agent, answers cached on disk for 90 days; only
   house-level hits (``place_rank`` ≥ 28) count as an address.
3. Last: `geo.data.addresses.Placer` (postcode area, else town), flagged 'postcode'/'town'.

Every row gets ``location_quality`` 'address', 'postcode', 'town' or None (unplaced); the
returned notes say how many got each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.crs import to_crs
from geo.data.addresses import Placer
from geo.data.schema import LOCATION_QUALITY_DA
from geo.data.sources._http import HttpClient, RateLimiter, endpoint, get_secret
from geo.errors import SourceError
from geo.settings import CRS_DISPLAY, CRS_METRIC

ENV_TOKEN = "DATAFORSYNINGEN_TOKEN"
GSEARCH_URL = "https://api.dataforsyningen.dk/rest/gsearch/v2.0/adresse"
NOMINATIM_URL = "https://nominatim.openstreetmap.org/search"
GSEARCH_DA = "Dataforsyningen GSearch (adressesøgning)"
NOMINATIM_DA = "OpenStreetMap Nominatim (adressesøgning)"
GEOCODE_TTL_S = 90 * 24 * 3600.0
#: Nominatim's usage policy: an absolute maximum of 1 request per second.
NOMINATIM_INTERVAL_S = 1.0
NOMINATIM_MIN_RANK = 28
#: Without a token, at most this many distinct addresses go to Nominatim per run (1 h at 1/s).
MAX_NOMINATIM = 3600

_NOMINATIM_LIMITER = RateLimiter(NOMINATIM_INTERVAL_S)


def address_text(address: object, postcode: object, city: object) -> str | None:
    """'Torvet 1, 4600 Køge' from parts; None without a street address."""
    street = " ".join(str(address).split()) if isinstance(address, str) else ""
    if not street:
        return None
    tail = " ".join(str(p).strip() for p in (postcode, city) if isinstance(p, str) and p.strip())
    return f"{street}, {tail}" if tail else street


def _first_xy(geometry: Any) -> tuple[float, float] | None:
    coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    while isinstance(coords, list) and coords and isinstance(coords[0], list):
        coords = coords[0]
    if isinstance(coords, list) and len(coords) >= 2:
        return float(coords[0]), float(coords[1])
    return None


def _json_list(doc: Any, source: str) -> list[Any]:
    """The hits of a geocoder answer; `SourceError` (so nothing is cached) for another shape."""
    if not isinstance(doc, list):
        raise SourceError(f"{source} svarede i et uventet format (forventede en liste). "
                          "Tjenesten kan være ændret.", f"{source}: expected a JSON list.")
    return doc


def gsearch(client: HttpClient, query: str, token: str) -> Point | None:
    """First GSearch address hit as a point in EPSG:25832, or None."""
    doc = client.fetch_json(GSEARCH_DA, "GET", endpoint("gsearch", GSEARCH_URL),
                            parse=lambda d: _json_list(d, GSEARCH_DA),
                            params={"q": query, "limit": 1, "srid": 25832},
                            secret_params={"token": token}, key_hint=ENV_TOKEN,
                            ttl_s=GEOCODE_TTL_S)
    for hit in doc:
        if isinstance(hit, Mapping):
            xy = _first_xy(hit.get("geometri") or hit.get("vejpunkt_geometri"))
            if xy is not None:
                return Point(xy)
    return None


def nominatim(client: HttpClient, query: str, limiter: RateLimiter | None = None) -> Point | None:
    """House-level Nominatim hit as a point in EPSG:25832, or None. Rate-limited, cached."""
    doc = client.fetch_json(NOMINATIM_DA, "GET", endpoint("nominatim", NOMINATIM_URL),
                            parse=lambda d: _json_list(d, NOMINATIM_DA),
                            params={"q": query, "format": "jsonv2", "limit": 1,
                                    "countrycodes": "dk", "addressdetails": 0},
                            ttl_s=GEOCODE_TTL_S, rate_limiter=limiter or _NOMINATIM_LIMITER)
    for hit in doc:
        try:
            if int(hit.get("place_rank", 0)) < NOMINATIM_MIN_RANK:
                continue
            point = gpd.GeoSeries([Point(float(hit["lon"]), float(hit["lat"]))], crs=CRS_DISPLAY)
            return to_crs(point, CRS_METRIC).iloc[0]
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return None


def geocode_addresses(
    frame: pd.DataFrame,
    client: HttpClient,
    placer: Placer,
    secrets: Mapping[str, Any] | None = None,
    limiter: RateLimiter | None = None,
    max_nominatim: int = MAX_NOMINATIM,
) -> tuple[gpd.GeoSeries, pd.Series, tuple[str, ...]]:
    """Points (EPSG:25832) and location_quality for rows with address, postcode, city.

    Raises
    ------
    SourceError
        GSearch faults (a bad token is named). Nominatim faults do not raise: the remaining
        rows are placed by postcode/town and a note says why.
    """
    token = get_secret(ENV_TOKEN, secrets)
    texts = [address_text(a, p, c) for a, p, c in
             zip(frame["address"], frame["postcode"], frame["city"])]
    found: dict[str, Point | None] = {}
    notes: list[str] = []
    nominatim_ok = True
    skipped = 0
    for text in dict.fromkeys(t for t in texts if t):
        if token:
            found[text] = gsearch(client, text, token)
        elif nominatim_ok and len(found) < max_nominatim:
            try:
                found[text] = nominatim(client, text, limiter)
            except SourceError as err:
                nominatim_ok = False
                notes.append(f"Nominatim stoppet: {err.message_da} Resten placeres ved "
                             "postnummer/by.")
        else:
            skipped += 1
    if skipped and nominatim_ok:
        notes.append(f"{skipped} adresser over grænsen på {max_nominatim} Nominatim-opslag pr. "
                     f"kørsel er placeret ved postnummer/by (sæt {ENV_TOKEN} for GSearch).")
    fallback_points, fallback_quality = placer.place(frame["postcode"], frame["city"])
    points: list[Point | None] = []
    quality: list[str | None] = []
    for i, text in enumerate(texts):
        hit = found.get(text) if text else None
        if hit is not None:
            points.append(hit)
            quality.append("address")
        else:
            points.append(fallback_points.iloc[i])
            quality.append(fallback_quality.iloc[i])
    index = frame.index
    quality_s = pd.Series(quality, index=index, dtype=object, name="location_quality")
    counts = quality_s.value_counts()
    method = "GSearch" if token else "Nominatim"
    parts = [f"{int(counts[q])} ved {LOCATION_QUALITY_DA[q]}"
             for q in ("address", "postcode", "town") if q in counts]
    unplaced = int(quality_s.isna().sum())
    if unplaced:
        parts.append(f"{unplaced} ikke placeret")
    notes.insert(0, f"Geokodning ({method}, derefter postnummer/by): " + "; ".join(parts) + ".")
    return gpd.GeoSeries(points, index=index, crs=CRS_METRIC), quality_s, tuple(notes)


def quality_counts(quality: pd.Series) -> dict[str, int]:
    """Rows per location quality, e.g. {'address': 120, 'postcode': 3, 'town': 1}."""
    return {str(k): int(v) for k, v in quality.value_counts(dropna=True).items()}
