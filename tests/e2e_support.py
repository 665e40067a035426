"""Start the real app on a free port and open headless Chromium (Debian's) with Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    """Path of Debian's Chromium; skip (or fail under CI=true) when it is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    reason = "headless Chromium not found (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, timeout: float = 60) -> Iterator[str]:
    """Run `streamlit run app.py` headless; yield its URL; stop it afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read().decode(errors="replace"))
            time.sleep(0.5)
        else:
            raise TimeoutError("app did not start")
        yield url
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """One headless Debian Chromium (a Playwright Browser); closed afterwards."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: The session's Chromium while the test run holds one (set by the `browser` fixture).
SHARED_BROWSER: list = []


@contextlib.contextmanager
def browser_page(width: int = 1600, height: int = 1000) -> Iterator[object]:
    """A Playwright page: in the test run's shared Chromium when there is one (Playwright's sync
    API allows one per thread), else in its own headless Chromium (scripts)."""
    if SHARED_BROWSER:
        context = SHARED_BROWSER[0].new_context(viewport={"width": width, "height": height})
        try:
            yield context.new_page()
        finally:
            context.close()
        return
    with chromium() as browser:
        yield browser.new_page(viewport={"width": width, "height": height})


def add_town(page, town: str) -> None:
    """Add a site through the app's town form and wait for its indicator column."""
    page.get_by_role("tab", name="Tilføj en by").click()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="By").last.click()
    page.keyboard.type(town)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Tilføj").last.click()
    # a table in a section (the site list outside the sections names it at once)
    page.get_by_role("tabpanel").get_by_role("table").filter(has_text=town).first.wait_for(timeout=60_000)


def wait_for_map(page) -> None:
    """Wait until streamlit-folium has drawn the map and hooked its click handler."""
    page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".leaflet-control-layers").wait_for(timeout=60_000)
