"""The p-median as a `geo.decide.solver.Model`: least demand-weighted cost to the nearest chosen site.

Costs are ``c_ij = w_i d_ij`` (``big`` where unreachable) plus a fallback ``u_i`` per
demand point (the cost via fixed or forced offices). Relaxing "every demand point is
assigned once" with free multipliers λ_i gives, in the maximisation form the skeleton
uses (value = −cost), the bound ``−Σ λ_i − Σ min(0, u_i − λ_i) + Σ_{j in set} s_j`` with
``s_j = −Σ_i min(0, c_ij − λ_i)``. Large matrices are held in float32 (half the memory
traffic) and the scores then carry a rounding-error bound the skeleton subtracts;
sets are always valued exactly in float64.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import numpy as np
from scipy import sparse

from geo.decide.highs import Mip
from geo.decide.matroid import addable, choice_rows, swappable
from geo.decide.solver import Clock, Relaxation, Schedule

#: Matrices with more entries than this are held in float32.
FLOAT32_ABOVE = 4_000_000
#: Relative rounding error of a float32 score term (product, cast and subtraction, with room to spare).
F32_ERR = 2.0 ** -21


#: Matrices with fewer entries than this are worked through in the calling thread (handing blocks
#: to threads costs more than it saves).
THREADS_ABOVE = 4_000_000


def _blocks(pool: ThreadPoolExecutor, fn: Callable[[slice], np.ndarray], rows: int, cols: int) -> list:
    """``fn`` over row blocks of about 1 MB, in the pool's threads when the matrix is large."""
    step = max(1, (1 << 18) // max(cols, 1))
    blocks = [slice(i, min(i + step, rows)) for i in range(0, rows, step)]
    return list(pool.map(fn, blocks) if rows * cols > THREADS_ABOVE else map(fn, blocks))


class PMedianModel:
    """Candidates × demand p-median with a fallback cost (see the module docstring).

    Parameters
    ----------
    d : ndarray
        Candidates × demand minutes (``inf`` = unreachable).
    w, u : ndarray
        Demand weights and fallback costs (``big`` where there is none).
    r : int
        Sites to choose.
    mu : ndarray or None
        Municipality codes (at most one per municipality).
    big : float
        Cost of an unreachable pair, larger than any complete assignment.
    pool : ThreadPoolExecutor
        Threads for the row-block computations.
    """

    def __init__(self, d: np.ndarray, w: np.ndarray, u: np.ndarray, r: int, mu: np.ndarray | None,
                 big: float, pool: ThreadPoolExecutor, C: np.ndarray | None = None) -> None:
        self.d, self.w, self.u, self.r, self.mu, self.big, self.pool = d, w, u, r, mu, big, pool
        self.n, self.m = d.shape
        self.C = self.costs(np.arange(self.n), self.n * self.m > FLOAT32_ABOVE) if C is None else C

    def costs(self, rows: np.ndarray, f32: bool = False) -> np.ndarray:
        """Weighted costs of ``rows`` (float64 unless ``f32``), ``big`` where unreachable."""
        dt = np.float32 if f32 else np.float64
        c = self.d[rows].astype(dt, copy=False) * self.w.astype(dt)
        c[~np.isfinite(c)] = self.big
        return c

    #: Whether a relaxation over all candidates is cheap (see `geo.decide.solver.Model`).
    cheap = False
    #: Plain subgradient steps (see `geo.decide.solver.Schedule`).
    schedule = Schedule()
    #: Residuals too large to enumerate go to HiGHS (see `geo.decide.solver.Model`).
    branch = False

    def take(self, rows: np.ndarray) -> PMedianModel:
        """The same model over candidates ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        small = len(rows) * self.m <= FLOAT32_ABOVE
        C = self.costs(rows) if small and self.C.dtype != np.float64 else self.C[rows]
        return PMedianModel(self.d[rows], self.w, self.u, self.r, None if self.mu is None else self.mu[rows],
                            self.big, self.pool, C)

    def fix(self, rows: np.ndarray) -> PMedianModel:
        """Candidates ``rows`` forced open: they join the fallback."""
        u = np.minimum(self.u, self.costs(np.asarray(rows, dtype=np.int64)).min(axis=0)) if len(rows) else self.u
        return PMedianModel(self.d, self.w, u, self.r - len(rows), self.mu, self.big, self.pool, self.C)

    def inherit(self, lam: np.ndarray) -> np.ndarray:
        """`fix` keeps the demand points: the same multipliers."""
        return lam

    def nearest(self, sel: Sequence[int]) -> np.ndarray:
        """Exact cost per demand point of a set (nearest of the set and the fallback)."""
        sel = list(sel)
        return np.minimum(self.u, self.costs(np.asarray(sel, dtype=np.int64)).min(axis=0)) if sel else self.u.copy()

    def value(self, sel: Sequence[int]) -> float:
        """Minus the exact cost of a set."""
        return -float(self.nearest(sel).sum())

    @cached_property
    def tight(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Exact costs on the demand points some candidate serves below the fallback, their fallback, and the rest's cost."""
        C = self.costs(np.arange(self.n))
        dem = np.nonzero((C < self.u[None, :]).any(axis=0))[0]
        return np.ascontiguousarray(C[:, dem]), self.u[dem], float(self.u.sum() - self.u[dem].sum())

    def values(self, sets: np.ndarray) -> np.ndarray:
        """Minus the exact cost of each row of ``sets``."""
        C, u, const = self.tight
        return -(const + np.minimum(C[sets].min(axis=1, initial=np.inf), u).sum(axis=1))

    def _best2(self, sel: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest and second-nearest cost per demand point among ``sel`` and the fallback; index in sel (-1 = fallback)."""
        V = np.vstack([self.C[sel], self.u[None, :].astype(self.C.dtype)])
        near = np.argmin(V, axis=0)
        two = np.partition(V, 1, axis=0) if len(V) > 1 else np.vstack([V, V])
        return two[0], two[1], np.where(near == len(sel), -1, near)

    @cached_property
    def ceiling(self) -> np.ndarray:
        """Largest cost per demand point (add gains are measured from below it: float32 keeps its precision)."""
        return self.C.max(axis=0)

    def _add_gain(self, b1: np.ndarray) -> np.ndarray:
        F = self.C
        b1 = np.minimum(b1, self.ceiling)  # the same constant off every candidate's gain where b1 is above
        return np.concatenate(_blocks(self.pool, lambda s: np.maximum(b1 - F[s], 0).sum(axis=1, dtype=np.float64),
                                      self.n, self.m))

    def _swap_save(self, sel: list[int]) -> np.ndarray:
        """Saving of every (candidate in, position out) swap, from the nearest/second-nearest costs."""
        F = self.C
        b1, b2, near = self._best2(sel)
        H = np.zeros((self.m, len(sel)), dtype=F.dtype)
        has = near >= 0
        H[np.nonzero(has)[0], near[has]] = 1.0

        def block(s: slice) -> tuple[np.ndarray, np.ndarray]:
            E = np.maximum(F[s], b1)
            gain = (E - F[s]).sum(axis=1, dtype=np.float64)  # Σ max(0, b1 − c)
            np.minimum(E, b2, out=E)
            E -= b1
            return gain, (E @ H).astype(np.float64)

        parts = _blocks(self.pool, block, self.n, self.m)
        save = np.concatenate([p[0] for p in parts])[:, None] - np.vstack([p[1] for p in parts])
        save[~swappable(self.n, sel, self.mu)] = -np.inf
        return save

    def improve(self, sel: list[int], swaps: bool, clock: Clock) -> tuple[list[int], float]:
        """Greedy fill to ``r`` sites, then best-improvement swaps, each accepted only if the exact cost falls."""
        sel = [int(j) for j in sel]
        while len(sel) < self.r:
            ok = addable(self.n, sel, self.mu)
            if not ok.any():
                break
            sel.append(int(np.argmax(np.where(ok, self._add_gain(self._best2(sel)[0]), -np.inf))))
        value = self.value(sel)
        while swaps and sel and not clock.short(0.3):
            save = self._swap_save(sel)
            j, p = np.unravel_index(int(np.argmax(save)), save.shape)
            if not save[j, p] > 1e-10 * abs(value):
                break
            trial = [*sel[:p], int(j), *sel[p + 1:]]
            v = self.value(trial)
            if not v > value:
                break
            sel, value = trial, v
        return sel, value

    def start(self, sel: list[int]) -> np.ndarray:
        """A third of the way from the nearest to the second-nearest cost of the incumbent."""
        b1, b2, _ = self._best2(list(sel))
        b1, b2 = b1.astype(np.float64), b2.astype(np.float64)
        return b1 + (np.minimum(b2, 3 * b1 + 1) - b1) / 3

    def relax(self, lam: np.ndarray) -> Relaxation:
        """Scores ``−Σ_i min(0, c_ij − λ_i)`` over threaded row blocks."""
        F = self.C
        lc = np.asarray(lam).astype(F.dtype)
        lam = lc.astype(np.float64)  # the multipliers actually used (any λ gives a valid bound)
        rho = np.concatenate(_blocks(self.pool, lambda s: np.minimum(F[s] - lc, 0).sum(axis=1, dtype=np.float64),
                                     self.n, self.m))
        err = 0.0 if F.dtype == np.float64 else F32_ERR * float(np.maximum(lam, 0).sum())
        return Relaxation(-float(lam.sum() + np.minimum(self.u - lam, 0).sum()), -rho, err)

    def descent(self, lam: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """``1 − [u_i < λ_i] − #{j in sel: c_ij < λ_i}``: raising λ_i where too few sites serve i."""
        lc = np.asarray(lam).astype(self.C.dtype)
        return 1.0 - (self.C[sel] < lc).sum(axis=0) - (self.u < lam)

    def project(self, lam: np.ndarray) -> np.ndarray:
        """λ is free."""
        return lam

    def tighten(self, bound: np.ndarray) -> np.ndarray:
        """Costs are real: no rounding."""
        return bound

    def mip(self) -> tuple[Mip, float]:
        """y_j | x_ij (pairs cheaper than the fallback) | f_i (fallback); maximise minus the cost."""
        C, u, const = self.tight
        n, md = C.shape
        jj, ii = np.nonzero(C < u[None, :])
        p = len(jj)
        rows = np.concatenate([ii, md + np.arange(p), md + np.arange(p), np.arange(md)])
        cols = np.concatenate([n + np.arange(p), n + np.arange(p), jj, n + p + np.arange(md)])
        vals = np.concatenate([np.ones(p), np.ones(p), -np.ones(p), np.ones(md)])
        A = sparse.csr_matrix((vals, (rows, cols)), shape=(md + p, n + p + md))
        pick, lo, hi = choice_rows(self.mu, n, self.r, p + md)
        ncol = n + p + md
        mip = Mip(-np.concatenate([np.zeros(n), C[jj, ii], u]), np.zeros(ncol), np.ones(ncol),
                  np.concatenate([np.ones(n, bool), np.zeros(p + md, bool)]), sparse.vstack([A, pick]),
                  np.concatenate([np.ones(md), np.full(p, -np.inf), lo]),
                  np.concatenate([np.ones(md), np.zeros(p), hi]), True)
        return mip, -const
