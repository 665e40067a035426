"""Fairness, money and robustness across a solved cluster portfolio."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from geo.decide.finance import Split, split
from geo.decide.portfolio import (
    UNREACHED_MINUTES,
    Placement,
    PortfolioOptions,
    PortfolioProblem,
    assignment,
    solve_portfolio,
)
from geo.decide.robustness import percent_da
from geo.decide.weights import largest_remainder
from geo.format import number

#: Travel-time bands of the per-municipality table.
BANDS = (30, 45, 60)
#: Draws at most when every draw needs a full solve (coverage floor, or more offices than clusters).
MAX_SOLVE_DRAWS = 300


def label(row: Mapping) -> str:
    """"Energi i Kalundborg"."""
    return f"{row['cluster_name']} i {row['town']}"


def municipality_reach(problem: PortfolioProblem, placement: Placement, minutes_limit: float,
                       names: Sequence[str] = ()) -> pd.DataFrame:
    """Per floor municipality: the offices within 30/45/60 min of it and the cluster employees in it served.

    Returns
    -------
    DataFrame
        ``kommunekode, kommune, offices_30, offices_45, offices_60`` (office labels,
        ``", "``-joined) and ``employees_served`` (the municipality's cluster employees
        within ``minutes_limit`` of the office serving their cluster).
    """
    offices = placement.offices
    W = np.asarray(problem.weights, float)
    _, best = assignment(problem, placement.pairs)
    rows = []
    for k, code in enumerate(problem.floor_codes):
        row: dict[str, object] = {"kommunekode": code, "kommune": names[k] if k < len(names) else code}
        for band in BANDS:
            near = [label(offices.iloc[i]) for i, (_, t) in enumerate(placement.pairs)
                    if problem.floor_minutes[t, k] <= band]
            row[f"offices_{band}"] = ", ".join(near)
        here = problem.point_muni == code
        row["employees_served"] = float((W[:, here] * (best[:, here] <= minutes_limit)).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def portfolio_split(total_kr: int, office_keys: Sequence[tuple[str, pd.DataFrame]], key: str = "population") -> tuple[pd.DataFrame, str]:
    """One yearly amount per municipality for the whole portfolio, exact to the krone.

    The total is split equally among the offices (largest remainder), each office's part by
    `geo.decide.finance.split` with its own cluster's keys, and the parts summed per municipality.

    Parameters
    ----------
    total_kr : int
        Whole kroner per year for all offices.
    office_keys : sequence of (str, DataFrame)
        Per office: its label and the key table of `geo.decide.fairness.finance_keys`
        (its cluster, measured from its town).
    key : str
        A key of `geo.decide.finance.KEYS` or ``mix:…``.

    Returns
    -------
    tuple
        ``kommunekode, kommune``, one column per office (kr) and ``amount_kr``; and the formula in Danish.
    """
    parts = largest_remainder(np.ones(len(office_keys)), int(total_kr)) if office_keys else np.zeros(0, np.int64)
    splits: list[Split] = [split(int(kr), keys, key) for kr, (_, keys) in zip(parts, office_keys, strict=True)]
    out = splits[0].table[["kommunekode", "kommune"]].copy()
    for (name, _), s in zip(office_keys, splits, strict=True):
        out[name] = out["kommunekode"].map(s.table.set_index("kommunekode")["amount_kr"]).fillna(0).astype(np.int64)
    out["amount_kr"] = out[[n for n, _ in office_keys]].sum(axis=1).astype(np.int64)
    formula = (f"{number(total_kr, 0)} kr. fordelt ligeligt på {len(office_keys)} kontorer; hvert kontors del: "
               f"{splits[0].formula_da[0].lower()}{splits[0].formula_da[1:]} (med kontorets egen klynge); summeret pr. kommune.")
    return out, formula


@dataclass(frozen=True)
class PortfolioRobustness:
    """How often each office of the portfolio (cluster → town) is chosen across the draws."""

    share: dict[str, float]
    sentences: dict[str, str]
    draws: int
    method_da: str


def _draw(rng: np.random.Generator, base: np.ndarray, n_muni: int, spread: float,
          priority_spread: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster priorities ×U(1±priority_spread) and demand factors per (cluster, municipality) ×U(1±spread)."""
    p = base * rng.uniform(1 - priority_spread, 1 + priority_spread, len(base))
    return p, rng.uniform(1 - spread, 1 + spread, (len(base), n_muni))


def _assignment_path(problem: PortfolioProblem, opt: PortfolioOptions) -> bool:
    return opt.offices in (None, len(problem.clusters)) and not opt.floor and opt.per_town in (None, 1)


class _Assigner:
    """One town per cluster maximising a clusters × towns value under one-per-municipality (or one-per-town)."""

    def __init__(self, problem: PortfolioProblem, opt: PortfolioOptions, fixed: dict[int, int]) -> None:
        towns = problem.towns
        self.fixed = list(fixed.items())
        self.free = [c for c in range(len(problem.clusters)) if c not in fixed]
        self.groups: list[np.ndarray] | None = None
        if opt.one_per_municipality or opt.per_town == 1:
            group = (towns["kommunekode"] if opt.one_per_municipality else towns["name"]).astype(str).to_numpy()
            used = {group[t] for t in fixed.values()}
            self.groups = [np.nonzero(group == g)[0] for g in dict.fromkeys(group) if g not in used]

    def __call__(self, value: np.ndarray) -> list[tuple[int, int]]:
        """The pairs (cluster, town), fixed ones included."""
        free = self.free
        if self.groups is None:
            return sorted([*self.fixed, *((c, int(np.argmax(value[c]))) for c in free)])
        sub = value[free]
        best = np.column_stack([sub[:, idx].max(axis=1) for idx in self.groups])
        rows, cols = linear_sum_assignment(best, maximize=True)
        got = [(free[r], int(self.groups[c][np.argmax(sub[r, self.groups[c]])])) for r, c in zip(rows, cols, strict=True)]
        return sorted([*self.fixed, *got])


def robustness(problem: PortfolioProblem, opt: PortfolioOptions, placement: Placement, draws: int = 10_000,
               seed: int = 0, spread: float = 0.2, priority_spread: float = 0.5) -> PortfolioRobustness:
    """How often each office of ``placement`` is chosen again when priorities and demand are drawn (seeded).

    One office per cluster without a floor is an assignment problem per draw (solved exactly
    by `scipy.optimize.linear_sum_assignment`); otherwise each draw is a full solve, at most
    `MAX_SOLVE_DRAWS` draws.
    """
    rng = np.random.default_rng(seed)
    base = np.ones(len(problem.clusters)) if opt.priority is None else np.asarray(opt.priority, float)
    fast = _assignment_path(problem, opt)
    n = draws if fast else min(draws, MAX_SOLVE_DRAWS)
    names = problem.towns["name"].astype(str).tolist()
    fixed = {problem.clusters.index(c): names.index(t) for c, t in opt.fixed}
    codes, inv = np.unique(problem.point_muni, return_inverse=True)
    inv = inv.ravel()
    W = np.asarray(problem.weights, float)
    if fast:  # value = p_c Σ_k noise_ck P[c, k, t]: the per-municipality parts once, then tiny products
        d = np.asarray(problem.minutes, float)
        per = np.where(d <= opt.minutes_limit, 1.0, 0.0) if opt.objective == "mclp" else -np.where(np.isinf(d), UNREACHED_MINUTES, d)
        onehot = np.zeros((len(inv), len(codes)))
        onehot[np.arange(len(inv)), inv] = 1.0
        P = np.stack([(onehot * W[c][:, None]).T @ per.T for c in range(len(W))])  # clusters × munis × towns
        assign = _Assigner(problem, opt, fixed)
    counts: dict[tuple[int, int], int] = {}
    for _ in range(n):
        p, noise = _draw(rng, base, len(codes), spread, priority_spread)
        if fast:
            got = assign(p[:, None] * np.einsum("ck,ckt->ct", noise, P))
        else:
            drawn = replace(problem, weights=W * noise[:, inv] * p[:, None])
            got = list(solve_portfolio(drawn, replace(opt, priority=None, time_limit=None)).pairs)
        for pair in set(got):
            counts[pair] = counts.get(pair, 0) + 1
    share, sentences = {}, {}
    for i, pair in enumerate(placement.pairs):
        name = label(placement.offices.iloc[i])
        share[name] = counts.get(pair, 0) / n
        sentences[name] = f"{name} er med i {percent_da(share[name])} af {number(n, 0)} trækninger."
    how = "tildelingsproblem pr. trækning (eksakt)" if fast else "fuld løsning pr. trækning"
    method = (f"Monte Carlo, {number(n, 0)} trækninger (frø {seed}): klyngeprioriteter ×U(1±{number(priority_spread, 1)}), "
              f"efterspørgsel pr. klynge og kommune ±{number(100 * spread, 0)} %; {how}.")
    return PortfolioRobustness(share, sentences, n, method)
