"""The maximal covering location problem as a `geo.decide.solver.Model`.

Demand groups (points covered by the same candidates, weights summed) and a sparse
coverage matrix ``A`` (groups × candidates). Relaxing ``y_i <= Σ_j a_ij x_j`` with
multipliers ``0 <= λ_i <= w_i`` gives the bound ``Σ max(0, w_i − λ_i) + Σ_{j in set} (Aᵀλ)_j``
(Galvão & ReVelle 1996). Large matrices are scored in float32 (half the memory traffic
of the sparse product that dominates an iteration), with a rounding-error bound the
skeleton subtracts; sets are always valued exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cached_property

import numpy as np
from scipy import sparse

from geo.decide.highs import Mip
from geo.decide.matroid import addable, choice_rows, swappable
from geo.decide.solver import Clock, Relaxation, Schedule

#: Coverage matrices with more nonzeros than this are scored in float32.
FLOAT32_NNZ_ABOVE = 1_000_000
#: Unit roundoff of float32.
F32_UNIT = 2.0 ** -24


def group_rows(A: sparse.csr_matrix, w: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Drop empty rows; rows with identical patterns become one row carrying the summed weight."""
    At, wg, _ = regroup(sparse.csr_matrix(A).T.tocsr(), w)
    return At.T.tocsr(), wg


def regroup(At: sparse.csr_matrix, w: np.ndarray,
            drop: np.ndarray | None = None) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Merge the demand columns of ``At`` (candidates × demand) that have the same pattern.

    Parameters
    ----------
    At : sparse matrix
        Candidates × demand, CSR, 1 where the candidate covers the demand.
    w : ndarray
        Demand weights.
    drop : ndarray of bool, optional
        Demand to leave out (e.g. covered by a site forced open).

    Returns
    -------
    tuple
        Candidates × groups (CSR; sorted indices when ``At``'s are), the group weights
        (sums), and the group of each demand column (-1 for one dropped or covered by
        no candidate).

    Notes
    -----
    Columns are keyed by a seeded random projection of their pattern (a sum in
    candidate order, so equal columns get bit-equal keys), and each group is numbered by
    its first column, which stands for it in the merged matrix. The grouping is then
    checked exactly: every candidate covering a member covers that first column, and
    the two have as many coverers. A rare collision of keys of different columns means
    a new projection.
    """
    m = At.shape[1]
    deg = np.bincount(At.indices, minlength=m)
    live = deg > 0
    if drop is not None:
        live &= ~drop
    cols = np.nonzero(live)[0]
    for seed in itertools.count():
        _, first, group = np.unique(_keys(At, seed)[cols], return_index=True, return_inverse=True)
        rank = np.empty(len(first), np.int64)
        rank[np.argsort(first)] = np.arange(len(first))  # groups in the order of their first columns
        inv = np.full(m, -1, np.int64)
        inv[cols] = rank[group.ravel()]
        lead = np.zeros(m, bool)
        lead[cols[first]] = True
        if _grouped(At, deg, inv, lead):
            break
    mask = lead[At.indices]
    indptr = np.r_[0, np.cumsum(mask)][At.indptr]
    merged = sparse.csr_matrix((np.ones(int(mask.sum())), inv[At.indices[mask]], indptr), shape=(At.shape[0], len(first)))
    return merged, np.bincount(inv[cols], weights=np.asarray(w, float)[cols], minlength=len(first)), inv


def _keys(At: sparse.csr_matrix, seed: int) -> np.ndarray:
    """A seeded random projection of each column's pattern."""
    return np.asarray(At.T @ np.random.default_rng(seed).random(At.shape[0])).ravel()


def _grouped(At: sparse.csr_matrix, deg: np.ndarray, inv: np.ndarray, lead: np.ndarray) -> bool:
    """Whether every column in a group (``inv``, -1 for none) has the pattern of its group's first column (``lead``).

    Each candidate covering a member covers the first column (checked on a bitmap of
    candidates × groups, no larger than the boolean coverage matrix), and the member has
    as many coverers (``deg``), so the two patterns are equal.
    """
    groups = int(inv.max(initial=-1)) + 1
    g = inv[At.indices]
    key = np.repeat(np.arange(At.shape[0], dtype=np.int64) * groups, np.diff(At.indptr)) + g
    key[g < 0] = -1  # outside every group: the bitmap's last cell, set
    seen = np.zeros(At.shape[0] * groups + 1, bool)
    seen[key[lead[At.indices]]] = True
    seen[-1] = True
    firsts = np.zeros(groups, np.int64)
    firsts[inv[lead]] = deg[lead]
    member = inv >= 0
    return bool(seen[key].all()) and np.array_equal(deg[member], firsts[inv[member]])


class MclpModel:
    """Coverage of grouped demand by ``r`` candidates, plus weight already covered (``const``).

    Parameters
    ----------
    A : sparse matrix
        Groups × candidates, 1 where the candidate covers the group.
    w : ndarray
        Group weights.
    r : int
        Sites to choose.
    mu : ndarray or None
        Municipality codes.
    const : float
        Weight covered by fixed or forced offices.
    origin : ndarray, optional
        For a model made by `fix` or `fork`: per group of the model it was made from, the group
        here (-1 where covered by the forced candidates or by none).
    """

    def __init__(self, A: sparse.csr_matrix, w: np.ndarray, r: int, mu: np.ndarray | None, const: float = 0.0,
                 origin: np.ndarray | None = None) -> None:
        self._columns(sparse.csr_matrix(A).T.tocsr(), w, r, mu, const, origin)

    @classmethod
    def of_columns(cls, At: sparse.csr_matrix, w: np.ndarray, r: int, mu: np.ndarray | None,
                   const: float = 0.0, origin: np.ndarray | None = None) -> MclpModel:
        """The model from ``Aᵀ`` (candidates × groups, CSR): slicing candidates then costs no transpose."""
        model = cls.__new__(cls)
        model._columns(At, w, r, mu, const, origin)
        return model

    def _columns(self, At: sparse.csr_matrix, w: np.ndarray, r: int, mu: np.ndarray | None, const: float,
                 origin: np.ndarray | None) -> None:
        self.At, self.w, self.r, self.mu, self.const, self.origin = At, np.asarray(w, float), r, mu, const, origin
        self.n, self.m = At.shape
        self.At32 = At.astype(np.float32) if At.nnz > FLOAT32_NNZ_ABOVE else None
        self.integral = bool(np.all(self.w == np.round(self.w)))

    @cached_property
    def A(self) -> sparse.csr_matrix:
        """Groups × candidates."""
        return self.At.T.tocsr()

    #: Whether a relaxation over all candidates is cheap (see `geo.decide.solver.Model`).
    cheap = True
    #: Deflected steps, halved late: the plain schedule stalls far above the LP bound on large
    #: instances whose best sets leave much of the demand covered twice (patience 60 with the
    #: scaled `descent` ended nearest the optimum on five 1,000 × 20,000 instances).
    schedule = Schedule(deflect=0.8, patience=60)
    #: Residuals are branched on (see `geo.decide.solver.Model`): the LP relaxation HiGHS would
    #: start from is as weak as the Lagrangian bound, and far slower to compute.
    branch = True

    def take(self, rows: np.ndarray) -> MclpModel:
        """The same model over candidates ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        return MclpModel.of_columns(self.At[rows], self.w, self.r, None if self.mu is None else self.mu[rows],
                                    self.const, self.origin)

    def fix(self, rows: np.ndarray) -> MclpModel:
        """Candidates ``rows`` forced open (they stay candidates): what they cover moves into ``const``; the rest is regrouped."""
        return self.fork(rows, np.arange(self.n))

    def fork(self, opened: np.ndarray, rows: np.ndarray) -> MclpModel:
        """Candidates ``opened`` forced open, the model over candidates ``rows`` only.

        What ``opened`` covers moves into ``const``; the rest is regrouped over ``rows``
        (demand they cannot tell apart becomes one group), straight from ``At``'s rows.
        """
        rows = np.asarray(rows, dtype=np.int64)
        hit = self.covered(opened)
        At, w, origin = regroup(self.At[rows], self.w, hit)
        return MclpModel.of_columns(At, w, self.r - len(opened), None if self.mu is None else self.mu[rows],
                                    self.const + float(self.w[hit].sum()), origin)

    def inherit(self, lam: np.ndarray) -> np.ndarray:
        """Multipliers of the model this one was fixed from, summed per group here (in ``[0, w]`` again)."""
        if self.origin is None:
            return lam
        keep = self.origin >= 0
        return np.bincount(self.origin[keep], weights=lam[keep], minlength=self.m)

    def forced(self, lam: np.ndarray, c: int) -> Relaxation:
        """The relaxation of ``fix([c])`` at ``fix([c]).inherit(lam)``, without building that model.

        With ``λ`` in ``[0, w]``, regrouping (sums of ``w`` and of ``λ``) changes neither
        ``Σ max(0, w − λ)`` nor any score, so the rows ``c`` covers move their weight into
        the base and drop out of every score; the rest stays as it is. ``c``'s own score is
        meaningless (it is no candidate of the branch).
        """
        hit = self.covered([c])
        lam = np.clip(lam, 0.0, self.w)
        base = self.const + float(self.w[hit].sum()) + float((self.w - lam)[~hit].sum())
        return Relaxation(base, self.At @ np.where(hit, 0.0, lam))

    def counts(self, sel: Sequence[int]) -> np.ndarray:
        """Per group, how many candidates of ``sel`` cover it.

        Read straight from ``At``'s index arrays: slicing a handful of rows through scipy
        costs about 0.5 ms of overhead, more than the counting, and this runs in every
        subgradient step and for every set valued.
        """
        At = self.At
        parts = [At.indices[At.indptr[j]:At.indptr[j + 1]] for j in np.asarray(sel, dtype=np.int64).ravel()]
        return np.bincount(np.concatenate(parts) if parts else np.empty(0, np.int64), minlength=self.m)

    def covered(self, sel: Sequence[int]) -> np.ndarray:
        """Mask of the groups a set covers."""
        return self.counts(sel) > 0

    def value(self, sel: Sequence[int]) -> float:
        """Covered weight (``const`` included)."""
        return self.const + float(self.w[self.covered(sel)].sum())

    @cached_property
    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Candidates × regrouped demand as booleans, and the group weights (for enumeration)."""
        At, w, _ = regroup(self.At, self.w)
        return At.toarray().astype(bool), w

    def values(self, sets: np.ndarray) -> np.ndarray:
        """Covered weight of each row of ``sets``."""
        D, w = self.dense
        return self.const + D[sets].any(axis=1) @ w

    def improve(self, sel: list[int], swaps: bool, clock: Clock) -> tuple[list[int], float]:
        """Greedy fill to ``r`` sites, then best-improvement swaps until none gains."""
        sel = [int(j) for j in sel]
        tol = 1e-9 * max(float(self.w.sum()), 1.0)
        while True:
            cnt = self.counts(sel)
            gain = self.At @ (self.w * (cnt == 0))
            if len(sel) < self.r:
                ok = addable(self.n, sel, self.mu)
                if not ok.any():
                    break
                sel.append(int(np.argmax(np.where(ok, gain, -np.inf))))
                continue
            if not swaps or not sel or clock.short(0.3):
                break
            one = self.w * (cnt == 1)
            S = self.At[sel]
            overlap = (self.At @ S.multiply(one[None, :]).T.tocsc()).toarray()
            save = gain[:, None] - (S @ one)[None, :] + overlap
            save[~swappable(self.n, sel, self.mu)] = -np.inf
            j, p = np.unravel_index(int(np.argmax(save)), save.shape)
            if not save[j, p] > tol:
                break
            sel[p] = int(j)
        return sel, self.value(sel)

    def start(self, sel: list[int]) -> np.ndarray:
        """Half of each group's weight."""
        return 0.5 * self.w

    def relax(self, lam: np.ndarray) -> Relaxation:
        """Scores ``(Aᵀλ)_j``; the base is ``const + Σ max(0, w − λ)``.

        In float32 the multipliers used are ``λ`` rounded to float32 (any ``λ >= 0`` gives
        a valid bound), the products are exact (``A`` is 0/1) and each score, a sum of at
        most ``c`` nonnegative terms, is within ``γ_c · score`` of the exact one
        (``γ_c = c u / (1 − c u)``, Higham 2002, §4.2); ``err`` is the largest such error.
        """
        if self.At32 is None:
            return Relaxation(self.const + float(np.maximum(self.w - lam, 0).sum()), self.At @ lam)
        l32 = np.maximum(lam, 0).astype(np.float32)
        score = (self.At32 @ l32).astype(np.float64)
        cu = float(np.diff(self.At.indptr).max()) * F32_UNIT
        err = cu / (1 - cu) * float(score.max(initial=0.0)) * 1.01
        return Relaxation(self.const + float(np.maximum(self.w - l32.astype(np.float64), 0).sum()), score, err)

    def descent(self, lam: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """``([w_i > λ_i] − #{j in sel covering i}) · √(w_i / mean w)``.

        The subgradient, scaled per group (a diagonal preconditioner): a heavy group's
        multiplier ranges over a wider ``[0, w_i]`` and moves further in a step.
        """
        cnt = self.counts(sel)
        return ((self.w > lam).astype(float) - cnt) * self.spread

    @cached_property
    def spread(self) -> np.ndarray:
        """``√(w_i / mean w)`` per group (see `descent`); 0 throughout when no group weighs anything."""
        return np.sqrt(self.w / max(float(self.w.mean()), np.finfo(float).tiny))

    def project(self, lam: np.ndarray) -> np.ndarray:
        """Into ``[0, w]``."""
        return np.clip(lam, 0.0, self.w)

    def tighten(self, bound: np.ndarray) -> np.ndarray:
        """Covered weight is an integer when all weights are."""
        return np.floor(bound + 1e-7) if self.integral else bound

    def mip(self) -> tuple[Mip, float]:
        """y_j | z_i (group covered): ``z_i <= Σ a_ij y_j``; maximise ``Σ w_i z_i``."""
        At, w, _ = regroup(self.At, self.w)
        A = At.T.tocsr()
        m = A.shape[0]
        pick, lo, hi = choice_rows(self.mu, self.n, self.r, m)
        Amip = sparse.vstack([sparse.hstack([-A, sparse.eye(m, format="csr")]), pick]).tocsc()
        ncol = self.n + m
        mip = Mip(np.concatenate([np.zeros(self.n), w]), np.zeros(ncol), np.ones(ncol),
                  np.concatenate([np.ones(self.n, bool), np.zeros(m, bool)]), Amip,
                  np.concatenate([np.full(m, -np.inf), lo]), np.concatenate([np.zeros(m), hi]), True)
        return mip, self.const
