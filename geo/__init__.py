"""Klyngested analysis library: layers, catchments, indicators, decisions and exports.

No Streamlit import anywhere in this package; the app and the CLI both sit on top of it.
The calls a script or notebook needs are in `geo.api` and re-exported here::

    import geo
    layers = geo.load()
    table = geo.indicators(layers, geo.sites([("Næstved", 55.2301, 11.7605)], layers), cluster="byggeri")

`geo.api` (and with it the report writers, matplotlib and the solvers) is imported on the first
use of one of these names, not by ``import geo`` or by importing a submodule such as `geo.i18n`:
the app's first page needs none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.api import (
        Ranked,
        indicators,
        load,
        rank,
        report_data,
        scenario,
        sites,
        split,
        suggest,
        write_report,
    )

__version__ = "0.1.0"

__all__ = [
    "Ranked",
    "indicators",
    "load",
    "rank",
    "report_data",
    "scenario",
    "sites",
    "split",
    "suggest",
    "write_report",
    # portfolio and refresh join here when they land in geo.api
]


def __getattr__(name: str) -> object:
    """The `geo.api` call ``name``, imported on first use (PEP 562)."""
    if name in __all__:
        from geo import api  # optional: loaded on first use, not by `import geo`

        return getattr(api, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
