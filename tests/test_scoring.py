"""Weights that always total 100 %, normalisation, and a hand-computed three-site ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.decide.scoring import ScoringError, against_target, explain, minmax, rank_scores, score
from geo.decide.weights import (
    CRITERION_IDS,
    MAX_WEIGHT,
    WeightsError,
    default_directions,
    default_feeds,
    equal_weights,
    largest_remainder,
    normalise,
    parse_weights,
    rebalance,
    select_feeds,
)

weight_value = st.floats(min_value=0, max_value=MAX_WEIGHT, allow_nan=False, allow_infinity=False)
weight_dicts = st.dictionaries(st.sampled_from(CRITERION_IDS), weight_value, min_size=1).filter(
    lambda d: sum(d.values()) > 1e-6)


def tenths(w: dict[str, float]) -> int:
    return sum(round(v * 10) for v in w.values())


@settings(max_examples=200, deadline=None)
@given(weight_dicts)
def test_normalise_always_totals_100(weights):
    w = normalise(weights)
    assert set(w) == set(CRITERION_IDS)
    assert tenths(w) == 1000
    assert round(sum(w.values()), 6) == 100.0
    assert all(v >= 0 and round(v, 1) == v for v in w.values())


@settings(max_examples=300, deadline=None)
@given(weight_dicts, st.sampled_from(CRITERION_IDS), st.floats(-50, 150), st.sampled_from((None, *CRITERION_IDS)))
def test_rebalance_keeps_100_and_the_lock(weights, changed, new_value, locked):
    before = normalise(weights)
    after = rebalance(weights, changed, new_value, locked)
    assert tenths(after) == 1000
    assert all(v >= 0 for v in after.values())
    # the moved weight is the asked value clipped and rounded to a tenth (a half may go either way)
    if locked is not None and locked != changed:
        assert after[locked] == before[locked]
        assert abs(after[changed] - min(max(new_value, 0), 100 - before[locked])) <= 0.05 + 1e-9
    else:
        assert abs(after[changed] - min(max(new_value, 0), 100)) <= 0.05 + 1e-9


def test_rebalance_proportional_and_equal_reset():
    w = {"value": 40, "attract": 30, "knowledge": 20, "network": 10, "research": 0}
    # value 40 -> 60: the 20 points left for attract/knowledge/network keep 3:2:1 -> 20 / 13,3 / 6,7
    got = rebalance(w, "value", 60)
    assert got == {"value": 60.0, "attract": 20.0, "knowledge": 13.3, "network": 6.7, "research": 0.0}
    # knowledge locked at 20: the other 80 - 60 = 20 go to attract:network 3:1 -> 15 / 5
    assert rebalance(w, "value", 60, locked="knowledge") == {
        "value": 60.0, "attract": 15.0, "knowledge": 20.0, "network": 5.0, "research": 0.0}
    # the others all 0: they share the rest equally
    assert rebalance({"value": 100}, "value", 40)["attract"] == 15.0
    assert equal_weights() == dict.fromkeys(CRITERION_IDS, 20.0)
    assert list(equal_weights(("value", "attract", "knowledge")).values()) == [33.4, 33.3, 33.3]


def test_weight_errors_and_parsing():
    with pytest.raises(WeightsError, match="Mindst ét kriterium"):
        normalise({"value": 0})
    with pytest.raises(WeightsError, match="Ukendte kriterier"):
        normalise({"speed": 1})
    with pytest.raises(WeightsError):
        normalise({"value": -1})
    assert parse_weights("value=30, attract=20,knowledge=50") == {
        "value": 30.0, "attract": 20.0, "knowledge": 50.0, "network": 0.0, "research": 0.0}
    with pytest.raises(WeightsError, match="value=30"):
        parse_weights("value=abc")


def test_largest_remainder_deterministic_ties():
    assert largest_remainder([1, 1, 1], 100).tolist() == [34, 33, 33]
    assert largest_remainder([1, 2], 0).tolist() == [0, 0]
    assert largest_remainder([0.5, 0.5, 0.5, 0.5], 10).sum() == 10


def test_feeds_and_directions_from_specs():
    feeds = default_feeds()
    assert "workplaces_45" in feeds["value"] and "nearest_station_km" in feeds["network"]
    assert default_directions()["nearest_station_km"] is False
    chosen = select_feeds({"value": ["employees_30"]})
    assert chosen["value"] == ("employees_30",) and chosen["network"] == feeds["network"]
    with pytest.raises(WeightsError, match="hører ikke til"):
        select_feeds({"value": ["nearest_station_km"]})


def test_normalisation_methods():
    n = minmax(np.array([10.0, 20.0, 30.0]))
    assert n.values.tolist() == [0.0, 0.5, 1.0] and "min–maks" in n.method_da
    assert minmax(np.array([10.0, 20.0, 30.0]), higher_is_better=False).values.tolist() == [1.0, 0.5, 0.0]
    same = minmax(np.array([7.0, 7.0]))
    assert same.values.tolist() == [1.0, 1.0] and "samme værdi og får 1,0" in same.method_da
    gap = minmax(np.array([1.0, np.nan, 3.0]))
    assert gap.values.tolist() == [0.0, 0.0, 1.0] and "manglende" in gap.method_da
    t = against_target(np.array([50.0, 100.0, 200.0]), 100.0)
    assert t.values.tolist() == [0.5, 1.0, 1.0] and "målet 100,0" in t.method_da
    assert against_target(np.array([5.0, 10.0, 20.0]), 10.0, higher_is_better=False).values.tolist() == [1.0, 1.0, 0.5]
    with pytest.raises(ScoringError):
        against_target(np.array([1.0]), 0.0)


FEEDS = {"value": ["a"], "attract": ["b"], "knowledge": ["c"], "network": [], "research": []}
WEIGHTS = {"value": 50, "attract": 30, "knowledge": 20, "network": 0, "research": 0}


def three_sites() -> pd.DataFrame:
    return pd.DataFrame({"site": ["Alfa", "Beta", "Gamma"], "a": [100, 50, 0], "b": [10, 30, 20], "c": [5, 1, 3]})


def test_hand_computed_three_site_ranking():
    # a (more is better, min 0, max 100): Alfa 1,  Beta 0.5, Gamma 0
    # b (more is better, min 10, max 30): Alfa 0,  Beta 1,   Gamma 0.5
    # c (LESS is better, min 1, max 5):   Alfa 0,  Beta 1,   Gamma 1 - (3-1)/4 = 0.5
    # totals = 50·a + 30·b + 20·c:
    #   Alfa  = 50·1   + 30·0   + 20·0   = 50
    #   Beta  = 50·0.5 + 30·1   + 20·1   = 75
    #   Gamma = 50·0   + 30·0.5 + 20·0.5 = 25
    r = score(three_sites(), WEIGHTS, feeds=FEEDS, directions={"c": False})
    t = r.table
    assert t["site"].tolist() == ["Beta", "Alfa", "Gamma"]
    assert t["rank"].tolist() == [1, 2, 3]
    assert np.allclose(t["score"], [75, 50, 25])
    beta = t.iloc[0]
    assert (beta["contrib_value"], beta["contrib_attract"], beta["contrib_knowledge"]) == pytest.approx((25, 30, 20))
    contrib = t[[f"contrib_{c}" for c in CRITERION_IDS]].sum(axis=1)
    assert np.allclose(contrib, t["score"])
    long = r.contributions
    assert len(long) == 15 and long.groupby("site")["contribution"].sum()["Beta"] == pytest.approx(75)
    assert any("ingen indikatorer" in n for n in r.notes)
    assert "mindre er bedre" in r.method_da["c"]
    assert explain(r, "Beta").startswith("Beta er nr. 1 med 75,0 af 100 point i forhold til de andre kandidater; mest fra tiltrækning")


def test_ties_share_rank_and_sort_by_name():
    table = pd.DataFrame({"site": ["Ørby", "Bstad", "Astrup"], "a": [1.0, 1.0, 0.0], "b": [1, 1, 1], "c": [1, 1, 1]})
    t = score(table, WEIGHTS, feeds=FEEDS, directions={"c": False}).table
    assert t["site"].tolist() == ["Bstad", "Ørby", "Astrup"]
    assert t["rank"].tolist() == [1, 1, 3]


def test_rerank_from_cached_scores_and_errors():
    r = score(three_sites(), WEIGHTS, feeds=FEEDS, directions={"c": False})
    fast = rank_scores(r.scores, {"value": 100})
    assert fast["site"].tolist() == ["Alfa", "Beta", "Gamma"]
    with pytest.raises(ScoringError, match="ingen lokaliteter"):
        score(three_sites().iloc[:0], WEIGHTS)
    dup = pd.concat([three_sites(), three_sites().iloc[:1]])
    with pytest.raises(ScoringError, match="samme navn"):
        score(dup, WEIGHTS, feeds=FEEDS)


def test_default_feeds_on_indicator_like_table():
    cols = [c for cols in default_feeds().values() for c in cols]
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.uniform(1, 10, (4, len(cols))), columns=cols)
    table.insert(0, "site", ["A", "B", "C", "D"])
    r = score(table, equal_weights())
    assert r.table["score"].between(0, 100).all() and not r.notes
