"""The app and Python's cyclic garbage collector.

Streamlit's full collection after every run is switched off (``runner.postScriptGC`` in
``.streamlit/config.toml``): it scanned the objects of every loaded library and of the data,
about 300,000, for 0.3–0.4 s per run with the interpreter lock held, so the page waited for each
run's last messages and the next click waited for the run. Python still collects cyclic garbage
on its own thresholds; `freeze_imports` keeps the objects the imported modules made out of those
scans (they live as long as the process in any case).
"""

from __future__ import annotations

import functools
import gc


@functools.cache
def freeze_imports() -> int:
    """Once per process, move every object the collector tracks now (at the app's first run: the
    imported modules' functions, classes and tables) to its permanent generation.

    Call before the first run loads data: frozen objects are still freed when nothing refers to
    them, but a reference cycle among them is never collected.

    Returns
    -------
    int
        Objects frozen.
    """
    gc.freeze()
    return gc.get_freeze_count()
