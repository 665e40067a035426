"""CLI subcommand `portfolio`: offices for several clusters at once, or the cluster demand overview.

    python -m geo portfolio --clusters byggeri,food,energy,digital [--offices N] [--fixed byggeri=Næstved]
        [--one-per-municipality] [--per-town M] [--floor] [--minutes 45] [--objective mclp|pmedian]
        [--candidates towns|sites] [--draws 10000] [--out FILE.csv|.xlsx] [--international]
    python -m geo portfolio --overview [--clusters …]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from geo.cli.common import add_data_arguments, load_inputs
from geo.data.clusters import Cluster, load_clusters, parse_codes
from geo.decide.portfolio import PortfolioOptions, compare_alone, solve_portfolio
from geo.decide.portfolio_data import ClusterSpec, build_problem, overview
from geo.decide.portfolio_fair import label, robustness
from geo.decide.suggest import site_candidates, town_candidates
from geo.errors import ClusterError, InputFileError
from geo.report.csv import to_csv_bytes
from geo.report.excel import to_xlsx_bytes

#: The first columns of the office table, in order (the issue's contract).
OFFICE_COLUMNS = ["cluster", "town", "kommunekode", "kommune", "employees_covered", "share_covered"]
#: Danish headers of the office table (the codes are the international headers).
HEADERS_DA = {"cluster": "klynge", "cluster_name": "klyngenavn", "town": "by", "kommunekode": "kommunekode",
              "kommune": "kommune", "employees_covered": "ansatte_daekket", "share_covered": "andel_daekket",
              "mean_minutes": "gns_minutter", "fixed": "fast", "robustness": "robusthed",
              "town_alone": "by_alene", "employees_alone": "ansatte_alene"}
OVERVIEW_DA = {"cluster": "klynge", "name": "navn", "organisation": "organisation", "codes": "branchekoder",
               "codes_verified": "koder_bekraeftet", "workplaces_k17": "arbejdssteder_k17",
               "employees_k17": "ansatte_k17", "employment_period": "beskaeftigelsesperiode",
               "share_of_denmark": "andel_af_danmark", "growth_5y": "nye_enheder_5_aar",
               "municipalities_present": "kommuner_med_tilstedevaerelse", "nearest_institutions": "naermeste_videninstitutioner",
               "office_in_region": "kontor_i_regionen"}


def add_portfolio_parser(sub: argparse._SubParsersAction) -> None:
    """Add `portfolio`."""
    p = sub.add_parser("portfolio", help="placér kontorer for flere klynger på én gang, eller vis klyngeoversigten")
    add_data_arguments(p, sites_required=False)
    p.add_argument("--clusters", help="klynge-id'er, kommasepareret (standard: alle nationale klynger); "
                   "egne kodelister som navn:41+42+71.1")
    p.add_argument("--overview", action="store_true", help="klyngeoversigt i stedet for placering")
    p.add_argument("--offices", type=int, help="antal kontorer i alt (standard: ét pr. klynge)")
    p.add_argument("--fixed", default="", help="eksisterende kontorer, fx byggeri=Næstved,energy=Kalundborg")
    p.add_argument("--one-per-municipality", action="store_true", help="højst ét kontor pr. kommune")
    p.add_argument("--per-town", type=int, help="højst M kontorer pr. by")
    p.add_argument("--floor", action="store_true", help="alle K17-kommuner inden for T minutter af et kontor")
    p.add_argument("--minutes", type=float, default=45.0, help="dækningsgrænse T i minutter")
    p.add_argument("--objective", choices=("mclp", "pmedian"), default="mclp")
    p.add_argument("--candidates", choices=("towns", "sites"), default="towns")
    p.add_argument("--draws", type=int, default=10_000, help="Monte Carlo-trækninger til robustheden (0: ingen)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="FIL.csv eller FIL.xlsx (uden: CSV på stdout)")
    p.add_argument("--international", action="store_true", help="CSV med ',' og engelske kolonnekoder")


def cluster_specs(text: str | None, known: dict[str, Cluster]) -> list[ClusterSpec]:
    """``"byggeri,food,mine:41+42"`` -> specs; without text all national clusters."""
    if not text:
        return [_spec(c) for c in known.values() if c.national]
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, codes = part.partition(":")
        if sep:
            out.append(ClusterSpec(name.strip(), name.strip(), tuple(parse_codes(codes.replace("+", " ")))))
        elif part in known:
            out.append(_spec(known[part]))
        else:
            raise ClusterError(f"Ukendt klynge '{part}'. Kendte: {', '.join(known)}.", f"Unknown cluster '{part}'.")
    return out


def _spec(c: Cluster) -> ClusterSpec:
    return ClusterSpec(c.id, c.name_da, c.codes, c.organisation, c.verified)


def cluster_sources(known: dict[str, Cluster], specs: list[ClusterSpec]) -> list[str]:
    """One citation line per cluster: organisation, website, and whether its codes are confirmed."""
    out = []
    for s in specs:
        c = known.get(s.id)
        if c is None:
            out.append(f"Klynge {s.id}: brugerens egne branchekoder ({', '.join(s.codes)})")
            continue
        mark = "koder bekræftet" if c.verified else "koder ikke bekræftet af klyngen"
        out.append(f"Klynge {c.id}: {c.organisation} ({c.website or 'ingen hjemmeside angivet'}); {mark}")
    return out


def parse_fixed(text: str) -> tuple[tuple[str, str], ...]:
    """``"byggeri=Næstved,energy=Kalundborg"`` -> pairs; Danish error on a part without '='."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        cid, sep, town = part.partition("=")
        if not sep or not cid.strip() or not town.strip():
            raise InputFileError(f"--fixed skal skrives klynge=by, fx byggeri=Næstved (fik '{part}').",
                                 f"--fixed must be cluster=town, got '{part}'.")
        out.append((cid.strip(), town.strip()))
    return tuple(out)


def _write(table: pd.DataFrame, headers: dict[str, str], provenance: list[str], args: argparse.Namespace) -> None:
    if args.out is not None and args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(to_xlsx_bytes(table.rename(columns=headers), provenance))
        return
    out = table if args.international else table.rename(columns=headers)
    data = to_csv_bytes(out, provenance, danish=not args.international)
    if args.out is None:
        sys.stdout.buffer.write(data)
    else:
        args.out.write_bytes(data)


def run_portfolio(args: argparse.Namespace) -> int:
    """The portfolio (one row per office) or the overview (one row per cluster), CSV or Excel."""
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise InputFileError("--out skal ende på .csv eller .xlsx.", "--out must end in .csv or .xlsx.")
    if not 0 <= args.draws <= 100_000:
        raise InputFileError("--draws skal være mellem 0 og 100.000.", "--draws must be 0..100000.")
    known = load_clusters()
    specs = cluster_specs(args.clusters, known)
    inputs = load_inputs(args)
    offices = {c.id: c.office_in_region for c in known.values() if c.office_in_region}
    offices.update(dict(parse_fixed(args.fixed)))
    if args.overview:
        table = overview(inputs.layers, inputs.engine, specs, offices)
        _write(table, OVERVIEW_DA, [*inputs.provenance(), *cluster_sources(known, specs)], args)
        return 0
    if args.candidates == "sites":
        if inputs.sites is None:
            raise InputFileError("--candidates sites kræver --sites.", "--candidates sites needs --sites.")
        candidates = site_candidates(inputs.sites)
    else:
        candidates = town_candidates(inputs.layers)
    problem = build_problem(inputs.layers, inputs.engine, specs, candidates)
    opt = PortfolioOptions(args.offices, args.objective, args.minutes, parse_fixed(args.fixed),
                           args.one_per_municipality, args.per_town, args.floor)
    placed = solve_portfolio(problem, opt)
    alone, cost = compare_alone(problem, opt, placed)
    table = placed.offices[[*OFFICE_COLUMNS, "cluster_name", "mean_minutes", "fixed"]].copy()
    notes = [placed.method_da, *placed.notes, cost]
    if args.draws:
        rob = robustness(problem, opt, placed, draws=args.draws, seed=args.seed)
        table["robustness"] = [rob.sentences[label(r)] for _, r in placed.offices.iterrows()]
        notes.append(rob.method_da)
    per = alone.set_index("cluster")
    table["town_alone"] = table["cluster"].map(per["town_alone"])
    table["employees_alone"] = table["cluster"].map(per["employees_alone"])
    for note in notes:
        sys.stderr.write(f"klyngested: {note}\n")
    _write(table.round({"share_covered": 4, "mean_minutes": 1}), HEADERS_DA,
           [*inputs.provenance(), *cluster_sources(known, specs), *notes], args)
    return 0
