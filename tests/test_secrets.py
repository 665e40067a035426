"""Secrets: planted API keys and CVR credentials never reach logs, error messages, stdout/stderr,
snapshots, the HTTP cache, scenario files or any export.

A local HTTP server that echoes the request (URL with query string, Authorization header) in
its error bodies plays every online source, so a leak anywhere on the path would show.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
import threading
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geo.errors import KlyngestedError, SourceError

ROOT = Path(__file__).resolve().parents[1]
PLANTED = {
    "DATAFORDELER_API_KEY": "dafoKEY-planted-7f3a9c",
    "CVR_ES_USER": "cvrUSER-planted-b21e",
    "CVR_ES_PASSWORD": "cvrPASS-planted-c9d8",
    "DATAFORSYNINGEN_TOKEN": "dfTOKEN-planted-e44a",
}
BASIC = base64.b64encode(f"{PLANTED['CVR_ES_USER']}:{PLANTED['CVR_ES_PASSWORD']}".encode()).decode()
NEEDLES = [*PLANTED.values(), BASIC, *(urllib.parse.quote(v) for v in PLANTED.values())]
SOURCES = ("DAGI", "CVR", "GSEARCH", "NOMINATIM", "STATBANK", "OVERPASS")


def leaks(blob: bytes | str) -> list[str]:
    """Planted values found in text or bytes (also inside zip members and deflate streams)."""
    data = blob.encode("utf-8", "replace") if isinstance(blob, str) else blob
    texts = [data]
    if data[:4] == b"PK\x03\x04":  # xlsx
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            texts += [z.read(n) for n in z.namelist()]
    if data[:5] == b"%PDF-":  # deflated content streams
        for chunk in data.split(b"stream")[1:]:
            body = chunk.lstrip(b"\r\n").split(b"endstream")[0]
            try:
                texts.append(zlib.decompress(body))
            except zlib.error:
                pass
    found = []
    for needle in NEEDLES:
        for text in texts:
            if needle.encode() in text or needle.encode("utf-16-le") in text:
                found.append(needle)
                break
    return found


def tree_leaks(folder: Path) -> dict[str, list[str]]:
    return {str(p): hit for p in folder.rglob("*") if p.is_file() and (hit := leaks(p.read_bytes()))}


class Echo(BaseHTTPRequestHandler):
    """Every request fails with a status chosen by the path, echoing what it was sent."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length) if length else b""
        # what a careless server (or proxy) puts first in an error page: the credentials it got
        echo = (f"auth={self.headers.get('Authorization')} {self.command} {self.path}\n"
                f"{self.headers}").encode() + sent
        path = self.path.split("?")[0]
        status = (400 if path.startswith("/echo400") else 401 if "dagi" in path or "cvr" in path
                  else 403 if "gsearch" in path else 500)
        if self.command == "HEAD":
            status = 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(echo)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(echo)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def planted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, echo_url: str) -> Path:
    for name, value in PLANTED.items():
        monkeypatch.setenv(name, value)
    for name in SOURCES:
        monkeypatch.setenv(f"KLYNGESTED_{name}_URL", f"{echo_url}/{name.lower()}")
    monkeypatch.setenv("KLYNGESTED_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KLYNGESTED_SNAPSHOT_DIR", str(tmp_path / "snapshots"))
    return tmp_path


def _client(tmp_path: Path):
    from tests.source_fakes import client

    return client(tmp_path)


def _check_error(err: KlyngestedError) -> None:
    assert not leaks(err.message_da), err.message_da
    assert not leaks(err.message_en), err.message_en
    assert not leaks(repr(err.args))


def test_source_errors_logs_and_cache_hold_no_secret(planted: Path, caplog: pytest.LogCaptureFixture) -> None:
    from geo.data.addresses import Placer
    from geo.data.sources import cvr_es, dagi, geocode

    caplog.set_level(logging.WARNING)
    client = _client(planted)
    calls = [
        lambda: dagi.fetch_municipalities(client),  # 401 echoing ?apiKey=…
        lambda: cvr_es.fetch_workplaces(client, Placer()),  # 401 echoing the Basic auth header
        lambda: geocode.gsearch(client, "Axeltorv 1, 4700 Næstved", PLANTED["DATAFORSYNINGEN_TOKEN"]),  # 403
    ]
    for call in calls:
        with pytest.raises(SourceError) as info:
            call()
        _check_error(info.value)
    assert not leaks(caplog.text), caplog.text
    assert not tree_leaks(planted)


def test_cvr_400_echoing_basic_auth_is_redacted(planted: Path, echo_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.data.addresses import Placer
    from geo.data.sources import cvr_es

    monkeypatch.setenv("KLYNGESTED_CVR_URL", f"{echo_url}/echo400/cvr")
    with pytest.raises(SourceError) as info:
        cvr_es.fetch_workplaces(_client(planted), Placer())
    _check_error(info.value)


def test_debug_logging_holds_no_secret(planted: Path, caplog: pytest.LogCaptureFixture) -> None:
    from geo.data.sources import dagi

    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError):
        dagi.fetch_municipalities(_client(planted))
    assert not leaks(caplog.text)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=240, check=False)


def test_cli_help_and_failing_refresh_print_no_secret(planted: Path, echo_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["--help"], ["refresh", "--help"], ["indicators", "--help"]):
        out = _run(args, env)
        assert out.returncode == 0, out.stderr
        assert not leaks(out.stdout) and not leaks(out.stderr)
    # every source answers with an error that echoes the request (key, token, Basic auth)
    out = _run(["refresh", "--no-progress"], env)
    assert out.returncode == 2, out.stderr.decode()
    assert b"Traceback" not in out.stderr
    assert not leaks(out.stdout) and not leaks(out.stderr), out.stderr.decode()
    # and with every service down (refused port)
    dead = {**env, **{f"KLYNGESTED_{n}_URL": f"http://127.0.0.1:9/{n.lower()}" for n in SOURCES}}
    out = _run(["refresh", "--no-progress"], dead)
    assert out.returncode == 2 and not leaks(out.stdout) and not leaks(out.stderr)
    assert not tree_leaks(planted)


def test_snapshot_scenario_and_every_export_hold_no_secret(planted: Path) -> None:
    from geo.data import snapshot
    from geo.report.csv import to_csv_bytes
    from geo.report.excel import to_xlsx_bytes
    from geo.report.formats import render
    from tests.report_support import layers, report_data

    default = layers()
    names = ("municipalities", "workplaces", "institutions", "stations", "towns")
    snapshot.write_snapshot({n: getattr(default, n) for n in names},
                            {n: default.provenance[n] for n in names}, planted / "snapshots",
                            notes=("testnote",))
    data = report_data()
    exports = {fmt: render(data, fmt) for fmt in ("xlsx", "html", "gpkg", "pdf")}
    exports["csv"] = to_csv_bytes(data.table, data.provenance_lines)
    exports["cli.xlsx"] = to_xlsx_bytes(data.table, data.provenance_lines)
    for fmt, blob in exports.items():
        assert blob and not leaks(blob), fmt
    try:
        from geo.report.scenario import Scenario, save_scenario

        save_scenario(Scenario(sites=[s for s in __import__("tests.report_support").report_support.SITES]),
                      planted / "scenario.json")
    except ImportError:  # scenario files not in this build
        pass
    assert not tree_leaks(planted)


def test_the_planted_values_are_really_detected() -> None:
    """Guard against a scanner that finds nothing: each form of each secret is detected."""
    for value in PLANTED.values():
        assert leaks(f"x {value} y") and leaks(io.BytesIO(value.encode("utf-16-le")).getvalue())
    assert leaks(f"Authorization: Basic {BASIC}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", PLANTED["CVR_ES_PASSWORD"])
    assert leaks(buf.getvalue())
