"""Shared fixtures: the real public data folder next to the repository (../shared/data), and for
the browser tests one app server and one Chromium for the whole run (each test gets a fresh
browser context, i.e. its own Streamlit session)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # lets plain `pytest` import the `geo` package
    sys.path.insert(0, str(ROOT))


SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips when absent, but fails in CI (CI=true)."""
    if not (SHARED_DATA / "README.md").is_file():
        reason = f"real data folder {SHARED_DATA} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)
    return SHARED_DATA


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `streamlit run app.py` on the embedded default for every browser test (no file watcher,
    no machine data folder or snapshots, as `_no_machine_data` gives every other test)."""
    from tests.e2e_support import running_app  # only browser tests start the app

    env = {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "KLYNGESTED_DATA_DIR": "",
           "KLYNGESTED_SNAPSHOT_DIR": str(tmp_path_factory.getbasetemp() / "no-snapshots")}
    with running_app(env=env, timeout=120) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for every browser test; skips (fails under CI) without it."""
    from tests.e2e_support import (  # imports Playwright only for browser tests
        SHARED_BROWSER,
        chromium,
    )

    with chromium() as launched:
        SHARED_BROWSER.append(launched)
        try:
            yield launched
        finally:
            SHARED_BROWSER.clear()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh browser context and page (a new Streamlit session), 1600 × 1000."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()
@pytest.fixture(autouse=True)
def _no_machine_data(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never see this machine's data folder or snapshots (real data is the app's default)."""
    monkeypatch.delenv("KLYNGESTED_DATA_DIR", raising=False)
    monkeypatch.setenv("KLYNGESTED_SNAPSHOT_DIR", str(tmp_path_factory.getbasetemp() / "no-snapshots"))


@pytest.fixture(scope="session")
def board_data():
    """The test scenario's report bundle (tests/report_support.py: four sites, ranking, finance, case)."""
    from tests.report_support import report_data  # optional: geo loads only for the tests that need it

    return report_data()


@pytest.fixture(scope="session")
def board_pdf(board_data) -> bytes:
    """The board pack of `board_data`, rendered once for every test that reads it."""
    from geo.report.formats import render  # optional: the PDF writer loads only for the tests that need it

    return render(board_data, "pdf")

