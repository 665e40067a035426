"""Geocoding chain: GSearch (token) -> Nominatim (rate-limited) -> postcode/town."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import responses

from geo.data.addresses import Placer
from geo.data.sources import geocode
from geo.data.sources._http import RateLimiter
from geo.data.sources.embedded import load_towns
from geo.errors import SourceError
from tests.source_fakes import client, gsearch_hit, nominatim_hit


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATAFORSYNINGEN_TOKEN", "KLYNGESTED_GSEARCH_URL", "KLYNGESTED_NOMINATIM_URL"):
        monkeypatch.delenv(name, raising=False)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"address": ["Torvet 1", "Nørregade 5", None, "Torvet 1"],
                         "postcode": ["4600", "4600", "4700", "4600"],
                         "city": ["Køge", "Køge", "Næstved", "Køge"]})


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


@responses.activate
def test_gsearch_first_with_token(tmp_path: Path) -> None:
    responses.get(geocode.GSEARCH_URL, json=gsearch_hit(695000.0, 6155000.0))
    responses.get(geocode.GSEARCH_URL, json=[])
    points, quality, notes = geocode.geocode_addresses(
        _frame(), client(tmp_path), Placer(None, load_towns()), {"DATAFORSYNINGEN_TOKEN": "tok"})
    assert list(quality) == ["address", "town", "town", "address"]
    assert points.iloc[0].x == 695000.0
    assert len(responses.calls) == 2  # the repeated address is looked up once
    assert "token=tok" in responses.calls[0].request.url and "srid=25832" in responses.calls[0].request.url
    assert "2 ved adresse" in notes[0] and "GSearch" in notes[0]
    assert geocode.quality_counts(quality) == {"address": 2, "town": 2}


@responses.activate
def test_gsearch_bad_token_raises(tmp_path: Path) -> None:
    responses.get(geocode.GSEARCH_URL, status=403, body="token ugyldig")
    with pytest.raises(SourceError) as info:
        geocode.geocode_addresses(_frame(), client(tmp_path), Placer(None, None),
                                  {"DATAFORSYNINGEN_TOKEN": "tok-secret"})
    assert "DATAFORSYNINGEN_TOKEN" in str(info.value) and "tok-secret" not in str(info.value)


@responses.activate
def test_without_token_nominatim_is_rate_limited_and_cached(tmp_path: Path) -> None:
    responses.get(geocode.NOMINATIM_URL, json=nominatim_hit(55.4580, 12.1821))
    responses.get(geocode.NOMINATIM_URL, json=nominatim_hit(55.46, 12.18, rank=26))  # street only
    fake = FakeClock()
    limiter = RateLimiter(1.0, clock=fake.clock, sleep=fake.sleep)
    c = client(tmp_path)
    _, quality, notes = geocode.geocode_addresses(_frame(), c, Placer(None, load_towns()),
                                                  limiter=limiter)
    assert list(quality) == ["address", "town", "town", "address"]
    assert fake.sleeps == [1.0]  # two network calls, one second apart
    assert "User-Agent" in responses.calls[0].request.headers
    assert responses.calls[0].request.headers["User-Agent"].startswith("Klyngested/")
    assert "Nominatim" in notes[0]
    # a second run is answered from the cache: no network, no waiting
    geocode.geocode_addresses(_frame(), c, Placer(None, load_towns()), limiter=limiter)
    assert len(responses.calls) == 2 and fake.sleeps == [1.0]


@responses.activate
def test_nominatim_fault_degrades_to_postcode_town(tmp_path: Path) -> None:
    responses.get(geocode.NOMINATIM_URL, status=429, headers={"Retry-After": "1"})
    fake = FakeClock()
    _, quality, notes = geocode.geocode_addresses(
        _frame(), client(tmp_path), Placer(None, load_towns()),
        limiter=RateLimiter(1.0, clock=fake.clock, sleep=fake.sleep))
    assert list(quality) == ["town", "town", "town", "town"]
    assert any("Nominatim stoppet" in n and "429" in n for n in notes)
