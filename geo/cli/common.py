"""Arguments and loading shared by the CLI subcommands that compute on sites."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo import api
from geo.data.bundle import Layers
from geo.data.clusters import cluster_codes
from geo.data.sites import read_sites_csv, sites_frame
from geo.errors import InputFileError
from geo.reach.catchment import CatchmentEngine
from geo.reach.engines import select_engine


def add_data_arguments(p: argparse.ArgumentParser, sites_required: bool = True) -> None:
    """--sites, data files or snapshot, cluster or codes, method and roads."""
    p.add_argument("--sites", required=sites_required, type=Path, help="CSV med kolonnerne navn,lat,lon (',' eller ';')")
    p.add_argument("--boundaries", type=Path, help="kommunegrænser (DAGI GeoJSON/GeoPackage)")
    p.add_argument("--companies", type=Path, help="CVR-udtræk (.xlsx/.csv)")
    p.add_argument("--postcodes", type=Path, help="postnummerområder (GeoJSON) til placering af adresser")
    p.add_argument("--data", help="snapshot fra 'refresh': mappe, id eller snapshotrod (uden: standarddata)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--cluster", help="klynge-id fra data/clusters.json (uden: alle brancher)")
    group.add_argument("--codes", help="egne branchekoder, fx '41,42,71.1'")
    p.add_argument("--method", choices=("estimate", "network"), default="estimate",
                   help="rejsetid: estimate (luftlinje × omvejsfaktor) eller network (vejnet)")
    p.add_argument("--roads", type=Path, help="vejnet (.npz) bygget med 'refresh --only roads'; uden: "
                   "$KLYNGESTED_ROADS, data/roads.npz eller det syntetiske demonet")


@dataclass(frozen=True)
class Inputs:
    """Everything a computing subcommand needs, loaded and validated."""

    layers: Layers
    sites: gpd.GeoDataFrame | None
    engine: CatchmentEngine
    codes: tuple[str, ...] | None
    notes: tuple[str, ...]

    def provenance(self) -> list[str]:
        """Provenance lines plus the travel-time method, for export stamps."""
        return [*self.layers.provenance_lines(), f"Rejsetidsmetode: {self.engine.describe()}"]


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Check files exist, read the sites, load layers and choose the engine."""
    codes = cluster_codes(args.cluster, args.codes)
    for path in (args.sites, args.boundaries, args.companies, args.postcodes, args.roads):
        if path is not None:
            require_file(path)
    site_list, site_notes = read_sites_csv(args.sites.read_bytes()) if args.sites else ([], [])
    layers = api.load(args.data, boundaries=args.boundaries, companies=args.companies, postcodes=args.postcodes)
    engine, engine_notes = select_engine(args.method, args.roads)
    sites = sites_frame(site_list, layers.municipalities) if site_list else None
    return Inputs(layers, sites, engine, codes, (*layers.notes(), *site_notes, *engine_notes))


def require_file(path: Path) -> None:
    """Raise a Danish `InputFileError` unless `path` is an existing file (not a folder)."""
    if path.is_dir():
        raise InputFileError(f"{path} er en mappe; angiv en fil.", f"{path} is a folder, not a file.")
    if not path.is_file():
        raise InputFileError(f"Filen findes ikke: {path}", f"No such file: {path}")


def say(notes: Iterable[str]) -> None:
    """Each Danish note as one line on stderr, prefixed like every CLI message."""
    for note in notes:
        sys.stderr.write(f"klyngested: {note}\n")
