"""Smoke test: every benchmark runs end to end at the small scale (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_all_benchmarks_run_at_small_scale() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks", "all", "--scale", "small"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("network", "optimize", "payload", "indicators", "interaction", "scale", "export", "goals",
                 "surface"):
        assert f"[{name}]" in result.stdout, name
    assert "[goals] PDF board pack, 2 ranked sites" in result.stdout and "< 5 s" in result.stdout
