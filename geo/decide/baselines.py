"""Reference solvers: spopt's classic MCLP / p-median (PuLP) and the same classic models given to HiGHS directly."""

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


def _classic(cost: np.ndarray, A: sparse.spmatrix, row_lo: np.ndarray, row_hi: np.ndarray, n: int, k: int,
             fixed: list[int], municipality: Sequence[str] | None, maximise: bool, gap: float,
             time_limit: float | None) -> tuple[tuple[int, ...], float]:
    """Solve a classic model whose first ``n`` columns are the candidates (binary) and the rest continuous in [0, 1].

    Adds the rows "``k`` candidates, at most one per municipality" and the fixed offices;
    returns the chosen candidates and HiGHS's relative gap.
    """
    extra = A.shape[1] - n
    mu = None if municipality is None else np.asarray([str(c) for c in municipality])
    pick, lo, hi = choice_rows(mu, n, k, extra)
    lower = np.zeros(n + extra)
    lower[fixed] = 1.0
    mip = Mip(cost, lower, np.ones(n + extra), np.concatenate([np.ones(n, bool), np.zeros(extra, bool)]),
              sparse.vstack([A, pick]), np.concatenate([row_lo, lo]), np.concatenate([row_hi, hi]), maximise)
    got = solve_mip(mip, gap, time_limit, None)
    chosen = tuple(int(j) for j in np.nonzero(got.x[:n] > 0.5)[0])
    return chosen, abs(got.objective - got.bound) / max(abs(got.objective), 1e-12)


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
    cost = np.concatenate([np.zeros(n), wm[i_idx] * dm[j_idx, i_idx]])
    chosen, rel_gap = _classic(cost, A, np.concatenate([np.ones(m), np.full(p, -np.inf)]),
                               np.concatenate([np.ones(m), np.zeros(p)]), n, k, fx, municipality, False, gap, time_limit)
    return chosen, float((wm * dm[list(chosen)].min(axis=0)).sum()), rel_gap


def classic_mclp(minutes: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float, fixed: Sequence[int] = (),
                 municipality: Sequence[str] | None = None, gap: float = 1e-9,
                 time_limit: float | None = None) -> tuple[tuple[int, ...], float, float]:
    """The classic MCLP (Church & ReVelle: y_j, z_i <= sum of y_j within ``minutes_limit``) given to HiGHS directly.

    One column ``z_i`` per demand point any candidate covers (continuous in [0, 1]: with
    binary ``y`` it is 1 exactly when ``i`` is covered), sparse rows, no modelling layer.

    Returns
    -------
    tuple
        Chosen candidates, the weight they cover, and HiGHS's relative gap.
    """
    d, w, fx = validate(minutes, weights, k, fixed, municipality)
    within = d <= minutes_limit
    keep = within.any(axis=0) & (w > 0)
    n, m = d.shape[0], int(keep.sum())
    j_idx, i_idx = np.nonzero(within[:, keep])
    A = sparse.csr_matrix((np.concatenate([np.ones(m), -np.ones(len(i_idx))]),
                           (np.concatenate([np.arange(m), i_idx]), np.concatenate([n + np.arange(m), j_idx]))),
                          shape=(m, n + m))
    cost = np.concatenate([np.zeros(n), w[keep]])
    chosen, rel_gap = _classic(cost, A, np.full(m, -np.inf), np.zeros(m), n, k, fx, municipality, True, gap, time_limit)
    return chosen, evaluate(minutes, weights, chosen, minutes_limit)[0], rel_gap
