"""Reference solvers: spopt's classic MCLP / p-median (PuLP) and the classic p-median given to HiGHS directly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from geo.decide.highs import Mip, solve_mip
from geo.decide.inputs import evaluate, validate
from geo.decide.matroid import choice_rows


def _pulp_solver(name: str) -> object:
    import pulp  # optional: peer baseline only (heavy)

    return pulp.HiGHS(msg=False) if name == "highs" else pulp.PULP_CBC_CMD(msg=False)


def _predefined(n: int, fixed: Sequence[int]) -> np.ndarray | None:
    if not len(fixed):
        return None
    arr = np.zeros(n, dtype=bool)
    arr[list(fixed)] = True
    return arr


def spopt_mclp(minutes: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float,
               fixed: Sequence[int] = (), solver: str = "highs") -> tuple[tuple[int, ...], float]:
    """spopt's classic MCLP; returns (chosen, covered weight)."""
    from spopt.locate import (  # optional: peer baseline only
        MCLP,
    )

    d = np.where(np.isfinite(minutes), minutes, 1e9).T  # clients × facilities
    model = MCLP.from_cost_matrix(d, np.asarray(weights, float), minutes_limit, k,
                                  predefined_facilities_arr=_predefined(len(minutes), fixed))
    model.solve(_pulp_solver(solver))
    chosen = tuple(sorted(i for i, v in enumerate(model.fac_vars) if v.value() > 0.5))
    return chosen, evaluate(minutes, weights, chosen, minutes_limit)[0]


def spopt_pmedian(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int] = (),
                  solver: str = "highs") -> tuple[tuple[int, ...], float]:
    """spopt's classic p-median; returns (chosen, weighted minutes)."""
    from spopt.locate import (  # optional: peer baseline only
        PMedian,
    )

    d = np.where(np.isfinite(minutes), minutes, 1e9).T
    model = PMedian.from_cost_matrix(d, np.asarray(weights, float), k, predefined_facilities_arr=_predefined(len(minutes), fixed))
    model.solve(_pulp_solver(solver))
    chosen = tuple(sorted(i for i, v in enumerate(model.fac_vars) if v.value() > 0.5))
    return chosen, float((np.asarray(weights, float) * np.asarray(minutes, float)[list(chosen)].min(axis=0)).sum())


def classic_pmedian(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int] = (),
                    municipality: Sequence[str] | None = None, gap: float = 1e-9,
                    time_limit: float | None = None) -> tuple[tuple[int, ...], float, float]:
    """The classic formulation (y_j, x_ij for every reachable pair, x_ij <= y_j) given to HiGHS directly.

    Only for small instances. Demand no candidate reaches is left out.

    Returns
    -------
    tuple
        Chosen candidates, their weighted minutes, and HiGHS's relative gap.
    """
    d, w, fx = validate(minutes, weights, k, fixed, municipality)
    reach = np.isfinite(d).any(axis=0)
    dm, wm = d[:, reach].astype(float), w[reach]
    n, m = dm.shape
    j_idx, i_idx = np.nonzero(np.isfinite(dm))
    p = len(i_idx)
    rows = np.concatenate([i_idx, m + np.arange(p), m + np.arange(p)])
    cols = np.concatenate([n + np.arange(p), n + np.arange(p), j_idx])
    A = sparse.csr_matrix((np.concatenate([np.ones(2 * p), -np.ones(p)]), (rows, cols)), shape=(m + p, n + p))
    mu = None if municipality is None else np.asarray([str(c) for c in municipality])
    pick, lo, hi = choice_rows(mu, n, k, p)
    lower = np.zeros(n + p)
    lower[fx] = 1.0
    mip = Mip(np.concatenate([np.zeros(n), wm[i_idx] * dm[j_idx, i_idx]]), lower, np.ones(n + p),
              np.concatenate([np.ones(n, bool), np.zeros(p, bool)]), sparse.vstack([A, pick]),
              np.concatenate([np.ones(m), np.full(p, -np.inf), lo]), np.concatenate([np.ones(m), np.zeros(p), hi]), False)
    got = solve_mip(mip, gap, time_limit, None)
    chosen = tuple(int(j) for j in np.nonzero(got.x[:n] > 0.5)[0])
    cost = float((wm * dm[list(chosen)].min(axis=0)).sum())
    return chosen, cost, abs(got.objective - got.bound) / max(abs(got.objective), 1e-12)
