"""p-median: choose ``k`` candidates minimising the demand-weighted minutes to the nearest chosen one."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from geo.decide.inputs import AllocationError, free_candidates, municipality_codes, validate
from geo.decide.pmedian_model import PMedianModel
from geo.decide.result import AllocationResult, build_result
from geo.decide.solver import DEFAULT_GAP, Clock, solve
from geo.format import number


def _costs_of_fixed(d: np.ndarray, w: np.ndarray, fx: list[int], big: float) -> np.ndarray:
    if not fx:
        return np.full(d.shape[1], big)
    c = d[fx].astype(np.float64).min(axis=0) * w
    return np.where(np.isfinite(c), c, big)


def pmedian(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int] = (),
            municipality: Sequence[str] | None = None, minutes_limit: float | None = None,
            gap: float = DEFAULT_GAP, time_limit: float | None = None, threads: int | None = None) -> AllocationResult:
    """p-median: choose ``k`` candidates minimising the demand-weighted minutes to the nearest chosen.

    Parameters
    ----------
    minutes : ndarray
        Candidates × demand travel minutes; ``inf`` = unreachable. Demand points no
        candidate reaches are left out (with a note).
    weights : ndarray
        Demand weight per demand point.
    k : int
        Number of sites in total, fixed offices included.
    fixed : sequence of int
        Candidate indices forced open (existing offices).
    municipality : sequence of str, optional
        Municipality code per candidate; when given, at most one site per municipality.
    minutes_limit : float, optional
        Threshold for ``covered_share`` in the result.
    gap, time_limit, threads
        Relative gap to stop at, seconds in all (building included; see `geo.decide.solver.solve`), threads.

    Returns
    -------
    AllocationResult
        ``objective`` is the exact weighted minutes of the set, ``bound`` a proven
        lower bound on every valid set's.

    Notes
    -----
    Solved by `geo.decide.solver.solve` on `PMedianModel` (Lagrangian relaxation of the
    assignment rows, Beasley 1993; the bound is computed on the whole matrix).
    """
    clock = Clock(time_limit)
    d, w, fx = validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    reach = np.isfinite(d).any(axis=0)
    left_out = f"{int((~reach).sum())} efterspørgselspunkter kan ikke nås fra nogen kandidat og er udeladt."
    notes = [] if reach.all() else [left_out]
    use = reach & (w > 0)
    dm = d if use.all() else d[:, use]
    wu = w[use]
    big = float((np.where(np.isfinite(dm), dm, 0).max(axis=0) * wu).sum()) + 1.0  # > any complete assignment
    mu = municipality_codes(municipality)
    fidx = free_candidates(n, fx, mu)
    with ThreadPoolExecutor(max_workers=max(1, threads or os.cpu_count() or 1)) as pool:
        model = PMedianModel(dm[fidx] if len(fidx) < n else dm, wu, _costs_of_fixed(dm, wu, fx, big), k - len(fx),
                             None if mu is None else mu[fidx], big, pool)
        solved = solve(model, gap, threads=threads, clock=clock)
    chosen = [*fx, *(int(fidx[j]) for j in solved.sel)]
    cost = float((w[reach] * d[chosen][:, reach].astype(np.float64).min(axis=0)).sum())
    if not np.isfinite(cost):
        raise AllocationError("Ingen gyldig løsning: nogle efterspørgselspunkter kan ikke nås fra de valgte lokaliteter.",
                              "No feasible p-median solution reaches every demand point.")
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"p-median: {k} lokaliteter blandt {number(n)} kandidater med mindst ansat-vægtet køretid "
              f"({number(int(reach.sum()))} efterspørgselspunkter, {len(fx)} faste kontorer{extra})")
    return build_result(chosen, cost, min(-solved.bound, cost), solved, clock, d, w, minutes_limit, method,
                        "Ikke bevist optimal inden for tidsgrænsen: højst {gap} % over den lavest mulige samlede "
                        "køretid (nedre grænse {bound}).", notes)
