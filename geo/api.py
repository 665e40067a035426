"""Klyngested for scripts and notebooks: the few calls a planner's analysis needs.

Every function takes plain, typed arguments (no argparse), works on the same library the
app and ``python -m geo`` use, and raises a `geo.errors.KlyngestedError` with a Danish
message on bad input. They are re-exported from `geo`::

    import geo

    layers = geo.load()                                   # embedded default, offline
    sites = geo.sites([("Næstved", 55.2301, 11.7605), ("Roskilde", 55.6415, 12.0803)], layers)
    table = geo.indicators(layers, sites, cluster="byggeri")
    ranked = geo.rank(table, {"value": 30, "attract": 20, "knowledge": 20, "network": 15, "research": 15})
    best = geo.suggest(layers, k=2, cluster="byggeri")
    money = geo.split(layers, 1_000_000, "population")
    plan = geo.scenario([("Næstved", 55.2301, 11.7605)], cluster="byggeri", name="Byggeri 2027")
    geo.write_report(plan, "pakke.pdf")

The path is the package map's: load layers (`geo.data`) -> travel times and indicators
(`geo.reach`) -> rank, suggest, split (`geo.decide`) -> scenario and report (`geo.report`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.data.bundle import Layers
from geo.data.clusters import cluster_codes
from geo.data.loading import UserFiles, load_layers
from geo.data.sites import Site, read_sites_csv, sites_frame
from geo.data.snapshot import snapshot_by_id
from geo.decide import finance, suitability
from geo.decide.fairness import finance_keys
from geo.decide.robustness import monte_carlo
from geo.decide.scoring import score
from geo.decide.suggest import Objective, Suggestion, site_candidates, town_candidates
from geo.decide.suggest import suggest as _suggest
from geo.decide.weights import equal_weights, parse_weights
from geo.errors import InputFileError, KlyngestedError
from geo.reach import indicators as _indicators
from geo.reach.catchment import CatchmentEngine
from geo.reach.engines import select_engine
from geo.reach.surface import RESOLUTION, cached_cells
from geo.report.bundle import ReportData, report_data_from_scenario
from geo.report.formats import FORMATS, render
from geo.report.scenario import Scenario, diff_snapshot, layer_dates, load_scenario, snapshot_info
from geo.settings import K17_CODES, THRESHOLDS_MIN

PathLike = str | os.PathLike
#: Sites as a CSV file, CSV text/bytes (columns navn,lat,lon), or (name, lat, lon) / `Site` items.
SiteSource = PathLike | bytes | Sequence[Site | tuple[str, float, float]]
#: A travel-time method name ('estimate', 'network') or a ready engine.
Method = str | CatchmentEngine


@dataclass(frozen=True)
class Ranked:
    """A ranking with its robustness.

    Attributes
    ----------
    table : DataFrame
        One row per site, best first: ``rank, site, score`` (0–100 points), ``score_<criterion>``,
        ``contrib_<criterion>`` and ``robustness`` (a Danish sentence).
    frequencies : DataFrame
        Site × rank: the share of weight draws that gave the site that rank.
    method_da : str
        How the weights were drawn, in Danish.
    notes : tuple of str
        Danish remarks (e.g. a criterion without indicators).
    """

    table: pd.DataFrame
    frequencies: pd.DataFrame
    method_da: str
    notes: tuple[str, ...]


def _existing(path: PathLike | None) -> Path | None:
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"Filen findes ikke: {path}", f"No such file: {path}")
    return path


def _engine(method: Method, roads: PathLike | None = None) -> CatchmentEngine:
    if not isinstance(method, str):  # an engine already (CatchmentEngine is a protocol)
        return method
    if method not in ("estimate", "network"):
        raise InputFileError(f"Ukendt rejsetidsmetode '{method}'. Brug estimate eller network.",
                             f"Unknown method {method!r}.")
    return select_engine(method, _existing(roads))[0]


def load(data: PathLike | None = None, *, boundaries: PathLike | None = None,
         companies: PathLike | None = None, postcodes: PathLike | None = None) -> Layers:
    """The layers to compute on: the embedded default or a snapshot, with your own files laid over.

    Parameters
    ----------
    data : str or path, optional
        A snapshot written by ``python -m geo refresh`` (folder, id or snapshot root);
        without it the embedded default (offline, labelled *Demodata*).
    boundaries, companies, postcodes : str or path, optional
        DAGI municipality boundaries, a CVR export (.xlsx/.csv) and postcode areas.

    Returns
    -------
    Layers
        Municipalities, workplaces, institutions, stations and towns in EPSG:25832, each with
        its provenance; ``layers.notes()`` gives the Danish notes of loading.
    """
    files = UserFiles(_existing(boundaries), _existing(companies), _existing(postcodes))
    return load_layers(files if any((boundaries, companies, postcodes)) else None, snapshot=data)


def sites(source: SiteSource, layers: Layers) -> gpd.GeoDataFrame:
    """Candidate sites as a frame in EPSG:25832 with their lead municipality.

    Parameters
    ----------
    source : path, bytes or sequence
        A CSV file or its text (columns ``navn,lat,lon``; ``,`` or ``;``, decimal comma allowed),
        or a sequence of `geo.data.sites.Site` or ``(name, lat, lon)`` tuples.
    layers : Layers
        From `load` (the municipalities place each site).

    Returns
    -------
    GeoDataFrame
        Columns name, lat, lon, kommunekode, kommune.
    """
    return sites_frame(_site_list(source), layers.municipalities)


def _site_list(source: SiteSource) -> list[Site]:
    if isinstance(source, (str, os.PathLike)):
        source = _existing(source).read_bytes()
    if isinstance(source, bytes):
        return read_sites_csv(source)[0]
    return [s if isinstance(s, Site) else Site(*s) for s in source]


def indicators(layers: Layers, sites: gpd.GeoDataFrame, *, cluster: str | None = None,
               codes: str | Sequence[str] | None = None, method: Method = "estimate",
               roads: PathLike | None = None, thresholds: Sequence[int] = THRESHOLDS_MIN) -> pd.DataFrame:
    """The indicator table: one row per site, one column per indicator of the K17 paper.

    Parameters
    ----------
    layers : Layers
        From `load`.
    sites : GeoDataFrame
        From `sites`.
    cluster : str, optional
        A cluster id of data/clusters.json (e.g. ``"byggeri"``); without it and ``codes``, all industries.
    codes : str or sequence of str, optional
        Own industry codes, e.g. ``"41, 42, 71.1"``; they win over ``cluster``.
    method : {'estimate', 'network'} or CatchmentEngine
        Travel time: straight line × detour factor, or the road graph (``roads``, else the
        configured or synthetic graph).
    roads : str or path, optional
        A road graph (.npz) for ``method='network'``.
    thresholds : sequence of int
        Catchment minutes (default 15, 30, 45, 60).

    Returns
    -------
    DataFrame
        See the README's column table; ``method`` and ``method_note`` say how it was computed.
    """
    codes_ = cluster_codes(cluster, codes)
    table, _ = _indicators.compute(layers, sites, _engine(method, roads), codes_, tuple(thresholds))
    return table


def rank(table: pd.DataFrame, weights: Mapping[str, float] | str | None = None, *, draws: int = 10_000,
         seed: int = 0) -> Ranked:
    """Rank the sites by the weighted criteria, with Monte-Carlo robustness over the weights.

    Parameters
    ----------
    table : DataFrame
        From `indicators`.
    weights : mapping or str, optional
        Criterion -> percent (``value, attract, knowledge, network, research``), or the CLI's
        ``"value=30,attract=20,…"``; equal weights when omitted. Normalised to 100 %.
    draws : int
        Weight draws for robustness (Dirichlet around the weights).
    seed : int
        Random seed; the same seed gives the same sentences.

    Returns
    -------
    Ranked
    """
    if isinstance(weights, str):
        weights = parse_weights(weights)
    ranking = score(table, weights or equal_weights())
    mc = monte_carlo(ranking.scores, ranking.weights, n=draws, seed=seed)
    ranked = ranking.table.assign(robustness=ranking.table["site"].map(mc.sentences))
    return Ranked(ranked, mc.frequencies, mc.method_da, ranking.notes)


def suggest(layers: Layers, k: int, *, objective: Objective = "mclp", minutes: float = 45.0,
            cluster: str | None = None, codes: str | Sequence[str] | None = None, method: Method = "estimate",
            roads: PathLike | None = None, candidates: gpd.GeoDataFrame | None = None,
            fixed: Sequence[str] = (), one_per_municipality: bool = False,
            compare: gpd.GeoDataFrame | None = None) -> Suggestion:
    """The best ``k`` sites by location-allocation (MCLP or p-median, solved with HiGHS).

    Parameters
    ----------
    layers : Layers
        From `load`.
    k : int
        Number of sites in all, fixed offices included.
    objective : {'mclp', 'pmedian'}
        Most cluster employees within ``minutes``, or least employee-weighted travel time.
    minutes : float
        The MCLP coverage limit T.
    cluster, codes, method, roads
        As in `indicators`.
    candidates : GeoDataFrame, optional
        Sites (from `sites`) to choose among; default: the K17 towns.
    fixed : sequence of str
        Candidate names that are existing offices (always chosen).
    one_per_municipality : bool
        At most one chosen site per municipality.
    compare : GeoDataFrame, optional
        Your own sites, each compared with the suggestion in a Danish sentence.

    Returns
    -------
    Suggestion
        ``chosen`` (name, kommunekode, x, y), ``result`` (objective, gap, status) and ``comparison``.
    """
    engine = _engine(method, roads)
    ctx = _indicators.prepare(layers, engine, cluster_codes(cluster, codes))
    pool = site_candidates(candidates) if candidates is not None else town_candidates(layers)
    user = site_candidates(compare) if compare is not None else None
    return _suggest(ctx, engine, pool, k, objective, minutes, tuple(fixed), one_per_municipality, user_sites=user)


def split(layers: Layers, total_kr: int, key: str | Mapping[str, float] = "population", *,
          municipalities: Sequence[str] = K17_CODES, lead: str | None = None, lead_share: float = 0.0,
          benefit_from: tuple[float, float] | None = None, cluster: str | None = None,
          codes: str | Sequence[str] | None = None, method: Method = "estimate",
          roads: PathLike | None = None) -> finance.Split:
    """Split an annual amount among municipalities in whole kroner that sum exactly to the total.

    Parameters
    ----------
    layers : Layers
        From `load`.
    total_kr : int
        The amount in whole kroner.
    key : str or mapping
        ``population``, ``workplaces``, ``employees``, ``benefit``, ``equal``, ``"mix:population=50,…"``
        or a mapping key -> weight.
    municipalities : sequence of str
        Municipality codes that pay (default: the 17 of K17).
    lead, lead_share
        A lead municipality's code and the share (0–1) it pays before the split.
    benefit_from : (x, y), optional
        The site (EPSG:25832) whose reached workplaces define the ``benefit`` key.
    cluster, codes, method, roads
        As in `indicators`.

    Returns
    -------
    Split
        ``table`` (kommunekode, kommune, share, amount_kr) and ``formula_da``.
    """
    ctx = _indicators.prepare(layers, _engine(method, roads), cluster_codes(cluster, codes))
    keys = finance_keys(ctx, benefit_from, tuple(c.strip().zfill(4) for c in municipalities if c.strip()))
    return finance.split(total_kr, keys, key, lead=lead, lead_share=lead_share)


def scenario(sites: SiteSource, *, name: str = "Scenarie", cluster: str | None = None,
             codes: str | Sequence[str] | None = None, weights: Mapping[str, float] | str | None = None,
             thresholds: Sequence[int] = THRESHOLDS_MIN, method: str = "estimate",
             data: PathLike | None = None) -> Scenario:
    """A scenario (sites, cluster, weights, method, data snapshot) to save and report on.

    Parameters
    ----------
    sites : path, bytes or sequence
        As in `sites`.
    name : str
        Shown on every page of the report.
    cluster, codes, method
        As in `indicators` (``method`` by name).
    weights : mapping or str, optional
        As in `rank`.
    thresholds : sequence of int
        Catchment minutes, 1–8 whole numbers from 1 to 240.
    data : str or path, optional
        The snapshot the scenario is computed on (default: the embedded data).

    Returns
    -------
    Scenario
        Save it with ``scenario.to_json()`` or `geo.report.scenario.save_scenario`.
    """
    site_list, codes_ = _site_list(sites), cluster_codes(cluster, codes)
    if isinstance(weights, str):
        weights = parse_weights(weights)
    layers = load(data)
    snap_id, snap_date = snapshot_info(data)
    return Scenario(
        sites=site_list, name=name, cluster_id=None if codes else cluster, codes=codes_,
        weights=dict(weights) if weights else None, thresholds=_thresholds(thresholds), method=method,
        snapshot_id=snap_id, snapshot_date=snap_date, layer_dates=layer_dates(layers),
    )


def _thresholds(values: Sequence[int]) -> tuple[int, ...]:
    found = sorted({int(v) for v in values})
    if not found or len(found) > 8 or not all(1 <= v <= 240 for v in found):
        raise InputFileError("Tærsklerne skal være 1–8 hele minuttal mellem 1 og 240, fx 15,30,45,60.",
                             "Thresholds must be 1-8 integers 1..240.")
    return tuple(found)


def report_data(plan: Scenario | PathLike, *, data: PathLike | None = None, roads: PathLike | None = None,
                finance_kr: int | None = None, surface: bool = False) -> ReportData:
    """The bundle every export reads, computed for a scenario on its snapshot (or ``data``).

    The scenario names its snapshot by id only (`snapshot_by_id`: never a path). With
    ``surface`` the suitability surface under the scenario's weights is added (the board
    pack then has the map page; the cells come from the disk cache when present).

    When the scenario's snapshot cannot be loaded (and ``data`` is not given) the embedded
    default is used; ``ReportData.notes`` then says so, and names any difference between the
    scenario's snapshot and the one computed on.
    """
    plan = plan if isinstance(plan, Scenario) else load_scenario(_existing(plan))
    notes: list[str] = []
    ref = data
    try:
        if ref is None and plan.snapshot_id != "standard":
            ref = str(snapshot_by_id(plan.snapshot_id))  # an id from the listing, never a path
        layers = load(ref)
    except KlyngestedError as err:
        if data is not None:
            raise
        notes.append(f"Scenariets snapshot kunne ikke indlæses ({err.message_da}); standarddata bruges.")
        layers, ref = load(), None
    snap_id, snap_date = snapshot_info(ref)
    notes += diff_snapshot(plan, snap_id, snap_date, layer_dates(layers))
    engine, engine_notes = select_engine(plan.method, _existing(roads))
    bundle = report_data_from_scenario(plan, layers, engine, snapshot_id=snap_id, snapshot_date=snap_date,
                                       notes=[*notes, *engine_notes])
    if finance_kr is not None:
        _add_finance(bundle, finance_kr)
    if surface:
        bundle.surface = _surface(bundle)
    return bundle


def _surface(data: ReportData) -> suitability.WeightedSurface:
    """The surface under the scenario's weights (equal when none), from the disk cache of cells."""
    ctx = _indicators.prepare(data.layers, data.engine, data.codes)
    cells, _ = cached_cells(ctx, data.layers.municipalities, RESOLUTION)
    return suitability.weighted(suitability.criterion_surfaces(cells), data.weights or equal_weights(),
                                data.layers.towns)


def write_report(plan: Scenario | PathLike, out: PathLike, *, data: PathLike | None = None,
                 roads: PathLike | None = None, finance_kr: int | None = None, surface: bool = False) -> list[str]:
    """Write the board pack (.pdf), workbook (.xlsx), GeoPackage (.gpkg) or map (.html) of a scenario.

    Named ``write_report`` (not ``report``) because `geo.report` is the package of the exports.

    Parameters
    ----------
    plan : Scenario or path
        A scenario, or its JSON file.
    out : str or path
        The file to write; its ending picks the format.
    data : str or path, optional
        Compute on this snapshot instead of the scenario's own.
    roads : str or path, optional
        A road graph for a scenario with ``method='network'``.
    finance_kr : int, optional
        An annual amount to split among the K17 municipalities by population (adds the
        co-financing page, with each municipality's benefit from the best site).
    surface : bool
        Add the suitability map page to the board pack.

    Returns
    -------
    list of str
        Danish notes: loading, snapshot differences, travel-time fallbacks.
    """
    out = Path(out)
    if FORMATS.get(out.suffix.lower()) is None:
        raise InputFileError("Filen skal ende på .pdf, .xlsx, .gpkg eller .html.",
                             "The file must end in .pdf, .xlsx, .gpkg or .html.")
    bundle = report_data(plan, data=data, roads=roads, finance_kr=finance_kr, surface=surface)
    out.write_bytes(render(bundle, out.suffix))
    return [*bundle.layers.notes(), *bundle.notes]


def _add_finance(data: ReportData, total_kr: int) -> None:
    """Split ``total_kr`` among the K17 municipalities by population; fairness vs the best site."""
    munis = data.layers.municipalities
    k17 = munis[munis["kommunekode"].isin(K17_CODES)]
    table = k17[["kommunekode", "navn", "population"]].rename(columns={"navn": "kommune"})
    result = finance.split(total_kr, table, "population")
    site = data.best_site()
    benefit = data.breakdown[data.breakdown["site"].astype(str) == site]
    fair = finance.fairness(result.table, benefit)
    data.finance = result.table.merge(fair[["kommunekode", "share_cost", "share_benefit", "benefit_to_cost"]],
                                      on="kommunekode")
    data.finance_formula = f"{result.formula_da} Gavn: klyngearbejdssteder nået fra {site}."


# Added by other work in progress, here beside the rest of the public API:
# portfolio(...) — several offices as one plan; refresh(...) — fetch the official sources into a snapshot.
