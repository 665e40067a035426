"""How sure is the ranking? Monte-Carlo over the weights and leave-one-out rank reversal.

All draws use ``numpy.random.default_rng(seed)`` and are vectorised: the totals of all
draws are one matrix product (draws × criteria) @ (criteria × sites).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from geo.decide.scoring import competition_ranks, rank_scores, score
from geo.decide.weights import CRITERION_IDS, normalise
from geo.errors import KlyngestedError
from geo.format import number
from geo.reach.criteria import CRITERIA

Method = Literal["dirichlet", "uniform"]
#: Most Monte-Carlo draws in one analysis (draws × criteria × sites floats are held at once).
MAX_DRAWS = 100_000


class RobustnessError(KlyngestedError):
    """Bad parameters for the robustness analysis."""


def _base(weights: Mapping[str, float]) -> np.ndarray:
    w = normalise(weights)
    return np.array([w[c] for c in CRITERION_IDS]) / 100.0


def dirichlet_weights(weights: Mapping[str, float], n: int, concentration: float = 50.0,
                      seed: int = 0) -> np.ndarray:
    """``n`` weight vectors (rows sum to 1) drawn from Dirichlet(concentration × w).

    The mean is the chosen weights; larger ``concentration`` = closer to them.
    Criteria with weight 0 stay 0.
    """
    if n < 1 or not concentration > 0:
        raise RobustnessError("Antal trækninger og koncentration skal være positive.",
                              "Draws and concentration must be positive.")
    w = _base(weights)
    rng = np.random.default_rng(seed)
    out = np.zeros((n, w.size))
    pos = w > 0
    g = rng.standard_gamma(concentration * w[pos], size=(n, int(pos.sum())))
    out[:, pos] = g / g.sum(axis=1, keepdims=True)
    return out


def uniform_weights(weights: Mapping[str, float], n: int, spread: float = 0.2, seed: int = 0) -> np.ndarray:
    """``n`` weight vectors: each weight × U(1 − spread, 1 + spread), then renormalised to 1."""
    if n < 1 or not 0 <= spread < 1:
        raise RobustnessError("Udsvinget skal være mellem 0 og 100 %.", "Spread must be in [0, 1).")
    w = _base(weights)
    rng = np.random.default_rng(seed)
    out = w * rng.uniform(1.0 - spread, 1.0 + spread, size=(n, w.size))
    return out / out.sum(axis=1, keepdims=True)


def draw_ranks(scores: pd.DataFrame, draws: np.ndarray) -> np.ndarray:
    """Ranks (draws × sites, 1 = best, ties share) of every weight draw."""
    s = scores[list(CRITERION_IDS)].to_numpy(float)
    return competition_ranks(draws @ s.T * 100.0)


def rank_frequencies(ranks: np.ndarray, sites: Sequence[str]) -> pd.DataFrame:
    """Site × rank (1..n_sites) -> share of draws (0..1); rows in ``sites`` order."""
    n_draws, n_sites = ranks.shape
    cells = np.arange(n_sites) * n_sites + (ranks - 1)  # (site, rank) as one index, per draw
    counts = np.bincount(cells.ravel(), minlength=n_sites * n_sites).reshape(n_sites, n_sites)
    return pd.DataFrame(counts / n_draws, index=pd.Index(list(sites), name="site"),
                        columns=pd.Index(range(1, n_sites + 1), name="rank"))


def percent_da(share: float) -> str:
    """Share 0..1 as Danish percent: whole numbers, one decimal below 1 %, never a false 0/100."""
    p = 100.0 * share
    if p <= 0 or p >= 100:
        return f"{number(p, 0)} %"
    if p < 1:
        return f"{number(max(p, 0.1), 1)} %"
    if p > 99:
        return f"{number(min(p, 99.9), 1)} %"
    return f"{number(p, 0)} %"


def sentences(freq: pd.DataFrame, n_draws: int, base_ranks: Mapping[str, int] | None = None) -> dict[str, str]:
    """One Danish sentence per site: its most frequent rank and how often.

    E.g. "Næstved er nr. 1 i 87 % af 10.000 vægtkombinationer". A tie between two ranks
    is told as the better rank; the chosen weights' rank is added when different.
    """
    out = {}
    label = f"{number(n_draws, 0)} vægtkombination{'er' if n_draws != 1 else ''}"
    for site, row in freq.iterrows():
        shares = row.to_numpy()
        r = int(np.argmax(shares)) + 1
        text = f"{site} er nr. {r} i {percent_da(float(shares[r - 1]))} af {label}"
        if base_ranks is not None and int(base_ranks[site]) != r:
            text += f" (nr. {int(base_ranks[site])} med de valgte vægte)"
        out[str(site)] = text
    return out


@dataclass(frozen=True)
class MonteCarlo:
    """Result of `monte_carlo`.

    Attributes
    ----------
    frequencies : DataFrame
        Site × rank -> share of draws (rows in the ranking's order).
    sentences : dict
        Site -> one Danish sentence.
    n : int
        Number of draws.
    method_da : str
        How the weights were drawn, in Danish.
    """

    frequencies: pd.DataFrame
    sentences: dict[str, str]
    n: int
    method_da: str


def monte_carlo(scores: pd.DataFrame, weights: Mapping[str, float], n: int = 10_000,
                method: Method = "dirichlet", concentration: float = 50.0, spread: float = 0.2,
                seed: int = 0) -> MonteCarlo:
    """Rank-frequency over random weights around the chosen ones.

    Parameters
    ----------
    scores : DataFrame
        Site × criterion scores (`geo.decide.scoring.Ranking.scores`).
    weights : mapping
        The chosen weights (percent).
    n : int
        Number of draws.
    method : {"dirichlet", "uniform"}
        Dirichlet(concentration × w) or each weight ± ``spread`` (fraction), renormalised.
    seed : int
        Seed; the same seed gives the same result.
    """
    if not 1 <= n <= MAX_DRAWS:
        raise RobustnessError(f"Antal trækninger skal være mellem 1 og {number(MAX_DRAWS, 0)}.",
                              f"Draws must be 1..{MAX_DRAWS}.")
    if seed < 0:
        raise RobustnessError("Frøet (seed) skal være et helt tal på mindst 0.", "The seed must be >= 0.")
    if method == "dirichlet":
        draws = dirichlet_weights(weights, n, concentration, seed)
        how = f"Dirichlet-trækninger omkring de valgte vægte (koncentration {number(concentration, 0)})"
    elif method == "uniform":
        draws = uniform_weights(weights, n, spread, seed)
        how = f"hver vægt ± {number(100 * spread, 0)} %, derefter skaleret til 100 %"
    else:
        raise RobustnessError(f"Ukendt metode: {method}.", f"Unknown method: {method}.")
    base = rank_scores(scores, weights)
    order = base["site"].tolist()
    ranks = draw_ranks(scores.loc[order], draws)
    freq = rank_frequencies(ranks, order)
    how += f", {number(n, 0)} trækninger, frø {seed}"
    return MonteCarlo(freq, sentences(freq, n, dict(zip(base["site"], base["rank"], strict=True))), n, how)


def leave_one_criterion_out(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Rank of every site with each weighted criterion left out (others rescaled to 100 %).

    Returns rows ``criterion, criterion_da, site, base_rank, rank, change, sentence``;
    ``change`` = base_rank − rank (positive = moves up). ``sentence`` is filled on the
    first row of each criterion when the winner changes, else "".
    """
    w = normalise(weights)
    base = rank_scores(scores, w)
    base_rank = dict(zip(base["site"], base["rank"], strict=True))
    winner = base["site"].iloc[0]
    rows = []
    for crit in CRITERION_IDS:
        if w[crit] <= 0 or all(w[c] <= 0 for c in CRITERION_IDS if c != crit):
            continue
        ranked = rank_scores(scores, {**w, crit: 0.0})
        new_winner = ranked["site"].iloc[0]
        text = ""
        if new_winner != winner:
            text = f"Uden kriteriet {CRITERIA[crit].name()} bliver {new_winner} nr. 1 i stedet for {winner}."
        for i, (site, rank) in enumerate(zip(ranked["site"], ranked["rank"], strict=True)):
            rows.append({"criterion": crit, "criterion_da": CRITERIA[crit].name(), "site": site,
                         "base_rank": int(base_rank[site]), "rank": int(rank),
                         "change": int(base_rank[site]) - int(rank), "sentence": text if i == 0 else ""})
    return pd.DataFrame(rows, columns=["criterion", "criterion_da", "site", "base_rank", "rank", "change", "sentence"])


def leave_one_site_out(table: pd.DataFrame, weights: Mapping[str, float], site_col: str = "site",
                       **score_kwargs: object) -> pd.DataFrame:
    """Rank reversal: drop one site at a time, re-normalise among the rest, re-rank.

    Min–max normalisation depends on which candidates are present, so removing a site
    can reorder the others. Returns rows ``removed, site, expected_rank, rank,
    reversed``; ``expected_rank`` is the base rank closed up over the removed site, and
    ``reversed`` is True where the order of the remaining sites changed.
    """
    base = score(table, weights, site_col=site_col, **score_kwargs).table  # type: ignore[arg-type]
    rows = []
    if len(base) < 3:
        return pd.DataFrame(columns=["removed", "site", "expected_rank", "rank", "reversed"])
    for removed in base["site"]:
        rest = table[table[site_col].astype(str) != removed]
        ranked = score(rest, weights, site_col=site_col, **score_kwargs).table  # type: ignore[arg-type]
        kept = base[base["site"] != removed]
        expected = dict(zip(kept["site"], competition_ranks(kept["score"].to_numpy()), strict=True))
        for site, rank in zip(ranked["site"], ranked["rank"], strict=True):
            rows.append({"removed": removed, "site": site, "expected_rank": int(expected[site]),
                         "rank": int(rank), "reversed": bool(expected[site] != rank)})
    return pd.DataFrame(rows)


def reversal_sentences(loso: pd.DataFrame) -> list[str]:
    """Danish sentences for each removal that reorders the other sites (empty if none)."""
    out = []
    for removed, part in loso.groupby("removed", sort=False):
        moved = part[part["reversed"]]
        if len(moved):
            first = part.sort_values("rank").iloc[0]["site"]
            out.append(f"Uden {removed} skifter rækkefølgen for {', '.join(moved['site'])}; "
                       f"nr. 1 bliver {first}.")
    return out
