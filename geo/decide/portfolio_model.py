"""The cluster portfolio as a `geo.decide.solver.Model`: offices are (cluster, town) pairs.

A pair covers (or serves) only its own cluster's demand, so the coverage matrix of
MCLP (or the cost matrix of the p-median) is block-diagonal over the clusters and the
inner model is the ordinary `MclpModel` / `PMedianModel` over pairs. What couples the
clusters are the *side rules*: every cluster gets an office, at most one office per
municipality, at most ``M`` per town, and every K17 municipality within ``T`` minutes of
an office (coverage floor). The skeleton's subproblem honours one partition (the
model's ``mu``: the cluster when each gets exactly one office, else the municipality or
nothing); the other rules are dropped from the Lagrangian relaxation, which keeps its
bound valid, priced into the value of a set as a penalty larger than any feasible
value (so every feasible set beats every infeasible one), and written as rows of the MIP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from geo.decide.highs import Mip
from geo.decide.matroid import addable, choice_rows, swappable
from geo.decide.mclp_model import MclpModel
from geo.decide.pmedian_model import PMedianModel
from geo.decide.solver import Clock, Relaxation, Schedule


@dataclass(frozen=True)
class Pairs:
    """What each candidate pair is: cluster, town and municipality codes, and which floor municipalities it reaches."""

    cluster: np.ndarray
    town: np.ndarray
    muni: np.ndarray
    reach: np.ndarray  #: pairs × floor municipalities, True within T minutes

    def take(self, rows: np.ndarray) -> Pairs:
        """The pairs ``rows`` only."""
        return Pairs(self.cluster[rows], self.town[rows], self.muni[rows], self.reach[rows])


@dataclass(frozen=True)
class Rules:
    """The side rules, with what offices already open (fixed or forced) use up.

    Attributes
    ----------
    need : ndarray of bool
        Per cluster: still needs an office.
    muni_used : ndarray of int or None
        Offices per municipality so far (None: no one-per-municipality rule).
    town_left : ndarray of int or None
        Offices each town may still take (None: no per-town cap).
    floor : ndarray of bool or None
        Floor municipalities not yet within T of an office (None: no floor).
    """

    need: np.ndarray
    muni_used: np.ndarray | None
    town_left: np.ndarray | None
    floor: np.ndarray | None

    def opened(self, pairs: Pairs, rows: np.ndarray) -> Rules:
        """The rules once pairs ``rows`` are open."""
        rows = np.asarray(rows, dtype=np.int64)
        need = self.need.copy()
        need[pairs.cluster[rows]] = False
        used = None if self.muni_used is None else self.muni_used + np.bincount(pairs.muni[rows], minlength=len(self.muni_used))
        left = None if self.town_left is None else self.town_left - np.bincount(pairs.town[rows], minlength=len(self.town_left))
        floor = None if self.floor is None else self.floor & ~pairs.reach[rows].any(axis=0)
        return Rules(need, used, left, floor)

    def violations(self, pairs: Pairs, sets: np.ndarray) -> np.ndarray:
        """Broken rules of each row of ``sets`` (batch × size), counted (0 = feasible)."""
        b = sets.shape[0]
        at = np.repeat(np.arange(b), sets.shape[1])
        present = np.zeros((b, len(self.need)), bool)
        present[at, pairs.cluster[sets].ravel()] = True
        bad = (self.need[None, :] & ~present).sum(axis=1)
        for used, codes, cap in ((self.muni_used, pairs.muni, 1), (self.town_left, pairs.town, None)):
            if used is None:
                continue
            cnt = np.zeros((b, len(used)), np.int64)
            np.add.at(cnt, (at, codes[sets].ravel()), 1)
            over = cnt + used[None, :] - 1 if cap == 1 else cnt - used[None, :]
            bad += np.maximum(over, 0).sum(axis=1)
        if self.floor is not None:
            bad += (self.floor[None, :] & ~pairs.reach[sets].any(axis=1)).sum(axis=1)
        return bad

    def rows(self, pairs: Pairs, ncol: int) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """The rules as MIP rows over the first ``len(pairs)`` columns of ``ncol``."""
        n = len(pairs.cluster)
        blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # (row of pair, lo, hi)
        blocks.append((pairs.cluster, np.where(self.need, 1.0, 0.0), np.full(len(self.need), np.inf), self.need))
        if self.muni_used is not None:
            cap = 1.0 - self.muni_used
            blocks.append((pairs.muni, np.full(len(cap), -np.inf), cap, np.ones(len(cap), bool)))
        if self.town_left is not None:
            cap = self.town_left.astype(float)
            blocks.append((pairs.town, np.full(len(cap), -np.inf), cap, np.ones(len(cap), bool)))
        mats, lo, hi = [], [], []
        for code, blo, bhi, keep in blocks:
            M = sparse.csr_matrix((np.ones(n), (code, np.arange(n))), shape=(len(blo), ncol))
            mats.append(M[keep])
            lo.append(blo[keep])
            hi.append(bhi[keep])
        if self.floor is not None:
            R = sparse.csr_matrix(pairs.reach[:, self.floor].T.astype(float))
            mats.append(sparse.hstack([R, sparse.csr_matrix((R.shape[0], ncol - n))]).tocsr())
            lo.append(np.ones(R.shape[0]))
            hi.append(np.full(R.shape[0], np.inf))
        return sparse.vstack(mats).tocsr(), np.concatenate(lo), np.concatenate(hi)


class LinearModel:
    """Value = ``const + Σ_{j in set} v_j``: the portfolio with one office per cluster (``mu`` = cluster).

    With a single office a cluster's coverage (or weighted minutes) is that office's own, so
    the inner model is linear in the pairs and its relaxation is exact without multipliers:
    the skeleton's bound is "the best town per cluster", and only the side rules remain.
    """

    cheap = True
    m = 1
    schedule = Schedule()
    branch = False

    def __init__(self, v: np.ndarray, r: int, mu: np.ndarray | None, const: float = 0.0) -> None:
        self.v, self.r, self.mu, self.const = np.asarray(v, float), r, mu, const
        self.n = len(self.v)

    def take(self, rows: np.ndarray) -> LinearModel:
        """The pairs ``rows`` only."""
        rows = np.asarray(rows, dtype=np.int64)
        return LinearModel(self.v[rows], self.r, None if self.mu is None else self.mu[rows], self.const)

    def fix(self, rows: np.ndarray) -> LinearModel:
        """Pairs ``rows`` open: their values move into ``const``."""
        rows = np.asarray(rows, dtype=np.int64)
        return LinearModel(self.v, self.r - len(rows), self.mu, self.const + float(self.v[rows].sum()))

    def inherit(self, lam: np.ndarray) -> np.ndarray:
        """No multipliers."""
        return lam

    def value(self, sel: Sequence[int]) -> float:
        """``const`` plus the values of the set."""
        return self.const + float(self.v[list(sel)].sum())

    def values(self, sets: np.ndarray) -> np.ndarray:
        """Values of a batch of sets."""
        return self.const + self.v[np.asarray(sets, dtype=np.int64)].sum(axis=1)

    def improve(self, sel: list[int], swaps: bool, clock: Clock) -> tuple[list[int], float]:
        """Not used (`PortfolioModel` improves with the rules); the best set without them."""
        return [*sel], self.value(sel)

    def start(self, sel: list[int]) -> np.ndarray:
        """No multipliers."""
        return np.zeros(0)

    def relax(self, lam: np.ndarray) -> Relaxation:
        """Exact: the scores are the values."""
        return Relaxation(self.const, self.v)

    def descent(self, lam: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """Nothing to descend."""
        return np.zeros(0)

    def project(self, lam: np.ndarray) -> np.ndarray:
        """No multipliers."""
        return lam

    def tighten(self, bound: np.ndarray) -> np.ndarray:
        """Integer values give integer bounds."""
        return np.floor(bound + 1e-7) if np.all(self.v == np.round(self.v)) and self.const == round(self.const) else bound

    def mip(self) -> tuple[Mip, float]:
        """The pairs only: maximise ``v·y`` choosing ``r``, at most one per ``mu``."""
        pick, lo, hi = choice_rows(self.mu, self.n, self.r, 0)
        mip = Mip(self.v.copy(), np.zeros(self.n), np.ones(self.n), np.ones(self.n, bool), pick, lo, hi, True)
        return mip, self.const


class PortfolioModel:
    """An inner MCLP or p-median model over pairs, with the side rules (see the module docstring).

    Parameters
    ----------
    inner : MclpModel, PMedianModel or LinearModel
        The model over all pairs (block-diagonal demand; linear with one office per cluster).
    pairs : Pairs
        What each pair is.
    rules : Rules
        The side rules.
    penalty : float
        Value lost per broken rule; larger than the spread of all feasible values.
    """

    def __init__(self, inner: MclpModel | PMedianModel | LinearModel, pairs: Pairs, rules: Rules, penalty: float) -> None:
        self.inner, self.pairs, self.rules, self.penalty = inner, pairs, rules, penalty
        self.n, self.r, self.mu, self.m, self.cheap = inner.n, inner.r, inner.mu, inner.m, inner.cheap
        self.schedule = inner.schedule
        #: Residuals go to HiGHS, which sees the side rules as rows.
        self.branch = False

    def take(self, rows: np.ndarray) -> PortfolioModel:
        """The same model over pairs ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        return PortfolioModel(self.inner.take(rows), self.pairs.take(rows), self.rules, self.penalty)

    def fix(self, rows: np.ndarray) -> PortfolioModel:
        """Pairs ``rows`` open: the inner model counts what they give, the rules what they use."""
        return PortfolioModel(self.inner.fix(rows), self.pairs, self.rules.opened(self.pairs, rows), self.penalty)

    def inherit(self, lam: np.ndarray) -> np.ndarray:
        """The inner model's."""
        return self.inner.inherit(lam)

    def violations(self, sets: np.ndarray) -> np.ndarray:
        """Broken rules of each row of ``sets``."""
        return self.rules.violations(self.pairs, np.asarray(sets, dtype=np.int64).reshape(len(sets), -1))

    def value(self, sel: Sequence[int]) -> float:
        """The inner value less the penalty for broken rules."""
        sel = [int(j) for j in sel]
        return self.inner.value(sel) - self.penalty * float(self.violations(np.asarray([sel]))[0])

    def values(self, sets: np.ndarray) -> np.ndarray:
        """Values of a batch of sets, penalties included."""
        sets = np.asarray(sets, dtype=np.int64)
        return self.inner.values(sets) - self.penalty * self.violations(sets)

    def improve(self, sel: list[int], swaps: bool, clock: Clock) -> tuple[list[int], float]:
        """Greedy fill to ``r`` by the best penalised value, then best-improvement swaps (batched exact values)."""
        sel = [int(j) for j in sel]
        while len(sel) < self.r:
            cand = np.nonzero(addable(self.n, sel, self.mu))[0]
            if not len(cand):
                break
            vals = self.values(np.column_stack([np.tile(sel, (len(cand), 1)).astype(np.int64), cand]))
            sel.append(int(cand[int(np.argmax(vals))]))
        value = self.value(sel)
        while swaps and sel and not clock.short(0.3):
            js, ps = np.nonzero(swappable(self.n, sel, self.mu))
            if not len(js):
                break
            sets = np.tile(np.asarray(sel, dtype=np.int64), (len(js), 1))
            sets[np.arange(len(js)), ps] = js
            vals = self.values(sets)
            b = int(np.argmax(vals))
            if not vals[b] > value + 1e-9 * max(1.0, abs(value)):
                break
            sel, value = sets[b].tolist(), float(vals[b])
        return sel, value

    def start(self, sel: list[int]) -> np.ndarray:
        """The inner model's first multipliers."""
        return self.inner.start(sel)

    def relax(self, lam: np.ndarray) -> Relaxation:
        """The inner relaxation (the side rules are dropped: the bound stays valid)."""
        return self.inner.relax(lam)

    def descent(self, lam: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """The inner model's descent direction."""
        return self.inner.descent(lam, sel)

    def project(self, lam: np.ndarray) -> np.ndarray:
        """The inner model's projection."""
        return self.inner.project(lam)

    def tighten(self, bound: np.ndarray) -> np.ndarray:
        """The inner model's rounding of bounds."""
        return self.inner.tighten(bound)

    def mip(self) -> tuple[Mip, float]:
        """The inner MIP with the side rules added as rows."""
        mip, const = self.inner.mip()
        rows, lo, hi = self.rules.rows(self.pairs, mip.A.shape[1])
        return replace(mip, A=sparse.vstack([sparse.csr_matrix(mip.A), rows]).tocsc(),
                       row_lo=np.concatenate([mip.row_lo, lo]), row_hi=np.concatenate([mip.row_hi, hi])), const
