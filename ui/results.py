"""Results several sections need (ranking with robustness, the co-financing split), computed
from the session's inputs and cached on them, never handed from one section to another.

The ranking section, the meeting exports and the presentation view all call `ranking_result`;
whichever runs first computes, the others read the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.decide.fairness import finance_keys
from geo.decide.finance import KEYS, Split, split
from geo.decide.robustness import MonteCarlo, monte_carlo
from geo.decide.scoring import Ranking, score
from geo.decide.weights import CRITERION_IDS
from geo.format import parse_amount
from geo.reach import indicators
from geo.reach.indicators import IndicatorContext
from ui.sidebar import Settings
from ui.state import Rules, restore_choice, state


@dataclass(frozen=True)
class RankingInputs:
    """What the ranking depends on besides the indicator table."""

    weights: tuple[tuple[str, float], ...]
    rules: tuple[tuple[str, tuple[bool, float | None, bool]], ...]
    mc_method: str
    mc_draws: int


@dataclass(frozen=True)
class RankingResult:
    ranking: Ranking
    robustness: MonteCarlo
    #: Identifies the ranking's scores and weights for the caches of the rank-reversal tests.
    key: str


@dataclass(frozen=True)
class FinanceInputs:
    """The finance section's choices (validated against the current sites)."""

    #: The amount as the user typed it ("1.000.000 kr."), read when the split is made.
    total: str
    lang: str
    key_spec: str | tuple[tuple[str, int], ...]
    munis: tuple[str, ...]
    lead: str | None
    lead_share: float
    site: str | None


def ranking_inputs() -> RankingInputs:
    return RankingInputs(tuple(sorted(state.weights.items())), tuple(sorted(state.rules.items())),
                         str(state["mc_method"]), int(state["mc_draws"]))


def rule_parts(rules: Rules) -> tuple[dict[str, tuple[str, ...]], dict[str, bool], dict[str, float]]:
    """Feeds (criterion -> included columns), directions and targets from the indicator rules."""
    crit = {s.column: s.criterion for s in indicators.indicator_specs()}
    feeds: dict[str, list[str]] = {c: [] for c in CRITERION_IDS}
    for column, (_, _, included) in rules.items():
        if included and column in crit:
            feeds[crit[column]].append(column)
    directions = {column: more for column, (more, _, _) in rules.items()}
    targets = {column: target for column, (_, target, _) in rules.items() if target}
    return {k: tuple(v) for k, v in feeds.items()}, directions, targets


@st.cache_data(show_spinner=False, max_entries=100)
def _ranked(table: pd.DataFrame, weights: dict, feeds: dict, directions: dict, targets: dict) -> tuple[Ranking, str]:
    """The ranking, cached on its inputs; the key string identifies it for the robustness caches."""
    ranking = score(table, weights, feeds=feeds, directions=directions, targets=targets)
    return ranking, ranking.scores.to_json() + repr(sorted(ranking.weights.items()))


@st.cache_data(show_spinner=False, max_entries=100)
def _robustness(key: str, _scores: pd.DataFrame, _weights: dict, draws: int, method: str) -> MonteCarlo:
    return monte_carlo(_scores, _weights, n=draws, method=method, seed=0)


def ranking_result(table: pd.DataFrame | None) -> RankingResult | None:
    """Ranking and robustness of the sites for the kept weights and settings (None with fewer than two sites)."""
    if table is None or len(table) < 2:
        return None
    inputs = ranking_inputs()
    feeds, directions, targets = rule_parts(dict(inputs.rules))
    ranking, key = _ranked(table, dict(inputs.weights), feeds, directions, targets)
    return RankingResult(ranking, _robustness(key, ranking.scores, ranking.weights, inputs.mc_draws, inputs.mc_method), key)


def finance_inputs(sites: gpd.GeoDataFrame, lang: str) -> FinanceInputs:
    """The finance choices kept in the session, with choices no longer offered reset first."""
    restore_choice("fin_site", ["—", *sites["name"].tolist()], "—")
    restore_choice("fin_lead", ["—", *state["fin_munis"]], "—")
    key = state["fin_key"]
    key_spec: str | tuple[tuple[str, int], ...] = key
    if key == "mix":
        key_spec = tuple((k, int(state[f"fin_mix_{k}"])) for k in KEYS if state[f"fin_mix_{k}"] > 0) or (("equal", 1),)
    return FinanceInputs(str(state["fin_total"]), lang, key_spec, tuple(state["fin_munis"]),
                         None if state["fin_lead"] == "—" else state["fin_lead"], state["fin_lead_share"] / 100,
                         None if state["fin_site"] == "—" else state["fin_site"])


@st.cache_data(show_spinner=False, max_entries=200)
def _finance(data_key: str, codes: tuple[str, ...] | None, method: str, xy: tuple[float, float] | None,
             inputs: FinanceInputs, _ctx: IndicatorContext) -> Split:
    keys = finance_keys(_ctx, xy, inputs.munis)
    spec = inputs.key_spec if isinstance(inputs.key_spec, str) else dict(inputs.key_spec)
    return split(parse_amount(inputs.total, inputs.lang), keys, spec, lead=inputs.lead, lead_share=inputs.lead_share)


def finance_result(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame,
                   inputs: FinanceInputs) -> Split | None:
    """The split for these choices (None without municipalities); raises a KlyngestedError
    (a Danish message) on an unreadable amount or a bad key."""
    if not inputs.munis:
        return None
    xy = None
    if inputs.site is not None:
        point = sites.set_index("name").geometry[inputs.site]
        xy = (float(point.x), float(point.y))
    return _finance(settings.data_key, settings.codes, settings.method, xy, inputs, ctx)
