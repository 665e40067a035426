"""Server time per interaction in the real app (Streamlit AppTest, no browser).

Adding a site recomputes only that site (indicators and catchment cached per site, method
and data); the naive path recomputes every site (per-site caches cleared). Both are whole
script reruns timed by the app itself (`script_ms`, excluding AppTest's harness), in the same
process on the embedded default. In the browser a weight change reruns only the ranking
fragment; AppTest reruns the whole script, so the weight figure here is an upper bound. Only
the open tab runs: sites are added with the indicator tab open, weights moved in the ranking tab.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks import row
from geo.crs import to_crs
from geo.data.sites import Site
from geo.data.sources.embedded import load_towns
from geo.i18n import t
from geo.settings import CRS_DISPLAY
from ui.data import cached_sites_frame, clear_per_site

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sites", type=int, default=10, help="sites already on the map")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--method", choices=("estimate", "network"), default="network")


def _clear_per_site() -> None:
    """Forget every per-site result (indicator rows, catchments, lead municipality, ranking)."""
    clear_per_site()
    cached_sites_frame.clear()
    st.cache_data.clear()


def _timed_run(at: AppTest) -> float:
    """Server time of one rerun: the app's own script timer (AppTest's harness excluded)."""
    at.run()
    assert not at.exception, at.exception
    return at.session_state["script_ms"] / 1000


def run(args: argparse.Namespace) -> list[dict]:
    towns = to_crs(load_towns(), CRS_DISPLAY).sort_values("population", ascending=False)
    points = [Site(n, round(p.y, 5), round(p.x, 5)) for n, p in zip(towns["name"], towns.geometry, strict=True)]
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.radio(key="method").set_value(args.method)
    at.session_state["sites"] = points[: args.sites]
    at.run()  # warm: every site computed once
    add, naive, weight, weight_naive = [], [], [], []
    for i in range(args.repeat):
        at.session_state["section"] = t("tab_indicators", "da")  # only the open tab runs
        at.session_state["sites"] = [*points[: args.sites], points[args.sites + i]]
        add.append(_timed_run(at))
        _clear_per_site()
        naive.append(_timed_run(at))
        at.session_state["section"] = t("tab_ranking", "da")  # the weight sliders are in the ranking tab
        at.run()
        at.slider(key="w_value").set_value(30.0 + 5 * i)
        weight.append(_timed_run(at))
        at.slider(key="w_value").set_value(20.0 + 5 * i)
        _clear_per_site()
        weight_naive.append(_timed_run(at))
    cmd = f"python -m benchmarks interaction --sites {args.sites} --method {args.method}"
    ours, slow = statistics.median(add), statistics.median(naive)
    w_ours, w_slow = statistics.median(weight), statistics.median(weight_naive)
    return [
        row(f"add a site to {args.sites} ({args.method}): server time per rerun", ours * 1000, "ms", cmd, slow / ours),
        row("same, recomputing every site (per-site caches cleared)", slow * 1000, "ms", cmd),
        row(f"change a weight, {args.sites + 1} sites: re-rank + robustness (10,000 draws)", w_ours * 1000, "ms", cmd, w_slow / w_ours),
        row("same, recomputing every site's catchments", w_slow * 1000, "ms", cmd),
    ]
