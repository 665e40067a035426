"""Weighted-sum ranking of candidate sites by the five K17 criteria, with each criterion's contribution.

Pipeline (all pure): indicator table -> normalised indicators (0..1, 1 = best) ->
criterion score = mean of its normalised indicators -> total = Σ weight × criterion
score (0..100 points) -> rank (ties share a rank; order within a tie by site name).
Changing a weight only needs `rank_scores` on the cached criterion scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.decide.weights import CRITERION_IDS, default_directions, default_feeds, normalise
from geo.errors import KlyngestedError
from geo.format import number
from geo.reach.criteria import CRITERIA

#: Totals closer than this (points) count as a tie.
TIE_TOL = 1e-9


class ScoringError(KlyngestedError):
    """The indicator table cannot be scored (missing columns, no sites, bad target)."""


@dataclass(frozen=True)
class Normalised:
    """One indicator normalised to 0..1 (1 = best) and the method in Danish."""

    values: np.ndarray
    method_da: str


def minmax(values: np.ndarray, higher_is_better: bool = True) -> Normalised:
    """Min–max among the candidates: best = 1, worst = 0; all equal -> 1,0 for all.

    Missing values (NaN) get 0 (counted as worst) and the method says so.
    """
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.zeros(v.shape)
    word = "mere er bedre" if higher_is_better else "mindre er bedre"
    if not ok.any():
        return Normalised(out, f"min–maks blandt kandidaterne ({word}); ingen værdier, alle får 0")
    lo, hi = v[ok].min(), v[ok].max()
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        out[ok] = 1.0
        text = f"min–maks blandt kandidaterne ({word}); alle har samme værdi og får 1,0"
    else:
        scaled = (v[ok] - lo) / (hi - lo)
        out[ok] = scaled if higher_is_better else 1.0 - scaled
        text = f"min–maks blandt kandidaterne ({word}): bedste = 1, dårligste = 0"
    if not ok.all():
        text += f"; {int((~ok).sum())} manglende værdi(er) tæller som 0"
    return Normalised(out, text)


def against_target(values: np.ndarray, target: float, higher_is_better: bool = True) -> Normalised:
    """Against a target value, capped at 1: value/target (more is better) or target/value (less is better).

    A site at or better than the target gets 1. Missing values get 0.
    """
    if not np.isfinite(target) or target <= 0:
        raise ScoringError("Målværdien skal være et positivt tal.", "The target must be a positive number.")
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v)
    out = np.zeros(v.shape)
    vv = np.clip(v[ok], 0.0, None)
    if higher_is_better:
        out[ok] = np.minimum(vv / target, 1.0)
        text = f"i forhold til målet {number(target, 1)} (værdi ÷ mål, højst 1)"
    else:
        with np.errstate(divide="ignore"):
            out[ok] = np.where(vv <= target, 1.0, target / np.where(vv > 0, vv, 1.0))
        text = f"i forhold til målet {number(target, 1)} (mål ÷ værdi, højst 1; mindre er bedre)"
    if not ok.all():
        text += f"; {int((~ok).sum())} manglende værdi(er) tæller som 0"
    return Normalised(out, text)


@dataclass(frozen=True)
class Ranking:
    """The ranking and everything needed to explain it.

    Attributes
    ----------
    table : DataFrame
        One row per site, best first: ``rank, site, score`` (0..100 points) then
        ``score_<criterion>`` (0..1) and ``contrib_<criterion>`` (points; they sum to ``score``).
    contributions : DataFrame
        Tidy long form for a stacked bar: ``site, rank, criterion, criterion_da, weight,
        criterion_score, contribution``.
    normalised : DataFrame
        Site × indicator column, 0..1.
    scores : DataFrame
        Site (index, in input order) × criterion scores 0..1; cache it to re-rank fast.
    weights : dict
        The weights used (percent, total 100).
    method_da : dict
        Indicator column -> normalisation method in Danish.
    notes : tuple of str
        Danish remarks (e.g. a weighted criterion without indicators).
    """

    table: pd.DataFrame
    contributions: pd.DataFrame
    normalised: pd.DataFrame
    scores: pd.DataFrame
    weights: dict[str, float]
    method_da: dict[str, str]
    notes: tuple[str, ...]


def criterion_scores(
    table: pd.DataFrame,
    feeds: Mapping[str, Sequence[str]] | None = None,
    directions: Mapping[str, bool] | None = None,
    targets: Mapping[str, float] | None = None,
    site_col: str = "site",
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str], list[str]]:
    """Normalise the indicators and average them per criterion.

    Parameters
    ----------
    table : DataFrame
        Indicator table, one row per site (as from `geo.reach.indicators.compute`).
    feeds : mapping, optional
        Criterion -> indicator columns (default: every spec with that criterion).
        Columns absent from ``table`` are skipped with a note.
    directions : mapping, optional
        Column -> True when more is better (default from the specs; unknown columns: True).
    targets : mapping, optional
        Column -> target value; those columns are normalised against the target, the
        rest min–max among the candidates.
    site_col : str
        Column with the site names.

    Returns
    -------
    scores, normalised, methods, notes
        Site × criterion scores (0..1), site × indicator values (0..1), column -> method
        in Danish, and Danish notes.
    """
    if table is None or len(table) == 0:
        raise ScoringError("Der er ingen lokaliteter at rangere.", "There are no sites to rank.")
    if site_col not in table:
        raise ScoringError(f"Tabellen mangler kolonnen '{site_col}'.", f"The table lacks column '{site_col}'.")
    names = table[site_col].astype(str).to_numpy()
    if len(set(names)) != len(names):
        raise ScoringError("To lokaliteter har samme navn; giv dem forskellige navne.",
                           "Two sites share a name; rename them.")
    feeds = default_feeds() if feeds is None else feeds
    dirs = {**default_directions(), **(directions or {})}
    targets = targets or {}
    normalised: dict[str, np.ndarray] = {}
    methods: dict[str, str] = {}
    notes: list[str] = []
    scores = pd.DataFrame(index=pd.Index(names, name="site"))
    for crit in CRITERION_IDS:
        cols = [c for c in feeds.get(crit, ()) if c in table.columns]
        missing = [c for c in feeds.get(crit, ()) if c not in table.columns]
        if missing:
            notes.append(f"{CRITERIA[crit].name()}: indikatorerne {', '.join(missing)} findes ikke i tabellen og er udeladt.")
        for col in cols:
            if col in normalised:
                continue
            values = pd.to_numeric(table[col], errors="coerce").to_numpy(float)
            if col in targets and targets[col] is not None:
                n = against_target(values, float(targets[col]), dirs.get(col, True))
            else:
                n = minmax(values, dirs.get(col, True))
            normalised[col], methods[col] = n.values, n.method_da
        if cols:
            scores[crit] = np.mean([normalised[c] for c in cols], axis=0)
        else:
            scores[crit] = 0.0
            notes.append(f"{CRITERIA[crit].name()} har ingen indikatorer og giver 0 point til alle.")
    norm = pd.DataFrame(normalised, index=scores.index)
    return scores, norm, methods, notes


def competition_ranks(totals: np.ndarray, tol: float = TIE_TOL) -> np.ndarray:
    """Rank 1 = highest; equal totals (within ``tol``) share the best rank ("1, 1, 3").

    Works on the last axis, so ``totals`` may be (sites,) or (draws, sites).
    """
    t = np.asarray(totals, dtype=float)
    better = t[..., None, :] > t[..., :, None] + tol
    return 1 + better.sum(axis=-1)


def contributions(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Points each criterion contributes (weight % × criterion score 0..1); rows sum to the total."""
    w = normalise(weights)
    return pd.DataFrame({c: w[c] * scores[c].to_numpy(float) for c in CRITERION_IDS}, index=scores.index)


def rank_scores(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Weighted-sum ranking from cached criterion scores (fast path for moving sliders).

    Returns the ``table`` described in `Ranking` (best first, ties by site name).
    """
    contrib = contributions(scores, weights)
    points = contrib.sum(axis=1).to_numpy()
    out = pd.DataFrame({"rank": competition_ranks(points), "site": scores.index.to_numpy(), "score": points})
    for c in CRITERION_IDS:
        out[f"score_{c}"] = scores[c].to_numpy(float)
    for c in CRITERION_IDS:
        out[f"contrib_{c}"] = contrib[c].to_numpy()
    return out.sort_values(["rank", "site"], kind="stable", ignore_index=True)


def score(
    table: pd.DataFrame,
    weights: Mapping[str, float],
    feeds: Mapping[str, Sequence[str]] | None = None,
    directions: Mapping[str, bool] | None = None,
    targets: Mapping[str, float] | None = None,
    site_col: str = "site",
) -> Ranking:
    """Rank the sites of an indicator table by the weighted criteria.

    See `criterion_scores` for the parameters; ``weights`` (criterion -> percent) are
    normalised to total 100 %.
    """
    w = normalise(weights)
    scores, norm, methods, notes = criterion_scores(table, feeds, directions, targets, site_col)
    ranked = rank_scores(scores, w)
    long = ranked.melt(id_vars=["site", "rank"], value_vars=[f"contrib_{c}" for c in CRITERION_IDS],
                       var_name="criterion", value_name="contribution")
    long["criterion"] = long["criterion"].str.removeprefix("contrib_")
    long["criterion_da"] = long["criterion"].map(lambda c: CRITERIA[c].name())
    long["weight"] = long["criterion"].map(w)
    long["criterion_score"] = [scores.at[s, c] for s, c in zip(long["site"], long["criterion"], strict=True)]
    long = long[["site", "rank", "criterion", "criterion_da", "weight", "criterion_score", "contribution"]]
    order = {s: i for i, s in enumerate(ranked["site"])}
    long = long.sort_values(["site", "criterion"], key=lambda col: col.map(order) if col.name == "site"
                            else col.map(CRITERION_IDS.index), ignore_index=True)
    return Ranking(ranked, long, norm, scores, w, methods, tuple(notes))


def explain(ranking: Ranking, site: str) -> str:
    """One Danish sentence: rank, points and the largest contributions of a site."""
    row = ranking.table.loc[ranking.table["site"] == site]
    if row.empty:
        raise ScoringError(f"Lokaliteten {site} findes ikke i rangeringen.", f"Site {site} is not ranked.")
    r = row.iloc[0]
    parts = sorted(((float(r[f"contrib_{c}"]), c) for c in CRITERION_IDS), reverse=True)
    top = [f"{CRITERIA[c].name().lower()} ({number(v, 1)})" for v, c in parts if v > 0][:2]
    tie = (ranking.table["rank"] == r["rank"]).sum() > 1
    head = f"{site} er nr. {int(r['rank'])}{' (delt)' if tie else ''} med {number(float(r['score']), 1)} af 100 point i forhold til de andre kandidater"
    return head + (f"; mest fra {' og '.join(top)}." if top else ".")
