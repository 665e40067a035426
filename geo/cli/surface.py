"""CLI subcommand `surface`: the suitability surface over K17 as CSV or GeoPackage.

    python -m geo surface --cluster byggeri [--method network] [--weights value=30,…]
                          --out cells.gpkg|cells.csv [--international] [--resolution 7]
                          [--top 5] [--one-per-municipality] [--workers N]

The cell indicators are cached on disk ($KLYNGESTED_SURFACE_CACHE, default
~/.cache/klyngested/surface) per data state, cluster, method and resolution, so a second
run with other weights only rescores.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from geo.cli.common import add_data_arguments, load_inputs
from geo.decide import suitability
from geo.decide.weights import equal_weights, parse_weights
from geo.errors import InputFileError
from geo.reach import indicators
from geo.reach.surface import RESOLUTION, cached_cells
from geo.report.csv import to_csv_bytes
from geo.report.gpkg import surface_to_gpkg


def add_surface_parser(sub: argparse._SubParsersAction) -> None:
    """Add `surface`."""
    p = sub.add_parser("surface", help="kort over egnethed: alle K17-celler med indikatorer og vægtet score")
    add_data_arguments(p, sites_required=False)
    p.add_argument("--weights", help="vægte pr. kriterium, fx value=30,attract=20,… (standard: lige vægte)")
    p.add_argument("--out", type=Path, required=True, help="celler.csv eller celler.gpkg")
    p.add_argument("--international", action="store_true", help="CSV med ',' og decimalpunktum")
    p.add_argument("--resolution", type=int, default=RESOLUTION, help=f"H3-opløsning (standard {RESOLUTION} ≈ 5 km² pr. celle)")
    p.add_argument("--top", type=int, default=5, help="antal bedste områder (lokale maksima) at nævne")
    p.add_argument("--one-per-municipality", action="store_true", help="højst ét af de bedste områder pr. kommune")
    p.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                   help="processer til cellernes rejsetider (standard: antal kerner, højst 4)")


def run_surface(args: argparse.Namespace) -> int:
    """Compute (or read from the cache) the cells, score them and write the file."""
    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".gpkg"):
        raise InputFileError("--out skal ende på .csv eller .gpkg.", "--out must end in .csv or .gpkg.")
    if args.top < 0 or args.workers < 1:
        raise InputFileError("--top skal være mindst 0 og --workers mindst 1.", "--top must be >= 0 and --workers >= 1.")
    weights = parse_weights(args.weights) if args.weights else equal_weights()
    inputs = load_inputs(args)
    ctx = indicators.prepare(inputs.layers, inputs.engine, inputs.codes)
    cells, from_cache = cached_cells(ctx, inputs.layers.municipalities, args.resolution, workers=args.workers)
    surface = suitability.criterion_surfaces(cells)
    total = suitability.totals(surface, weights)
    top = suitability.top_areas(surface, total, inputs.layers.towns, args.top, args.one_per_municipality)
    table = suitability.cell_table(surface, weights, top)
    weights_line = "Vægte: " + ", ".join(f"{k}={v:g} %" for k, v in weights.items())
    provenance = [*inputs.provenance(), suitability.MEANING_DA, weights_line, *surface.notes]
    if suffix == ".gpkg":
        args.out.write_bytes(surface_to_gpkg(table, top, provenance))
    else:
        columns = [c for c in table.columns if c != "geometry"]
        args.out.write_bytes(to_csv_bytes(table[columns], provenance, danish=not args.international))
    sys.stderr.write(f"klyngested: {len(table)} celler{' (fra cache)' if from_cache else ''}; bedste områder:\n")
    for line in suitability.describe_top(top):
        sys.stderr.write(f"  {line}\n")
    for note in inputs.notes:
        sys.stderr.write(f"klyngested: {note}\n")
    return 0
