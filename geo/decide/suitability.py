"""The suitability surface: the K17 criteria scored on every grid cell and recoloured by weights.

`criterion_surfaces()` normalises the cell indicators (min–max among the cells, the same
`geo.decide.scoring.criterion_scores` the site ranking uses) once per cell table;
`totals()` is then only a weighted sum, so moving a weight slider never recomputes an
indicator. `top_areas()` lists the local maxima with their municipality and nearest town;
`sites_on_surface()` scores the user's sites on the same scale as the cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo.decide.scoring import contributions, criterion_scores
from geo.format import number

#: How a surface total reads in words (legend, PDF, CSV footer).
MEANING_DA = ("Egnethed 0–100: vægtet sum af de fem kriterier, hvert normaliseret min–maks blandt cellerne "
              "(100 = bedste celle på alle kriterier). Lys gul = mest egnet, mørkeblå = mindst egnet.")


@dataclass(frozen=True)
class Surface:
    """Criterion scores per cell (0..1), computed once; weights only recolour.

    Attributes
    ----------
    cells : GeoDataFrame
        The cell table from `geo.reach.surface.cached_cells` (one row per cell).
    scores : DataFrame
        Cell id (index) × criterion score 0..1.
    methods : dict
        Indicator column -> normalisation method in Danish.
    notes : tuple of str
        Danish remarks from the normalisation.
    feeds, directions, targets : mappings
        The indicator choices used, so sites can be scored the same way.
    """

    cells: gpd.GeoDataFrame
    scores: pd.DataFrame
    methods: dict[str, str]
    notes: tuple[str, ...]
    feeds: Mapping[str, Sequence[str]] | None = None
    directions: Mapping[str, bool] | None = None
    targets: Mapping[str, float] | None = field(default=None)


def criterion_surfaces(cells: gpd.GeoDataFrame, feeds: Mapping[str, Sequence[str]] | None = None,
                       directions: Mapping[str, bool] | None = None,
                       targets: Mapping[str, float] | None = None) -> Surface:
    """Normalise every cell's indicators and average them per criterion (once per cell table)."""
    scores, _, methods, notes = criterion_scores(cells, feeds, directions, targets, site_col="cell")
    return Surface(cells, scores, methods, tuple(notes), feeds, directions, targets)


def totals(surface: Surface, weights: Mapping[str, float]) -> np.ndarray:
    """Score 0–100 per cell under the weights (a weighted sum of the cached criterion scores)."""
    return contributions(surface.scores, weights).sum(axis=1).to_numpy()


def local_maxima(cells: Sequence[str], total: np.ndarray) -> np.ndarray:
    """True for cells scoring at least as high as every neighbouring cell of the grid and
    higher than one of them (a flat stretch is no peak; between equal neighbouring peaks
    the smaller cell id counts)."""
    position = {c: i for i, c in enumerate(cells)}
    out = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        rivals = [position[n] for n in h3.grid_ring(cell, 1) if n in position]
        out[i] = (all(total[i] > total[j] or (total[i] == total[j] and cell < cells[j]) for j in rivals)
                  and (not rivals or any(total[i] > total[j] for j in rivals)))
    return out


def top_areas(surface: Surface, total: np.ndarray, towns: gpd.GeoDataFrame, n: int = 5,
              one_per_municipality: bool = False) -> pd.DataFrame:
    """The best local maxima, best first, with municipality and nearest town.

    Returns
    -------
    DataFrame
        ``rank, cell, lat, lon, kommunekode, kommune, town, town_km, score, label``.
    """
    cells = surface.cells
    ids = cells["cell"].astype(str).tolist()
    peaks = np.flatnonzero(local_maxima(ids, total))
    peaks = peaks[np.lexsort((np.asarray(ids)[peaks], -total[peaks]))]
    table = cells.iloc[peaks][["cell", "lat", "lon", "kommunekode", "kommune", "x", "y"]].reset_index(drop=True)
    table["score"] = total[peaks]
    if one_per_municipality:
        table = table.drop_duplicates("kommunekode", keep="first", ignore_index=True)
    table = table.head(n).reset_index(drop=True)
    if len(towns) and len(table):
        dist, idx = cKDTree(np.column_stack([towns.geometry.x, towns.geometry.y])).query(table[["x", "y"]].to_numpy())
        table["town"] = towns["name"].to_numpy()[idx]
        table["town_km"] = np.round(dist / 1000.0, 1)
    else:
        table["town"], table["town_km"] = "", np.nan
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["label"] = [f"Område {r}: ved {town} ({kommune})" for r, town, kommune in
                      zip(table["rank"], table["town"], table["kommune"], strict=True)]
    return table.drop(columns=["x", "y"])


@dataclass(frozen=True)
class WeightedSurface:
    """The surface under one set of weights, ready to draw (board pack, exports).

    Attributes
    ----------
    cells : GeoDataFrame
        ``cell, kommune, score`` (0–100) and the hexagon in EPSG:25832.
    top : DataFrame
        The best areas, as from `top_areas`.
    meaning : str
        What a score means, in Danish words.
    """

    cells: gpd.GeoDataFrame
    top: pd.DataFrame
    meaning: str = MEANING_DA


def weighted(surface: Surface, weights: Mapping[str, float], towns: gpd.GeoDataFrame, n: int = 5,
             one_per_municipality: bool = False) -> WeightedSurface:
    """Scores and best areas under ``weights`` (a weighted sum: no indicator is recomputed)."""
    total = totals(surface, weights)
    cells = surface.cells[["cell", "kommune", "geometry"]].assign(score=total)
    return WeightedSurface(cells, top_areas(surface, total, towns, n, one_per_municipality))


def sites_on_surface(surface: Surface, site_table: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """The user's sites scored on the surface's scale: normalised together with the cells.

    A site at a cell centre has that cell's indicators and so that cell's score; a site
    within the cells' range of every indicator leaves the cells' scores unchanged.

    Returns
    -------
    DataFrame
        ``site, score`` in the order of ``site_table``.
    """
    columns = [c for c in surface.cells.columns if c in site_table.columns and c not in ("geometry", "site")]
    names = [f"\x00site:{s}" for s in site_table["site"]]
    union = pd.concat([pd.DataFrame(surface.cells[["cell", *columns]]),
                       site_table[columns].assign(cell=names)], ignore_index=True)
    scores, _, _, _ = criterion_scores(union, surface.feeds, surface.directions, surface.targets, site_col="cell")
    total = contributions(scores, weights).sum(axis=1).to_numpy()[len(surface.cells):]
    return pd.DataFrame({"site": site_table["site"].to_numpy(), "score": total})


def describe_top(table: pd.DataFrame, lang: str = "da") -> list[str]:
    """One Danish line per top area, e.g. 'Område 1: ved Ringsted (Ringsted), 87,5 point'."""
    return [f"{label}, {number(score, 1, lang)} point" for label, score in zip(table["label"], table["score"], strict=True)]


def cell_table(surface: Surface, weights: Mapping[str, float], top: pd.DataFrame) -> gpd.GeoDataFrame:
    """Every cell with its indicators, criterion scores (0..1), score (0–100) and top-area rank."""
    cells = surface.cells.drop(columns=["x", "y"]).reset_index(drop=True)
    for crit in surface.scores.columns:
        cells[f"score_{crit}"] = surface.scores[crit].to_numpy().round(4)
    cells["score"] = totals(surface, weights).round(2)
    cells["top_area"] = cells["cell"].map(dict(zip(top["cell"], top["rank"], strict=True))).astype("Int64")
    return cells
