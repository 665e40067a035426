"""Suggested sites by location-allocation, solved exactly with HiGHS from sparse matrices.

Two objectives over a travel-time matrix ``minutes`` (candidates × demand, ``inf`` =
unreachable) and demand weights (cluster employees):

* MCLP: choose ``k`` candidates maximising the demand weight within ``T`` minutes.
* p-median: choose ``k`` candidates minimising the demand-weighted minutes to the
  nearest chosen one.

Both take offices that already exist (forced open) and an optional "at most one per
municipality" rule. Results carry HiGHS's status and optimality gap; nothing is a
heuristic. The p-median uses a reduced formulation (assignment variables only to each
demand point's nearest candidates, plus a fallback whose cost is a lower bound), which
is a relaxation: the gap is measured against the true cost of the chosen set, and the
candidate lists grow until the gap closes. `spopt_mclp` / `spopt_pmedian` solve the
classic formulations with spopt as a reference.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from geo.errors import KlyngestedError
from geo.i18n import number
from geo.reach.catchment import CatchmentEngine

#: Relative MIP gap HiGHS stops at (its default is 1e-4).
DEFAULT_GAP = 1e-6


class AllocationError(KlyngestedError):
    """The location-allocation problem is malformed or infeasible."""


@dataclass(frozen=True)
class Allocation:
    """A suggested set of sites.

    Attributes
    ----------
    chosen : tuple of int
        Candidate indices, sorted (fixed offices included).
    objective : float
        Covered demand weight (MCLP) or demand-weighted minutes (p-median).
    covered_share : float
        Share of the total demand weight within ``minutes_limit`` of a chosen site.
    mean_minutes : float
        Demand-weighted mean minutes to the nearest chosen site (reachable demand only).
    gap : float
        Relative optimality gap (0 = proven optimal).
    status : str
        HiGHS model status, e.g. "Optimal".
    seconds : float
        Wall time, building and solving.
    method_da : str
        What was solved, in Danish.
    reduced : bool
        True when the p-median ended on the reduced formulation (still within ``gap``).
    """

    chosen: tuple[int, ...]
    objective: float
    covered_share: float
    mean_minutes: float
    gap: float
    status: str
    seconds: float
    method_da: str
    reduced: bool = False
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------- inputs


def travel_matrix(engine: CatchmentEngine, candidates_xy: np.ndarray, demand_xy: np.ndarray,
                  dtype: type = np.float32) -> np.ndarray:
    """Minutes (candidates × demand) from a catchment engine; ``inf`` where unreachable."""
    cand = np.asarray(candidates_xy, dtype=float).reshape(-1, 2)
    dem = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    out = np.empty((len(cand), len(dem)), dtype=dtype)
    for j, (x, y) in enumerate(cand):
        out[j] = engine.minutes((float(x), float(y)), dem)
    return out


def aggregate_demand(xy: np.ndarray, weights: np.ndarray, cell_m: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """Sum demand points into square grid cells; returns cell centres (weight-averaged) and weights.

    Cells with zero total weight are dropped.
    """
    pts = np.asarray(xy, dtype=float).reshape(-1, 2)
    w = np.asarray(weights, dtype=float)
    if len(pts) != len(w):
        raise AllocationError("Punkter og vægte har forskellig længde.", "Points and weights differ in length.")
    if len(pts) == 0:
        return np.empty((0, 2)), np.empty(0)
    cells = np.floor(pts / cell_m).astype(np.int64)
    _, inv = np.unique(cells, axis=0, return_inverse=True)
    inv = inv.ravel()
    tot = np.bincount(inv, weights=w)
    cnt = np.bincount(inv)
    safe = np.where(tot > 0, tot, 1.0)
    use_w = np.where(tot[inv] > 0, w, 1.0)
    den = np.where(tot > 0, safe, cnt)
    cx = np.bincount(inv, weights=pts[:, 0] * use_w) / den
    cy = np.bincount(inv, weights=pts[:, 1] * use_w) / den
    keep = tot > 0
    return np.column_stack([cx, cy])[keep], tot[keep]


def _validate(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int],
              municipality: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    d = np.asarray(minutes, dtype=float)
    w = np.asarray(weights, dtype=float)
    if d.ndim != 2 or d.shape[1] != w.size:
        raise AllocationError("Rejsetidsmatricen skal have én række pr. kandidat og én kolonne pr. efterspørgselspunkt.",
                              "The matrix must be candidates × demand.")
    if np.isnan(d).any() or (d < 0).any() or (w < 0).any() or not np.isfinite(w).all():
        raise AllocationError("Rejsetider og vægte skal være ikke-negative tal.", "Minutes and weights must be >= 0.")
    n = d.shape[0]
    fx = sorted({int(f) for f in fixed})
    if any(f < 0 or f >= n for f in fx):
        raise AllocationError("Et eksisterende kontor er ikke blandt kandidaterne.", "A fixed office is not a candidate.")
    if not len(fx) <= k <= n:
        raise AllocationError(f"Antal lokaliteter skal være mellem {len(fx)} (de faste) og {n} (kandidaterne).",
                              f"k must be between {len(fx)} and {n}.")
    if municipality is not None:
        if len(municipality) != n:
            raise AllocationError("Der skal være én kommunekode pr. kandidat.", "One municipality code per candidate.")
        codes = [str(municipality[f]) for f in fx]
        if len(set(codes)) < len(codes):
            raise AllocationError("To faste kontorer ligger i samme kommune, men der må højst være ét pr. kommune.",
                                  "Two fixed offices share a municipality.")
        if k > len(set(map(str, municipality))):
            raise AllocationError("Der er færre kommuner end lokaliteter, der skal vælges (højst én pr. kommune).",
                                  "Fewer municipalities than sites to choose.")
    return d, w, fx


def _muni_rows(municipality: Sequence[str] | None, n: int) -> sparse.csr_matrix:
    if municipality is None:
        return sparse.csr_matrix((0, n))
    codes, inv = np.unique(np.asarray([str(m) for m in municipality]), return_inverse=True)
    counts = np.bincount(inv, minlength=len(codes))
    multi = np.nonzero(counts > 1)[0]
    rows = np.searchsorted(multi, inv)
    keep = np.isin(inv, multi)
    return sparse.csr_matrix((np.ones(keep.sum()), (rows[keep], np.nonzero(keep)[0])), shape=(len(multi), n))


def evaluate(minutes: np.ndarray, weights: np.ndarray, chosen: Sequence[int],
             minutes_limit: float | None = None) -> tuple[float, float, float]:
    """Covered weight within the limit, share of total weight, weighted mean minutes (reachable only).

    Returns ``(covered_weight, covered_share, mean_minutes)``.
    """
    d = np.asarray(minutes, dtype=float)
    w = np.asarray(weights, dtype=float)
    best = d[list(chosen)].min(axis=0) if len(chosen) else np.full(w.size, np.inf)
    reach = np.isfinite(best)
    cov = float(w[best <= minutes_limit].sum()) if minutes_limit is not None else float(w[reach].sum())
    total = float(w.sum())
    mean = float((w[reach] * best[reach]).sum() / w[reach].sum()) if w[reach].sum() > 0 else float("nan")
    return cov, (cov / total if total > 0 else 0.0), mean


# ---------------------------------------------------------------- HiGHS


def _solve_highs(cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, integer: np.ndarray,
                 A: sparse.spmatrix, row_lo: np.ndarray, row_hi: np.ndarray, maximise: bool,
                 gap: float, time_limit: float | None, threads: int | None,
                 start: Sequence[int] | None = None,
                 allow_none: bool = False) -> tuple[np.ndarray | None, float, float, str, float]:
    """Solve a MIP; returns (x, objective, relative gap, status string, dual bound).

    With ``allow_none`` a run without a feasible solution (infeasible, or stopped before
    one was found) returns ``x = None`` instead of raising; the dual bound is then
    ``∓inf`` for an infeasible model and HiGHS's bound otherwise.
    """
    import highspy

    A = sparse.csc_matrix(A)
    A.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer]
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    h = _new_highs()
    h.setOptionValue("output_flag", False)  # before passModel/run: nothing on stdout
    h.setOptionValue("mip_rel_gap", gap)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    if start is not None:  # a MIP start (the local-search incumbent): only a first incumbent
        idx = np.nonzero(integer)[0].astype(np.int32)
        val = np.isin(np.arange(len(idx)), np.asarray(list(start), dtype=np.int64)).astype(float)
        h.setSolution(len(idx), idx, val)
    h.run()
    model_status = h.getModelStatus()
    status = h.modelStatusToString(model_status)
    info = h.getInfo()
    bound = float(info.mip_dual_bound)
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        if not allow_none:
            raise AllocationError(f"HiGHS fandt ingen gyldig løsning (status: {status}).",
                                  f"HiGHS found no solution ({status}).")
        if model_status == highspy.HighsModelStatus.kInfeasible:
            bound = -np.inf if maximise else np.inf
        elif not np.isfinite(bound):
            bound = np.inf if maximise else -np.inf
        return None, float("nan"), float("inf"), status, bound
    x = np.asarray(h.getSolution().col_value)
    obj = float(info.objective_function_value)
    if not np.isfinite(bound):  # stopped before any bound: the bound is the trivial one, not the objective
        bound = np.inf if maximise else -np.inf
    rel = abs(obj - bound) / max(abs(obj), 1e-12) if np.isfinite(bound) else float("inf")
    return x, obj, float(rel), status, bound


_BANNER_DONE = False


def _new_highs():
    """A Highs instance; the once-per-process banner is kept off stdout (CSV may go there)."""
    import os
    import sys

    import highspy

    global _BANNER_DONE
    if _BANNER_DONE:
        return highspy.Highs()
    _BANNER_DONE = True
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        return highspy.Highs()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _selection(x: np.ndarray, n: int) -> tuple[int, ...]:
    return tuple(int(j) for j in np.nonzero(x[:n] > 0.5)[0])


def _greedy(score_of, n: int, k: int, fixed: Sequence[int], municipality: Sequence[str] | None) -> list[int]:
    """Greedy set of ``k`` respecting fixed offices and one-per-municipality; ``score_of(chosen)`` -> gain per candidate."""
    chosen = list(fixed)
    used = {str(municipality[j]) for j in chosen} if municipality is not None else set()
    while len(chosen) < k:
        gain = np.asarray(score_of(chosen), dtype=float).copy()
        gain[chosen] = -np.inf
        if municipality is not None:
            gain[[j for j in range(n) if str(municipality[j]) in used]] = -np.inf
        j = int(np.argmax(gain))
        if not np.isfinite(gain[j]):
            break
        chosen.append(j)
        if municipality is not None:
            used.add(str(municipality[j]))
    return chosen


# ---------------------------------------------------------------- Lagrangian machinery
#
# Both models are solved the same way (Galvão & ReVelle 1996 for MCLP; Beasley 1993
# for p-median):
#
# 1. an incumbent from greedy + best-improvement swap (interchange) local search,
#    vectorised over all (in, out) pairs at once;
# 2. a bound from Lagrangian relaxation with subgradient optimisation (Polyak steps):
#    relaxing the linking rows leaves a subproblem "choose the k best candidates",
#    which with "at most one per municipality" is a partition matroid, so taking the
#    best candidate of each municipality and then the best of those is exact;
# 3. if the gap is still open, Lagrangian variable fixing: forcing a candidate to the
#    other side of the subproblem's choice costs a known amount (a matroid basis
#    exchange), and when the bound after that change cannot beat the incumbent, the
#    candidate is fixed; the much smaller residual problem is then solved exactly
#    with HiGHS (a MIP start from the incumbent), within what is left of the time.
#
# Candidates are indexed in the "free" space: not fixed and not in a fixed office's
# municipality (when the municipality rule is on).


def _muni_codes(municipality: Sequence[str] | None) -> np.ndarray | None:
    if municipality is None:
        return None
    return np.unique(np.asarray([str(m) for m in municipality]), return_inverse=True)[1].ravel().astype(np.int64)


def _free_mask(n: int, fx: list[int], mu: np.ndarray | None) -> np.ndarray:
    free = np.ones(n, bool)
    free[fx] = False
    if mu is not None and fx:
        free &= ~np.isin(mu, mu[fx])
    return free


def _best_set(score: np.ndarray, r: int, mu: np.ndarray | None) -> np.ndarray:
    """The ``r`` candidates with the largest scores, at most one per municipality (exact: a partition matroid)."""
    if r <= 0:
        return np.empty(0, np.int64)
    if mu is None:
        return np.argsort(-score, kind="stable")[:r]
    order = np.lexsort((-score, mu))
    ms = mu[order]
    first = order[np.r_[True, ms[1:] != ms[:-1]]]
    return first[np.argsort(-score[first], kind="stable")][:r]


def _exchange(score: np.ndarray, sel: np.ndarray, mu: np.ndarray | None) -> np.ndarray:
    """Loss in the subproblem's value (sum of selected scores) when a candidate is forced to the other side.

    For a candidate outside ``sel``: forced in (best basis containing it = swap out the
    selected one of its municipality, else the weakest selected). For one inside: forced
    out (swap in the best candidate that keeps the set valid). ``inf`` when impossible.
    """
    nf = len(score)
    delta = np.full(nf, np.inf)
    if len(sel) == 0 or nf == 0:
        return delta
    inside = np.zeros(nf, bool)
    inside[sel] = True
    out = ~inside
    weakest = float(score[sel].min())
    if mu is None:
        delta[out] = weakest - score[out]
        best_out = float(score[out].max()) if out.any() else -np.inf
        delta[sel] = score[sel] - best_out
    else:
        nm = int(mu.max()) + 1
        sel_of = np.full(nm, -1, np.int64)
        sel_of[mu[sel]] = sel
        e = sel_of[mu]
        e_score = np.where(e >= 0, score[np.maximum(e, 0)], weakest)
        delta[out] = (e_score - score)[out]
        used = np.zeros(nm, bool)
        used[mu[sel]] = True
        free_m = out & ~used[mu]
        best_free = float(score[free_m].max()) if free_m.any() else -np.inf
        best_same = np.full(nm, -np.inf)
        np.maximum.at(best_same, mu[out], score[out])
        delta[sel] = score[sel] - np.maximum(best_free, best_same[mu[sel]])
    return np.maximum(delta, 0.0)


def _allowed_swaps(nf: int, sel: list[int], mu: np.ndarray | None) -> np.ndarray:
    """(candidate × position in sel) mask of valid swaps: candidate in, sel[p] out."""
    ok = np.ones((nf, len(sel)), bool)
    ok[sel, :] = False
    if mu is not None and sel:
        used = mu[sel]
        clash = np.isin(mu, used)
        ok &= ~clash[:, None] | (mu[:, None] == used[None, :])
    return ok


def _allowed_adds(nf: int, sel: list[int], mu: np.ndarray | None) -> np.ndarray:
    ok = np.ones(nf, bool)
    ok[sel] = False
    if mu is not None and sel:
        ok &= ~np.isin(mu, mu[sel])
    return ok


def _pool(threads: int | None):
    import os
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=max(1, int(threads) if threads else (os.cpu_count() or 1)))


def _chunked(pool, fn, n_rows: int, n_cols: int) -> list:
    """Apply ``fn(slice)`` over row blocks of a dense (rows × cols) float64 array, in threads."""
    step = max(1, (1 << 18) // max(n_cols, 1))  # ~2 MB blocks stay in cache
    return list(pool.map(fn, [slice(i, min(i + step, n_rows)) for i in range(0, n_rows, step)]))


def _gap(incumbent: float, bound: float) -> float:
    """|bound − incumbent| / max(|bound|, |incumbent|); 0 when both are 0."""
    den = max(abs(incumbent), abs(bound))
    return float(abs(bound - incumbent) / den) if den > 0 else 0.0


def _time_left(t0: float, time_limit: float | None) -> float | None:
    return None if time_limit is None else time_limit - (time.perf_counter() - t0)


def _group_rows(A: sparse.csr_matrix, w: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows with identical patterns become one row carrying the summed weight."""
    if A.shape[0] == 0:
        return A, w
    A = A.tocsr()
    A.sort_indices()
    groups: dict[bytes, int] = {}
    inv = np.fromiter((groups.setdefault(A.indices[A.indptr[i]:A.indptr[i + 1]].tobytes(), len(groups))
                       for i in range(A.shape[0])), dtype=np.int64, count=A.shape[0])
    first = np.unique(inv, return_index=True)[1]
    return A[first], np.bincount(inv, weights=w, minlength=len(first))


# ---------------------------------------------------------------- MCLP


def mclp(minutes: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float,
         fixed: Sequence[int] = (), municipality: Sequence[str] | None = None,
         gap: float = DEFAULT_GAP, time_limit: float | None = None, threads: int | None = None) -> Allocation:
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
        Relative optimality gap to stop at, seconds in all, threads (HiGHS and the
        vectorised bound computations).

    Notes
    -----
    Lagrangian relaxation of the coverage rows ``y_i <= sum_j a_ij x_j`` (multipliers
    ``0 <= λ_i <= w_i``) gives an upper bound; greedy + swap search gives the
    incumbent; when they differ, Lagrangian variable fixing shrinks the problem and
    HiGHS solves the rest exactly. The returned ``gap`` is (bound − covered) / bound.
    """
    t0 = time.perf_counter()
    d, w, fx = _validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    mu = _muni_codes(municipality)
    free = _free_mask(n, fx, mu)
    fidx = np.nonzero(free)[0]
    mu_f = mu[fidx] if mu is not None else None
    r = k - len(fx)
    within = d <= minutes_limit
    base = within[fx].any(axis=0) if fx else np.zeros(d.shape[1], bool)
    const = float(w[base].sum())
    keep = ~base & (w > 0)
    cj, di = np.nonzero(within[fidx][:, keep])
    A = sparse.csr_matrix((np.ones(len(di)), (di, cj)), shape=(int(keep.sum()), len(fidx)))
    wk = w[keep]
    nonempty = np.diff(A.indptr) > 0
    A, wm = _group_rows(A[nonempty], wk[nonempty])
    res = _mclp_solve(A, wm, r, mu_f, gap, t0, time_limit, threads)
    chosen = tuple(sorted([*fx, *(int(fidx[j]) for j in res["sel"])]))
    cov, share, mean = evaluate(d, w, chosen, minutes_limit)
    bound = res["bound"] + const
    rel = _gap(cov, bound)
    status = "Optimal" if rel <= gap + 1e-12 else res["stopped"]
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"MCLP: {k} lokaliteter blandt {number(n)} kandidater, der dækker flest ansatte inden for "
              f"{number(minutes_limit, 0)} min ({number(A.shape[0])} efterspørgselsgrupper, {len(fx)} faste "
              f"kontorer{extra}); {res['how']}; optimalitetsgab {number(100 * rel, 3)} %")
    notes = () if status == "Optimal" else (
        (f"Ikke bevist optimal inden for tidsgrænsen: højst {number(100 * rel, 2)} % fra den bedst mulige dækning "
         f"(øvre grænse {number(bound, 0)} ansatte)."),)
    return Allocation(chosen, cov, share, mean, rel, status, time.perf_counter() - t0, method, notes=notes)


def _mclp_search(A: sparse.csr_matrix, At: sparse.csr_matrix, wm: np.ndarray, sel: list[int], r: int,
                 mu: np.ndarray | None) -> tuple[list[int], float]:
    """Greedy fill to ``r`` sites, then best-improvement swaps until none gains."""
    m, nf = A.shape
    sel = [int(j) for j in sel]
    tol = 1e-9 * max(float(wm.sum()), 1.0)
    while True:
        cnt = np.bincount(At[sel].indices, minlength=m) if sel else np.zeros(m, np.int64)
        gain = At @ (wm * (cnt == 0))
        if len(sel) < r:
            ok = _allowed_adds(nf, sel, mu)
            if not ok.any():
                break
            sel.append(int(np.argmax(np.where(ok, gain, -np.inf))))
            continue
        if not sel:
            break
        one = wm * (cnt == 1)
        S = At[sel]
        loss = S @ one
        overlap = (At @ S.multiply(one[None, :]).T.tocsc()).toarray()
        save = gain[:, None] - loss[None, :] + overlap
        save[~_allowed_swaps(nf, sel, mu)] = -np.inf
        j, p = np.unravel_index(int(np.argmax(save)), save.shape)
        if not save[j, p] > tol:
            break
        sel[p] = int(j)
    cnt = np.bincount(At[sel].indices, minlength=m) if sel else np.zeros(m, np.int64)
    return sel, float(wm[cnt > 0].sum())


#: With a time limit, residual MIPs with more nonzeros than this are not handed to HiGHS
#: (its presolve and root LP do not stop at the time limit at that size).
MIP_NNZ_UNDER_TIME_LIMIT = 1_000_000

#: Residual problems with at most this many (combinations × sites × demand) operations are enumerated.
ENUMERATE_OPS = 3e8


def _enumerable(n_rest: int, r2: int, m2: int) -> bool:
    return r2 >= 0 and math.comb(n_rest, r2) * max(r2, 1) * max(m2, 1) <= ENUMERATE_OPS


def _enumerate(n_rest: int, r2: int, mu: np.ndarray | None, value_of, m2: int) -> tuple[np.ndarray | None, float]:
    """Best (largest ``value_of``) valid ``r2``-subset of ``range(n_rest)``, exhaustively, in vectorised batches."""
    combos = itertools.combinations(range(n_rest), r2)
    if mu is not None:
        combos = (c for c in combos if len({int(mu[j]) for j in c}) == len(c))
    batch = max(1, int(4e6 // max(r2 * m2, 1)))
    best_v, best_c = -np.inf, None
    while True:
        chunk = list(itertools.islice(combos, batch))
        if not chunk:
            break
        arr = np.asarray(chunk, dtype=np.int64).reshape(len(chunk), r2)
        vals = value_of(arr)
        b = int(np.argmax(vals))
        if vals[b] > best_v:
            best_v, best_c = float(vals[b]), arr[b]
    return best_c, best_v


def _fixing(score: np.ndarray, s: np.ndarray, bound: float, inc: float, maximise: bool,
            mu: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lagrangian variable fixing: (forced open, excluded, residual) over the free candidates.

    ``score`` is the subproblem's per-candidate value (larger is better), ``bound`` the
    Lagrangian bound it gives. A candidate whose flip (in ↔ out) moves the bound past
    the incumbent cannot be on the other side in any strictly better solution.
    """
    nf = len(score)
    delta = _exchange(score, s, mu)
    no_better = (bound - delta <= inc) if maximise else (bound + delta >= inc)
    in_s = np.zeros(nf, bool)
    in_s[s] = True
    open1 = np.nonzero(in_s & no_better)[0]
    shut = ~in_s & no_better
    rest = ~shut & ~in_s
    rest[s[~no_better[s]]] = True
    if mu is not None and len(open1):
        rest &= ~np.isin(mu, mu[open1])
    rest[open1] = False
    return open1, shut, rest


def _mclp_solve(A: sparse.csr_matrix, wm: np.ndarray, r: int, mu: np.ndarray | None, gap: float,
                t0: float, time_limit: float | None, threads: int | None, max_iter: int = 600,
                residual: bool = True) -> dict:
    """Incumbent, Lagrangian upper bound, variable fixing and residual (enumeration or MIP) on grouped demand."""
    m, nf = A.shape
    At = A.T.tocsr()
    if r <= 0 or m == 0:
        sel = list(_best_set(np.zeros(nf), r, mu))
        return {"sel": sel, "bound": 0.0, "stopped": "Optimal", "how": "alt dækket af de faste kontorer"}
    integral = bool(np.all(wm == np.round(wm)))

    def tighten(ub: float) -> float:  # covered weight is an integer when all weights are
        return float(np.floor(ub + 1e-7)) if integral else float(ub)

    def closed(ub: float, inc: float) -> bool:
        return tighten(ub) - inc <= gap * max(tighten(ub), 1e-12) + 1e-9

    def value(sel) -> float:
        return float(wm[np.bincount(At[list(sel)].indices, minlength=m) > 0].sum()) if len(sel) else 0.0

    def fixings(L: float, lam: np.ndarray, s: np.ndarray, inc: float):
        c = At @ lam
        flip_bound = np.floor(L + 1e-7) + 1 - 1e-9 if integral else L  # ⌊bound⌋ ≤ inc ⇔ bound < inc + 1
        open1, shut, rest = _fixing(c, s, flip_bound, inc, True, mu)
        return open1, shut, rest

    sel, inc = _mclp_search(A, At, wm, [], r, mu)
    # Lagrangian dual: min over 0 <= λ <= w of  Σ max(0, w_i − λ_i) + max_{valid x} Σ_j x_j (Aᵀλ)_j
    lam = 0.5 * wm
    best = (np.inf, lam, None)
    step_mu, stall, it = 2.0, 0, 0
    stopped = "Optimal"
    history: list[float] = []
    for it in range(1, max_iter + 1):
        c = At @ lam
        s = _best_set(c, r, mu)
        y = wm > lam
        L = float((wm - lam)[y].sum() + c[s].sum())
        if L < best[0] - 1e-12 * abs(L):
            best, stall = (L, lam.copy(), s), 0
        else:
            stall += 1
            if stall >= 15:
                step_mu, stall = step_mu / 2, 0
        history.append(best[0])
        cov = np.bincount(At[s].indices, minlength=m)
        if float(wm[cov > 0].sum()) > inc + 1e-9:
            sel, inc = _mclp_search(A, At, wm, list(s), r, mu)
        if closed(best[0], inc) or step_mu < 1e-4:
            break
        if it % 25 == 0:
            # stop early when the fixing already leaves an enumerable rest, or the bound has stalled
            open1, _shut, rest = fixings(best[0], best[1], best[2], inc)
            if _enumerable(int(rest.sum()), r - len(open1), m):
                break
            if it >= 50 and history[-50] - best[0] < 2e-4 * best[0]:
                break
        left = _time_left(t0, time_limit)
        if left is not None and left < 0.3 * time_limit:
            stopped = "Time limit reached"
            break
        g = y.astype(float) - cov
        nrm = float(g @ g)
        if nrm == 0:
            break
        lam = np.clip(lam + step_mu * (L - inc) / nrm * g, 0.0, wm)
    ub = tighten(best[0])
    how = f"Lagrange-relaksation ({it} iterationer) + lokal søgning"
    if not residual:  # the bound and incumbent alone (tests)
        return {"sel": sel, "inc": inc, "bound": ub, "stopped": stopped, "how": how}
    if closed(ub, inc):
        return {"sel": sel, "bound": max(ub, inc), "stopped": "Optimal", "how": how}
    open1, shut, rest = fixings(*best, inc)
    r2 = r - len(open1)
    cov1 = np.bincount(At[open1].indices, minlength=m) > 0 if len(open1) else np.zeros(m, bool)
    const2 = float(wm[cov1].sum())
    Rpos = np.nonzero(rest)[0]
    nR = len(Rpos)
    muR = mu[Rpos] if mu is not None else None
    A2 = A[~cov1][:, Rpos]
    w2 = wm[~cov1]
    ne = np.diff(A2.indptr) > 0
    A2, w2 = _group_rows(A2[ne], w2[ne])
    m2 = A2.shape[0]
    how += (f"; {number(int(shut.sum()))} kandidater udelukket og {len(open1)} fastlagt via Lagrange-grænsen, "
            f"restproblem {number(nR)} kandidater × {number(m2)} grupper")
    avail = nR if mu is None else len(np.unique(muR))
    if r2 < 0 or avail < r2:  # no valid set improves on the incumbent
        return {"sel": sel, "bound": inc, "stopped": "Optimal", "how": how + " (intet bedre muligt)"}
    if _enumerable(nR, r2, m2):
        if r2 == 0 or m2 == 0:
            combo = _best_set(np.zeros(nR), r2, muR)
        else:
            Ad = A2.T.toarray().astype(bool)  # rest candidates × groups

            def cover_of(arr: np.ndarray) -> np.ndarray:
                return Ad[arr].any(axis=1) @ w2

            combo, _v = _enumerate(nR, r2, muR, cover_of, m2)
        cand = [*open1.tolist(), *(int(Rpos[j]) for j in combo)]
        v = value(cand)
        if v > inc:
            sel, inc = cand, v
        return {"sel": sel, "bound": inc, "stopped": "Optimal",
                "how": how + f" gennemsøgt fuldstændigt ({number(math.comb(nR, r2))} kombinationer)"}
    if time_limit is not None and A2.nnz > MIP_NNZ_UNDER_TIME_LIMIT:
        return {"sel": sel, "bound": max(ub, inc), "stopped": "Gap not closed",
                "how": how + " (for stort til HiGHS inden for tidsgrænsen; gabet er Lagrange-grænsens)"}
    start = None
    if set(open1) <= set(sel) and set(sel) - set(open1) <= set(Rpos.tolist()):
        start = np.searchsorted(Rpos, sorted(set(sel) - set(open1)))
    mrows = _muni_rows(None if mu is None else [str(v) for v in muR], nR)
    nm = mrows.shape[0]
    Amip = sparse.vstack([
        sparse.hstack([-A2, sparse.eye(m2, format="csr")]),
        sparse.hstack([sparse.csr_matrix(np.ones((1, nR))), sparse.csr_matrix((1, m2))]),
        sparse.hstack([mrows, sparse.csr_matrix((nm, m2))]),
    ]).tocsc()
    left = _time_left(t0, time_limit)
    x, _obj, _rel, status, mip_bound = _solve_highs(
        np.concatenate([np.zeros(nR), w2]), np.zeros(nR + m2), np.ones(nR + m2),
        np.concatenate([np.ones(nR, bool), np.zeros(m2, bool)]), Amip,
        np.concatenate([np.full(m2, -np.inf), [r2], np.full(nm, -np.inf)]),
        np.concatenate([np.zeros(m2), [r2], np.ones(nm)]), True, gap, left, threads, start, allow_none=True)
    if x is not None:
        cand = [*open1.tolist(), *(int(Rpos[j]) for j in _selection(x, nR))]
        v = value(cand)
        if v > inc:
            sel, inc = cand, v
    ub = min(ub, max(inc, tighten(const2 + mip_bound)))
    return {"sel": sel, "bound": max(ub, inc), "stopped": status if status != "Optimal" else "Time limit reached",
            "how": how + f", løst med HiGHS ({status})"}


# ---------------------------------------------------------------- p-median


def pmedian(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int] = (),
            municipality: Sequence[str] | None = None, k_nearest: int | None = 50,
            max_minutes: float | None = None, minutes_limit: float | None = None,
            gap: float = DEFAULT_GAP, time_limit: float | None = None, threads: int | None = None,
            max_rounds: int = 8) -> Allocation:
    """p-median: choose ``k`` candidates minimising the demand-weighted minutes to the nearest chosen.

    Parameters
    ----------
    minutes, weights, k, fixed, municipality
        As in `mclp`. Demand points no candidate reaches are left out (with a note).
    k_nearest : int or None
        None: solve the classic full formulation (an assignment variable per pair) with
        HiGHS directly — the reference, only for small instances. Otherwise (default)
        the Lagrangian method below; the value is kept for compatibility and not used.
    max_minutes, max_rounds
        Kept for compatibility; not used.
    minutes_limit : float, optional
        Threshold for ``covered_share`` in the result.
    gap, time_limit, threads
        Relative optimality gap to stop at, seconds in all, threads.

    Notes
    -----
    Relaxing "every demand point is assigned once" with free multipliers λ_i gives the
    lower bound ``Σ λ_i + min over valid sets of Σ_{j in set} ρ_j`` with
    ``ρ_j = Σ_i min(0, w_i d_ij − λ_i)``, computed on the whole matrix in threaded
    blocks, so it bounds the full problem. Greedy + swap search gives the incumbent
    (costed exactly); Lagrangian variable fixing and an exact HiGHS solve of the
    residual problem close any gap left. ``gap`` = (cost − bound) / cost.
    """
    t0 = time.perf_counter()
    d, w, fx = _validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    reach = np.isfinite(d).any(axis=0)
    notes: list[str] = []
    if not reach.all():
        notes.append(f"{int((~reach).sum())} efterspørgselspunkter kan ikke nås fra nogen kandidat og er udeladt.")
    if k_nearest is None:
        return _pmedian_full(d, w, k, fx, municipality, reach, minutes_limit, gap, time_limit, threads, notes, t0)
    use = reach & (w > 0)
    mu = _muni_codes(municipality)
    free = _free_mask(n, fx, mu)
    fidx = np.nonzero(free)[0]
    r = k - len(fx)
    dm = d[:, use]
    finite = np.isfinite(dm)
    big = float((np.where(finite, dm, 0).max(axis=0) * w[use]).sum()) + 1.0  # > any complete assignment
    C = np.where(finite, dm * w[use][None, :], big)  # float64, candidates × demand
    del finite
    u = C[fx].min(axis=0) if fx else np.full(C.shape[1], big)
    Cf = C if len(fidx) == n else C[fidx]
    del C
    res = _pmedian_solve(Cf, u, r, mu[fidx] if mu is not None else None, big, gap, t0, time_limit, threads)
    chosen = tuple(sorted([*fx, *(int(fidx[j]) for j in res["sel"])]))
    dsel = d[list(chosen)][:, reach].min(axis=0)
    cost = float((w[reach] * dsel).sum())
    if not np.isfinite(cost):
        raise AllocationError("Ingen gyldig løsning: nogle efterspørgselspunkter kan ikke nås fra de valgte lokaliteter.",
                              "No feasible p-median solution reaches every demand point.")
    rel = _gap(cost, min(res["bound"], cost))
    status = "Optimal" if rel <= gap + 1e-12 else res["stopped"]
    _cov, share, mean = evaluate(d, w, chosen, minutes_limit)
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"p-median: {k} lokaliteter blandt {number(n)} kandidater med mindst ansat-vægtet køretid "
              f"({number(int(reach.sum()))} efterspørgselspunkter, {len(fx)} faste kontorer{extra}); "
              f"{res['how']}; optimalitetsgab {number(100 * rel, 3)} %")
    if status != "Optimal":
        notes.append(f"Ikke bevist optimal inden for tidsgrænsen: højst {number(100 * rel, 2)} % over den lavest "
                     f"mulige samlede køretid (nedre grænse {number(res['bound'], 0)}).")
    return Allocation(chosen, cost, share, mean, rel, status, time.perf_counter() - t0, method,
                      reduced=False, notes=tuple(notes))


def _pm_best2(C: np.ndarray, u: np.ndarray, sel: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest and second-nearest cost per demand point among ``sel`` and the fallback ``u``; index in sel (-1 = fallback)."""
    if not sel:
        return u.copy(), u.copy(), np.full(len(u), -1)
    V = np.vstack([C[sel], u[None, :]])
    near = np.argmin(V, axis=0)
    two = np.partition(V, 1, axis=0)
    near = np.where(near == len(sel), -1, near)
    return two[0], two[1], near


def _pm_search(C: np.ndarray, u: np.ndarray, sel: list[int], r: int, mu: np.ndarray | None,
               pool, fast: np.ndarray | None = None) -> tuple[list[int], float]:
    """Greedy fill to ``r`` sites, then best-improvement swaps (all pairs at once) until none saves.

    Moves are chosen on ``fast`` (a float32 copy of ``C``, if given); every move is
    accepted only if the exact float64 cost goes down.
    """
    F = C if fast is None else fast
    nf, m = C.shape
    sel = [int(j) for j in sel]
    b1, b2, near = _pm_best2(C, u, sel)
    cost = float(b1.sum())
    while True:
        tol = 1e-10 * max(cost, 1.0)
        f1, f2 = b1.astype(F.dtype), b2.astype(F.dtype)
        if len(sel) < r:
            gain = np.concatenate(_chunked(pool, lambda s, f1=f1: np.maximum(f1 - F[s], 0).sum(axis=1, dtype=np.float64),
                                           nf, m))
            ok = _allowed_adds(nf, sel, mu)
            if not ok.any():
                break
            sel.append(int(np.argmax(np.where(ok, gain, -np.inf))))
            b1, b2, near = _pm_best2(C, u, sel)
            cost = float(b1.sum())
            continue
        if not sel:
            break
        H = np.zeros((m, len(sel)), dtype=F.dtype)
        has = near >= 0
        H[np.nonzero(has)[0], near[has]] = 1.0

        def block(s, f1=f1, f2=f2, H=H):
            B = F[s]
            E = np.maximum(B, f1)
            gain = (E - B).sum(axis=1, dtype=np.float64)  # Σ max(0, b1 − c)
            np.minimum(E, f2, out=E)
            E -= f1
            return gain, (E @ H).astype(np.float64)

        parts = _chunked(pool, block, nf, m)
        save = np.concatenate([p[0] for p in parts])[:, None] - np.vstack([p[1] for p in parts])
        save[~_allowed_swaps(nf, sel, mu)] = -np.inf
        j, p = np.unravel_index(int(np.argmax(save)), save.shape)
        if not save[j, p] > tol:
            break
        trial = list(sel)
        trial[p] = int(j)
        t1, t2, tn = _pm_best2(C, u, trial)
        if not float(t1.sum()) < cost - tol:
            break
        sel, b1, b2, near, cost = trial, t1, t2, tn, float(t1.sum())
    return sel, cost


def _pmedian_solve(C: np.ndarray, u: np.ndarray, r: int, mu: np.ndarray | None, big: float, gap: float,
                   t0: float, time_limit: float | None, threads: int | None, max_iter: int = 400,
                   residual: bool = True) -> dict:
    """Incumbent, Lagrangian lower bound, variable fixing and residual (enumeration or MIP).

    ``C`` is free candidates × demand (weighted minutes, ``big`` where unreachable),
    ``u`` the cost via the fixed offices (``big`` if none). Subgradient steps use a
    float32 copy (half the memory traffic); every bound that is reported or used for
    fixing is recomputed in float64.
    """
    nf, m = C.shape
    with _pool(threads) as pool:
        if r <= 0 or m == 0:
            sel = list(_best_set(np.zeros(nf), r, mu))
            return {"sel": sel, "bound": float(u.sum()) if m else 0.0, "stopped": "Optimal",
                    "how": "alt givet af de faste kontorer"}
        C32 = C.astype(np.float32) if nf * m > 2_000_000 else C
        sel, inc = _pm_search(C, u, [], r, mu, pool, C32)

        def closed(lb: float, inc: float) -> bool:
            return inc - lb <= gap * max(abs(inc), 1e-12) + 1e-12

        def rho_of(lam: np.ndarray, M: np.ndarray) -> np.ndarray:
            lm = lam.astype(M.dtype)
            return np.concatenate(_chunked(pool, lambda s: np.minimum(M[s] - lm, 0).sum(axis=1, dtype=np.float64),
                                           nf, m))

        def exact(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
            rho = rho_of(lam, C)
            s = _best_set(-rho, r, mu)
            return float(lam.sum() + np.minimum(u - lam, 0).sum() + rho[s].sum()), s, rho

        b1, b2, _ = _pm_best2(C, u, sel)
        lam = 0.5 * (b1 + b2)  # between the nearest and second-nearest open site: converges fastest here
        best = (-np.inf, lam)
        checked = (-np.inf, lam, None, None)  # exact (float64) bound at the best multipliers so far
        step_mu, stall, it = 2.0, 0, 0
        stopped = "Optimal"
        seen: set[bytes] = set()
        history: list[float] = []
        for it in range(1, max_iter + 1):
            rho = rho_of(lam, C32)
            s = _best_set(-rho, r, mu)
            L = float(lam.sum() + np.minimum(u - lam, 0).sum() + rho[s].sum())
            if L > best[0] + 1e-12 * abs(L):
                best, stall = (L, lam.copy()), 0
            else:
                stall += 1
                if stall >= 15:
                    step_mu, stall = step_mu / 2, 0
            history.append(best[0])
            key = np.sort(s).tobytes()
            if key not in seen:  # the subproblem's set as a start for the local search
                seen.add(key)
                cost = float(np.minimum(u, C[s].min(axis=0)).sum())
                if cost < inc * 1.01:
                    cand, v = _pm_search(C, u, list(s), r, mu, pool, C32)
                    if v < inc:
                        sel, inc = cand, v
            if closed(best[0], inc) or step_mu < 1e-4:
                break
            if it % 10 == 0 and it >= 30:
                if best[0] > checked[0]:
                    checked = (*exact(best[1]), best[1])
                    checked = (checked[0], checked[3], checked[1], checked[2])
                if closed(checked[0], inc):
                    break
                open1, _shut, rest = _fixing(-checked[3], checked[2], checked[0], inc, False, mu)
                if _enumerable(int(rest.sum()), r - len(open1), m):
                    break
                if it >= 50 and best[0] - history[-50] < 2e-4 * abs(best[0]):
                    break
            left = _time_left(t0, time_limit)
            if left is not None and left < 0.3 * time_limit:
                stopped = "Time limit reached"
                break
            g = 1.0 - (C[s] < lam).sum(axis=0) - (u < lam)
            nrm = float(g @ g)
            if nrm == 0:
                break
            lam = lam + step_mu * (inc - L) / nrm * g
        if best[0] > checked[0] or checked[2] is None:
            L64, s64, rho64 = exact(best[1])
            if L64 > checked[0] or checked[2] is None:
                checked = (L64, best[1], s64, rho64)
        L, lam, s, rho = checked
        trivial = float(np.minimum(u, np.min(C, axis=0)).sum())  # everyone at their nearest candidate
        lb = max(L, trivial)
        how = f"Lagrange-relaksation ({it} iterationer) + lokal søgning"
        if not residual:  # the bound and incumbent alone (tests)
            return {"sel": sel, "inc": inc, "bound": lb, "stopped": stopped, "how": how}
        if closed(lb, inc):
            return {"sel": sel, "bound": min(lb, inc), "stopped": "Optimal", "how": how}
        open1, shut, rest = _fixing(-rho, s, L, inc, False, mu)
        r2 = r - len(open1)
        Rpos = np.nonzero(rest)[0]
        nR = len(Rpos)
        muR = mu[Rpos] if mu is not None else None
        u2 = np.minimum(u, C[open1].min(axis=0)) if len(open1) else u
        CR = C[Rpos]
        mask = CR < u2[None, :]
        dem = np.nonzero(mask.any(axis=0))[0]
        md = len(dem)
        const2 = float(u2.sum() - u2[dem].sum())
        how += (f"; {number(int(shut.sum()))} kandidater udelukket og {len(open1)} fastlagt via Lagrange-grænsen, "
                f"restproblem {number(nR)} kandidater × {number(md)} punkter")
        avail = nR if mu is None else len(np.unique(muR))
        if r2 < 0 or avail < r2:
            return {"sel": sel, "bound": inc, "stopped": "Optimal", "how": how + " (intet bedre muligt)"}
        if _enumerable(nR, r2, md):
            if r2 == 0 or md == 0:
                combo = _best_set(np.zeros(nR), r2, muR)
            else:
                CRd = np.ascontiguousarray(CR[:, dem])
                u2d = u2[dem]

                def minus_cost(arr: np.ndarray) -> np.ndarray:
                    return -np.minimum(CRd[arr].min(axis=1), u2d).sum(axis=1)

                combo, _v = _enumerate(nR, r2, muR, minus_cost, md)
            cand = [*open1.tolist(), *(int(Rpos[j]) for j in combo)]
            v = float(_pm_best2(C, u, cand)[0].sum())
            if v < inc:
                sel, inc = cand, v
            return {"sel": sel, "bound": inc, "stopped": "Optimal",
                    "how": how + f" gennemsøgt fuldstændigt ({number(math.comb(nR, r2))} kombinationer)"}
        jj, ii = np.nonzero(mask[:, dem])  # (residual candidate, residual demand)
        pairs = len(jj)
        if time_limit is not None and 3 * pairs > MIP_NNZ_UNDER_TIME_LIMIT:
            return {"sel": sel, "bound": min(lb, inc), "stopped": "Gap not closed",
                    "how": how + " (for stort til HiGHS inden for tidsgrænsen; gabet er Lagrange-grænsens)"}
        cost_x = CR[jj, dem[ii]]
        # columns: y (nR) | x (pairs) | f (md, fallback at u2) ; rows: assign (md) | link (pairs) | Σy | muni
        rows = np.concatenate([ii, md + np.arange(pairs), md + np.arange(pairs), np.full(nR, md + pairs), np.arange(md)])
        cols = np.concatenate([nR + np.arange(pairs), nR + np.arange(pairs), jj, np.arange(nR),
                               nR + pairs + np.arange(md)])
        vals = np.concatenate([np.ones(pairs), np.ones(pairs), -np.ones(pairs), np.ones(nR), np.ones(md)])
        Amip = sparse.csr_matrix((vals, (rows, cols)), shape=(md + pairs + 1, nR + pairs + md))
        mrows = _muni_rows(None if mu is None else [str(v) for v in muR], nR)
        nm = mrows.shape[0]
        if nm:
            Amip = sparse.vstack([Amip, sparse.hstack([mrows, sparse.csr_matrix((nm, pairs + md))])])
        ncol = nR + pairs + md
        start = None
        if set(open1) <= set(sel) and set(sel) - set(open1) <= set(Rpos.tolist()):
            start = np.searchsorted(Rpos, sorted(set(sel) - set(open1)))
        left = _time_left(t0, time_limit)
        x, _obj, _rel, status, mip_bound = _solve_highs(
            np.concatenate([np.zeros(nR), cost_x, u2[dem]]), np.zeros(ncol), np.ones(ncol),
            np.concatenate([np.ones(nR, bool), np.zeros(pairs + md, bool)]), Amip,
            np.concatenate([np.ones(md), np.full(pairs, -np.inf), [r2], np.full(nm, -np.inf)]),
            np.concatenate([np.ones(md), np.zeros(pairs), [r2], np.ones(nm)]), False, gap, left, threads, start,
            allow_none=True)
        if x is not None:
            cand = [*open1.tolist(), *(int(Rpos[j]) for j in _selection(x, nR))]
            v = float(_pm_best2(C, u, cand)[0].sum())
            if v < inc:
                sel, inc = cand, v
        lb = max(lb, min(inc, const2 + mip_bound))
        return {"sel": sel, "bound": min(lb, inc), "stopped": status if status != "Optimal" else "Time limit reached",
                "how": how + f", løst med HiGHS ({status})"}


def _pmedian_full(d, w, k, fx, municipality, reach, minutes_limit, gap, time_limit, threads, notes, t0) -> Allocation:
    """The classic formulation: y_j, x_ij for every reachable pair, x_ij <= y_j; HiGHS directly."""
    n = d.shape[0]
    dm, wm = d[:, reach], w[reach]
    m = dm.shape[1]
    penal = np.where(np.isfinite(dm), dm, 10.0 * float(np.nanmax(np.where(np.isfinite(dm), dm, 0))) + 1.0)

    def gains(chosen: list[int]) -> np.ndarray:
        cur = penal[chosen].min(axis=0) if chosen else np.full(m, np.inf)
        return -(wm * np.minimum(penal, cur)).sum(axis=1)

    start = _greedy(gains, n, k, fx, municipality)
    j_idx, i_idx = np.nonzero(np.isfinite(dm))
    p = len(i_idx)
    cost_x = wm[i_idx] * dm[j_idx, i_idx]
    rows = np.concatenate([i_idx, m + np.arange(p), m + np.arange(p), np.full(n, m + p)])
    cols = np.concatenate([n + np.arange(p), n + np.arange(p), j_idx, np.arange(n)])
    vals = np.concatenate([np.ones(p), np.ones(p), -np.ones(p), np.ones(n)])
    A = sparse.csr_matrix((vals, (rows, cols)), shape=(m + p + 1, n + p))
    mrows = _muni_rows(municipality, n)
    nm = mrows.shape[0]
    if nm:
        A = sparse.vstack([A, sparse.hstack([mrows, sparse.csr_matrix((nm, p))])])
    lower = np.zeros(n + p)
    lower[fx] = 1.0
    x, _obj, rel, status, _ = _solve_highs(
        np.concatenate([np.zeros(n), cost_x]), lower, np.ones(n + p),
        np.concatenate([np.ones(n, bool), np.zeros(p, bool)]), A,
        np.concatenate([np.ones(m), np.full(p, -np.inf), [k], np.full(nm, -np.inf)]),
        np.concatenate([np.ones(m), np.zeros(p), [k], np.ones(nm)]), False, gap, time_limit, threads, start)
    chosen = _selection(x, n)
    cost = float((wm * dm[list(chosen)].min(axis=0)).sum())
    _cov, share, mean = evaluate(d, w, chosen, minutes_limit)
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"p-median: {k} lokaliteter blandt {number(n)} kandidater med mindst ansat-vægtet køretid "
              f"({number(m)} efterspørgselspunkter, {len(fx)} faste kontorer{extra}); fuld formulering "
              f"({number(p)} tildelingsvariable); HiGHS, optimalitetsgab {number(100 * rel, 3)} %")
    return Allocation(chosen, cost, share, mean, rel, status, time.perf_counter() - t0, method,
                      reduced=False, notes=tuple(notes))


# ---------------------------------------------------------------- comparison and reference


def compare_sites(minutes: np.ndarray, weights: np.ndarray, suggestion: Allocation, names: Sequence[str],
                  minutes_limit: float) -> list[dict]:
    """How each user site (one candidate row each) does against the suggested set.

    Parameters
    ----------
    minutes : ndarray
        User sites × demand minutes (same demand points as the suggestion).
    names : sequence of str
        User site names.

    Returns
    -------
    list of dict
        ``site, covered, covered_share, mean_minutes, diff_pct, sentence`` with
        ``diff_pct`` = (site covered − suggested covered) / suggested covered × 100.
    """
    d = np.asarray(minutes, dtype=float).reshape(len(names), -1)
    sug = suggestion.covered_share
    out = []
    for j, name in enumerate(names):
        cov, share, mean = evaluate(d, weights, [j], minutes_limit)
        diff = 100.0 * (share - sug) / sug if sug > 0 else 0.0
        if abs(diff) < 0.5:
            text = f"Lokalitet {name} dækker lige så mange ansatte som det foreslåede sæt"
        else:
            word = "færre" if diff < 0 else "flere"
            text = f"Lokalitet {name} dækker {number(abs(diff), 0)} % {word} ansatte end det foreslåede sæt"
        text += f" inden for {number(minutes_limit, 0)} min."
        out.append({"site": name, "covered": cov, "covered_share": share, "mean_minutes": mean,
                    "diff_pct": diff, "sentence": text})
    return out


def _spopt_solver(name: str):
    import pulp

    if name == "highs":
        return pulp.HiGHS(msg=False)
    return pulp.PULP_CBC_CMD(msg=False)


def spopt_mclp(minutes: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float,
               fixed: Sequence[int] = (), solver: str = "highs") -> tuple[tuple[int, ...], float]:
    """Reference: spopt's classic MCLP; returns (chosen, covered weight)."""
    from spopt.locate import MCLP

    d = np.where(np.isfinite(minutes), minutes, 1e9).T  # clients × facilities
    pre = _predefined(len(minutes), fixed)
    model = MCLP.from_cost_matrix(d, np.asarray(weights, float), minutes_limit, k, predefined_facilities_arr=pre)
    model.solve(_spopt_solver(solver))
    chosen = tuple(sorted(i for i, v in enumerate(model.fac_vars) if v.value() > 0.5))
    return chosen, evaluate(minutes, weights, chosen, minutes_limit)[0]


def spopt_pmedian(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int] = (),
                  solver: str = "highs") -> tuple[tuple[int, ...], float]:
    """Reference: spopt's classic p-median; returns (chosen, weighted minutes)."""
    from spopt.locate import PMedian

    d = np.where(np.isfinite(minutes), minutes, 1e9).T
    pre = _predefined(len(minutes), fixed)
    model = PMedian.from_cost_matrix(d, np.asarray(weights, float), k, predefined_facilities_arr=pre)
    model.solve(_spopt_solver(solver))
    chosen = tuple(sorted(i for i, v in enumerate(model.fac_vars) if v.value() > 0.5))
    return chosen, float((np.asarray(weights, float) * np.asarray(minutes, float)[list(chosen)].min(axis=0)).sum())


def _predefined(n: int, fixed: Sequence[int]) -> np.ndarray | None:
    if not len(fixed):
        return None
    arr = np.zeros(n, dtype=bool)
    arr[list(fixed)] = True
    return arr
