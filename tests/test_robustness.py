"""Monte-Carlo over weights and leave-one-out rank reversal: seeded, hand cases (speed: `python -m benchmarks goals`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.decide.robustness import (
    dirichlet_weights,
    leave_one_criterion_out,
    leave_one_site_out,
    monte_carlo,
    percent_da,
    rank_frequencies,
    reversal_sentences,
    uniform_weights,
)
from geo.decide.weights import CRITERION_IDS, equal_weights

WEIGHTS = {"value": 40, "attract": 20, "knowledge": 20, "network": 10, "research": 10}


def scores(n_sites: int = 20, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.uniform(0, 1, (n_sites, 5)), columns=list(CRITERION_IDS),
                        index=pd.Index([f"Site {i:02d}" for i in range(n_sites)], name="site"))


def test_draws_are_weights_around_the_choice():
    d = dirichlet_weights(WEIGHTS, 20_000, concentration=100, seed=1)
    assert np.allclose(d.sum(axis=1), 1) and (d >= 0).all()
    assert np.allclose(d.mean(axis=0), [0.4, 0.2, 0.2, 0.1, 0.1], atol=0.005)
    u = uniform_weights(WEIGHTS, 1000, spread=0.1, seed=1)
    assert np.allclose(u.sum(axis=1), 1)
    raw = np.array([0.4, 0.2, 0.2, 0.1, 0.1])
    ratio = u / raw
    assert (ratio.max(axis=1) / ratio.min(axis=1) <= 1.1 / 0.9 + 1e-12).all()
    zero = dirichlet_weights({"value": 50, "attract": 50}, 100, seed=2)
    assert (zero[:, 2:] == 0).all()


def test_frequencies_stable_under_fixed_seed():
    s = scores()
    a = monte_carlo(s, WEIGHTS, n=10_000, seed=42)
    b = monte_carlo(s, WEIGHTS, n=10_000, seed=42)
    c = monte_carlo(s, WEIGHTS, n=10_000, seed=43)
    pd.testing.assert_frame_equal(a.frequencies, b.frequencies)
    assert a.sentences == b.sentences
    assert not a.frequencies.equals(c.frequencies)
    assert np.allclose(a.frequencies.sum(axis=1), 1) and np.allclose(a.frequencies.sum(axis=0), 1)
    u = monte_carlo(s, WEIGHTS, n=2000, method="uniform", spread=0.25, seed=42)
    assert "± 25 %" in u.method_da and np.allclose(u.frequencies.sum(axis=1), 1)


def test_dominating_site_is_first_in_every_draw():
    s = pd.DataFrame({c: [1.0, 0.6, 0.3] for c in CRITERION_IDS}, index=pd.Index(["Næstved", "Slagelse", "Holbæk"]))
    s.loc["Slagelse", "network"] = 0.9
    mc = monte_carlo(s, equal_weights(), n=10_000, seed=7)
    assert mc.frequencies.loc["Næstved", 1] == 1.0
    assert mc.sentences["Næstved"] == "Næstved er nr. 1 i 100 % af 10.000 vægtkombinationer"
    assert mc.sentences["Holbæk"] == "Holbæk er nr. 3 i 100 % af 10.000 vægtkombinationer"
    assert mc.frequencies.index.tolist() == ["Næstved", "Slagelse", "Holbæk"]


def test_percent_never_claims_false_certainty():
    assert percent_da(0.87) == "87 %"
    assert percent_da(0.9996) == "99,9 %"
    assert percent_da(0.00004) == "0,1 %"
    assert percent_da(0.0) == "0 %" and percent_da(1.0) == "100 %"


def test_leave_one_criterion_out_names_the_new_winner():
    # A wins only thanks to 'value'; without it B (better everywhere else) wins
    s = pd.DataFrame({"value": [1.0, 0.0], "attract": [0.4, 0.5], "knowledge": [0.4, 0.5],
                      "network": [0.4, 0.5], "research": [0.4, 0.5]}, index=pd.Index(["A", "B"]))
    loco = leave_one_criterion_out(s, WEIGHTS)
    row = loco[(loco["criterion"] == "value") & (loco["site"] == "B")].iloc[0]
    assert row["base_rank"] == 2 and row["rank"] == 1 and row["change"] == 1
    text = loco.loc[loco["criterion"] == "value", "sentence"].iloc[0]
    assert text == "Uden kriteriet Værdi for lokale virksomheder bliver B nr. 1 i stedet for A."
    assert (loco.loc[loco["criterion"] != "value", "sentence"] == "").all()


def test_leave_one_site_out_detects_rank_reversal():
    feeds = {"value": ["a"], "attract": ["b"], "knowledge": [], "network": [], "research": []}
    w = {"value": 50, "attract": 50}
    # With C present: a -> A 1, B 0.9, C 0; b -> A 0, B 0.2, C 1 (b min 0 max 10)
    #   totals A 50, B 55, C 50 -> B first, A and C tied.
    # Without C: a -> A 1, B 0; b -> A 0, B 1 -> A 50, B 50: tie, so B no longer beats A.
    table = pd.DataFrame({"site": ["A", "B", "C"], "a": [100.0, 90.0, 0.0], "b": [0.0, 2.0, 10.0]})
    loso = leave_one_site_out(table, w, feeds=feeds)
    no_c = loso[loso["removed"] == "C"].set_index("site")
    assert no_c.loc["A", "expected_rank"] == 2 and no_c.loc["A", "rank"] == 1
    assert no_c.loc["A", "reversed"]
    assert any(s.startswith("Uden C skifter rækkefølgen") for s in reversal_sentences(loso))


def test_rank_frequencies_counts_each_site_and_rank_by_hand():
    # four draws of three sites; draw 3 is a tie for first (competition ranks 1, 1, 3)
    ranks = np.array([[1, 2, 3], [2, 1, 3], [1, 1, 3], [3, 2, 1]])
    freq = rank_frequencies(ranks, ["a", "b", "c"])
    expected = [[0.5, 0.25, 0.25],  # a: first twice, second once, third once
                [0.5, 0.5, 0.0],    # b: first twice (one shared), second twice
                [0.25, 0.0, 0.75]]  # c: first once, third three times
    assert freq.to_numpy().tolist() == expected
    assert freq.index.tolist() == ["a", "b", "c"] and freq.columns.tolist() == [1, 2, 3]
