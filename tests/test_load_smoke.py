"""Smoke run of the load benchmark: two concurrent browser sessions, two actions each, no errors.

The sessions do a fixed number of actions (not "as many as fit in 10 s"): how many actions fit
in a given time is a benchmark figure (`python -m benchmarks load`), not a test.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks import load

pytestmark = pytest.mark.e2e


def test_two_sessions_do_their_actions_without_errors(app_url: str) -> None:
    parser = argparse.ArgumentParser()
    load.add_arguments(parser)
    args = parser.parse_args(["--sessions", "2", "--actions", "2", "--think", "0", "--url", app_url])
    with ThreadPoolExecutor(1) as pool:  # its own thread: the shared sync browser holds this one's event loop
        rows = {r["figure"].split(":")[0]: r["value"] for r in pool.submit(load.run, args).result()}
    assert rows["errors (timeouts, exceptions, tracebacks on the page)"] == 0
    assert rows["2 sessions x 2 actions"] == 4
    assert rows["server RSS, peak with 2 sessions"] > 0
