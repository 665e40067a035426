"""Command-line interface over the same library the app uses.

    python -m geo indicators | rank | suggest | split | scenario | report | refresh …

Bad input ends with exit code 2 and one Danish line on stderr, never a traceback. An
unexpected error (a bug) ends with exit code 1 and one Danish line; the traceback is shown
only when the environment variable KLYNGESTED_DEBUG is set.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys
from pathlib import Path

from geo.cli.common import add_data_arguments, load_inputs, say
from geo.cli.decide import add_decide_parsers, run_rank, run_split, run_suggest
from geo.cli.portfolio import add_portfolio_parser, run_portfolio
from geo.cli.refresh import add_refresh_parser, run_refresh
from geo.cli.report import add_report_parser, add_scenario_parser, run_report, run_scenario
from geo.cli.surface import add_surface_parser, run_surface
from geo.errors import InputFileError, KlyngestedError
from geo.reach import indicators
from geo.report.csv import to_csv_bytes
from geo.report.excel import to_xlsx_bytes

ENV_DEBUG = "KLYNGESTED_DEBUG"
#: Danish reasons for the file errors a user can cause (others keep the system's text).
_OS_REASONS_DA = {
    errno.ENOENT: "filen eller mappen findes ikke",
    errno.ENOTDIR: "en del af stien er ikke en mappe",
    errno.EISDIR: "det er en mappe, ikke en fil",
    errno.EACCES: "ingen adgang",
    errno.EPERM: "ingen tilladelse",
    errno.ENOSPC: "disken er fuld",
    errno.EROFS: "skrivebeskyttet filsystem",
    errno.ENAMETOOLONG: "filnavnet er for langt",
}
#: argparse's English error messages -> Danish (patterns of Python 3.11-3.13).
_ARGPARSE_DA = (
    (r"the following arguments are required: (.*)", r"disse argumenter mangler: \1"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"\1: ugyldigt valg \2 (vælg mellem \3)"),
    (r"argument (\S+): invalid int value: (.*)", r"\1 skal være et helt tal, ikke \2"),
    (r"argument (\S+): invalid float value: (.*)", r"\1 skal være et tal, ikke \2"),
    (r"argument (\S+): invalid \w+ value: (.*)", r"\1 har en ugyldig værdi: \2"),
    (r"argument (\S+): expected one argument", r"\1 mangler en værdi"),
    (r"argument (\S+): not allowed with argument (\S+)", r"\1 kan ikke bruges sammen med \2"),
    (r"argument (\S+): ignored explicit argument (.*)", r"\1 tager ingen værdi (fik \2)"),
    (r"ambiguous option: (\S+) could match (.*)", r"tvetydigt argument \1 (kan være \2)"),
    (r"unrecognized arguments: (.*)", r"ukendte argumenter: \1"),
)


def danish_usage_error(message: str) -> str:
    """argparse's error message in Danish (unknown messages pass through unchanged)."""
    for pattern, replacement in _ARGPARSE_DA:
        if re.fullmatch(pattern, message, flags=re.DOTALL):
            return re.sub(pattern, replacement, message, flags=re.DOTALL)
    return message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one Danish line, exit 2
        text = " ".join(danish_usage_error(message).split())
        sys.stderr.write(f"klyngested: ugyldige argumenter: {text} (se '{self.prog} -h')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m geo", description="Klyngested: indikatorer for klyngekontor-lokaliteter.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ind = sub.add_parser("indicators", help="beregn indikatorer pr. lokalitet")
    add_data_arguments(ind)
    ind.add_argument("--out", type=Path, help="FIL.csv eller FIL.xlsx (uden: CSV på stdout)")
    ind.add_argument("--international", action="store_true", help="CSV med ',' og decimalpunktum")
    add_decide_parsers(sub)
    add_portfolio_parser(sub)
    add_scenario_parser(sub)
    add_report_parser(sub)
    add_refresh_parser(sub)
    add_surface_parser(sub)
    return parser


COMMANDS = {
    "indicators": lambda a: run_indicators(a),
    "rank": run_rank,
    "suggest": run_suggest,
    "split": run_split,
    "portfolio": run_portfolio,
    "scenario": run_scenario,
    "report": run_report,
    "refresh": run_refresh,
    "surface": run_surface,
}


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; 0 done, 2 bad input (one Danish line), 1 an unexpected error."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KlyngestedError as err:
        return _fail(err.message_da, 2)
    except OSError as err:
        why = _OS_REASONS_DA.get(err.errno or 0, err.strerror or type(err).__name__)
        return _fail(f"filen kunne ikke læses eller skrives: {err.filename or ''} ({why}).", 2)
    except KeyboardInterrupt:
        return _fail("afbrudt.", 130)
    except Exception as err:  # the last guard: a bug must not print a traceback with server paths
        if os.environ.get(ENV_DEBUG, "").strip():
            raise
        return _fail(f"uventet fejl ({type(err).__name__}). Kør igen med {ENV_DEBUG}=1 for detaljer, "
                     "og meld fejlen til projektet.", 1)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"klyngested: {' '.join(message.split())}\n")
    return code


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
