"""Command-line interface over the same library the app uses.

Bad input ends with exit code 2 and one Danish line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import indicators
from geo.clusters import load_clusters, parse_codes
from geo.errors import ClusterError, InputFileError, KlyngestedError
from geo.export.csv import to_csv_bytes
from geo.engines import select_engine
from geo.export.excel import to_xlsx_bytes
from geo.loading import UserFiles, load_layers
from geo.refresh import add_refresh_parser, run_refresh
from geo.sites import read_sites_csv, sites_frame


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one Danish line, exit 2
        sys.stderr.write(f"klyngested: ugyldige argumenter: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="Klyngested: indikatorer for klyngekontor-lokaliteter.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ind = sub.add_parser("indicators", help="beregn indikatorer pr. lokalitet")
    ind.add_argument("--sites", required=True, type=Path, help="CSV med kolonnerne navn,lat,lon (',' eller ';')")
    ind.add_argument("--boundaries", type=Path, help="kommunegrænser (DAGI GeoJSON/GeoPackage)")
    ind.add_argument("--companies", type=Path, help="CVR-udtræk (.xlsx/.csv)")
    ind.add_argument("--postcodes", type=Path, help="postnummerområder (GeoJSON) til placering af adresser")
    group = ind.add_mutually_exclusive_group()
    group.add_argument("--cluster", help="klynge-id fra data/clusters.json (uden: alle brancher)")
    group.add_argument("--codes", help="egne branchekoder, fx '41,42,71.1'")
    ind.add_argument("--method", choices=("estimate", "network"), default="estimate",
                     help="rejsetid: estimate (luftlinje × omvejsfaktor) eller network (vejnet)")
    ind.add_argument("--roads", type=Path, help="vejnet (.npz) bygget med 'refresh --only roads'; uden: "
                     "$KLYNGESTED_ROADS, data/roads.npz eller det syntetiske demonet")
    ind.add_argument("--out", type=Path, help="FIL.csv eller FIL.xlsx (uden: CSV på stdout)")
    ind.add_argument("--international", action="store_true", help="CSV med ',' og decimalpunktum")
    ind.add_argument("--data", help="snapshot fra 'refresh': mappe, id eller snapshotrod (uden: standarddata)")
    add_refresh_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "refresh":
            return run_refresh(args)
        return run_indicators(args)
    except KlyngestedError as err:
        sys.stderr.write(f"klyngested: {err.message_da}\n")
        return 2
    except OSError as err:
        sys.stderr.write(f"klyngested: filen kunne ikke læses eller skrives: {err.filename or err}\n")
        return 2


def run_indicators(args: argparse.Namespace) -> int:
    codes = cluster_codes(args.cluster, args.codes)
    for path in (args.sites, args.boundaries, args.companies, args.postcodes, args.roads):
        if path is not None and not path.is_file():
            raise InputFileError(f"Filen findes ikke: {path}", f"No such file: {path}")
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputFileError("--out skal ende på .csv eller .xlsx.", "--out must end in .csv or .xlsx.")
    site_list, site_notes = read_sites_csv(args.sites.read_bytes())
    layers = load_layers(UserFiles(args.boundaries, args.companies, args.postcodes), snapshot=args.data)
    engine, engine_notes = select_engine(args.method, args.roads)
    table, _ = indicators.compute(layers, sites_frame(site_list, layers.municipalities), engine, codes)
    provenance = [*layers.provenance_lines(), f"Rejsetidsmetode: {engine.describe()}"]
    if args.out is not None and args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(to_xlsx_bytes(table, provenance))
    else:
        data = to_csv_bytes(table, provenance, danish=not args.international)
        if args.out is None:
            sys.stdout.buffer.write(data)
        else:
            args.out.write_bytes(data)
    for note in (*layers.report, *site_notes, *engine_notes):
        sys.stderr.write(f"klyngested: {note}\n")
    return 0


def cluster_codes(cluster: str | None, codes: str | None) -> tuple[str, ...] | None:
    """Prefixes from a cluster id or a code list; None means all industries."""
    if codes:
        return tuple(parse_codes(codes))
    if cluster:
        clusters = load_clusters()
        if cluster not in clusters:
            raise ClusterError(
                f"Ukendt klynge '{cluster}'. Kendte: {', '.join(clusters)}.", f"Unknown cluster '{cluster}'."
            )
        return clusters[cluster].codes
    return None
