"""Every benchmark at one scale, printed as one table: ``python -m benchmarks all --scale k17``.

Scales: ``small`` (seconds; the test suite's smoke run), ``k17`` (Region Sjælland: the
embedded 43,548 workplaces, a 250,000-node graph) and ``national`` (800,000 workplaces, a
1,000,000-node graph). Each row keeps the command that reproduces it on its own.

Each benchmark runs in its own spawned process (`benchmarks.in_fresh_process`), so the peak
resident memory reported for it is its own, not the largest of the benchmarks before it.
"""

from __future__ import annotations

import argparse

from benchmarks import (
    export,
    goals,
    in_fresh_process,
    indicators,
    interaction,
    network,
    optimize,
    payload,
    row,
    run_benchmark,
    scale,
    surface,
)

PRESETS: dict[str, dict[str, dict[str, object]]] = {
    "small": {
        "network": {"nodes": 5_000, "workplaces": 5_000, "sites": 3, "peer_nodes": 2_000, "peer_sites": 1},
        "optimize": {"candidates": 30, "demand": 300, "k": 3, "spopt_sizes": "10x60", "spopt_cap": 30.0, "time_limit": 10.0},
        "payload": {"workplaces": 3_000, "naive": 300},
        "indicators": {"workplaces": 0, "sites": 3},
        "interaction": {"sites": 2, "repeat": 1, "method": "network"},
        "scale": {"nodes": 5_000, "workplaces": 5_000, "sites": 3},
        "export": {"sites": 2, "method": "estimate", "repeat": 1},
        "goals": {"draws": 1_000, "pdf_sites": 2, "over_limit_rows": 500_001, "cvr_rows": 1_000},
        "surface": {"nodes": 5_000, "resolution": 5, "workers": 1},
    },
    "k17": {
        "network": {"nodes": 250_000, "workplaces": 43_548, "sites": 20, "peer_nodes": 100_000, "peer_sites": 3},
        "optimize": {},
        "payload": {"workplaces": 43_548, "naive": 10_000},
        "indicators": {"workplaces": 0, "sites": 20},
        "interaction": {"sites": 10, "repeat": 5, "method": "network"},
        "scale": {"nodes": 250_000, "workplaces": 43_548, "sites": 20},
        "export": {"sites": 20, "method": "network"},
        "goals": {},
        "surface": {"nodes": 250_000},
    },
    "national": {
        "network": {"nodes": 1_000_000, "workplaces": 800_000, "sites": 20, "peer_nodes": 100_000, "peer_sites": 3},
        "optimize": {},
        "payload": {"workplaces": 800_000, "naive": 10_000},
        "indicators": {"workplaces": 800_000, "sites": 20},
        "interaction": {"sites": 20, "repeat": 5, "method": "network"},
        "scale": {"nodes": 1_000_000, "workplaces": 800_000, "sites": 20},
        "export": {"sites": 20, "method": "network"},
        "goals": {},
        "surface": {"nodes": 1_000_000, "resolution": 8, "cells": 200},
    },
}
MODULES = {"network": network, "optimize": optimize, "payload": payload, "indicators": indicators,
           "interaction": interaction, "scale": scale, "export": export, "surface": surface,
           "goals": goals}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=tuple(PRESETS), default="small")
    parser.add_argument("--only", default="", help="comma list of benchmarks to run (default: all)")


def run(args: argparse.Namespace) -> list[dict]:
    wanted = [n for n in args.only.split(",") if n] or list(MODULES)
    rows: list[dict] = []
    for name in wanted:
        module = MODULES[name]
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        sub_args = parser.parse_args([])
        for key, value in PRESETS[args.scale][name].items():
            setattr(sub_args, key, value)
        got, peak_mb = in_fresh_process(run_benchmark, name, sub_args)
        if got and not any(r["figure"].startswith("peak resident memory") for r in got):  # scale reports its own
            got.append(row("peak resident memory of this benchmark (its own process)", peak_mb, "MB",
                           got[0]["command"]))
        rows += [{**r, "figure": f"[{name}] {r['figure']}"} for r in got]
    return rows
