"""The data of a cluster portfolio from the app's layers: demand per cluster, candidates, travel times, overview.

Demand is every cluster's workplaces summed into shared 2 km cells (employees; a workplace
with unknown employees counts as one), so all clusters use one travel matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.data.bundle import Layers
from geo.data.clusters import format_codes, matches
from geo.decide.inputs import travel_matrix
from geo.decide.portfolio import PortfolioProblem
from geo.decide.suggest import DEMAND_CELL_M, SuggestError
from geo.format import number
from geo.reach.catchment import CatchmentEngine
from geo.settings import K17_CODES

#: A municipality has a meaningful presence of a cluster when it holds at least this share of the cluster's K17 employees.
MEANINGFUL_SHARE = 0.02
#: Units started within this many years count as growth.
GROWTH_YEARS = 5


@dataclass(frozen=True)
class ClusterSpec:
    """A cluster as the portfolio uses it: id, name, industry-code prefixes, organisation, whether the codes are verified."""

    id: str
    name: str
    codes: tuple[str, ...]
    organisation: str = ""
    verified: bool = False


def _employees(wp: pd.DataFrame) -> np.ndarray:
    e = pd.to_numeric(wp["employees"], errors="coerce").to_numpy(float)
    return np.where(np.isfinite(e) & (e > 0), e, 1.0)


def _xy(gdf) -> np.ndarray:
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()]) if len(gdf) else np.empty((0, 2))


def floor_points(layers: Layers, codes: Sequence[str] = K17_CODES) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """One point per municipality for the coverage floor: its largest town, else a point inside it."""
    munis = layers.municipalities.set_index(layers.municipalities["kommunekode"].astype(str))
    towns = layers.towns.sjoin(layers.municipalities[["kommunekode", "geometry"]], how="inner", predicate="within")
    towns = towns.assign(pop=pd.to_numeric(towns["population"], errors="coerce").fillna(0)).sort_values("pop")
    largest = towns.groupby(towns["kommunekode"].astype(str)).tail(1).set_index("kommunekode")
    use = [c for c in codes if c in munis.index]
    xy = []
    for c in use:
        p = largest.geometry.get(c) if c in largest.index else munis.geometry[c].representative_point()
        xy.append((p.x, p.y))
    names = tuple(str(munis.loc[c, "navn"]) for c in use)
    return np.asarray(xy, float).reshape(-1, 2), tuple(use), names


def build_problem(layers: Layers, engine: CatchmentEngine, clusters: Sequence[ClusterSpec],
                  candidates: pd.DataFrame) -> PortfolioProblem:
    """Demand cells per cluster, travel minutes from each candidate to the cells and to the floor points.

    Parameters
    ----------
    layers : Layers
        Workplaces (all clusters), municipalities, towns.
    engine : CatchmentEngine
        Travel-time engine.
    clusters : sequence of ClusterSpec
        The clusters of the portfolio.
    candidates : DataFrame
        ``name, kommunekode, x, y`` (towns or the user's sites).
    """
    if len({c.id for c in clusters}) < len(clusters) or not clusters:
        raise SuggestError("Vælg mindst én klynge, hver højst én gang.", "Choose each cluster at most once.")
    wp = layers.workplaces
    masks = np.vstack([matches(wp["industry_code"], c.codes) for c in clusters])
    keep = masks.any(axis=0)
    if not keep.any():
        raise SuggestError("De valgte klynger har ingen arbejdssteder i datagrundlaget.", "No demand.")
    xy, emp = _xy(wp)[keep], _employees(wp)[keep]
    cell = np.floor(xy / DEMAND_CELL_M).astype(np.int64)
    _, first, inv = np.unique(cell, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    centre = np.column_stack([np.bincount(inv, xy[:, i] * emp) / np.bincount(inv, emp) for i in (0, 1)])
    W = np.vstack([np.bincount(inv, emp * m[keep], minlength=len(first)) for m in masks])
    point_muni = wp["kommunekode"].fillna("").astype(str).to_numpy()[keep][first]
    cand_xy = candidates[["x", "y"]].to_numpy(float)
    fxy, fcodes, _ = floor_points(layers)
    names = dict(zip(layers.municipalities["kommunekode"].astype(str), layers.municipalities["navn"], strict=False))
    towns = candidates.assign(kommunekode=candidates["kommunekode"].astype(str)).reset_index(drop=True)
    towns["kommune"] = towns["kommunekode"].map(names).fillna(towns["kommunekode"])
    return PortfolioProblem(tuple(c.id for c in clusters), tuple(c.name for c in clusters), towns,
                            travel_matrix(engine, cand_xy, centre), W, point_muni,
                            travel_matrix(engine, cand_xy, fxy), fcodes)


def _growth(wp: pd.DataFrame, today: date) -> float:
    """Share of units with a start date that started in the last GROWTH_YEARS years (NaN without start dates)."""
    if "start_date" not in wp:
        return float("nan")
    started = pd.to_datetime(wp["start_date"], errors="coerce").dropna()
    if started.empty:
        return float("nan")
    cut = pd.Timestamp(today) - pd.DateOffset(years=GROWTH_YEARS)
    return float((started >= cut).mean())


def _nearest_institutions(layers: Layers, engine: CatchmentEngine, xy: np.ndarray, w: np.ndarray, k: int = 2) -> str:
    """The ``k`` knowledge institutions nearest (minutes) to the cluster's employee-weighted centre in K17."""
    inst = layers.institutions
    if not len(inst) or not len(xy):
        return ""
    centre = tuple(float(v) for v in (xy * w[:, None]).sum(axis=0) / w.sum())
    minutes = engine.minutes(centre, _xy(inst))
    order = np.argsort(minutes, kind="stable")[:k]
    return "; ".join(f"{inst['name'].iloc[i]} ({number(minutes[i], 0)} min)" for i in order if np.isfinite(minutes[i]))


def overview(layers: Layers, engine: CatchmentEngine, clusters: Sequence[ClusterSpec],
             offices: Mapping[str, str] | None = None, today: date | None = None) -> pd.DataFrame:
    """The cluster demand overview: one row per cluster (K17's "prioritering af klynger").

    Returns
    -------
    DataFrame
        ``cluster, name, organisation, codes, codes_verified, workplaces_k17, employees_k17,
        employment_period, share_of_denmark, growth_5y, municipalities_present,
        nearest_institutions, office_in_region``. ``share_of_denmark`` is NaN unless
        workplaces outside K17 are loaded; ``growth_5y`` NaN without start dates.
    """
    wp = layers.workplaces
    national = bool((~wp["kommunekode"].astype(str).isin(K17_CODES)).any())
    today = today or date.today()
    rows = []
    for c in clusters:
        mine = wp[matches(wp["industry_code"], c.codes)]
        k17 = mine[mine["kommunekode"].astype(str).isin(K17_CODES)]
        emp = _employees(k17)
        per_muni = pd.Series(emp).groupby(k17["kommunekode"].astype(str).to_numpy()).sum()
        period = ", ".join(sorted(k17["employees_basis"].dropna().astype(str).unique())) if "employees_basis" in k17 else ""
        rows.append({
            "cluster": c.id, "name": c.name, "organisation": c.organisation, "codes": format_codes(c.codes),
            "codes_verified": c.verified, "workplaces_k17": len(k17), "employees_k17": float(emp.sum()),
            "employment_period": period or "ukendt",
            "share_of_denmark": float(emp.sum() / _employees(mine).sum()) if national and len(mine) else float("nan"),
            "growth_5y": _growth(k17, today),
            "municipalities_present": int((per_muni >= MEANINGFUL_SHARE * max(emp.sum(), 1e-9)).sum()),
            "nearest_institutions": _nearest_institutions(layers, engine, _xy(k17), emp),
            "office_in_region": (offices or {}).get(c.id, ""),
        })
    return pd.DataFrame(rows)
