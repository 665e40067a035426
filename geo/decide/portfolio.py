"""The cluster portfolio: N offices for several clusters at once, solved exactly (K17's "prioritering af klynger").

Candidates are (cluster, town) pairs; an office covers (MCLP) or serves (p-median) its
own cluster's employees only. Joint rules: every cluster gets an office, existing offices
stay, at most one office per municipality, at most ``M`` per town, and optionally every K17
municipality within ``T`` minutes of some office. The model is `PortfolioModel` solved by
the shared skeleton (`geo.decide.solver.solve`); "alone" is the same solve without the
joint rules, so the difference is what the rules cost.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

from geo.decide.inputs import AllocationError
from geo.decide.matroid import addable
from geo.decide.mclp_model import MclpModel, group_rows
from geo.decide.pmedian_model import PMedianModel
from geo.decide.portfolio_model import LinearModel, Pairs, PortfolioModel, Rules
from geo.decide.solver import DEFAULT_GAP, Clock, relative_gap, solve
from geo.format import number

#: p-median minutes of a pair beyond the travel engine's search limit (as in `geo.decide.suggest`).
UNREACHED_MINUTES = 120.0
Objective = Literal["mclp", "pmedian"]


@dataclass(frozen=True)
class PortfolioProblem:
    """The data of a portfolio: clusters, candidate towns, demand and travel times.

    Attributes
    ----------
    clusters : tuple of str
        Cluster ids (rows of ``weights``).
    names : tuple of str
        Cluster names for sentences, in the same order.
    towns : DataFrame
        Candidates: ``name, kommunekode, kommune, x, y`` (EPSG:25832).
    minutes : ndarray
        Towns × demand points, ``inf`` = unreachable.
    weights : ndarray
        Clusters × demand points: employees.
    point_muni : ndarray of str
        Municipality code of each demand point.
    floor_minutes : ndarray
        Towns × floor municipalities: minutes to each municipality's point.
    floor_codes : tuple of str
        The floor municipalities (K17).
    """

    clusters: tuple[str, ...]
    names: tuple[str, ...]
    towns: pd.DataFrame
    minutes: np.ndarray
    weights: np.ndarray
    point_muni: np.ndarray
    floor_minutes: np.ndarray
    floor_codes: tuple[str, ...]


@dataclass(frozen=True)
class PortfolioOptions:
    """What to solve; ``offices`` None = one per cluster; ``fixed`` = (cluster id, town name) pairs."""

    offices: int | None = None
    objective: Objective = "mclp"
    minutes_limit: float = 45.0
    fixed: tuple[tuple[str, str], ...] = ()
    one_per_municipality: bool = False
    per_town: int | None = None
    floor: bool = False
    priority: tuple[float, ...] | None = None
    gap: float = DEFAULT_GAP
    time_limit: float | None = 60.0


@dataclass(frozen=True)
class Placement:
    """A solved portfolio.

    Attributes
    ----------
    offices : DataFrame
        One row per office: ``cluster, cluster_name, town, kommunekode, kommune, x, y,
        employees_covered, share_covered, mean_minutes, fixed``.
    pairs : tuple of (int, int)
        (cluster index, town index) per office.
    objective, bound, gap : float
        Covered (priority-weighted) employees or weighted minutes, a proven bound, the relative gap.
    proven : bool
        Gap closed.
    method_da : str
        What was solved and how, in Danish (the gap included).
    seconds : float
        Wall time.
    """

    offices: pd.DataFrame
    pairs: tuple[tuple[int, int], ...]
    objective: float
    bound: float
    gap: float
    proven: bool
    method_da: str
    seconds: float
    notes: tuple[str, ...] = field(default=())


def _check(problem: PortfolioProblem, opt: PortfolioOptions) -> tuple[int, list[int]]:
    """Validate; the number of offices and the fixed pairs as pair indices."""
    nc, nt = len(problem.clusters), len(problem.towns)
    n_off = nc if opt.offices is None else int(opt.offices)
    if nc == 0 or nt == 0:
        raise AllocationError("Vælg mindst én klynge og én kandidatby.", "Choose at least one cluster and one town.")
    if not nc <= n_off <= nc * nt:
        raise AllocationError(f"Antal kontorer skal være mellem {nc} (én pr. klynge) og {nc * nt}.",
                              f"Offices must be between {nc} and {nc * nt}.")
    if not 1 <= opt.minutes_limit <= 240:
        raise AllocationError("Dækningsgrænsen skal være mellem 1 og 240 minutter.", "Minutes must be 1..240.")
    if opt.per_town is not None and opt.per_town < 1:
        raise AllocationError("Højst M kontorer pr. by: M skal være mindst 1.", "Per-town cap must be >= 1.")
    if opt.priority is not None and (len(opt.priority) != nc or not all(0 < p < 1e6 for p in opt.priority)):
        raise AllocationError("Der skal være én positiv prioritet pr. klynge.", "One positive priority per cluster.")
    names = problem.towns["name"].astype(str).tolist()
    fixed = []
    for cid, town in opt.fixed:
        if cid not in problem.clusters:
            raise AllocationError(f"Det faste kontor nævner en ukendt eller fravalgt klynge: {cid}.", f"Unknown cluster {cid}.")
        if town not in names:
            raise AllocationError(f"Det faste kontor ligger ikke blandt kandidaterne: {town}.", f"Unknown town {town}.")
        fixed.append(problem.clusters.index(cid) * nt + names.index(town))
    if len(set(fixed)) > n_off or (n_off == nc and len({f // nt for f in fixed}) < len(fixed)):
        raise AllocationError("For mange faste kontorer i forhold til antallet af kontorer.", "Too many fixed offices.")
    return n_off, sorted(set(fixed))


def _pairs(problem: PortfolioProblem, opt: PortfolioOptions) -> Pairs:
    nc, nt = len(problem.clusters), len(problem.towns)
    town_muni = np.unique(problem.towns["kommunekode"].astype(str).to_numpy(), return_inverse=True)[1].ravel()
    reach = np.asarray(problem.floor_minutes, float).reshape(nt, -1) <= opt.minutes_limit
    return Pairs(np.repeat(np.arange(nc), nt), np.tile(np.arange(nt), nc), np.tile(town_muni, nc), np.tile(reach, (nc, 1)))


def _rules(pairs: Pairs, nc: int, nt: int, opt: PortfolioOptions, floor: bool) -> Rules:
    return Rules(np.ones(nc, bool),
                 np.zeros(int(pairs.muni.max()) + 1, np.int64) if opt.one_per_municipality else None,
                 np.full(nt, opt.per_town, np.int64) if opt.per_town is not None else None,
                 np.ones(pairs.reach.shape[1], bool) if floor else None)


def _weights(problem: PortfolioProblem, opt: PortfolioOptions) -> np.ndarray:
    w = np.asarray(problem.weights, float)
    return w if opt.priority is None else w * np.asarray(opt.priority, float)[:, None]


def _mclp_inner(problem: PortfolioProblem, opt: PortfolioOptions, r: int, mu: np.ndarray | None) -> tuple[MclpModel, float]:
    within = np.asarray(problem.minutes) <= opt.minutes_limit
    blocks, ws = [], []
    for wc in _weights(problem, opt):
        keep = wc > 0
        A, w = group_rows(sparse.csr_matrix(within[:, keep].T.astype(float)), wc[keep])
        blocks.append(A)
        ws.append(w)
    W = np.concatenate(ws)
    return MclpModel(sparse.block_diag(blocks, format="csr"), W, r, mu), float(np.ceil(W.sum())) + 1.0


def _linear_inner(problem: PortfolioProblem, opt: PortfolioOptions, mu: np.ndarray) -> tuple[LinearModel, float]:
    """One office per cluster: pair value = the cluster's employees its town covers (or minus their weighted minutes)."""
    W = _weights(problem, opt)
    d = np.asarray(problem.minutes, float)
    if opt.objective == "mclp":
        V = W @ (d <= opt.minutes_limit).T.astype(float)
    else:
        reach = np.isfinite(d).any(axis=0)
        V = -(W[:, reach] @ np.where(np.isinf(d[:, reach]), UNREACHED_MINUTES, d[:, reach]).T)
    return LinearModel(V.ravel(), W.shape[0], mu), float(np.ceil(np.abs(V).max(axis=1).sum())) + 1.0


def _pmedian_inner(problem: PortfolioProblem, opt: PortfolioOptions, r: int, mu: np.ndarray | None,
                   pool: ThreadPoolExecutor) -> tuple[PMedianModel, float]:
    d = np.asarray(problem.minutes, float)
    reach = np.isfinite(d).any(axis=0)
    d = np.where(np.isinf(d), UNREACHED_MINUTES, d)
    W = _weights(problem, opt)
    nc, nt = W.shape[0], d.shape[0]
    cols = [np.nonzero(reach & (wc > 0))[0] for wc in W]
    m = sum(len(c) for c in cols)
    D, w, at = np.full((nc * nt, m), np.inf), np.empty(m), 0
    for c, idx in enumerate(cols):
        D[c * nt:(c + 1) * nt, at:at + len(idx)] = d[:, idx]
        w[at:at + len(idx)] = W[c, idx]
        at += len(idx)
    big = float((d[:, reach].max(axis=0, initial=0) * W[:, reach].max(axis=0, initial=0)).sum() * nc) + 1.0
    return PMedianModel(D, w, np.full(m, big), r, mu, big, pool), big * (m + 1)


def _model(problem: PortfolioProblem, opt: PortfolioOptions, n_off: int, joint: bool,
           pool: ThreadPoolExecutor) -> tuple[PortfolioModel, np.ndarray]:
    """The model over all pairs, its partition ``mu`` chosen as the rule the subproblem can honour exactly."""
    nc, nt = len(problem.clusters), len(problem.towns)
    pairs = _pairs(problem, opt)
    one_muni = joint and opt.one_per_municipality
    mu = pairs.cluster if n_off == nc else (pairs.muni if one_muni else None)
    if n_off == nc:
        inner, pen = _linear_inner(problem, opt, mu)
    elif opt.objective == "mclp":
        inner, pen = _mclp_inner(problem, opt, n_off, mu)
    else:
        inner, pen = _pmedian_inner(problem, opt, n_off, mu, pool)
    use = opt if joint else PortfolioOptions(minutes_limit=opt.minutes_limit)
    return PortfolioModel(inner, pairs, _rules(pairs, nc, nt, use, joint and opt.floor), pen), mu


def solve_portfolio(problem: PortfolioProblem, opt: PortfolioOptions, joint: bool = True) -> Placement:
    """Place the portfolio exactly (within ``opt.gap``); ``joint=False`` drops the joint rules (each cluster alone).

    Raises
    ------
    AllocationError
        Bad input, or rules no set of offices can meet (Danish message).
    """
    clock = Clock(opt.time_limit)
    n_off, fixed = _check(problem, opt)
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        full, mu = _model(problem, opt, n_off, joint, pool)
        if fixed:
            _fixed_clash(full, fixed)
        model = full.fix(np.asarray(fixed, dtype=np.int64)) if fixed else full
        free = np.nonzero(addable(full.n, fixed, mu))[0]
        solved = solve(model.take(free), opt.gap, clock=clock)
    chosen = [*fixed, *(int(free[j]) for j in solved.sel)]
    if len(chosen) < n_off or full.violations(np.asarray([chosen]))[0] > 0:
        raise AllocationError("Reglerne kan ikke opfyldes samtidig (fx dækningsgulvet med så få kontorer); løsn et krav.",
                              "No set of offices meets all rules.")
    sign = 1.0 if opt.objective == "mclp" else -1.0
    objective, bound = sign * solved.value, sign * max(solved.bound, solved.value)
    gap = relative_gap(objective, bound)
    rules = ", ".join(_rule_words(opt, joint)) or "ingen fælles regler"
    what = "dækker flest klyngeansatte" if opt.objective == "mclp" else "har mindst ansat-vægtet køretid"
    method = (f"Portefølje ({opt.objective.upper()}): {n_off} kontorer for {len(problem.clusters)} klynger blandt "
              f"{len(problem.towns)} byer, der {what} inden for {number(opt.minutes_limit, 0)} min ({rules}); "
              f"{solved.how}; optimalitetsgab {number(100 * gap, 3)} %")
    nt = len(problem.towns)
    pairs = tuple(sorted((j // nt, j % nt) for j in chosen))
    table = office_table(problem, pairs, {(f // nt, f % nt) for f in fixed}, opt.minutes_limit)
    notes = () if solved.proven else (f"Ikke bevist optimal inden for tidsgrænsen: gab {number(100 * gap, 2)} %.",)
    return Placement(table, pairs, objective, bound, gap, solved.proven, method, clock.elapsed(), notes)


def _fixed_clash(full: PortfolioModel, fixed: list[int]) -> None:
    r = full.rules
    probe = Rules(np.zeros_like(r.need), r.muni_used, r.town_left, None)
    if probe.violations(full.pairs, np.asarray([fixed]))[0]:
        raise AllocationError("De faste kontorer bryder selv reglerne (fx to i samme kommune).",
                              "The fixed offices break the rules themselves.")


def _rule_words(opt: PortfolioOptions, joint: bool) -> list[str]:
    if not joint:
        return ["hver klynge for sig"]
    words = ["højst ét kontor pr. kommune"] if opt.one_per_municipality else []
    words += [f"højst {opt.per_town} pr. by"] if opt.per_town is not None else []
    words += [f"alle K17-kommuner inden for {number(opt.minutes_limit, 0)} min"] if opt.floor else []
    fixed = "1 fast kontor" if len(opt.fixed) == 1 else f"{len(opt.fixed)} faste kontorer"
    return words + ([fixed] if opt.fixed else [])


def assignment(problem: PortfolioProblem, pairs: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster and demand point: the office (position in ``pairs``, -1 = none) serving it, and its minutes."""
    d = np.asarray(problem.minutes, float)
    nc, npnt = np.asarray(problem.weights).shape
    office, best = np.full((nc, npnt), -1), np.full((nc, npnt), np.inf)
    for k, (c, t) in enumerate(pairs):
        closer = d[t] < best[c]
        office[c, closer], best[c, closer] = k, d[t][closer]
    return office, best


def office_table(problem: PortfolioProblem, pairs: tuple[tuple[int, int], ...], fixed: set[tuple[int, int]],
                 minutes_limit: float) -> pd.DataFrame:
    """One row per office: what it covers of its cluster (each employee counted at the nearest office of the cluster)."""
    W = np.asarray(problem.weights, float)
    office, best = assignment(problem, pairs)
    rows = []
    for k, (c, t) in enumerate(pairs):
        mine = office[c] == k
        cov = float(W[c, mine & (best[c] <= minutes_limit)].sum())
        reach = mine & np.isfinite(best[c])
        mean = float((W[c, reach] * best[c, reach]).sum() / W[c, reach].sum()) if W[c, reach].sum() > 0 else float("nan")
        town = problem.towns.iloc[t]
        rows.append({"cluster": problem.clusters[c], "cluster_name": problem.names[c], "town": str(town["name"]),
                     "kommunekode": str(town["kommunekode"]), "kommune": str(town.get("kommune", "")),
                     "x": float(town["x"]), "y": float(town["y"]), "employees_covered": cov,
                     "share_covered": cov / W[c].sum() if W[c].sum() > 0 else 0.0, "mean_minutes": mean,
                     "fixed": (c, t) in fixed})
    return pd.DataFrame(rows)


def compare_alone(problem: PortfolioProblem, opt: PortfolioOptions, joint: Placement) -> tuple[pd.DataFrame, str]:
    """Each cluster placed without the joint rules vs in the portfolio: per cluster, and one Danish sentence.

    Returns
    -------
    tuple
        ``cluster, town_alone, employees_alone, town_joint, employees_joint, difference`` and the sentence.
    """
    alone = solve_portfolio(problem, opt, joint=False)
    out = pd.DataFrame({"cluster": list(problem.clusters)})
    for tag, placed in (("alone", alone), ("joint", joint)):
        by = placed.offices.groupby("cluster")
        out[f"town_{tag}"] = out["cluster"].map(by["town"].agg(", ".join))
        out[f"employees_{tag}"] = out["cluster"].map(by["employees_covered"].sum()).fillna(0.0)
    out["difference"] = out["employees_joint"] - out["employees_alone"]
    lost = -float(out["difference"].sum())
    if abs(lost) < 0.5:
        text = "De fælles regler koster ingen dækning: hver klynge får samme dækning som alene."
    else:
        text = (f"De fælles regler koster {number(lost, 0)} dækkede klyngeansatte i alt "
                f"({number(100 * lost / max(out['employees_alone'].sum(), 1), 1)} %) i forhold til at placere hver klynge for sig.")
    return out, text
