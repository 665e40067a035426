"""A mixed-integer program solved with HiGHS (highspy), quietly and within a time limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from highspy import _core
from scipy import sparse


@dataclass(frozen=True)
class Mip:
    """A MIP ``max/min cost·x`` s.t. ``row_lo <= A x <= row_hi``, ``lower <= x <= upper``.

    Attributes
    ----------
    cost, lower, upper : ndarray
        Objective coefficients and column bounds.
    integer : ndarray of bool
        Integer columns.
    A : sparse matrix
        Constraint matrix (rows × columns).
    row_lo, row_hi : ndarray
        Row bounds (``±inf`` for one-sided rows).
    maximise : bool
        Sense of the objective.
    """

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    A: sparse.spmatrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    maximise: bool


@dataclass(frozen=True)
class MipSolution:
    """What HiGHS returned: a solution (or None), its objective, the dual bound and the status."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str


def _lp(mip: Mip) -> highspy.HighsLp:
    A = sparse.csc_matrix(mip.A)
    A.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
    lp.col_cost_ = np.asarray(mip.cost, dtype=float)
    lp.col_lower_ = np.asarray(mip.lower, dtype=float)
    lp.col_upper_ = np.asarray(mip.upper, dtype=float)
    lp.row_lower_ = np.asarray(mip.row_lo, dtype=float)
    lp.row_upper_ = np.asarray(mip.row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in mip.integer]
    lp.sense_ = highspy.ObjSense.kMaximize if mip.maximise else highspy.ObjSense.kMinimize
    return lp


def quiet_highs() -> _core._Highs:
    """A HiGHS instance that writes nothing to stdout (CSV output may go there).

    The binding's core class, not ``highspy.Highs``: the wrapper's constructor sets up
    callbacks, which prints the licence banner before any option can be set (HiGHS
    issues #1702, #2749); the core class prints nothing once ``output_flag`` is off.
    """
    h = _core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def solve_mip(mip: Mip, gap: float, time_limit: float | None, threads: int | None,
              start: Sequence[int] | None = None) -> MipSolution:
    """Solve ``mip`` with HiGHS; a run without a feasible solution returns ``x = None``.

    Parameters
    ----------
    mip : Mip
        The model.
    gap : float
        Relative MIP gap to stop at.
    time_limit : float or None
        Seconds HiGHS may use. With a limit, HiGHS's presolve is off: it does not look at
        the clock (1.2 s on a 2,000-row residual MCLP given 0.3 s, and no solution after
        2.7 s given 2 s, where without presolve the same model is solved in 1.6 s).
    threads : int or None
        HiGHS threads.
    start : sequence of int, optional
        Integer columns (by position among the integer columns) set to 1 in a MIP start.

    Returns
    -------
    MipSolution
        The bound is ``∓inf`` (the trivial one) when HiGHS has none, and the
        impossible one (``-inf`` for a maximisation) when the model is infeasible.
    """
    h = quiet_highs()
    h.setOptionValue("mip_rel_gap", float(gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        h.setOptionValue("presolve", "off")
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(_lp(mip))
    if start is not None:
        idx = np.nonzero(mip.integer)[0].astype(np.int32)
        val = np.isin(np.arange(len(idx)), np.asarray(list(start), dtype=np.int64)).astype(float)
        h.setSolution(len(idx), idx, val)
    h.run()
    model_status = h.getModelStatus()
    status = h.modelStatusToString(model_status)
    info = h.getInfo()
    trivial = np.inf if mip.maximise else -np.inf
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else trivial
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        if model_status == highspy.HighsModelStatus.kInfeasible:
            bound = -trivial
        return MipSolution(None, float("nan"), bound, status)
    return MipSolution(np.asarray(h.getSolution().col_value), float(info.objective_function_value), bound, status)
