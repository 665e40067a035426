"""Smoke test: every benchmark runs end to end at the small scale (no timing asserted); the fresh-process helper."""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks import in_fresh_process

ROOT = Path(__file__).resolve().parents[1]


def test_all_benchmarks_run_at_small_scale() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks", "all", "--scale", "small"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("network", "optimize", "payload", "indicators", "interaction", "scale", "export", "goals",
                 "surface"):
        assert f"[{name}]" in result.stdout, name
        assert f"[{name}] peak resident memory" in result.stdout, name
    assert "[goals] PDF board pack, 2 ranked sites" in result.stdout and "< 5 s" in result.stdout
    assert "single_source_dijkstra_path_length" in result.stdout and "ego_graph" not in result.stdout
    assert result.stdout.count("the faster peer") == 2  # MCLP and p-median


def test_fresh_process_reports_its_own_peak_not_the_parents() -> None:
    ballast = np.ones(40_000_000)  # 320 MB touched here, in the parent
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result, peak_mb = in_fresh_process(math.sqrt, 16.0)
    assert result == 4.0 and ballast.sum() == 40_000_000
    assert 0 < peak_mb < parent_mb - 300


def test_fresh_process_errors_and_timeout() -> None:
    with pytest.raises(RuntimeError, match="math domain error"):
        in_fresh_process(math.sqrt, -1.0)
    assert in_fresh_process(time.sleep, 60, timeout=0.5) is None
