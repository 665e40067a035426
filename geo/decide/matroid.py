"""Choosing ``r`` of ``n`` candidates, at most one per municipality (a partition matroid).

The Lagrangian subproblem of every model here is "the ``r`` candidates with the best
scores, at most one per municipality", which the greedy choice solves exactly; the
exchange values below say what forcing a candidate to the other side of that choice
costs, which is what Lagrangian variable fixing needs. Exhaustive enumeration of small
residual problems lives here too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
from scipy import sparse

#: Residual problems with at most this many (combinations × sites × demand) operations are enumerated.
ENUMERATE_OPS = 3e8


def addable(n: int, taken: np.ndarray | list[int], mu: np.ndarray | None) -> np.ndarray:
    """Mask of candidates that may join ``taken``: not in it and (with municipalities) not in one of its municipalities."""
    ok = np.ones(n, bool)
    taken = np.asarray(taken, dtype=np.int64)
    ok[taken] = False
    if mu is not None and len(taken):
        ok &= ~np.isin(mu, mu[taken])
    return ok


def swappable(n: int, sel: list[int], mu: np.ndarray | None) -> np.ndarray:
    """(candidate × position in ``sel``) mask of valid swaps: the candidate in, ``sel[p]`` out."""
    ok = np.ones((n, len(sel)), bool)
    ok[sel, :] = False
    if mu is not None and sel:
        used = mu[sel]
        clash = np.isin(mu, used)
        ok &= ~clash[:, None] | (mu[:, None] == used[None, :])
    return ok


def best_set(score: np.ndarray, r: int, mu: np.ndarray | None) -> np.ndarray:
    """The ``r`` candidates with the largest scores, at most one per municipality (exact)."""
    if r <= 0:
        return np.empty(0, np.int64)
    if mu is None:
        if r >= len(score):
            return np.argsort(-score, kind="stable")
        top = np.argpartition(-score, r - 1)[:r]
        return top[np.argsort(-score[top], kind="stable")]
    order = np.lexsort((-score, mu))
    ms = mu[order]
    first = order[np.r_[True, ms[1:] != ms[:-1]]]
    return first[np.argsort(-score[first], kind="stable")][:r]


def exchange(score: np.ndarray, sel: np.ndarray, mu: np.ndarray | None) -> np.ndarray:
    """Loss in the subproblem's value (sum of selected scores) when a candidate is forced to the other side.

    Parameters
    ----------
    score : ndarray
        Subproblem score per candidate (larger is better).
    sel : ndarray
        The subproblem's best set (`best_set`).
    mu : ndarray or None
        Municipality codes.

    Returns
    -------
    ndarray
        Per candidate, >= 0; ``inf`` where the flip is impossible. Outside ``sel``:
        forced in (swap out the selected one of its municipality, else the weakest);
        inside: forced out (swap in the best candidate that keeps the set valid).
    """
    nf = len(score)
    delta = np.full(nf, np.inf)
    if len(sel) == 0 or nf == 0:
        return delta
    out = np.ones(nf, bool)
    out[sel] = False
    weakest = float(score[sel].min())
    if mu is None:
        delta[out] = weakest - score[out]
        delta[sel] = score[sel] - (float(score[out].max()) if out.any() else -np.inf)
        return np.maximum(delta, 0.0)
    nm = int(mu.max()) + 1
    sel_of = np.full(nm, -1, np.int64)
    sel_of[mu[sel]] = sel
    e = sel_of[mu]
    delta[out] = (np.where(e >= 0, score[np.maximum(e, 0)], weakest) - score)[out]
    used = np.zeros(nm, bool)
    used[mu[sel]] = True
    free_m = out & ~used[mu]
    best_free = float(score[free_m].max()) if free_m.any() else -np.inf
    best_same = np.full(nm, -np.inf)
    np.maximum.at(best_same, mu[out], score[out])
    delta[sel] = score[sel] - np.maximum(best_free, best_same[mu[sel]])
    return np.maximum(delta, 0.0)


def enumerable(n: int, r: int, m: int) -> bool:
    """Whether all ``r``-subsets of ``n`` candidates over ``m`` demand groups are cheap to enumerate."""
    return r >= 0 and math.comb(n, r) * max(r, 1) * max(m, 1) <= ENUMERATE_OPS


def enumerate_best(n: int, r: int, mu: np.ndarray | None, value_of: Callable[[np.ndarray], np.ndarray],
                   m: int) -> tuple[np.ndarray, float]:
    """Best (largest ``value_of``) valid ``r``-subset of ``range(n)``, exhaustively, in vectorised batches.

    Parameters
    ----------
    n, r : int
        Candidates and set size.
    mu : ndarray or None
        Municipality codes (at most one per municipality).
    value_of : callable
        ``(batch × r) int array -> values``.
    m : int
        Demand groups (sets the batch size).

    Returns
    -------
    tuple
        The best subset and its value (``-inf`` and an empty set when none is valid).
    """
    combos = itertools.combinations(range(n), r)
    if mu is not None:
        combos = (c for c in combos if len({int(mu[j]) for j in c}) == len(c))
    batch = max(1, int(4e6 // max(r * m, 1)))
    best_v, best_c = -np.inf, np.empty(0, np.int64)
    while chunk := list(itertools.islice(combos, batch)):
        arr = np.asarray(chunk, dtype=np.int64).reshape(len(chunk), r)
        vals = value_of(arr)
        b = int(np.argmax(vals))
        if vals[b] > best_v:
            best_v, best_c = float(vals[b]), arr[b]
    return best_c, best_v


def choice_rows(mu: np.ndarray | None, n: int, r: int, extra_cols: int) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """MIP rows "exactly ``r`` of the first ``n`` columns" and "at most one per municipality".

    Parameters
    ----------
    mu : ndarray or None
        Municipality codes of the ``n`` candidate columns.
    n, r : int
        Candidate columns and how many to choose.
    extra_cols : int
        Further columns of the MIP (zero in these rows).

    Returns
    -------
    tuple
        Rows (``1 + municipalities with several candidates`` × ``n + extra_cols``) and their bounds.
    """
    if mu is None:
        muni = sparse.csr_matrix((0, n))
    else:
        codes, inv = np.unique(mu, return_inverse=True)
        multi = np.nonzero(np.bincount(inv, minlength=len(codes)) > 1)[0]
        keep = np.isin(inv, multi)
        muni = sparse.csr_matrix((np.ones(keep.sum()), (np.searchsorted(multi, inv[keep]), np.nonzero(keep)[0])),
                                 shape=(len(multi), n))
    rows = sparse.vstack([sparse.csr_matrix(np.ones((1, n))), muni])
    rows = sparse.hstack([rows, sparse.csr_matrix((rows.shape[0], extra_cols))]).tocsr()
    nm = muni.shape[0]
    return rows, np.concatenate([[r], np.full(nm, -np.inf)]), np.concatenate([[r], np.ones(nm)])
