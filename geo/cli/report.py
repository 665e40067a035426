"""CLI subcommands `scenario` (write a scenario file) and `report` (render it).

    python -m geo scenario --sites SITES.csv [--cluster ID | --codes 41,42] [--weights value=30,...]
                           [--method estimate|network] [--name NAVN] --out FILE.json
    python -m geo report --scenario FILE.json --out pack.pdf|book.xlsx|sites.gpkg|map.html

`geo.cli.main.main` adds the parsers and dispatches to `run_scenario` / `run_report`. Bad input raises
a `KlyngestedError` subclass with a Danish message (the CLI prints it and exits 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.common import require_file
from geo.data.clusters import load_clusters, parse_codes
from geo.data.loading import load_layers
from geo.data.sites import read_sites_csv
from geo.data.snapshot import snapshot_by_id
from geo.decide import finance, suitability
from geo.decide.weights import equal_weights, parse_weights
from geo.errors import ClusterError, InputFileError, KlyngestedError
from geo.reach import indicators
from geo.reach.engines import select_engine
from geo.reach.surface import RESOLUTION, cached_cells
from geo.report.bundle import ReportData, report_data_from_scenario
from geo.report.formats import FORMATS, render
from geo.report.scenario import (
    Scenario,
    diff_snapshot,
    layer_dates,
    load_scenario,
    save_scenario,
    snapshot_info,
)
from geo.settings import K17_CODES, THRESHOLDS_MIN

METHOD_CHOICES = ("estimate", "network")


def add_scenario_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The `scenario` subcommand."""
    p = subparsers.add_parser("scenario", help="gem et scenarie (lokaliteter, klynge, vægte) som JSON")
    p.add_argument("--sites", required=True, type=Path, help="CSV med kolonnerne navn,lat,lon (',' eller ';')")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--cluster", help="klynge-id fra data/clusters.json (uden: alle brancher)")
    group.add_argument("--codes", help="egne branchekoder, fx '41,42,71.1'")
    p.add_argument("--weights", help="vægte pr. kriterium, fx value=30,attract=20,knowledge=20,network=15,research=15")
    p.add_argument("--method", choices=METHOD_CHOICES, default="estimate", help="rejsetid: estimate eller network")
    p.add_argument("--thresholds", help="minuttærskler, fx 15,30,45,60 (standard)")
    p.add_argument("--name", default="Scenarie", help="scenariets navn (vises på hver side i rapporten)")
    p.add_argument("--data", help="snapshot fra 'refresh': mappe eller id (uden: standarddata)")
    p.add_argument("--out", required=True, type=Path, help="FIL.json")
    return p


def add_report_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The `report` subcommand."""
    p = subparsers.add_parser("report", help="lav mødepakke (PDF), Excel, GeoPackage eller HTML-kort fra et scenarie")
    p.add_argument("--scenario", required=True, type=Path, help="scenariefil (JSON) fra 'scenario'")
    p.add_argument("--out", required=True, type=Path, help="pakke.pdf, bog.xlsx, lokaliteter.gpkg eller kort.html")
    p.add_argument("--data", help="snapshot at beregne på (uden: scenariets snapshot, ellers standarddata)")
    p.add_argument("--roads", type=Path, help="vejnet (.npz) til --method network")
    p.add_argument("--finance", type=int, metavar="KR",
                   help="årligt beløb til medfinansiering, fordelt på K17-kommunerne efter befolkning")
    p.add_argument("--surface", action="store_true",
                   help="tag kort over egnethed med i mødepakken (cellerne fra 'surface' genbruges; ellers beregnes de én gang)")
    return p


def run_scenario(args: argparse.Namespace) -> int:
    """Read the sites, check cluster and weights, and write the scenario JSON."""

    require_file(args.sites)
    if args.out.suffix.lower() != ".json":
        raise InputFileError("--out skal ende på .json.", "--out must end in .json.")
    sites, notes = read_sites_csv(args.sites.read_bytes())
    cluster_id, codes = _cluster(args.cluster, args.codes)
    weights = None
    if args.weights:

        weights = parse_weights(args.weights)
    thresholds = _thresholds(args.thresholds)
    layers = load_layers(snapshot=args.data)
    snap_id, snap_date = snapshot_info(args.data)
    scenario = Scenario(
        sites=sites, name=args.name, cluster_id=cluster_id, codes=codes, weights=weights,
        thresholds=thresholds, method=args.method, snapshot_id=snap_id, snapshot_date=snap_date,
        layer_dates=layer_dates(layers),
    )
    save_scenario(scenario, args.out)
    for note in notes:
        sys.stderr.write(f"klyngested: {note}\n")
    sys.stderr.write(f"klyngested: scenarie med {len(sites)} lokalitet(er) gemt i {args.out}\n")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Load the scenario, compute on its snapshot (or --data) and write the export."""

    fmt = FORMATS.get(args.out.suffix.lower())
    if fmt is None:
        raise InputFileError("--out skal ende på .pdf, .xlsx, .gpkg eller .html.",
                             "--out must end in .pdf, .xlsx, .gpkg or .html.")
    if args.roads is not None:
        require_file(args.roads)
    scenario = load_scenario(args.scenario)
    notes: list[str] = []
    data_ref = args.data
    try:
        if data_ref is None and scenario.snapshot_id != "standard":
            data_ref = str(snapshot_by_id(scenario.snapshot_id))  # an id from the listing, never a path
        layers = load_layers(snapshot=data_ref)
        snap_id, snap_date = snapshot_info(data_ref)
    except KlyngestedError as err:
        if args.data is not None:
            raise
        notes.append(f"Scenariets snapshot kunne ikke indlæses ({err.message_da}); standarddata bruges.")
        layers = load_layers()
        snap_id, snap_date = snapshot_info(None)
    notes += diff_snapshot(scenario, snap_id, snap_date, layer_dates(layers))
    engine, engine_notes = select_engine(scenario.method, args.roads)
    notes += engine_notes
    data = report_data_from_scenario(scenario, layers, engine, snapshot_id=snap_id, snapshot_date=snap_date,
                                     notes=notes)
    if args.finance is not None:
        _add_finance(data, args.finance)
    if args.surface:
        data.surface = _surface(data)
    args.out.write_bytes(render(data, fmt))
    for note in (*layers.notes(), *notes):
        sys.stderr.write(f"klyngested: {note}\n")
    return 0


def _surface(data: ReportData) -> suitability.WeightedSurface:
    """The surface under the scenario's weights (equal when none), from the disk cache of cells."""
    ctx = indicators.prepare(data.layers, data.engine, data.codes)
    cells, _ = cached_cells(ctx, data.layers.municipalities, RESOLUTION)
    return suitability.weighted(suitability.criterion_surfaces(cells), data.weights or equal_weights(), data.layers.towns)


def _cluster(cluster: str | None, codes: str | None) -> tuple[str | None, tuple[str, ...] | None]:

    if codes:
        return None, tuple(parse_codes(codes))
    if cluster:
        clusters = load_clusters()
        if cluster not in clusters:
            raise ClusterError(f"Ukendt klynge '{cluster}'. Kendte: {', '.join(clusters)}.", f"Unknown cluster '{cluster}'.")
        return cluster, clusters[cluster].codes
    return None, None


def _thresholds(text: str | None) -> tuple[int, ...]:

    if not text:
        return THRESHOLDS_MIN
    try:
        values = sorted({int(t) for t in text.replace(";", ",").split(",") if t.strip()})
    except ValueError:
        values = []
    if not values or len(values) > 8 or not all(1 <= v <= 240 for v in values):
        raise InputFileError("--thresholds skal være 1–8 hele minuttal mellem 1 og 240, fx 15,30,45,60.",
                             "--thresholds must be 1-8 integers 1..240.")
    return tuple(values)


def _add_finance(data, total_kr: int) -> None:
    """Split ``total_kr`` among the K17 municipalities by population; fairness vs the best site."""

    munis = data.layers.municipalities
    k17 = munis[munis["kommunekode"].isin(K17_CODES)]
    table = k17[["kommunekode", "navn", "population"]].rename(columns={"navn": "kommune"})
    result = finance.split(total_kr, table, "population")
    site = str(data.ranking["site"].iloc[0]) if data.ranking is not None and len(data.ranking) else data.site_names()[0]
    benefit = data.breakdown[data.breakdown["site"].astype(str) == site]
    fair = finance.fairness(result.table, benefit)
    merged = result.table.merge(fair[["kommunekode", "andel_kost", "andel_gavn", "forhold"]], on="kommunekode")
    data.finance = merged.rename(columns={"beloeb_kr": "amount_kr", "andel": "share"})
    data.finance_formula = f"{result.formula_da} Gavn: klyngearbejdssteder nået fra {site}."
