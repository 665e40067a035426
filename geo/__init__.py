"""Klyngested analysis library: layers, catchments, indicators, decisions and exports.

No Streamlit import anywhere in this package; the app and the CLI both sit on top of it.
The calls a script or notebook needs are in `geo.api` and re-exported here::

    import geo
    layers = geo.load()
    table = geo.indicators(layers, geo.sites([("Næstved", 55.2301, 11.7605)], layers), cluster="byggeri")
"""

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
