"""Smoke run of the load benchmark: two concurrent browser sessions for 10 s, no errors."""

from __future__ import annotations

import argparse

import pytest

from tests.e2e_support import chromium_path

pytestmark = pytest.mark.e2e


def test_two_sessions_for_ten_seconds_without_errors() -> None:
    chromium_path()  # skip (or fail under CI) without Chromium
    from benchmarks import load

    parser = argparse.ArgumentParser()
    load.add_arguments(parser)
    rows = {r["figure"].split(":")[0]: r["value"] for r in load.run(parser.parse_args(["--sessions", "2", "--seconds", "10"]))}
    assert rows["errors (timeouts, exceptions, tracebacks on the page)"] == 0
    assert rows["2 sessions x 10 s"] >= 2
    assert rows["server RSS, peak with 2 sessions"] > 0
