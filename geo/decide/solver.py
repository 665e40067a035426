"""The shared skeleton of the location models: choose ``r`` of ``n`` candidates, exactly.

Every model (MCLP, p-median, and any later one) is written as a maximisation over sets
of ``r`` candidates, at most one per municipality, with a Lagrangian relaxation whose
subproblem is "the ``r`` best-scoring candidates" (see `geo.decide.matroid`). A model
implements `Model`; `solve` then does the same for all of them:

1. an incumbent: the model's greedy fill, improved by its swap local search;
2. an upper bound by Lagrangian relaxation and subgradient optimisation (Polyak steps)
   on a *core* of promising candidates, priced against all candidates still in play
   after each round (a pricing pass gives a valid bound over all of them);
3. after each pricing pass, Lagrangian variable fixing by reduced cost: a candidate
   whose forced flip (in ↔ out) costs more than the gap cannot be in any strictly better
   set and leaves the problem for good, so the rounds get cheaper as they go;
4. an exact finish on the residual problem (candidates not fixed): exhaustive
   enumeration when small, else (models with ``branch``) branching on its candidates,
   each branch solved by these same steps from the multipliers it inherits, or a HiGHS
   MIP with the incumbent as MIP start.

The bound is valid whenever the solve stops (time limit included), so the gap is always
reported, and the proof of optimality does not depend on the clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from geo.decide.highs import Mip, solve_mip
from geo.decide.matroid import addable, best_set, enumerable, enumerate_best, exchange
from geo.format import number

#: Relative gap the solve stops at.
DEFAULT_GAP = 1e-6
#: With a time limit, residual MIPs of more (candidates × demand groups) than this are not built
#: (building them and HiGHS's presolve and root LP do not stop at the time limit at that size).
MIP_NNZ_UNDER_TIME_LIMIT = 1_000_000
#: Subgradient iterations on the core in the first round and at most in any (doubling), and rounds at most.
FIRST_ROUND, INNER_ITERATIONS, MAX_ROUNDS = 30, 120, 12
#: Candidates in the first core (besides the incumbent), and added per pricing pass at most.
CORE_START, CORE_ADD = 40, 30
#: Subproblem sets within this share of the incumbent's value start a local search on the core.
SEARCH_WITHIN = 0.002


class Clock:
    """Seconds since the start and what is left of an optional time limit."""

    def __init__(self, time_limit: float | None) -> None:
        self.t0 = time.perf_counter()
        self.limit = time_limit

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.t0

    def left(self) -> float | None:
        """Seconds left (None without a limit)."""
        return None if self.limit is None else self.limit - self.elapsed()

    def short(self, share: float = 0.0) -> bool:
        """True when less than ``share`` of the limit is left."""
        left = self.left()
        return left is not None and left <= share * float(self.limit)


@dataclass(frozen=True)
class Schedule:
    """How a model's subgradient steps.

    Attributes
    ----------
    deflect : float
        Share of the previous direction kept in the next (deflected subgradient,
        Camerini, Fratta & Maffioli 1975); 0 = plain subgradient.
    patience : int
        Iterations without a better bound before the step is halved; three times as
        many end a round.
    """

    deflect: float = 0.0
    patience: int = 10


@dataclass(frozen=True)
class Relaxation:
    """The Lagrangian relaxation at some multipliers.

    Attributes
    ----------
    base : float
        The part of the bound that does not depend on the chosen set.
    score : ndarray
        Per candidate, its value in the subproblem (larger is better).
    err : float
        Bound on the rounding error of each score (0 when computed in float64).
    """

    base: float
    score: np.ndarray
    err: float = 0.0


class Model(Protocol):
    """A "choose ``r`` of ``n`` candidates" maximisation the skeleton can solve.

    Attributes ``n`` (candidates), ``r`` (to choose), ``mu`` (municipality code per
    candidate, or None), ``m`` (demand groups, sizing enumeration), ``cheap`` (True
    when a relaxation over all candidates costs little: the core is then all of them
    and the first local search runs over all of them too), ``schedule`` (how its
    subgradient steps) and ``branch`` (True: a residual too large to enumerate is split
    into branches solved like the whole, see `_branch`; False: it goes to HiGHS, which
    then also sees rows the relaxation leaves out). Indices are the
    model's own (0..n-1); values include every constant, so the values of a model, of
    its `take` and of its `fix` are comparable.
    """

    n: int
    r: int
    mu: np.ndarray | None
    m: int
    cheap: bool
    schedule: Schedule
    branch: bool

    def take(self, rows: np.ndarray) -> Model:
        """The same model over candidates ``rows`` only."""

    def fix(self, rows: np.ndarray) -> Model:
        """The same model with candidates ``rows`` forced open (``r`` reduced; they stay as rows)."""

    def fork(self, opened: np.ndarray, rows: np.ndarray) -> Model:
        """``fix(opened)`` over candidates ``rows`` only, built in one go (models with ``branch``)."""

    def inherit(self, lam: np.ndarray) -> np.ndarray:
        """Multipliers of the model this one was made from by `fix` or `fork` (then `take`), valid here."""

    def forced(self, lam: np.ndarray, c: int) -> Relaxation:
        """The relaxation of ``fix([c])`` at its `inherit` of ``lam``, without building it (models with ``branch``)."""

    def value(self, sel: Sequence[int]) -> float:
        """Exact (float64) value of a set."""

    def values(self, sets: np.ndarray) -> np.ndarray:
        """Values of a batch of sets (rows of a ``batch × r`` array)."""

    def improve(self, sel: list[int], swaps: bool, clock: Clock) -> tuple[list[int], float]:
        """Greedy fill to ``r``, then (with ``swaps``) best-improvement swaps; the set and its value."""

    def start(self, sel: list[int]) -> np.ndarray:
        """First Lagrange multipliers, from an incumbent."""

    def relax(self, lam: np.ndarray) -> Relaxation:
        """The relaxation at ``lam``: bound = base + sum of the best-set scores."""

    def descent(self, lam: np.ndarray, sel: np.ndarray) -> np.ndarray:
        """Direction that lowers the bound at ``lam`` when ``sel`` is the subproblem's set."""

    def project(self, lam: np.ndarray) -> np.ndarray:
        """Multipliers back into their domain."""

    def tighten(self, bound: np.ndarray) -> np.ndarray:
        """A bound rounded down to what a set can reach (e.g. integer coverage)."""

    def mip(self) -> tuple[Mip, float]:
        """The model as a MIP (first ``n`` columns = candidates) and the constant to add to its objective."""


@dataclass(frozen=True)
class Solved:
    """Outcome of `solve`, in the model's indices.

    Attributes
    ----------
    sel : tuple of int
        The best set found.
    value, bound : float
        Its value and an upper bound on every set's value.
    iterations : int
        Subgradient iterations and pricing passes.
    proven : bool
        True when the gap is closed (within the tolerance asked for).
    how : str
        What was done, in Danish.
    """

    sel: tuple[int, ...]
    value: float
    bound: float
    iterations: int
    proven: bool
    how: str


def relative_gap(value: float, bound: float) -> float:
    """|bound − value| / max(|bound|, |value|); 0 when both are 0."""
    den = max(abs(value), abs(bound))
    return float(abs(bound - value) / den) if den > 0 else 0.0


@dataclass
class _Pricing:
    """A pricing pass over the candidates still in play (``alive``, global indices)."""

    alive: np.ndarray
    lam: np.ndarray
    rel: Relaxation
    sel: np.ndarray
    bound: float


class _Search:
    """Incumbent, bound, the candidates still in play and the core, for one `solve`."""

    def __init__(self, model: Model, gap: float, clock: Clock, floor: float = -np.inf,
                 lam: np.ndarray | None = None) -> None:
        self.model, self.gap, self.clock, self.lam0 = model, gap, clock, lam
        self.alive = np.arange(model.n)
        self.bound = np.inf
        self.iterations = 0
        self.best: _Pricing | None = None
        self.seen: set[tuple[int, ...]] = set()
        self.resume: np.ndarray | None = None
        self.prev: np.ndarray | float = 0.0
        swaps = model.cheap and lam is None  # a branch searches only once its first bound leaves it open
        sel, self.own = model.improve([], swaps, clock)
        self.sel = list(sel)
        #: The best value known, here or (``floor``) elsewhere in a branching; ``own`` is that of ``sel``.
        self.inc = max(self.own, floor)
        self.core = np.arange(model.n) if model.cheap else np.asarray(sorted(self.sel), dtype=np.int64)
        #: Sets known to be swap-optimal, with the candidates they were searched over.
        self.local: dict[tuple[int, ...], np.ndarray] = {}
        if swaps and not clock.short(0.3):
            self.local[tuple(sorted(self.sel))] = self.core

    def tol(self) -> float:
        """Absolute slack for comparisons with the incumbent (rounding only)."""
        return 1e-9 * max(1.0, abs(self.inc))

    def closed(self, bound: float) -> bool:
        """Whether ``bound`` proves the incumbent optimal within the gap asked for."""
        return bound - self.inc <= self.gap * max(abs(bound), abs(self.inc)) + self.tol()

    def offer(self, sel: np.ndarray, core_model: Model | None) -> None:
        """A set from the subproblem: kept if it beats the incumbent; local search on the core from it if it comes close."""
        key = tuple(sorted(int(j) for j in sel))
        if key in self.seen:
            return
        self.seen.add(key)
        value = self.model.value(sel)
        if value > self.inc + self.tol():
            self.adopt(list(key), value)
        if core_model is not None and value >= self.inc - SEARCH_WITHIN * abs(self.inc):
            self.search(core_model, key)

    def search(self, core_model: Model, start: Sequence[int]) -> None:
        """Swap local search over the core from ``start`` (global indices, all in the core).

        Skipped when ``start`` is already swap-optimal over a superset of the core (the
        core of a cheap model only shrinks, so its incumbent need not be searched again).
        """
        key = tuple(sorted(int(j) for j in start))
        if not set(key) <= set(self.core.tolist()) or (key in self.local and np.isin(self.core, self.local[key]).all()):
            return
        found, v = core_model.improve(np.searchsorted(self.core, start).tolist(), True, self.clock)
        if not self.clock.short(0.3):  # the search ran to its end: a local optimum over the core
            self.local[tuple(sorted(int(self.core[j]) for j in found))] = self.core
        if v > self.inc + self.tol():
            self.adopt([int(self.core[j]) for j in found], v)

    def adopt(self, sel: list[int], value: float) -> None:
        """A new incumbent."""
        self.sel, self.own, self.inc = sel, value, value

    def price(self, lam: np.ndarray) -> int:
        """Relaxation over all candidates in play: bound, fixing by reduced cost, new core members."""
        am = self.model.take(self.alive) if len(self.alive) < self.model.n else self.model
        rel = am.relax(lam)
        s = best_set(rel.score, am.r, am.mu)
        bound = float(self.model.tighten(np.asarray(rel.base + rel.score[s].sum() + am.r * rel.err)))
        self.iterations += 1
        if bound < self.bound:
            self.bound = bound
            self.best = _Pricing(self.alive, lam, rel, s, bound)
        self.offer(self.alive[s], None)
        loss = np.maximum(exchange(rel.score, s, am.mu) - 2 * rel.err, 0.0)
        shut = self.model.tighten(bound - loss) <= self.inc + self.tol()
        shut[s] = False
        pool = np.nonzero(~shut & ~np.isin(self.alive, self.core))[0]
        pool = pool[np.argsort(-rel.score[pool], kind="stable")[:CORE_ADD]]
        fresh = np.setdiff1d(self.alive[np.union1d(s, pool)], self.core)
        self.alive = self.alive[~shut]
        self.core = np.union1d(np.intersect1d(self.core, self.alive), np.union1d(fresh, self.sel)).astype(np.int64)
        if self.model.cheap:
            self.core = np.union1d(self.alive, self.sel).astype(np.int64)
        return len(fresh)

    def subgradient(self, lam: np.ndarray, step: float, iterations: int) -> tuple[np.ndarray, float, bool]:
        """Polyak subgradient steps on the core; the best multipliers, the step size, and whether it converged.

        The core's swap search runs first from the incumbent (the core is new each round).
        """
        cm = self.model if len(self.core) == self.model.n else self.model.take(self.core)
        self.search(cm, sorted(self.sel))
        deflect, patience = self.model.schedule.deflect, self.model.schedule.patience
        best_ub, best_lam, stall, history, prev = np.inf, lam, 0, [], self.prev
        for _ in range(iterations):
            self.iterations += 1
            rel = cm.relax(lam)
            s = best_set(rel.score, cm.r, cm.mu)
            ub = rel.base + float(rel.score[s].sum())
            if ub < best_ub - 1e-12 * abs(ub):
                best_ub, best_lam, stall = ub, lam, 0
            else:
                stall += 1
                if stall >= patience:
                    step, stall = step / 2, 0
            history.append(best_ub)
            self.offer(self.core[s], cm)
            stalled = len(history) > 3 * patience and history[-3 * patience - 1] - best_ub < 1e-5 * abs(best_ub)
            if self.closed(best_ub) or step < 1e-3 or stalled:
                return best_lam, step, True
            d = prev = cm.descent(lam, s) + deflect * prev
            nrm = float(np.square(d).sum())  # not BLAS: waking its threads for one dot costs ms on a busy machine
            if nrm == 0 or self.clock.short(0.3):
                return best_lam, step, nrm == 0
            lam = cm.project(lam + step * max(ub - self.inc, 1e-9 * abs(ub)) / nrm * d)
            if deflect:  # a deflected run goes on from where it is, its direction kept
                self.resume, self.prev = lam, d
        return best_lam, step, False

    def lagrange(self) -> None:
        """Rounds of core subgradient and pricing until the gap closes or nothing is left to gain."""
        if self.lam0 is not None:  # inherited multipliers often close a branch at once
            lam = self.lam0
            self.price(lam)
            if self.closed(self.bound):
                return
        else:
            lam = self.model.start(self.sel)
        if not self.model.cheap:
            top = np.argsort(-self.model.relax(lam).score, kind="stable")[:CORE_START]
            self.core = np.union1d(self.core, top)
        step = 2.0
        for k in range(MAX_ROUNDS):
            lam, step, converged = self.subgradient(lam, step, min(INNER_ITERATIONS, FIRST_ROUND * 2 ** k))
            fresh = self.price(lam)
            small = enumerable(len(self.alive), self.model.r, self.model.m)
            if self.closed(self.bound) or self.clock.short(0.3) or small or (converged and not fresh):
                return
            if self.resume is None:
                step = max(step, 0.5)
            else:
                lam = self.resume


def solve(model: Model, gap: float = DEFAULT_GAP, time_limit: float | None = None, threads: int | None = None,
          finish: bool = True, clock: Clock | None = None) -> Solved:
    """Solve ``model`` exactly (within ``gap``), or as far as ``time_limit`` allows.

    Parameters
    ----------
    model : Model
        The problem.
    gap : float
        Relative gap to stop at.
    time_limit : float or None
        Seconds in all (ignored when ``clock`` is given). Every phase looks at the clock
        (the Lagrangian rounds stop with 30 % left, the residual is skipped when none is
        left, branching stops between branches, HiGHS gets what is left); what is not cut short are the passes over the whole
        matrix before the first incumbent and after the search (about 1 s at 1,000 × 20,000
        candidates × demand on the project's VM), so a shorter limit is exceeded by those.
    threads : int or None
        Threads for HiGHS.
    finish : bool
        False: the incumbent and the Lagrangian bound alone (no residual solve).
    clock : Clock, optional
        A clock already running (time spent building the model counts).

    Returns
    -------
    Solved
        The set, its value, the bound, and whether optimality is proven.
    """
    return _node(model, gap, clock or Clock(time_limit), threads, finish)


def _node(model: Model, gap: float, clock: Clock, threads: int | None, finish: bool = True,
          floor: float = -np.inf, lam: np.ndarray | None = None) -> Solved:
    """`solve`, with ``floor`` a value already reached elsewhere (a branch that cannot beat it is closed)
    and ``lam`` first multipliers (else the model's `start`).

    ``value`` is that of ``sel``, which may be below ``floor``; ``bound`` is valid for every set of ``model``.
    """
    if model.r <= 0 or model.n == 0 or model.m == 0:
        sel = best_set(np.zeros(model.n), model.r, model.mu)
        value = model.value(sel)
        return Solved(tuple(int(j) for j in sel), value, value, 0, True, "givet af de faste kontorer")
    search = _Search(model, gap, clock, floor, lam)
    search.lagrange()
    how = f"Lagrange-relaksation ({search.iterations} iterationer) + lokal søgning"
    if search.closed(search.bound) or not finish:
        return _solved(search, search.bound, how)
    bound, proven, more = _finish(search, threads)
    return _solved(search, bound, how + more, proven)


def _solved(search: _Search, bound: float, how: str, proven: bool | None = None) -> Solved:
    bound = max(float(bound), search.own)
    done = search.closed(bound) if proven is None else proven
    return Solved(tuple(sorted(search.sel)), search.own, bound, search.iterations, done, how)


def _fixing(search: _Search) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Forced open and residual candidates (global indices) from the best pricing, with the bound on
    each residual candidate's sets; None when no set can be better.

    A candidate of the subproblem's set whose removal costs more than the gap is forced
    open, one outside it whose entry does is excluded, the rest make the residual
    problem (without the municipalities of the forced ones).
    """
    p = search.best
    mu = None if search.model.mu is None else search.model.mu[p.alive]
    loss = np.maximum(exchange(p.rel.score, p.sel, mu) - 2 * p.rel.err, 0.0)
    settled = search.model.tighten(p.bound - loss) <= search.inc + search.tol()
    inside = np.zeros(len(p.alive), bool)
    inside[p.sel] = True
    open1 = p.alive[inside & settled]
    if not np.isin(open1, search.alive).all():  # forced open and excluded: nothing is better
        return None
    keep = np.isin(p.alive, search.alive) & ~settled
    keep &= addable(search.model.n, open1, search.model.mu)[p.alive]
    cap = search.model.tighten(np.where(inside, p.bound, p.bound - loss))
    return open1, p.alive[keep], cap[keep]


def _finish(search: _Search, threads: int | None) -> tuple[float, bool | None, str]:
    """Exact solve of the residual problem left by Lagrangian fixing: enumeration, branching or HiGHS.

    Returns the bound, whether it is proven (None: when it closes the gap) and what was done.
    """
    fixed = _fixing(search)
    if fixed is None:
        return search.inc, True, "; intet bedre sæt muligt efter Lagrange-fiksering"
    if search.clock.short():
        return search.bound, None, " (tidsgrænsen nået før restproblemet; gabet er Lagrange-grænsens)"
    open1, rest, cap = fixed
    model = search.model
    if model.branch:
        residual = model.fork(open1, rest)
    else:
        residual = model.fix(open1).take(rest) if len(open1) else model.take(rest)
    how = (f"; {number(model.n - len(rest) - len(open1))} kandidater udelukket og {len(open1)} fastlagt "
           f"via Lagrange-grænsen, restproblem {number(len(rest))} kandidater × {number(residual.m)} grupper")
    available = len(rest) if residual.mu is None else len(np.unique(residual.mu))
    if residual.r < 0 or available < residual.r:
        return search.inc, True, how + " (intet bedre muligt)"
    if residual.r == 0 or enumerable(len(rest), residual.r, residual.m):
        combo, _ = enumerate_best(len(rest), residual.r, residual.mu, residual.values, residual.m)
        search.offer(np.concatenate([open1, rest[combo]]).astype(np.int64), None)
        return search.inc, True, how + f" gennemsøgt fuldstændigt ({number(math.comb(len(rest), residual.r))} kombinationer)"
    if model.branch:
        bound, proven, nodes = _branch(search, residual, residual.inherit(search.best.lam), open1, rest, cap, threads)
        return min(search.bound, bound), proven, how + f", forgrenet ({number(nodes)} delproblemer)"
    if search.clock.limit is not None and (len(rest) * residual.m > MIP_NNZ_UNDER_TIME_LIMIT or search.clock.short()):
        return search.bound, None, how + " (for stort til HiGHS inden for tidsgrænsen; gabet er Lagrange-grænsens)"
    mip, const = residual.mip()
    start = None
    if set(open1.tolist()) <= set(search.sel) and set(search.sel) - set(open1.tolist()) <= set(rest.tolist()):
        start = np.searchsorted(rest, sorted(set(search.sel) - set(open1.tolist())))
    got = solve_mip(mip, search.gap, search.clock.left(), threads, start)
    if got.x is not None:
        search.offer(np.concatenate([open1, rest[np.nonzero(got.x[:len(rest)] > 0.5)[0]]]).astype(np.int64), None)
    bound = min(search.bound, max(search.inc, float(model.tighten(np.asarray(const + got.bound)))))
    return bound, None, how + f", løst med HiGHS ({got.status})"


def _branch(search: _Search, residual: Model, lam: np.ndarray, open1: np.ndarray, rest: np.ndarray,
            cap: np.ndarray, threads: int | None) -> tuple[float, bool, int]:
    """Branch on the residual's candidates, weakest first: branch ``i`` forces ``c_i`` open and ``c_1 … c_{i-1}`` out.

    The branches cover every residual set once; each is solved like the whole (its own
    Lagrangian bound, fixing and residual), with the incumbent as ``floor`` and ``lam``
    (the best pricing's multipliers) carried in as its first. With ``c_i`` forced open,
    the demand it covers leaves the branch, and with it the double counting that keeps
    the whole problem's bound above the optimum. ``cap`` bounds the sets of each candidate
    (also from the best pricing): a branch whose cap the incumbent reaches is closed
    without a solve, as is one whose bound at the multipliers it would inherit does
    (`_ahead`, before the branch is built), and a branching cut short by the clock reports the largest cap of
    the branches not solved. Returns the bound, whether it is proven and the number of
    branches solved.
    """
    order = np.argsort(cap, kind="stable")
    bound, proven, nodes = -np.inf, True, 0
    for i, c in enumerate(order):
        if search.closed(float(cap[c])):
            bound = max(bound, float(cap[c]))
            continue
        if search.clock.short():
            return max(bound, float(cap[order[i:]].max())), False, nodes
        later = order[i + 1:]
        later = later[addable(residual.n, [c], residual.mu)[later]]
        if (len(later) if residual.mu is None else len(np.unique(residual.mu[later]))) < residual.r - 1:
            continue  # no set of this branch is complete
        ahead = _ahead(residual, lam, c, later)
        if search.closed(ahead):  # closed at the inherited multipliers: not built
            bound = max(bound, ahead)
            continue
        child = residual.fork(np.array([c]), later)
        got = _node(child, search.gap, search.clock, threads, floor=search.inc, lam=child.inherit(lam))
        nodes += 1
        search.iterations += got.iterations
        if got.value > search.inc + search.tol():
            search.offer(np.concatenate([open1, rest[np.concatenate([[c], later[list(got.sel)]]).astype(np.int64)]]), None)
        bound, proven = max(bound, got.bound), proven and got.proven
    return max(bound, search.inc), proven, nodes


def _ahead(residual: Model, lam: np.ndarray, c: int, later: np.ndarray) -> float:
    """The bound of the branch forcing ``c`` open over candidates ``later``, at the multipliers it would inherit.

    The same bound as the branch's first pricing, got from one product on ``residual``
    instead of building the branch.
    """
    rel = residual.forced(lam, c)
    s = best_set(rel.score[later], residual.r - 1, None if residual.mu is None else residual.mu[later])
    return float(residual.tighten(np.asarray(rel.base + rel.score[later][s].sum())))
