"""Indicators per candidate site, each tied to a criterion of the K17 paper.

`prepare()` filters and caches the arrays once per (layers, cluster codes, engine);
`site_row()` computes one site's row, so the app can cache and recompute per site.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data.bundle import Layers
from geo.data.clusters import matches
from geo.data.schema import INSTITUTION_KINDS
from geo.i18n import number, t
from geo.reach.catchment import CatchmentEngine, straight_km
from geo.reach.criteria import CRITERIA, Criterion
from geo.settings import K17_CODES, THRESHOLDS_MIN

REACH_MIN = 45  #: minutes defining "reached" for share, population and municipality breakdown
INSTITUTION_REACH_MIN = 30

#: Units an indicator can have: catalogue key of its label, and whether a text shows it after the value.
UNITS = {"count": False, "persons": False, "km": True, "pct": True, "min": True}


@dataclass(frozen=True)
class IndicatorSpec:
    """What a column means: label, unit and decimals, the K17 criterion it serves and its direction.

    Labels come from the string catalogue (``key``, formatted with ``params``), so every
    consumer says the same thing in Danish and English; ``decimals`` is the one place that
    decides how the value is shown. ``headline`` marks the indicators of the short evidence line.
    """

    column: str
    key: str
    unit: str
    decimals: int
    criterion: str
    higher_is_better: bool = True
    headline: bool = True
    params: tuple[tuple[str, object], ...] = ()

    def label(self, lang: str = "da") -> str:
        """The indicator's name in ``lang``."""
        return t(self.key, lang, **dict(self.params)) if self.params else t(self.key, lang)

    def unit_label(self, lang: str = "da") -> str:
        """The unit in ``lang`` ('antal', 'km', '%' …)."""
        return t(f"unit_{self.unit}", lang)

    def format(self, value: float, lang: str = "da", unit: bool = False) -> str:
        """The value with the spec's decimals, and its unit after it when ``unit`` (km, %, min only)."""
        text = number(float(value), self.decimals, lang)
        return f"{text} {self.unit_label(lang)}" if unit and UNITS[self.unit] else text


def _spec(column: str, key: str, unit: str, criterion: str, *, higher_is_better: bool = True,
          headline: bool = True, **params: object) -> IndicatorSpec:
    decimals = 1 if unit in ("km", "pct", "min") else 0
    return IndicatorSpec(column, key, unit, decimals, criterion, higher_is_better, headline, tuple(params.items()))


def indicator_specs(thresholds: tuple[int, ...] = THRESHOLDS_MIN) -> list[IndicatorSpec]:
    """All indicator columns in display order."""
    specs = [_spec(f"workplaces_{m}", "ind_workplaces", "count", "value", headline=m == REACH_MIN, t=m)
             for m in thresholds]
    specs += [_spec(f"employees_{m}", "ind_employees", "count", "value", headline=False, t=m) for m in thresholds]
    specs += [
        _spec("share_k17_45", "ind_share_k17", "pct", "value", t=REACH_MIN),
        _spec("population_45", "ind_population", "persons", "attract", t=REACH_MIN),
        _spec("municipalities_45", "ind_municipalities", "count", "attract", t=REACH_MIN),
        _spec("nearest_institution_km", "ind_nearest_institution", "km", "knowledge", higher_is_better=False),
        _spec("institutions_30", "ind_institutions", "count", "knowledge", t=INSTITUTION_REACH_MIN),
    ]
    for kind in INSTITUTION_KINDS:
        research = kind in ("university", "research_institute")
        specs.append(_spec(f"nearest_{kind}_km", f"ind_nearest_{kind}", "km", "research" if research else "knowledge",
                           higher_is_better=False, headline=research))
    specs += [
        _spec("nearest_station_km", "ind_station_km", "km", "network", higher_is_better=False),
        _spec("nearest_station_min", "ind_station_min", "min", "network", higher_is_better=False),
    ]
    return specs


def specs_by_criterion(thresholds: tuple[int, ...] = THRESHOLDS_MIN,
                       columns: Collection[str] | None = None) -> list[tuple[Criterion, list[IndicatorSpec]]]:
    """Specs grouped by criterion in the paper's order; only those in ``columns`` when given."""
    specs = [s for s in indicator_specs(thresholds) if columns is None or s.column in columns]
    groups = [(c, [s for s in specs if s.criterion == c.id]) for c in CRITERIA.values()]
    return [(c, group) for c, group in groups if group]


def spec_for(column: str) -> IndicatorSpec:
    """The spec of one indicator column (any threshold)."""
    m = re.fullmatch(r"(workplaces|employees)_(\d+)", column)
    specs = indicator_specs((int(m.group(2)),) if m else THRESHOLDS_MIN)
    return next(s for s in specs if s.column == column)


def kind_label(kind: str, lang: str = "da") -> str:
    """An institution kind's name in ``lang`` ('universitet', 'erhvervsskole' …)."""
    return t(f"kind_{kind}", lang)


def evidence(row: Mapping[str, object], criterion: str, thresholds: tuple[int, ...] = THRESHOLDS_MIN,
             lang: str = "da") -> list[str]:
    """The headline indicators of one criterion at one site as 'label: value unit' lines."""
    return [f"{s.label(lang)}: {s.format(row[s.column], lang, unit=True)}"
            for s in indicator_specs(thresholds) if s.criterion == criterion and s.headline and s.column in row]


@dataclass(frozen=True)
class IndicatorContext:
    """Arrays prepared once per (layers, codes, engine): everything a site row needs."""

    engine: CatchmentEngine
    thresholds: tuple[int, ...]
    wp_xy: np.ndarray
    wp_employees: np.ndarray
    wp_kommune_codes: np.ndarray  #: distinct municipality codes of the workplaces
    wp_kommune_idx: np.ndarray  #: per workplace, index into wp_kommune_codes
    wp_k17: np.ndarray  #: per workplace, True when in a K17 municipality
    k17_total: int
    inst_xy: np.ndarray
    inst_kind: np.ndarray
    inst_kommune: np.ndarray
    station_xy: np.ndarray
    muni_xy: np.ndarray
    muni_code: np.ndarray
    muni_name: dict[str, str]
    muni_pop: np.ndarray
    data_label: str


def prepare(
    layers: Layers,
    engine: CatchmentEngine,
    codes: tuple[str, ...] | None = None,
    thresholds: tuple[int, ...] = THRESHOLDS_MIN,
) -> IndicatorContext:
    """Filter workplaces to the cluster codes and collect coordinate arrays."""
    wp = layers.workplaces[matches(layers.workplaces["industry_code"], codes)]
    munis = layers.municipalities
    rep = munis.geometry.representative_point()
    kommune_codes, kommune_idx = np.unique(wp["kommunekode"].fillna("").astype(str).to_numpy(), return_inverse=True)
    return IndicatorContext(
        engine=engine,
        thresholds=tuple(sorted(thresholds)),
        wp_xy=_xy(wp),
        wp_employees=pd.to_numeric(wp["employees"], errors="coerce").fillna(0).to_numpy(float),
        wp_kommune_codes=kommune_codes,
        wp_kommune_idx=kommune_idx,
        wp_k17=np.isin(kommune_codes, K17_CODES)[kommune_idx],
        k17_total=int(wp["kommunekode"].isin(K17_CODES).sum()),
        inst_xy=_xy(layers.institutions),
        inst_kind=layers.institutions["kind"].to_numpy(),
        inst_kommune=layers.institutions["kommunekode"].fillna("").astype(str).to_numpy(),
        station_xy=_xy(layers.stations),
        muni_xy=np.column_stack([rep.x, rep.y]) if len(rep) else np.empty((0, 2)),
        muni_code=munis["kommunekode"].to_numpy(),
        muni_name=dict(zip(munis["kommunekode"], munis["navn"], strict=True)),
        muni_pop=pd.to_numeric(munis["population"], errors="coerce").fillna(0).to_numpy(float),
        data_label=layers.data_label,
    )


def site_row(ctx: IndicatorContext, name: str, xy: tuple[float, float]) -> tuple[dict, pd.DataFrame]:
    """One site's indicator row and its per-municipality breakdown (reached within 45 min)."""
    minutes = ctx.engine.minutes(xy, ctx.wp_xy)
    row: dict[str, object] = {"site": name}
    for m in ctx.thresholds:
        inside = minutes <= m
        row[f"workplaces_{m}"] = int(inside.sum())
        row[f"employees_{m}"] = round(float(ctx.wp_employees[inside].sum()), 1)
    reached = minutes <= REACH_MIN
    k17_reached = int((reached & ctx.wp_k17).sum())
    row["share_k17_45"] = round(100.0 * k17_reached / ctx.k17_total, 1) if ctx.k17_total else np.nan
    muni_min = ctx.engine.minutes(xy, ctx.muni_xy)
    muni_reached = muni_min <= REACH_MIN
    row["population_45"] = int(ctx.muni_pop[muni_reached].sum())
    row["municipalities_45"] = int((muni_reached & np.isin(ctx.muni_code, K17_CODES)).sum())
    inst_km = straight_km(xy, ctx.inst_xy)
    row["nearest_institution_km"] = _min(inst_km)
    row["institutions_30"] = int((ctx.engine.minutes(xy, ctx.inst_xy) <= INSTITUTION_REACH_MIN).sum())
    for kind in INSTITUTION_KINDS:
        row[f"nearest_{kind}_km"] = _min(inst_km[ctx.inst_kind == kind])
    row["nearest_station_km"] = _min(straight_km(xy, ctx.station_xy))
    row["nearest_station_min"] = _min(ctx.engine.minutes(xy, ctx.station_xy))
    row["method"] = ctx.engine.method
    row["method_note"] = ctx.engine.label()
    row["data"] = ctx.data_label
    n_codes = len(ctx.wp_kommune_codes)
    idx = ctx.wp_kommune_idx[reached]
    counts = np.bincount(idx, minlength=n_codes)
    present = counts > 0
    breakdown = pd.DataFrame({
        "kommunekode": ctx.wp_kommune_codes[present],
        "workplaces": counts[present],
        "employees": np.bincount(idx, weights=ctx.wp_employees[reached], minlength=n_codes)[present],
    })
    breakdown.insert(0, "site", name)
    breakdown.insert(2, "kommune", breakdown["kommunekode"].map(ctx.muni_name).fillna("ukendt"))
    return row, breakdown.sort_values("workplaces", ascending=False, ignore_index=True)


def compute(
    layers: Layers,
    sites: gpd.GeoDataFrame,
    engine: CatchmentEngine,
    codes: tuple[str, ...] | None = None,
    thresholds: tuple[int, ...] = THRESHOLDS_MIN,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator table (one row per site) and the per-municipality breakdown for all sites."""
    ctx = prepare(layers, engine, codes, thresholds)
    rows, parts = [], []
    for site in sites.itertuples():
        row, part = site_row(ctx, site.name, (site.geometry.x, site.geometry.y))
        rows.append(row)
        parts.append(part)
    return assemble(rows, sites), (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame())


def assemble(rows: list[dict], sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows plus each site's coordinates and lead municipality, in a stable column order."""
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    meta = pd.DataFrame(
        {"kommunekode": sites["kommunekode"].to_numpy(), "kommune": sites["kommune"].to_numpy(),
         "lat": sites["lat"].round(5).to_numpy(), "lon": sites["lon"].round(5).to_numpy()}
    )
    table = pd.concat([table[["site"]], meta, table.drop(columns="site")], axis=1)
    return table


def _xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    if gdf.empty:
        return np.empty((0, 2))
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


def _min(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return round(float(finite.min()), 2) if finite.size else np.nan


def display_table(table: pd.DataFrame, lang: str = "da") -> pd.DataFrame:
    """Sites as numbered columns (as on the map), indicators as rows with unit and criterion."""
    columns = [f"{i}. {site}" for i, site in enumerate(table["site"], start=1)]
    rows = [[f"{spec.label(lang)} ({spec.unit_label(lang)})", CRITERIA[spec.criterion].name(lang)]
            + [spec.format(v, lang) for v in table[spec.column]]
            for spec in indicator_specs()]
    rows.append([t("method_data", lang), ""]
                + [f"{m} · {d}" for m, d in zip(table["method_note"], table["data"], strict=True)])
    first = t("indicator", lang)
    return pd.DataFrame(rows, columns=[first, t("criterion", lang), *columns]).set_index(first)


def breakdown_display(part: pd.DataFrame, lang: str = "da") -> pd.DataFrame:
    """Per-municipality breakdown with translated headers and formatted numbers."""
    first = t("municipality", lang)
    return pd.DataFrame(
        {
            first: [f"{n} ({c})" for n, c in zip(part["kommune"], part["kommunekode"], strict=True)],
            "K17": [t("yes" if c in K17_CODES else "no", lang) for c in part["kommunekode"]],
            t("workplaces", lang): [number(v, 0, lang) for v in part["workplaces"]],
            t("employees", lang): [number(v, 0, lang) for v in part["employees"]],
        }
    ).set_index(first)
