"""Inputs of location-allocation: travel matrix, demand cells, validation, evaluation of a set."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geo.decide.matroid import addable
from geo.errors import KlyngestedError
from geo.reach.catchment import CatchmentEngine


class AllocationError(KlyngestedError):
    """The location-allocation problem is malformed or infeasible."""


def travel_matrix(engine: CatchmentEngine, candidates_xy: np.ndarray, demand_xy: np.ndarray,
                  dtype: type = np.float32) -> np.ndarray:
    """Minutes (candidates × demand) from a catchment engine; ``inf`` where unreachable.

    Parameters
    ----------
    engine : CatchmentEngine
        Travel-time engine.
    candidates_xy, demand_xy : ndarray
        Coordinates (EPSG:25832), one row per point.
    dtype : type
        Element type of the result.

    Returns
    -------
    ndarray
        Candidates × demand minutes.
    """
    cand = np.asarray(candidates_xy, dtype=float).reshape(-1, 2)
    dem = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    out = np.empty((len(cand), len(dem)), dtype=dtype)
    for j, (x, y) in enumerate(cand):
        out[j] = engine.minutes((float(x), float(y)), dem)
    return out


def aggregate_demand(xy: np.ndarray, weights: np.ndarray, cell_m: float = 1000.0) -> tuple[np.ndarray, np.ndarray]:
    """Sum demand points into square grid cells.

    Parameters
    ----------
    xy : ndarray
        Point coordinates (metres).
    weights : ndarray
        Weight per point.
    cell_m : float
        Cell side in metres.

    Returns
    -------
    tuple of ndarray
        Cell centres (weight-averaged; plain average in a cell of zero weights) and
        cell weights; cells with zero total weight are dropped.
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
    use_w = np.where(tot[inv] > 0, w, 1.0)
    den = np.where(tot > 0, tot, np.bincount(inv))
    cx = np.bincount(inv, weights=pts[:, 0] * use_w) / den
    cy = np.bincount(inv, weights=pts[:, 1] * use_w) / den
    keep = tot > 0
    return np.column_stack([cx, cy])[keep], tot[keep]


def _check_municipality(municipality: Sequence[str], n: int, k: int, fx: list[int]) -> None:
    if len(municipality) != n:
        raise AllocationError("Der skal være én kommunekode pr. kandidat.", "One municipality code per candidate.")
    codes = [str(municipality[f]) for f in fx]
    if len(set(codes)) < len(codes):
        raise AllocationError("To faste kontorer ligger i samme kommune, men der må højst være ét pr. kommune.",
                              "Two fixed offices share a municipality.")
    if k > len(set(map(str, municipality))):
        raise AllocationError("Der er færre kommuner end lokaliteter, der skal vælges (højst én pr. kommune).",
                              "Fewer municipalities than sites to choose.")


def validate(minutes: np.ndarray, weights: np.ndarray, k: int, fixed: Sequence[int],
             municipality: Sequence[str] | None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Check the inputs of a model; Danish `AllocationError` on bad input.

    Returns
    -------
    tuple
        Minutes (float32 kept as float32, anything else as float64), weights
        (float64) and the sorted fixed offices.
    """
    d = np.asarray(minutes)
    d = d if d.dtype == np.float32 else d.astype(float)
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
        _check_municipality(municipality, n, k, fx)
    return d, w, fx


def municipality_codes(municipality: Sequence[str] | None) -> np.ndarray | None:
    """Municipality codes as integers 0..M-1 (None stays None)."""
    if municipality is None:
        return None
    return np.unique(np.asarray([str(m) for m in municipality]), return_inverse=True)[1].ravel().astype(np.int64)


def free_candidates(n: int, fixed: list[int], mu: np.ndarray | None) -> np.ndarray:
    """Indices of candidates that may still be chosen: not fixed, not in a fixed office's municipality."""
    return np.nonzero(addable(n, fixed, mu))[0]


def evaluate(minutes: np.ndarray, weights: np.ndarray, chosen: Sequence[int],
             minutes_limit: float | None = None) -> tuple[float, float, float]:
    """Covered weight, share of the total weight, weighted mean minutes (reachable demand only).

    Parameters
    ----------
    minutes, weights : ndarray
        Candidates × demand minutes and demand weights.
    chosen : sequence of int
        The set.
    minutes_limit : float, optional
        Coverage threshold; without it "covered" means reachable.

    Returns
    -------
    tuple of float
        ``(covered_weight, covered_share, mean_minutes)``.
    """
    d = np.asarray(minutes, dtype=float)
    w = np.asarray(weights, dtype=float)
    best = d[list(chosen)].min(axis=0) if len(chosen) else np.full(w.size, np.inf)
    reach = np.isfinite(best)
    cov = float(w[best <= minutes_limit].sum()) if minutes_limit is not None else float(w[reach].sum())
    total = float(w.sum())
    mean = float((w[reach] * best[reach]).sum() / w[reach].sum()) if w[reach].sum() > 0 else float("nan")
    return cov, (cov / total if total > 0 else 0.0), mean
