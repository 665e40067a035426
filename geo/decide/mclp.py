"""MCLP: choose ``k`` candidates covering the most demand weight within a travel-time threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from geo.decide.inputs import free_candidates, municipality_codes, validate
from geo.decide.mclp_model import MclpModel, regroup
from geo.decide.result import AllocationResult, build_result
from geo.decide.solver import DEFAULT_GAP, Clock, solve
from geo.format import number


def mclp(minutes: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float,
         fixed: Sequence[int] = (), municipality: Sequence[str] | None = None,
         gap: float = DEFAULT_GAP, time_limit: float | None = None, threads: int | None = None) -> AllocationResult:
    """Maximal covering: choose ``k`` candidates covering the most demand weight within ``minutes_limit``.

    Parameters
    ----------
    minutes : ndarray
        Candidates × demand travel minutes; ``inf`` = unreachable.
    weights : ndarray
        Demand weight (e.g. cluster employees) per demand point.
    k : int
        Number of sites in total, fixed offices included.
    minutes_limit : float
        Coverage threshold T (minutes, inclusive).
    fixed : sequence of int
        Candidate indices forced open (existing offices).
    municipality : sequence of str, optional
        Municipality code per candidate; when given, at most one site per municipality.
    gap, time_limit, threads
        Relative gap to stop at, seconds in all (building included; see `geo.decide.solver.solve`), HiGHS threads.

    Returns
    -------
    AllocationResult
        ``objective`` is the covered weight, ``bound`` a proven upper bound on any valid set's.
    """
    clock = Clock(time_limit)
    d, w, fx = validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    mu = municipality_codes(municipality)
    fidx = free_candidates(n, fx, mu)
    within = d <= minutes_limit
    base = within[fx].any(axis=0) if fx else np.zeros(d.shape[1], bool)
    keep = ~base & (w > 0)
    At, wm, _ = regroup(sparse.csr_matrix(within[np.ix_(fidx, keep)], dtype=float), w[keep])
    model = MclpModel.of_columns(At, wm, k - len(fx), None if mu is None else mu[fidx], float(w[base].sum()))
    solved = solve(model, gap, threads=threads, clock=clock)
    chosen = [*fx, *(int(fidx[j]) for j in solved.sel)]
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"MCLP: {k} lokaliteter blandt {number(n)} kandidater, der dækker flest ansatte inden for "
              f"{number(minutes_limit, 0)} min ({number(At.shape[1])} efterspørgselsgrupper, {len(fx)} faste "
              f"kontorer{extra})")
    return build_result(chosen, solved.value, solved.bound, solved, clock, d, w, minutes_limit, method,
                        "Ikke bevist optimal inden for tidsgrænsen: højst {gap} % fra den bedst mulige dækning "
                        "(øvre grænse {bound} ansatte).")
