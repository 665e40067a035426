"""Shared fixtures: the real public data folder next to the repository (../shared/data)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # lets plain `pytest` import the `geo` package
    sys.path.insert(0, str(ROOT))

import layers.standalone  # noqa: E402,F401  registers the "html" report format, as app.py and `python -m geo` do

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


@pytest.fixture(autouse=True)
def _no_machine_data(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never see this machine's data folder or snapshots (real data is the app's default)."""
    monkeypatch.delenv("KLYNGESTED_DATA_DIR", raising=False)
    monkeypatch.setenv("KLYNGESTED_SNAPSHOT_DIR", str(tmp_path_factory.getbasetemp() / "no-snapshots"))
