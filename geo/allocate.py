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

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from geo.catchment import CatchmentEngine
from geo.errors import KlyngestedError
from geo.i18n import number

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
                 start: Sequence[int] | None = None) -> tuple[np.ndarray, float, float, str, float]:
    """Solve a MIP; returns (x, objective, relative gap, status string, dual bound)."""
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
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", gap)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(lp)
    if start is not None:  # a MIP start (greedy): only a first incumbent, the gap still says how good
        idx = np.nonzero(integer)[0].astype(np.int32)
        val = np.isin(idx, np.asarray(list(start), dtype=np.int64)).astype(float)
        h.setSolution(len(idx), idx, val)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        raise AllocationError(f"HiGHS fandt ingen gyldig løsning (status: {status}).", f"HiGHS found no solution ({status}).")
    x = np.asarray(h.getSolution().col_value)
    obj = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    rel = abs(obj - bound) / max(abs(obj), 1e-12) if np.isfinite(bound) else float(info.mip_gap)
    return x, obj, float(rel), status, (bound if np.isfinite(bound) else obj)


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
        HiGHS options (relative gap, seconds, threads).
    """
    t0 = time.perf_counter()
    d, w, fx = _validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    cover = sparse.csr_matrix((d <= minutes_limit).T.astype(float))  # demand × candidates
    useful = (np.diff(cover.indptr) > 0) & (w > 0)
    cover = cover[useful]
    wu = w[useful]
    # demand points with identical covering sets are one row with the summed weight
    groups: dict[bytes, int] = {}
    inv = np.fromiter((groups.setdefault(cover.indices[cover.indptr[i]:cover.indptr[i + 1]].tobytes(), len(groups))
                       for i in range(cover.shape[0])), dtype=np.int64, count=cover.shape[0])
    first = np.unique(inv, return_index=True)[1]
    cover = cover[first]
    wm = np.bincount(inv, weights=wu, minlength=len(first))
    m = cover.shape[0]
    # rows: z_i - sum_j a_ij y_j <= 0 ; sum y = k ; municipality rows <= 1
    mrows = _muni_rows(municipality, n)
    A = sparse.vstack([
        sparse.hstack([-cover, sparse.eye(m, format="csr")]),
        sparse.hstack([sparse.csr_matrix(np.ones((1, n))), sparse.csr_matrix((1, m))]),
        sparse.hstack([mrows, sparse.csr_matrix((mrows.shape[0], m))]),
    ]).tocsc()
    nm = A.shape[0] - m - 1
    lower = np.zeros(n + m)
    lower[fx] = 1.0
    cover_t = cover.T.tocsr()

    def gains(chosen: list[int]) -> np.ndarray:
        hit = np.asarray(cover[:, chosen].sum(axis=1)).ravel() > 0 if chosen else np.zeros(m, bool)
        return cover_t @ (wm * ~hit)

    start = _greedy(gains, n, k, fx, municipality)
    x, _obj, rel, status, _ = _solve_highs(
        np.concatenate([np.zeros(n), wm]), lower, np.ones(n + m),
        np.concatenate([np.ones(n, bool), np.zeros(m, bool)]), A,
        np.concatenate([np.full(m, -np.inf), [k], np.full(nm, -np.inf)]),
        np.concatenate([np.zeros(m), [k], np.ones(nm)]), True, gap, time_limit, threads, start)
    chosen = _selection(x, n)
    cov, share, mean = evaluate(d, w, chosen, minutes_limit)
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"MCLP: {k} lokaliteter blandt {number(n)} kandidater, der dækker flest ansatte inden for "
              f"{number(minutes_limit, 0)} min ({number(m)} efterspørgselsgrupper, {len(fx)} faste kontorer{extra}); "
              f"HiGHS, gap {number(100 * rel, 3)} %")
    return Allocation(chosen, cov, share, mean, rel, status, time.perf_counter() - t0, method)


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
        Start with assignment variables to each demand point's ``k_nearest`` nearest
        candidates only (None = all: the full formulation).
    max_minutes : float, optional
        Also leave out pairs slower than this at the start.
    minutes_limit : float, optional
        Threshold for ``covered_share`` in the result.
    time_limit : float, optional
        Seconds for all rounds together; when reached, the best set so far is returned
        with its (larger) gap and status "Time limit reached".
    max_rounds : int
        Rounds of enlarging the candidate lists before falling back to the full formulation.

    Notes
    -----
    Each demand point i gets a fallback variable costing ``w_i × (its nearest excluded
    minutes)``, a lower bound on any excluded assignment, so the reduced model is a
    relaxation and its dual bound is a valid lower bound. The chosen set is then costed
    exactly on the full matrix; if that upper bound is not within ``gap`` of the lower
    bound, the lists of the points that used the fallback are doubled and it is solved
    again.
    """
    t0 = time.perf_counter()
    d, w, fx = _validate(minutes, weights, k, fixed, municipality)
    n = d.shape[0]
    reach = np.isfinite(d).any(axis=0)
    notes = []
    if not reach.all():
        notes.append(f"{int((~reach).sum())} efterspørgselspunkter kan ikke nås fra nogen kandidat og er udeladt.")
    dm, wm = d[:, reach], w[reach]
    m = dm.shape[1]
    order = np.argsort(dm, axis=0, kind="stable")  # candidate rank per demand point
    sorted_d = np.take_along_axis(dm, order, axis=0)
    finite_count = np.isfinite(sorted_d).sum(axis=0)
    kk = np.minimum(finite_count, n if k_nearest is None else max(int(k_nearest), 1))
    if max_minutes is not None:
        within = (sorted_d <= max_minutes).sum(axis=0)
        kk = np.minimum(kk, np.maximum(within, 1))
    mrows = _muni_rows(municipality, n)
    penal = np.where(np.isfinite(dm), dm, 10.0 * float(np.nanmax(np.where(np.isfinite(dm), dm, 0))) + 1.0)

    def gains(chosen: list[int]) -> np.ndarray:
        cur = penal[chosen].min(axis=0) if chosen else np.full(m, np.inf)
        return -(wm * np.minimum(penal, cur)).sum(axis=1)

    start = _greedy(gains, n, k, fx, municipality)
    lb_best, ub_best, best = -np.inf, np.inf, None
    status, rel, rounds = "", np.inf, 0
    while True:
        rounds += 1
        full = bool((kk >= finite_count).all())
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 1.0)
        _x, _obj, status_r, lb, ysel = _pmedian_round(dm, wm, k, fx, mrows, order, sorted_d, kk, finite_count,
                                                   gap, left, threads, start)
        true_cost = float((wm * dm[list(ysel)].min(axis=0)).sum())
        lb_best = max(lb_best, lb)
        if true_cost < ub_best:
            ub_best, best, status = true_cost, ysel, status_r
        rel = (ub_best - lb_best) / max(abs(ub_best), 1e-12) if np.isfinite(ub_best) else np.inf
        if rel <= gap + 1e-12 or full:
            break
        if time_limit is not None and time.perf_counter() - t0 >= time_limit:
            status = "Time limit reached"
            break
        # demand points whose nearest chosen candidate is outside their list need longer lists
        nearest_rank = np.argmax(np.isin(order, list(ysel)), axis=0)
        grow = nearest_rank >= kk
        if not grow.any():  # cannot happen for a relaxation, but never loop forever
            break
        kk = np.where(grow, np.minimum(finite_count, np.maximum(2 * kk, nearest_rank + 1)), kk)
        if rounds >= max_rounds:
            kk = finite_count.copy()
    assert best is not None
    _cov, share, mean = evaluate(d, w, best, minutes_limit)
    full = bool((kk >= finite_count).all())
    pairs = int(kk.sum())
    form = ("fuld formulering" if full else
            f"reduceret formulering: {number(pairs)} af {number(int(finite_count.sum()))} tildelingsvariable "
            f"(nærmeste {number(int(kk.min()))}–{number(int(kk.max()))} kandidater pr. punkt), "
            f"nedre grænse via tilbagefaldsvariable, {rounds} runde(r)")
    extra = ", højst én pr. kommune" if municipality is not None else ""
    method = (f"p-median: {k} lokaliteter blandt {number(n)} kandidater med mindst ansat-vægtet køretid "
              f"({number(m)} efterspørgselspunkter, {len(fx)} faste kontorer{extra}); {form}; "
              f"HiGHS, gap {number(100 * max(rel, 0.0), 3)} %")
    return Allocation(best, ub_best, share, mean, float(max(rel, 0.0)), status, time.perf_counter() - t0,
                      method, reduced=not full, notes=tuple(notes))


def _pmedian_round(dm, wm, k, fx, mrows, order, sorted_d, kk, finite_count, gap, time_limit, threads, start):
    n, m = dm.shape
    ranks = np.arange(n)[:, None]
    use = ranks < kk[None, :]  # rank × demand mask
    i_idx, r_idx = np.nonzero(use.T)  # demand-major: (demand, rank)
    j_idx = order[r_idx, i_idx]
    cost_x = wm[i_idx] * sorted_d[r_idx, i_idx]
    need_fb = kk < finite_count
    fb_i = np.nonzero(need_fb)[0]
    fb_cost = wm[fb_i] * sorted_d[kk[fb_i], fb_i]
    p = len(i_idx)
    nf = len(fb_i)
    # columns: y (n) | x (p) | f (nf)
    ncol = n + p + nf
    # rows: assignment (m, = 1) | link x - y <= 0 (p) | sum y = k (1) | muni (<= 1)
    rows = np.concatenate([i_idx, m + np.arange(p), m + np.arange(p), np.full(n, m + p), fb_i])
    cols = np.concatenate([n + np.arange(p), n + np.arange(p), j_idx, np.arange(n), n + p + np.arange(nf)])
    vals = np.concatenate([np.ones(p), np.ones(p), -np.ones(p), np.ones(n), np.ones(nf)])
    A = sparse.csr_matrix((vals, (rows, cols)), shape=(m + p + 1, ncol))
    nm = mrows.shape[0]
    if nm:
        A = sparse.vstack([A, sparse.hstack([mrows, sparse.csr_matrix((nm, p + nf))])])
    lower = np.zeros(ncol)
    lower[fx] = 1.0
    upper = np.ones(ncol)
    upper[n + p:] = np.inf
    cost = np.concatenate([np.zeros(n), cost_x, fb_cost])
    row_lo = np.concatenate([np.ones(m), np.full(p, -np.inf), [k], np.full(nm, -np.inf)])
    row_hi = np.concatenate([np.ones(m), np.zeros(p), [k], np.ones(nm)])
    integer = np.zeros(ncol, bool)
    integer[:n] = True
    x, obj, _, status, lb = _solve_highs(cost, lower, upper, integer, A, row_lo, row_hi, False, gap,
                                         time_limit, threads, start)
    return x, obj, status, min(lb, obj), _selection(x, n)


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
