"""CLI subcommands `scenario` (write a scenario file) and `report` (render it).

    python -m geo scenario --sites SITES.csv [--cluster ID | --codes 41,42] [--weights value=30,...]
                           [--method estimate|network] [--name NAVN] --out FILE.json
    python -m geo report --scenario FILE.json --out pack.pdf|book.xlsx|sites.gpkg|map.html

`geo.cli.main` adds the parsers and dispatches to `run_scenario` / `run_report`, which turn the
arguments into a call of `geo.api.scenario` / `geo.api.write_report`. Bad input raises a
`KlyngestedError` subclass with a Danish message (the CLI prints it and exits 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import api
from geo.cli.common import require_file, say
from geo.data.sites import read_sites_csv
from geo.errors import InputFileError
from geo.report.scenario import save_scenario
from geo.settings import THRESHOLDS_MIN

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
    plan = api.scenario(sites, name=args.name, cluster=args.cluster, codes=args.codes, weights=args.weights,
                        thresholds=_thresholds(args.thresholds), method=args.method, data=args.data)
    save_scenario(plan, args.out)
    say(notes)
    sys.stderr.write(f"klyngested: scenarie med {len(sites)} lokalitet(er) gemt i {args.out}\n")
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Load the scenario, compute on its snapshot (or --data) and write the export."""
    notes = api.write_report(args.scenario, args.out, data=args.data, roads=args.roads, finance_kr=args.finance,
                             surface=args.surface)
    say(notes)
    return 0


def _thresholds(text: str | None) -> tuple[int, ...]:
    """'15,30,45' -> (15, 30, 45); the range is checked by `geo.api.scenario`."""
    if not text:
        return THRESHOLDS_MIN
    try:
        return tuple(int(t) for t in text.replace(";", ",").split(",") if t.strip())
    except ValueError:
        raise InputFileError("--thresholds skal være hele minuttal, fx 15,30,45,60.",
                             "--thresholds must be integers.") from None
