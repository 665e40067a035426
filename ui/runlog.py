"""Server time of each script run and fragment run, written as JSON lines to the file named by
``KLYNGESTED_RUN_LOG`` (set by ``python -m benchmarks browser``; unset, nothing is written)."""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

RUN_LOG_ENV = "KLYNGESTED_RUN_LOG"
P = ParamSpec("P")
R = TypeVar("R")


def log_run(kind: str, started: float) -> float:
    """Milliseconds since ``started`` (``time.perf_counter``), appended to the run log if one is set."""
    ms = (time.perf_counter() - started) * 1000
    path = os.environ.get(RUN_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"end": time.time(), "ms": ms, "kind": kind}) + "\n")
    return ms


def timed(kind: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Log the server time of each call (put it under ``@st.fragment`` to time fragment runs)."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                log_run(kind, started)

        return inner

    return wrap
