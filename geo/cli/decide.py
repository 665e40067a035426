"""CLI subcommands for deciding: `rank`, `suggest` and `split` (Danish CSV on stdout; `--international` keeps codes).

    python -m geo rank --sites SITES.csv [--weights value=30,attract=20,…] [--draws 10000]
    python -m geo suggest --k 2 --objective mclp|pmedian [--minutes 45] [--fixed Næstved] …
    python -m geo split --total 1000000 --key population|workplaces|employees|benefit|equal|mix:…
                        [--municipalities 0253,0259,…] [--lead 0370 --lead-share 0.2] [--site NAME]
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from geo import api
from geo.cli.common import add_data_arguments, load_inputs, say
from geo.errors import InputFileError
from geo.reach import indicators
from geo.report.csv import to_csv_bytes
from geo.settings import K17_CODES


def add_decide_parsers(sub: argparse._SubParsersAction) -> None:
    """Add `rank`, `suggest` and `split`."""
    rank = sub.add_parser("rank", help="rangér lokaliteter efter K17-kriterierne med robusthed")
    add_data_arguments(rank)
    rank.add_argument("--weights", help="vægte pr. kriterium, fx value=30,attract=20,knowledge=20,network=15,research=15 "
                      "(standard: lige vægte)")
    rank.add_argument("--draws", type=int, default=10_000, help="Monte Carlo-vægtkombinationer (standard 10.000)")
    rank.add_argument("--seed", type=int, default=0)

    sug = sub.add_parser("suggest", help="foreslå de bedste steder (MCLP eller p-median, HiGHS)")
    add_data_arguments(sug, sites_required=False)
    sug.add_argument("--k", type=int, required=True, help="antal steder i alt (faste kontorer medregnet)")
    sug.add_argument("--objective", choices=("mclp", "pmedian"), default="mclp")
    sug.add_argument("--minutes", type=float, default=45.0, help="dækningsgrænse T i minutter (MCLP)")
    sug.add_argument("--candidates", choices=("towns", "sites"), default="towns",
                     help="kandidater: byer i K17 (standard) eller lokaliteterne i --sites")
    sug.add_argument("--fixed", default="", help="eksisterende kontorer (kandidatnavne, kommasepareret)")
    sug.add_argument("--one-per-municipality", action="store_true", help="højst ét sted pr. kommune")

    spl = sub.add_parser("split", help="fordel et beløb mellem kommunerne (største rest)")
    add_data_arguments(spl, sites_required=False)
    spl.add_argument("--total", type=int, required=True, help="beløb i hele kroner")
    spl.add_argument("--key", default="population", help="population|workplaces|employees|benefit|equal|mix:population=50,…")
    spl.add_argument("--municipalities", default=",".join(K17_CODES), help="kommunekoder (standard: de 17 K17-kommuner)")
    spl.add_argument("--lead", help="lead-kommunens kode")
    spl.add_argument("--lead-share", type=float, default=0.0, help="lead-kommunens andel før fordeling (0-1)")
    spl.add_argument("--site", help="lokalitet (fra --sites) som 'benefit' måles fra")
    for sub_parser in (rank, sug, spl):
        sub_parser.add_argument("--international", action="store_true",
                                help="CSV med ',' og decimalpunktum og kolonnekoder (standard: dansk CSV)")


def _emit(table: pd.DataFrame, notes: list[str] | tuple[str, ...], provenance: list[str], args: argparse.Namespace) -> int:
    """The table as CSV on stdout (Danish unless --international), the notes on stderr."""
    sys.stdout.buffer.write(to_csv_bytes(table, provenance, danish=not args.international))
    say(notes)
    return 0


def run_rank(args: argparse.Namespace) -> int:
    """Indicators, weighted ranking with contributions, and the robustness sentence per site."""
    inputs = load_inputs(args)
    table, _ = indicators.compute(inputs.layers, inputs.sites, inputs.engine, inputs.codes)
    ranked = api.rank(table, args.weights, draws=args.draws, seed=args.seed)
    return _emit(ranked.table.round(3), [*inputs.notes, *ranked.notes],
                 [*inputs.provenance(), f"Robusthed: {ranked.method_da}"], args)


def run_suggest(args: argparse.Namespace) -> int:
    """Best k sites among K17 towns or the given sites, and how each given site compares."""
    inputs = load_inputs(args)
    if args.candidates == "sites" and inputs.sites is None:
        raise InputFileError("--candidates sites kræver --sites.", "--candidates sites needs --sites.")
    result = api.suggest(
        inputs.layers, args.k, objective=args.objective, minutes=args.minutes, codes=inputs.codes,
        method=inputs.engine, candidates=inputs.sites if args.candidates == "sites" else None,
        fixed=[f.strip() for f in args.fixed.split(",") if f.strip()],
        one_per_municipality=args.one_per_municipality, compare=inputs.sites)
    out = result.chosen[["name", "kommunekode"]].assign(
        objective=args.objective, covered_share=round(100 * result.result.covered_share, 1),
        mean_minutes=round(result.result.mean_minutes, 1), gap_pct=round(100 * result.result.gap, 3),
        proven_optimal=result.result.proven_optimal,
    )
    notes = [*inputs.notes, result.result.method_da, *result.result.notes, *(c["sentence"] for c in result.comparison),
             f"Beregning: {result.result.details}"]
    return _emit(out, notes, inputs.provenance(), args)


def run_split(args: argparse.Namespace) -> int:
    """Co-financing split in whole kroner, summing exactly to the total."""
    inputs = load_inputs(args)
    xy = None
    if args.site:
        if inputs.sites is None or args.site not in set(inputs.sites["name"]):
            raise InputFileError(f"Lokaliteten '{args.site}' findes ikke i --sites.", f"Unknown site {args.site}.")
        point = inputs.sites.set_index("name").geometry[args.site]
        xy = (point.x, point.y)
    result = api.split(inputs.layers, args.total, args.key, municipalities=args.municipalities.split(","),
                       lead=args.lead, lead_share=args.lead_share, benefit_from=xy, codes=inputs.codes,
                       method=inputs.engine)
    return _emit(result.table[["kommunekode", "kommune", "share", "amount_kr"]].round({"share": 6}),
                 [*inputs.notes, result.formula_da], [*inputs.provenance(), f"Fordeling: {result.formula_da}"], args)
