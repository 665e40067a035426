"""Indicators per candidate site, each tied to a criterion of the K17 paper.

`prepare()` filters and caches the arrays once per (layers, cluster codes, engine);
`measure()` computes the indicators of many points at once (one travel-time search per
point, vectorised sums); `site_row()` is one site through `measure()` and `indicator_frame()`
many points (the suitability grid), so sites and grid cells share one code path.

Gravity-based access (Hansen 1959; the `access` package's gravity model) sums the cluster
employees weighted by a negative exponential of the travel time, 2^(-t / half-life),
truncated at the largest threshold like the other catchment indicators.
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
from geo.data.employment import employment_label
from geo.data.schema import INSTITUTION_KINDS
from geo.data.sites import check_unique_names
from geo.format import indicator, number
from geo.i18n import t
from geo.reach.catchment import CatchmentEngine, straight_km_many
from geo.reach.criteria import CRITERIA, Criterion
from geo.settings import K17_CODES, THRESHOLDS_MIN

REACH_MIN = 45  #: minutes defining "reached" for share, population and municipality breakdown
#: The one definition of "kommuner nået", shown beside the numbers on every tab and in the board pack.
REACHED_DA = (f"En kommune tæller som nået, når et punkt midt i kommunen ligger inden for {REACH_MIN} min "
              "kørsel fra lokaliteten.")
REACHED_EN = (f"A municipality counts as reached when a point in the middle of it lies within {REACH_MIN} min "
              "drive of the site.")
INSTITUTION_REACH_MIN = 30
#: Half-life (minutes) of the gravity decay: an employee 20 min away counts half, 40 min a quarter.
GRAVITY_HALF_LIFE_MIN = 20.0
#: Points measured per travel-time search batch (memory: batch × graph nodes × 8 bytes).
BATCH = 16
#: Row column listing the distance columns whose nearest point is placed at its town.
APPROX_COLUMN = "approximate_km"
#: Below this, a distance to a point placed at its town reads 'i byen'.
IN_TOWN_KM = 1.5
#: Location qualities that are a point's own position.
PRECISE = ("exact", "address")

#: Units an indicator can have: catalogue key of its label, and whether a text shows it after the value.
UNITS = {"count": False, "persons": False, "km": True, "pct": True, "min": True, "weighted": True}


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
    #: False for a column shown and exported but not feeding the criterion score (it
    #: repeats a scored one in other units, e.g. minutes beside kilometres).
    scored: bool = True

    def label(self, lang: str = "da") -> str:
        """The indicator's name in ``lang``."""
        return t(self.key, lang, **dict(self.params)) if self.params else t(self.key, lang)

    def unit_label(self, lang: str = "da") -> str:
        """The unit in ``lang`` ('antal', 'km', '%' …)."""
        return t(f"unit_{self.unit}", lang)

    @property
    def unit_after(self) -> bool:
        """True when a text shows the unit after the value (km, %, min; counts stand alone)."""
        return UNITS[self.unit]

    def format(self, value: float, lang: str = "da", unit: bool = False) -> str:
        """The value with the spec's decimals (`geo.format`), and its unit after it when ``unit``."""
        return indicator(self, value, lang, unit)


def _spec(column: str, key: str, unit: str, criterion: str, *, higher_is_better: bool = True,
          headline: bool = True, scored: bool = True, **params: object) -> IndicatorSpec:
    decimals = 1 if unit in ("km", "pct", "min") else 0
    return IndicatorSpec(column, key, unit, decimals, criterion, higher_is_better, headline, tuple(params.items()),
                         scored)


def indicator_specs(thresholds: tuple[int, ...] = THRESHOLDS_MIN) -> list[IndicatorSpec]:
    """All indicator columns in display order."""
    specs = [_spec(f"workplaces_{m}", "ind_workplaces", "count", "value", headline=m == REACH_MIN, t=m)
             for m in thresholds]
    specs += [_spec(f"employees_{m}", "ind_employees", "count", "value", headline=False, t=m) for m in thresholds]
    specs += [
        _spec("access_employees", "ind_access_employees", "weighted", "value",
              half_life=f"{GRAVITY_HALF_LIFE_MIN:g}"),
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
    for kind in INSTITUTION_KINDS:
        research = kind in ("university", "research_institute")
        specs.append(_spec(f"nearest_{kind}_min", f"ind_nearest_{kind}_min", "min",
                           "research" if research else "knowledge", higher_is_better=False, headline=research,
                           scored=False))
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
    """The spec of one indicator column (any threshold; KeyError if unknown)."""
    m = re.fullmatch(r"(workplaces|employees)_(\d+)", column)
    specs = indicator_specs((int(m.group(2)),) if m else THRESHOLDS_MIN)
    return {s.column: s for s in specs}[column]


def kind_label(kind: str, lang: str = "da") -> str:
    """An institution kind's name in ``lang`` ('universitet', 'erhvervsskole' …)."""
    return t(f"kind_{kind}", lang)


def evidence(row: Mapping[str, object], criterion: str, thresholds: tuple[int, ...] = THRESHOLDS_MIN,
             lang: str = "da") -> list[str]:
    """The headline indicators of one criterion at one site as 'label: value unit' lines."""
    return [f"{s.label(lang)}: {format_indicator(row, s, lang)}"
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
    inst_approx: np.ndarray  #: per institution, True when placed at its town, not its address
    station_xy: np.ndarray
    station_approx: np.ndarray
    muni_xy: np.ndarray
    muni_code: np.ndarray
    muni_name: dict[str, str]
    muni_pop: np.ndarray
    data_label: str
    #: workplaces, municipality points, institutions and stations in one array (one search each)
    points_xy: np.ndarray
    employment: str  #: e.g. 'CVR, september 2026': which employment figures are counted


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
    wp_prov = layers.provenance["workplaces"]
    kommune_codes, kommune_idx = np.unique(wp["kommunekode"].fillna("").astype(str).to_numpy(), return_inverse=True)
    muni_xy = np.column_stack([rep.x, rep.y]) if len(rep) else np.empty((0, 2))
    parts = (_xy(wp), muni_xy, _xy(layers.institutions), _xy(layers.stations))
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
        inst_approx=_approx(layers.institutions),
        station_xy=_xy(layers.stations),
        muni_xy=muni_xy,
        station_approx=_approx(layers.stations),
        muni_code=munis["kommunekode"].to_numpy(),
        muni_name=dict(zip(munis["kommunekode"], munis["navn"], strict=True)),
        muni_pop=pd.to_numeric(munis["population"], errors="coerce").fillna(0).to_numpy(float),
        data_label=layers.data_label,
        points_xy=np.concatenate(parts),
        employment=employment_label(layers.workplaces, wp_prov.quality, wp_prov.date),
    )


def measure(ctx: IndicatorContext, xys: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every indicator of many points (rows of ``xys``, metres) and their workplace minutes.

    Returns
    -------
    columns : dict
        Indicator column -> array with one value per point.
    workplace_minutes : ndarray
        Points × cluster workplaces, ``inf`` beyond the largest threshold.
    """
    limit = float(max(ctx.thresholds))
    n_wp, n_muni, n_inst = len(ctx.wp_xy), len(ctx.muni_xy), len(ctx.inst_xy)
    every = ctx.engine.minutes_many(xys, ctx.points_xy, limit=limit)
    minutes, muni_min = every[:, :n_wp], every[:, n_wp:n_wp + n_muni]
    inst_min, station_min = every[:, n_wp + n_muni:n_wp + n_muni + n_inst], every[:, n_wp + n_muni + n_inst:]
    cols: dict[str, np.ndarray] = {}
    for m in ctx.thresholds:
        inside = minutes <= m
        cols[f"workplaces_{m}"] = inside.sum(axis=1)
        cols[f"employees_{m}"] = np.round(np.where(inside, ctx.wp_employees, 0.0).sum(axis=1), 1)
    decay = np.exp2(-minutes / GRAVITY_HALF_LIFE_MIN)  # exp2(-inf) = 0 beyond the limit
    cols["access_employees"] = np.round((decay * ctx.wp_employees).sum(axis=1), 1)
    reached = minutes <= REACH_MIN
    cols["share_k17_45"] = (np.round(100.0 * (reached & ctx.wp_k17).sum(axis=1) / ctx.k17_total, 1) if ctx.k17_total
                            else np.full(len(xys), np.nan))
    muni_reached = muni_min <= REACH_MIN
    cols["population_45"] = np.where(muni_reached, ctx.muni_pop, 0.0).sum(axis=1).astype(np.int64)
    cols["municipalities_45"] = (muni_reached & np.isin(ctx.muni_code, K17_CODES)).sum(axis=1)
    inst_km = straight_km_many(xys, ctx.inst_xy)
    cols["nearest_institution_km"] = _min(inst_km)
    cols["institutions_30"] = (inst_min <= INSTITUTION_REACH_MIN).sum(axis=1)
    for kind in INSTITUTION_KINDS:
        cols[f"nearest_{kind}_km"] = _min(inst_km[:, ctx.inst_kind == kind])
    for kind in INSTITUTION_KINDS:
        cols[f"nearest_{kind}_min"] = _min(inst_min[:, ctx.inst_kind == kind])
    station_km = straight_km_many(xys, ctx.station_xy)
    cols["nearest_station_km"] = _min(station_km)
    cols["nearest_station_min"] = _min(station_min)
    approx = {"nearest_institution_km": _nearest_is_approximate(inst_km, ctx.inst_approx),
              "nearest_station_km": _nearest_is_approximate(station_km, ctx.station_approx)}
    for kind in INSTITUTION_KINDS:
        mask = ctx.inst_kind == kind
        approx[f"nearest_{kind}_km"] = _nearest_is_approximate(inst_km[:, mask], ctx.inst_approx[mask])
    cols[APPROX_COLUMN] = np.array([",".join(c for c, flags in approx.items() if flags[r]) for r in range(len(xys))],
                                   dtype=object)
    return cols, minutes


def indicator_frame(ctx: IndicatorContext, xys: np.ndarray, batch: int = BATCH) -> pd.DataFrame:
    """Indicators of many points (e.g. grid cell centres) in batches: one row per point."""
    xys = np.asarray(xys, dtype=float).reshape(-1, 2)
    parts = [pd.DataFrame(measure(ctx, xys[i:i + batch])[0]) for i in range(0, len(xys), batch)]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(measure(ctx, xys)[0]))
    table["method"] = ctx.engine.method
    table["method_note"] = ctx.engine.label()
    table["data"] = ctx.data_label
    table["employment"] = ctx.employment
    return table


def site_row(ctx: IndicatorContext, name: str, xy: tuple[float, float]) -> tuple[dict, pd.DataFrame]:
    """One site's indicator row and its per-municipality breakdown (reached within 45 min)."""
    cols, minutes = measure(ctx, np.array([xy], dtype=float))
    row: dict[str, object] = {"site": name, **{k: _scalar(v[0]) for k, v in cols.items()}}
    row["method"] = ctx.engine.method
    row["method_note"] = ctx.engine.label()
    row["data"] = ctx.data_label
    row["employment"] = ctx.employment
    reached = minutes[0] <= REACH_MIN
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
    """Indicator table (one row per site) and the per-municipality breakdown for all sites.

    Raises SiteNameError when two sites share a name (the table is keyed by name).
    """
    check_unique_names(sites["name"])
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


def _min(values: np.ndarray) -> np.ndarray:
    """Row-wise minimum rounded to 2 decimals; NaN for rows without a finite value."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    low = np.where(np.isfinite(values), values, np.inf).min(axis=1)
    return np.round(np.where(np.isfinite(low), low, np.nan), 2)


def _approx(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """True for points placed at their town (or postcode area), not at their own address."""
    return ~gdf["location_quality"].isin(PRECISE).to_numpy()


def _nearest_is_approximate(km: np.ndarray, approx: np.ndarray) -> np.ndarray:
    """Per row of `km` (points × targets), True when the nearest target is placed at its town."""
    if km.shape[1] == 0:
        return np.zeros(km.shape[0], dtype=bool)
    nearest = np.argmin(np.where(np.isfinite(km), km, np.inf), axis=1)
    return approx[nearest] & np.isfinite(km).any(axis=1)


def _scalar(value: object) -> object:
    """A plain Python value from a numpy scalar (strings pass through)."""
    return value.item() if isinstance(value, np.generic) else value


def is_approximate(row: pd.Series | dict, column: str) -> bool:
    """True when the row's distance in `column` is to a point placed at its town."""
    return column in str(row.get(APPROX_COLUMN) or "").split(",")


def format_indicator(row: pd.Series | dict, spec: IndicatorSpec, lang: str = "da", unit: bool = True) -> str:
    """One indicator value as text; a distance or drive to a point placed at its town is never precise.

    Such a distance reads 'i byen' below 1.5 km, else '≈ 2 km' (whole km); the drive time to the
    same point reads 'i byen' with it, else '≈ 4 min' (whole minutes).
    """
    value = float(row[spec.column])
    distance = spec.column.removesuffix("_min") + "_km" if spec.unit == "min" else spec.column
    if spec.unit in ("km", "min") and np.isfinite(value) and is_approximate(row, distance):
        if float(row[distance]) < IN_TOWN_KM:
            return t("in_town", lang)
        return f"≈ {number(float(round(value)), 0, lang)}" + (f" {spec.unit}" if unit else "")
    return indicator(spec, value, lang, unit=unit)


def display_table(table: pd.DataFrame, lang: str = "da") -> pd.DataFrame:
    """Sites as numbered columns (as on the map), indicators as rows with unit and criterion."""
    columns = [f"{i}. {site}" for i, site in enumerate(table["site"], start=1)]
    records = table.to_dict("records")  # one dict per site, not a Series per cell
    rows = [[f"{spec.label(lang)} ({spec.unit_label(lang)})", CRITERIA[spec.criterion].name(lang)]
            + [format_indicator(r, spec, lang, unit=False) for r in records]
            for spec in indicator_specs()]
    rows.append([t("method_data", lang), ""]
                + [f"{m} · {d} · {t('employment', lang)}: {e}"
                   for m, d, e in zip(table["method_note"], table["data"], table["employment"], strict=True)])
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
