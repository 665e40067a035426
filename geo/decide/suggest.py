"""Suggested sites: location-allocation over the app's layers (candidates, demand, engine).

Demand is the cluster's workplaces aggregated to 2 km cells, weighted by employees (a
workplace with unknown employees counts as one). Candidates are the user's sites, or towns
of at least `MIN_TOWN_POPULATION` inhabitants inside the K17 municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data.bundle import Layers
from geo.data.spatial import assign_municipality
from geo.decide.inputs import aggregate_demand, travel_matrix
from geo.decide.mclp import mclp
from geo.decide.pmedian import pmedian
from geo.decide.result import AllocationResult, compare_sites
from geo.errors import KlyngestedError
from geo.reach.catchment import CatchmentEngine
from geo.reach.indicators import IndicatorContext
from geo.settings import K17_CODES

MIN_TOWN_POPULATION = 2_000
DEMAND_CELL_M = 2_000.0
UNREACHED_MINUTES = 120  #: p-median cost of a pair beyond the engine's search limit
MAX_MINUTES = 240  #: longest coverage limit T (the same bound as a scenario's thresholds)
Objective = Literal["mclp", "pmedian"]


class SuggestError(KlyngestedError):
    """The suggestion cannot be made as asked (too few candidates, unknown fixed office)."""


@dataclass(frozen=True)
class Suggestion:
    """Chosen candidates, the solver result and how each user site compares."""

    names: tuple[str, ...]
    chosen: pd.DataFrame  #: name, kommunekode, x, y of the chosen candidates
    result: AllocationResult
    comparison: list[dict]
    demand_cells: int


def town_candidates(layers: Layers) -> pd.DataFrame:
    """Towns of at least MIN_TOWN_POPULATION inside a K17 municipality: name, kommunekode, x, y."""
    towns = layers.towns[pd.to_numeric(layers.towns["population"], errors="coerce") >= MIN_TOWN_POPULATION]
    codes = assign_municipality(towns, layers.municipalities)
    keep = codes.isin(K17_CODES).to_numpy()
    towns = towns[keep]
    return pd.DataFrame({"name": towns["name"].to_numpy(), "kommunekode": codes[keep].to_numpy(),
                         "x": towns.geometry.x.to_numpy(), "y": towns.geometry.y.to_numpy()})


def site_candidates(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The user's sites as candidates."""
    return pd.DataFrame({"name": sites["name"].to_numpy(), "kommunekode": sites["kommunekode"].to_numpy(),
                         "x": sites.geometry.x.to_numpy(), "y": sites.geometry.y.to_numpy()})


def suggest(
    ctx: IndicatorContext,
    engine: CatchmentEngine,
    candidates: pd.DataFrame,
    k: int,
    objective: Objective = "mclp",
    minutes_limit: float = 45.0,
    fixed: tuple[str, ...] = (),
    one_per_municipality: bool = False,
    user_sites: pd.DataFrame | None = None,
    time_limit: float = 20.0,
) -> Suggestion:
    """Choose `k` candidates (fixed offices included) for the cluster's demand."""
    if not 1 <= minutes_limit <= MAX_MINUTES:  # also refuses NaN
        raise SuggestError(f"Dækningsgrænsen skal være mellem 1 og {MAX_MINUTES} minutter.",
                           f"The coverage limit must be 1..{MAX_MINUTES} minutes.")
    if len(candidates) < k:
        raise SuggestError(f"Der er kun {len(candidates)} kandidater; vælg højst {len(candidates)} steder.",
                           "Fewer candidates than k.")
    names = candidates["name"].tolist()
    missing = [f for f in fixed if f not in names]
    if missing:
        raise SuggestError(f"Eksisterende kontor findes ikke blandt kandidaterne: {', '.join(missing)}.",
                           f"Fixed office not among candidates: {missing}")
    weights = np.where(ctx.wp_employees > 0, ctx.wp_employees, 1.0)
    demand_xy, demand_w = aggregate_demand(ctx.wp_xy, weights, cell_m=DEMAND_CELL_M)
    if not len(demand_w):
        raise SuggestError("Klyngen har ingen arbejdssteder i datagrundlaget – intet at placere efter.", "No demand.")
    minutes = travel_matrix(engine, candidates[["x", "y"]].to_numpy(), demand_xy)
    fixed_idx = [names.index(f) for f in fixed]
    municipality = candidates["kommunekode"].astype(str).tolist() if one_per_municipality else None
    if objective == "mclp":
        result = mclp(minutes, demand_w, k, minutes_limit, fixed=fixed_idx, municipality=municipality, time_limit=time_limit)
    else:
        # beyond the network search limit a drive time is unknown, not infinite: count it as
        # UNREACHED_MINUTES so a demand cell that some but not all sites reach stays assignable
        capped = np.isinf(minutes) & np.isfinite(minutes).any(axis=0)
        minutes = np.where(capped, UNREACHED_MINUTES, minutes)
        result = pmedian(minutes, demand_w, k, fixed=fixed_idx, municipality=municipality,
                         minutes_limit=minutes_limit, time_limit=time_limit)
        if capped.any():
            result = replace(result, notes=(*result.notes, f"Køretider over vejnettets søgegrænse er regnet som {UNREACHED_MINUTES} min."))
    comparison: list[dict] = []
    if user_sites is not None and len(user_sites):
        user_min = travel_matrix(engine, user_sites[["x", "y"]].to_numpy(), demand_xy)
        comparison = compare_sites(user_min, demand_w, result, user_sites["name"].tolist(), minutes_limit)
    chosen = candidates.iloc[list(result.chosen)].reset_index(drop=True)
    return Suggestion(tuple(chosen["name"]), chosen, result, comparison, len(demand_w))
