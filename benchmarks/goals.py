"""Speed goals the test suite used to check by the clock, measured here instead.

The tests keep what is correct (the PDF has its pages, a 1M-row file is refused naming the
limit, the draws are seeded); how fast it happens is a figure with its goal beside it:

- embedded default layers load (file cache warm): goal < 1.5 s;
- Monte-Carlo robustness, 10,000 weight draws over 20 sites: goal < 2 s;
- the PDF board pack of 4 ranked sites (fonts warm): goal < 5 s;
- a CVR CSV over the row limit is refused: goal < 20 s; one of 50,000 rows is read: goal < 20 s.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from benchmarks import row
from benchmarks.export import BYGGERI, _sites
from geo.data.addresses import Placer
from geo.data.sources.cvr_export import MAX_ROWS, read_cvr_export
from geo.data.sources.embedded import load_default
from geo.decide.robustness import monte_carlo
from geo.decide.weights import CRITERION_IDS, equal_weights
from geo.errors import InputFileError
from geo.reach.engines import select_engine
from geo.report.bundle import build_report_data
from geo.report.formats import render
from geo.settings import CRS_METRIC

CVR_HEADER = "CVR-nummer/REG-nummer;Navn;Adresse;Postnr.;By;Årsværk;Hovedbranche\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", type=int, default=10_000, help="Monte-Carlo weight draws")
    parser.add_argument("--pdf-sites", type=int, default=4)
    parser.add_argument("--over-limit-rows", type=int, default=1_000_000,
                        help=f"rows of the CVR CSV that must be refused (limit {MAX_ROWS:,})")
    parser.add_argument("--cvr-rows", type=int, default=50_000, help="rows of the CVR CSV that is read")


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _cvr_csv(n: int) -> bytes:
    body = "".join(f"{10_000_000 + i};Firma {i};Vej 1;4700;Næstved;{i % 9};410000\n" for i in range(n))
    return (CVR_HEADER + body).encode()


def _placer() -> Placer:
    areas = gpd.GeoDataFrame({"postnr": ["4700"], "navn": ["Næstved"]},
                             geometry=[box(680_000, 6_120_000, 690_000, 6_130_000)], crs=CRS_METRIC)
    towns = gpd.GeoDataFrame({"name": ["Roskilde"], "population": [51_000]},
                             geometry=[Point(692_000, 6_170_000)], crs=CRS_METRIC)
    return Placer(areas, towns)


def _refuse(data: bytes, placer: Placer) -> None:
    try:
        read_cvr_export(data, placer)
    except InputFileError:
        return
    raise AssertionError("the CVR file over the row limit was not refused")


def run(args: argparse.Namespace) -> list[dict]:
    cmd = (f"python -m benchmarks goals --draws {args.draws} --pdf-sites {args.pdf_sites} "
           f"--over-limit-rows {args.over_limit_rows} --cvr-rows {args.cvr_rows}")
    layers = load_default()  # warms the file cache
    rows = [row("load the embedded default layers (warm)", _seconds(load_default), "s", cmd, goal="< 1.5 s")]
    rng = np.random.default_rng(3)
    scores = pd.DataFrame(rng.uniform(0, 1, (20, len(CRITERION_IDS))), columns=list(CRITERION_IDS),
                          index=pd.Index([f"Site {i:02d}" for i in range(20)], name="site"))
    rows.append(row(f"robustness: {args.draws:,} weight draws, 20 sites",
                    _seconds(lambda: monte_carlo(scores, equal_weights(), n=args.draws, seed=42)), "s", cmd,
                    goal="< 2 s"))
    engine, _ = select_engine("estimate")
    data = build_report_data(layers, _sites(layers, args.pdf_sites), engine, codes=BYGGERI,
                             weights=equal_weights(), robustness_draws=500, scenario_name="Benchmark")
    render(data, "pdf")  # warm fonts and imports
    rows.append(row(f"PDF board pack, {args.pdf_sites} ranked sites", _seconds(lambda: render(data, "pdf")), "s",
                    cmd, goal="< 5 s"))
    placer = _placer()
    over = _cvr_csv(args.over_limit_rows)
    rows.append(row(f"CVR CSV of {args.over_limit_rows:,} rows refused", _seconds(lambda: _refuse(over, placer)),
                    "s", cmd, goal="< 20 s"))
    ok = _cvr_csv(args.cvr_rows)
    rows.append(row(f"CVR CSV of {args.cvr_rows:,} rows read and placed",
                    _seconds(lambda: read_cvr_export(ok, placer)), "s", cmd, goal="< 20 s"))
    return rows
