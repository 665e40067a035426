"""Command-line interface over the same library the app uses.

    python -m geo indicators | rank | suggest | split | scenario | report | refresh …

Bad input ends with exit code 2 and one Danish line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.cli.common import add_data_arguments, load_inputs, say
from geo.cli.decide import add_decide_parsers, run_rank, run_split, run_suggest
from geo.cli.report import add_report_parser, add_scenario_parser, run_report, run_scenario
from geo.data.refresh import add_refresh_parser, run_refresh
from geo.errors import InputFileError, KlyngestedError
from geo.reach import indicators
from geo.report.csv import to_csv_bytes
from geo.report.excel import to_xlsx_bytes


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one Danish line, exit 2
        sys.stderr.write(f"klyngested: ugyldige argumenter: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="Klyngested: indikatorer for klyngekontor-lokaliteter.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ind = sub.add_parser("indicators", help="beregn indikatorer pr. lokalitet")
    add_data_arguments(ind)
    ind.add_argument("--out", type=Path, help="FIL.csv eller FIL.xlsx (uden: CSV på stdout)")
    ind.add_argument("--international", action="store_true", help="CSV med ',' og decimalpunktum")
    add_decide_parsers(sub)
    add_scenario_parser(sub)
    add_report_parser(sub)
    add_refresh_parser(sub)
    return parser


COMMANDS = {
    "indicators": lambda a: run_indicators(a),
    "rank": run_rank,
    "suggest": run_suggest,
    "split": run_split,
    "scenario": run_scenario,
    "report": run_report,
    "refresh": run_refresh,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KlyngestedError as err:
        sys.stderr.write(f"klyngested: {err.message_da}\n")
        return 2
    except OSError as err:
        sys.stderr.write(f"klyngested: filen kunne ikke læses eller skrives: {err.filename or err}\n")
        return 2


def run_indicators(args: argparse.Namespace) -> int:
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputFileError("--out skal ende på .csv eller .xlsx.", "--out must end in .csv or .xlsx.")
    inputs = load_inputs(args)
    table, _ = indicators.compute(inputs.layers, inputs.sites, inputs.engine, inputs.codes)
    if args.out is not None and args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(to_xlsx_bytes(table, inputs.provenance()))
    else:
        data = to_csv_bytes(table, inputs.provenance(), danish=not args.international)
        if args.out is None:
            sys.stdout.buffer.write(data)
        else:
            args.out.write_bytes(data)
    say(inputs.notes)
    return 0
