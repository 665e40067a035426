"""The shared HTTP layer: cache, secrets, retries, Retry-After, faults -> Danish messages."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import requests
import responses
from urllib3.response import HTTPResponse

from geo.data.sources import _http
from geo.data.sources._http import CappedRetry, HttpClient, RateLimiter, make_retry
from geo.errors import SourceError
from tests.source_fakes import client as make_client

URL = "https://api.example.dk/data"
SECRET = "s3cr3t-key-123"


def _all_cache_text(folder: Path) -> str:
    return "".join(p.read_text() for p in folder.rglob("*.json"))


@responses.activate
def test_cache_hit_skips_network_and_never_stores_the_secret(tmp_path: Path) -> None:
    responses.get(URL, json={"ok": 1})
    c = make_client(tmp_path)
    first = c.fetch_json("Testkilde", "GET", URL, params={"q": "a"}, secret_params={"token": SECRET})
    again = c.fetch_json("Testkilde", "GET", URL, params={"q": "a"}, secret_params={"token": "other"})
    assert first == again == {"ok": 1}
    assert len(responses.calls) == 1 and c.cache_hits == 1
    assert SECRET not in _all_cache_text(tmp_path / "http-cache")
    assert f"token={SECRET}" in responses.calls[0].request.url  # sent, but only on the wire


def test_cache_key_ignores_secret_params_and_depends_on_body() -> None:
    k1 = HttpClient.cache_key("GET", f"{URL}?apiKey=A&x=1", {"token": "T"}, None)
    k2 = HttpClient.cache_key("GET", f"{URL}?apiKey=B&x=1", {"token": "U"}, None)
    k3 = HttpClient.cache_key("POST", URL, None, b'{"a": 1}')
    k4 = HttpClient.cache_key("POST", URL, None, b'{"a": 2}')
    assert k1 == k2 and k3 != k4


def test_default_cache_dir_and_env_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(_http.ENV_CACHE_DIR, raising=False)
    assert _http.cache_dir() == Path("~/.cache/klyngested/http").expanduser()
    monkeypatch.setenv(_http.ENV_CACHE_DIR, str(tmp_path))
    assert _http.cache_dir() == tmp_path


def test_user_agent_names_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_http.ENV_CONTACT, "planner@example.org")
    ua = _http.user_agent()
    assert ua.startswith("Klyngested/0.1 (+https://") and "planner@example.org" in ua


def test_secret_from_mapping_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_KEY", "from-env")
    assert _http.get_secret("SOME_KEY", {"SOME_KEY": "from-secrets"}) == "from-secrets"
    assert _http.get_secret("SOME_KEY") == "from-env"
    monkeypatch.delenv("SOME_KEY")
    assert _http.get_secret("SOME_KEY") is None


@responses.activate
def test_network_down_is_danish_and_redacted(tmp_path: Path) -> None:
    responses.get(URL, body=requests.exceptions.ConnectionError(f"failed {URL}?token={SECRET}"))
    with pytest.raises(SourceError) as info:
        make_client(tmp_path).fetch("Testkilde", "GET", URL, secret_params={"token": SECRET})
    assert "kunne ikke nås" in str(info.value) and "Testkilde" in str(info.value)
    assert SECRET not in info.value.message_da and SECRET not in info.value.message_en


@pytest.mark.parametrize("status", [401, 403])
@responses.activate
def test_bad_key_names_the_key(tmp_path: Path, status: int) -> None:
    responses.get(URL, status=status, body=f"invalid apikey {SECRET}")
    with pytest.raises(SourceError) as info:
        make_client(tmp_path).fetch("Testkilde", "GET", URL, secret_params={"apiKey": SECRET},
                                    key_hint="TEST_API_KEY")
    msg = str(info.value)
    assert f"HTTP {status}" in msg and "TEST_API_KEY" in msg and SECRET not in msg


@responses.activate
def test_429_then_success_is_retried(tmp_path: Path) -> None:
    responses.get(URL, status=429, headers={"Retry-After": "1"})
    responses.get(URL, json={"ok": True})
    with mock.patch("time.sleep"):
        assert make_client(tmp_path).fetch_json("Testkilde", "GET", URL) == {"ok": True}
    assert len(responses.calls) == 2


@responses.activate
def test_429_forever_gives_up_with_the_wait(tmp_path: Path) -> None:
    responses.get(URL, status=429, headers={"Retry-After": "30"})
    with mock.patch("time.sleep"), pytest.raises(SourceError) as info:
        make_client(tmp_path).fetch("Testkilde", "GET", URL)
    assert "HTTP 429" in str(info.value) and "30 sekunder" in str(info.value)
    assert len(responses.calls) == 1 + _http.RETRY_TOTAL


def test_retry_after_is_honoured_and_capped() -> None:
    retry = make_retry()
    assert isinstance(retry, CappedRetry)
    for header, expected in (("7", 7.0), ("99999", _http.RETRY_AFTER_MAX_S)):
        response = HTTPResponse(status=429, headers={"Retry-After": header}, preload_content=False)
        with mock.patch("time.sleep") as sleep:
            retry.sleep(response)
        sleep.assert_called_once_with(expected)
    assert 503 in retry.status_forcelist and retry.is_retry("POST", 503, True)


@responses.activate
def test_5xx_then_success(tmp_path: Path) -> None:
    responses.post(URL, status=503)
    responses.post(URL, status=502)
    responses.post(URL, json={"data": 1})
    assert make_client(tmp_path).fetch_json("Testkilde", "POST", URL, json_body={"q": 1}) == {"data": 1}
    assert len(responses.calls) == 3


@responses.activate
def test_5xx_forever(tmp_path: Path) -> None:
    responses.get(URL, status=500)
    with pytest.raises(SourceError, match="serverfejl \\(HTTP 500\\)"):
        make_client(tmp_path).fetch("Testkilde", "GET", URL)


@responses.activate
def test_timeout(tmp_path: Path) -> None:
    responses.get(URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(SourceError, match="timeout"):
        make_client(tmp_path).fetch("Testkilde", "GET", URL)


@responses.activate
def test_truncated_body_chunked(tmp_path: Path) -> None:
    responses.get(URL, body=requests.exceptions.ChunkedEncodingError("Connection broken"))
    with pytest.raises(SourceError, match="afbrudt"):
        make_client(tmp_path).fetch("Testkilde", "GET", URL)


@responses.activate
def test_truncated_json_is_not_cached(tmp_path: Path) -> None:
    responses.get(URL, body='{"data": {"DAGI_Kommuneinddeling": {"nodes": [{"kommu')
    responses.get(URL, json={"fine": True})
    c = make_client(tmp_path)
    with pytest.raises(SourceError, match="ikke er gyldig JSON"):
        c.fetch_json("Testkilde", "GET", URL)
    assert c.fetch_json("Testkilde", "GET", URL) == {"fine": True}


def test_rate_limiter_spaces_calls() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()
    now[0] += 0.25
    limiter.wait()
    limiter.wait()
    assert slept == pytest.approx([0.75, 1.0])


def test_probe_says_no_on_a_refused_port() -> None:
    assert _http.probe("http://127.0.0.1:9/x", timeout_s=1.0) is False
