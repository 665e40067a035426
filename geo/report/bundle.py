"""One input bundle for every meeting export (PDF, Excel, GeoPackage, HTML).

`build_report_data` computes whatever is not given (indicators, and the ranking with its
robustness when weights are given and `geo.decide.scoring` is present), so every export reads the
same numbers. Exports never recompute indicators; they read a `ReportData`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geo.data.bundle import Layers
from geo.data.clusters import cluster_codes, format_codes, load_clusters, matches
from geo.data.employment import employment_label
from geo.data.provenance import QUALITY_DA
from geo.data.sites import sites_frame
from geo.decide import robustness, scoring
from geo.decide.weights import normalise
from geo.reach import indicators
from geo.reach.catchment import CatchmentEngine
from geo.reach.criteria import CRITERIA
from geo.settings import THRESHOLDS_MIN

if TYPE_CHECKING:
    from geo.decide.suitability import WeightedSurface
    from geo.report.scenario import Scenario

#: Criterion ids in the paper's order.
CRITERION_IDS: tuple[str, ...] = tuple(CRITERIA)

ISOCHRONE_THREADS = 2  #: threads drawing the sites' catchment outlines (`ReportData.isochrones`)
METHOD_DA = {"network": "vejnet", "estimate": "estimat (luftlinje)"}


@dataclass
class ReportData:
    """Everything one export needs; built once, read by every format.

    ``sites`` is in EPSG:25832 with columns name, lat, lon, kommunekode, kommune.
    ``ranking`` (optional) has columns site, rank, score and ``contrib_<criterion>``.
    ``finance`` (optional) is `geo.decide.finance.split`'s table: kommunekode, kommune, share,
    amount_kr (and may carry the fairness columns of `geo.decide.finance.fairness`).
    """

    scenario_name: str
    created: str
    layers: Layers
    sites: gpd.GeoDataFrame
    table: pd.DataFrame
    breakdown: pd.DataFrame
    engine: CatchmentEngine
    engine_description: str
    method: str
    thresholds: tuple[int, ...] = THRESHOLDS_MIN
    cluster_id: str | None = None
    cluster_name: str = "Alle brancher"
    codes: tuple[str, ...] | None = None
    lang: str = "da"
    ranking: pd.DataFrame | None = None
    robustness: dict[str, str] | None = None
    rank_frequencies: pd.DataFrame | None = None
    robustness_method: str = ""
    weights: dict[str, float] | None = None
    finance: pd.DataFrame | None = None
    finance_formula: str = ""
    case_texts: dict[str, str] = field(default_factory=dict)
    #: The site the lead municipality argues for (default: the best-ranked, else the first).
    case_site: str | None = None
    provenance_lines: list[str] = field(default_factory=list)
    snapshot_id: str = "standard"
    snapshot_date: str = ""
    notes: list[str] = field(default_factory=list)
    #: The suitability surface under the weights, when the app or CLI has one (never computed here).
    surface: WeightedSurface | None = None
    #: The optimiser's suggestion in plain Danish sentences (sites, coverage, distance to the best, comparison).
    suggestion: list[str] = field(default_factory=list)

    # ---- derived, shared by the exports -------------------------------------------------

    @property
    def data_label(self) -> str:
        """'Demodata', 'omtrentlig placering' or 'reelle data' for the workplaces layer."""
        return self.layers.data_label

    @property
    def employment_label(self) -> str:
        """Which employment figures are counted, e.g. 'CVR, september 2026'."""
        prov = self.layers.provenance["workplaces"]
        return employment_label(self.layers.workplaces, prov.quality, prov.date)

    @property
    def method_da(self) -> str:
        return METHOD_DA.get(self.method, self.method)

    @property
    def has_synthetic(self) -> bool:
        return any(p.quality == "synthetic" for p in self.layers.provenance.values())

    @functools.cached_property
    def cluster_workplaces(self) -> gpd.GeoDataFrame:
        """Workplaces of the cluster's industry codes (all when codes is None), selected once."""
        wp = self.layers.workplaces
        return wp[matches(wp["industry_code"], self.codes)]

    def site_names(self) -> list[str]:
        return [str(n) for n in self.sites["name"]]

    @functools.cached_property
    def isochrones(self) -> gpd.GeoDataFrame:
        """Catchment polygons of every site and threshold (site, nr, minutes, method), EPSG:25832,
        computed once and read by every export.

        The sites' outlines are drawn on `ISOCHRONE_THREADS` threads: GEOS draws a concave hull
        without holding the GIL.
        """
        thresholds = tuple(self.thresholds)
        with ThreadPoolExecutor(ISOCHRONE_THREADS) as pool:
            shapes = list(pool.map(lambda p: self.engine.isochrones((p.x, p.y), thresholds), self.sites.geometry))
        columns: dict[str, list] = {"site": [], "nr": [], "minutes": [], "method": []}
        outlines: list = []
        for nr, (name, iso) in enumerate(zip(self.sites["name"], shapes, strict=True), start=1):
            columns["site"] += [str(name)] * len(iso)
            columns["nr"] += [nr] * len(iso)
            columns["minutes"] += iso["minutes"].tolist()
            outlines += list(iso.geometry.array)
        columns["method"] = [self.method] * len(outlines)
        frame = gpd.GeoDataFrame(columns, geometry=outlines, crs=self.sites.crs)
        return frame.astype({"nr": "int64", "minutes": "float64"})

    def sources_rows(self) -> list[dict[str, str]]:
        """One row per layer: layer, source, date, method, quality code and its Danish label."""
        return [
            {"layer": p.layer, "source": p.source, "date": p.date, "method": p.method,
             "quality": p.quality, "quality_da": QUALITY_DA[p.quality], "url": p.url}
            for p in self.layers.provenance.values()
        ]

    def parameter_rows(self) -> list[tuple[str, str]]:
        """(Danish label, value) for scenario, cluster, method, thresholds and snapshot."""

        return [
            ("Scenarie", self.scenario_name),
            ("Oprettet", self.created),
            ("Klynge", self.cluster_name + (f" ({self.cluster_id})" if self.cluster_id else "")),
            ("Branchekoder", format_codes(self.codes) if self.codes else "alle brancher"),
            ("Rejsetidsmetode", f"{self.method_da} – {self.engine_description}"),
            ("Tærskler (minutter)", ", ".join(str(t) for t in self.thresholds)),
            ("'Nået' betyder", f"inden for {indicators.REACH_MIN} min (institutioner: {indicators.INSTITUTION_REACH_MIN} min)"),
            ("Datasnapshot", self.snapshot_id + (f" ({self.snapshot_date})" if self.snapshot_date else "")),
            ("Data for arbejdssteder", self.data_label),
            ("Beskæftigelse", self.employment_label),
        ]

    def best_site(self) -> str | None:
        """The best-ranked site, else the first; None without sites."""
        if self.ranking is not None and len(self.ranking):
            return str(self.ranking["site"].iloc[0])
        return str(self.table["site"].iloc[0]) if len(self.table) else None

    def evidence(self, criterion: str, site: str | None = None) -> str:
        """Short Danish evidence line for one criterion at one site (default: the best-ranked/first)."""
        site = site or self.best_site()
        rows = self.table[self.table["site"].astype(str) == site] if site is not None else self.table.iloc[0:0]
        if rows.empty:
            return ""
        parts = indicators.evidence(rows.iloc[0], criterion, self.thresholds)
        return f"{site}: " + "; ".join(parts) if parts else ""


def build_report_data(
    layers: Layers,
    sites: gpd.GeoDataFrame,
    engine: CatchmentEngine,
    *,
    codes: tuple[str, ...] | None = None,
    cluster_id: str | None = None,
    cluster_name: str | None = None,
    thresholds: tuple[int, ...] = THRESHOLDS_MIN,
    scenario_name: str = "Scenarie",
    created: str | None = None,
    lang: str = "da",
    table: pd.DataFrame | None = None,
    breakdown: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    ranking: pd.DataFrame | None = None,
    robustness: Mapping[str, str] | None = None,
    rank_frequencies: pd.DataFrame | None = None,
    auto_rank: bool = True,
    robustness_draws: int = 2000,
    finance: pd.DataFrame | None = None,
    finance_formula: str = "",
    case_texts: Mapping[str, str] | None = None,
    case_site: str | None = None,
    provenance_lines: list[str] | None = None,
    snapshot_id: str = "standard",
    snapshot_date: str = "",
    notes: list[str] | None = None,
    surface: WeightedSurface | None = None,
    suggestion: list[str] | None = None,
) -> ReportData:
    """The bundle every export reads; computes indicators (and ranking) when not given.

    With ``weights`` and no ``ranking`` (and ``auto_rank``), the ranking comes from
    `geo.decide.scoring.score` and the robustness sentences from `geo.decide.robustness.monte_carlo`
    (``robustness_draws`` draws, seed 0), when those modules are present.
    """
    thresholds = tuple(sorted(int(t) for t in thresholds))
    if table is None or breakdown is None:
        table, breakdown = indicators.compute(layers, sites, engine, codes, thresholds)
    if cluster_name is None:
        cluster_name = _cluster_name(cluster_id, codes)
    extra_notes = list(notes or [])
    method_text = ""
    if weights is not None:
        weights = normalise(weights)
    if ranking is None and weights is not None and auto_rank and len(table):
        ranking, robustness, rank_frequencies, method_text, rank_notes = _rank(
            table, weights, robustness_draws)
        extra_notes += rank_notes
    prov = list(provenance_lines) if provenance_lines is not None else [
        *layers.provenance_lines(), f"Rejsetidsmetode: {engine.describe()}"]
    return ReportData(
        scenario_name=scenario_name or "Scenarie",
        created=created or dt.date.today().isoformat(),
        layers=layers,
        sites=sites,
        table=table,
        breakdown=breakdown,
        engine=engine,
        engine_description=engine.describe(),
        method=engine.method,
        thresholds=thresholds,
        cluster_id=cluster_id,
        cluster_name=cluster_name,
        codes=codes,
        lang=lang,
        ranking=ranking,
        robustness=dict(robustness) if robustness is not None else None,
        rank_frequencies=rank_frequencies,
        robustness_method=method_text,
        weights=weights,
        finance=finance,
        finance_formula=finance_formula,
        case_texts={k: str(v) for k, v in (case_texts or {}).items()},
        case_site=case_site,
        provenance_lines=prov,
        snapshot_id=snapshot_id,
        snapshot_date=snapshot_date,
        notes=extra_notes,
        surface=surface,
        suggestion=list(suggestion or []),
    )


def report_data_from_scenario(
    scenario: Scenario,
    layers: Layers,
    engine: CatchmentEngine,
    **kwargs: object,
) -> ReportData:
    """The bundle for a saved scenario on the given layers and engine (see `build_report_data`).

    Cluster codes come from the scenario (else from its cluster id). Extra keyword
    arguments (finance, snapshot_id, notes, …) pass through.
    """

    codes = scenario.codes if scenario.codes is not None else cluster_codes(scenario.cluster_id)
    sites = sites_frame(list(scenario.sites), layers.municipalities)
    kwargs.setdefault("created", scenario.created[:10])
    return build_report_data(
        layers, sites, engine,
        codes=codes, cluster_id=scenario.cluster_id, thresholds=scenario.thresholds,
        scenario_name=scenario.name, weights=scenario.weights, case_texts=scenario.case_texts,
        case_site=scenario.case_site, **kwargs,  # type: ignore[arg-type]
    )


def _cluster_name(cluster_id: str | None, codes: tuple[str, ...] | None) -> str:
    if cluster_id:
        cluster = load_clusters().get(cluster_id)
        return cluster.name_da if cluster is not None else cluster_id
    return "Egne branchekoder" if codes else "Alle brancher"


def _rank(table: pd.DataFrame, weights: dict[str, float], draws: int):
    """Ranking, robustness sentences, rank frequencies, method text and notes (when available)."""
    ranked = scoring.score(table, weights)
    freq, sentences, how = None, None, ""
    if draws > 0 and len(table) > 1:
        mc = robustness.monte_carlo(ranked.scores, ranked.weights, n=draws, seed=0)
        freq, sentences, how = mc.frequencies, mc.sentences, mc.method_da
    elif len(table) == 1:
        sentences = {str(table["site"].iloc[0]): f"{table['site'].iloc[0]} er den eneste lokalitet."}
    return ranked.table, sentences, freq, how, list(ranked.notes)
