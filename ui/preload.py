"""Code the first page does not need, imported on a background thread once a first page is served.

The first page loads no chart, plot, solver or file-writer code (a test checks it), so a cold
server paints the map sooner; without this, the first session after a start then waited for
matplotlib (about 0.6 s) when it first opened a tab that draws with it or clicked "Lav filer".
`preload_after_first_page` starts one thread per process at the end of the first run; the
imports take the interpreter lock in turns with the runs and share no state with them.
"""

from __future__ import annotations

import functools
import importlib
import threading

#: What the next clicks need, in the order they are likely: the decision tabs (matplotlib, the
#: solvers), the ranking tab (altair), the meeting files (the writers, Typst) and the road
#: network (scipy's sparse graphs).
PRELOAD: tuple[str, ...] = ("ui.decide", "ui.ranking", "geo.report.formats", "geo.reach.network")


def _import_all(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)


@functools.cache
def preload_after_first_page() -> threading.Thread:
    """Once per process, start importing `PRELOAD` on a daemon thread; returns that thread."""
    thread = threading.Thread(target=_import_all, args=(PRELOAD,), name="klyngested-preload", daemon=True)
    thread.start()
    return thread
