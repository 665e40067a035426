"""Shared, cached ReportData on the embedded default data for the export tests."""

from __future__ import annotations

from functools import cache

from geo.data.loading import load_layers
from geo.data.sites import Site, sites_frame
from geo.decide.finance import split
from geo.reach.engines import select_engine
from geo.report.bundle import ReportData, build_report_data
from geo.settings import K17_CODES

HOSTILE = "<img src=x onerror=alert(1)>"
SITES = (
    Site("Næstved", 55.2301, 11.7605),
    Site("=cmd|' /C calc'!A0", 55.7167, 11.7167),
    Site(HOSTILE, 55.6415, 12.0803),
    Site("Slagelse", 55.4028, 11.3546),
)
WEIGHTS = {"value": 30, "attract": 20, "knowledge": 20, "network": 15, "research": 15}


@cache
def layers():
    return load_layers()


def report_data(n_sites: int = 4, ranked: bool = True, finance: bool = True, case: bool = True,
                names: tuple[str, ...] = ()) -> ReportData:
    """Four K17 sites (one with a formula name, one with HTML) on the byggeri cluster.

    `names`, when given, rename the first sites (at most four)."""
    lay = layers()
    engine, _ = select_engine("estimate")
    chosen = [Site(names[i], s.lat, s.lon) if i < len(names) else s for i, s in enumerate(SITES)]
    sites = sites_frame(chosen[:n_sites], lay.municipalities)
    data = build_report_data(
        lay, sites, engine, codes=("41", "42", "43", "711", "813"), cluster_id="byggeri",
        scenario_name="Testscenarie", created="2026-11-26",
        weights=WEIGHTS if ranked else None, robustness_draws=500,
        case_texts={"value": "=HYPERLINK(\"http://x\")", "network": "Vi holder netværksmøder."} if case else None,
    )
    if finance:
        munis = lay.municipalities[lay.municipalities["kommunekode"].isin(K17_CODES)]
        table = munis[["kommunekode", "navn", "population"]].rename(columns={"navn": "kommune"})
        result = split(1_000_000, table, "population")
        data.finance = result.table
        data.finance_formula = result.formula_da
    return data
