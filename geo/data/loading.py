"""Compose a Layers from the embedded default and the user's real files.

Files replace the matching default layer; what no file provides stays default (and says so
in its provenance). Workplaces get their municipality by point-in-polygon against whichever
boundaries are in use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from geo.data.addresses import Placer, read_postcode_areas
from geo.data.bundle import Layers
from geo.data.snapshot import load_snapshot
from geo.data.sources.cvr_export import read_cvr_export
from geo.data.sources.dagi_file import read_boundaries
from geo.data.sources.embedded import load_default, municipality_table
from geo.data.sources.geofile import PathOrBuffer
from geo.data.spatial import assign_municipality
from geo.settings import ENV_DATA_DIR


@dataclass(frozen=True)
class UserFiles:
    """Paths or in-memory buffers of the user's real files; any may be None."""

    boundaries: PathOrBuffer | None = None
    companies: PathOrBuffer | None = None
    postcodes: PathOrBuffer | None = None


def load_layers(files: UserFiles | None = None, snapshot: str | Path | None = None) -> Layers:
    """The embedded default (or a snapshot folder/id) with each given file replacing its layer.

    `snapshot` names a snapshot folder, an id, or a snapshot root (its current snapshot); see
    `geo.data.snapshot.load_snapshot`.
    """
    if snapshot is not None:

        layers = load_snapshot(snapshot)
    else:
        layers = load_default()
    if files is None:
        return layers
    if files.boundaries is not None:
        munis, prov = read_boundaries(files.boundaries, population=population_table())
        layers = layers.with_layer("municipalities", munis, prov)
        wp = layers.workplaces.copy()
        wp["kommunekode"] = assign_municipality(wp, munis).fillna("").to_numpy()
        layers = layers.with_layer("workplaces", wp, layers.provenance["workplaces"])
    if files.companies is not None:
        postcodes = read_postcode_areas(files.postcodes) if files.postcodes is not None else None
        wp, prov, notes = read_cvr_export(files.companies, Placer(postcodes, layers.towns))
        wp["kommunekode"] = assign_municipality(wp, layers.municipalities).fillna("").to_numpy()
        layers = layers.with_layer("workplaces", wp, prov, notes)
    return layers


def population_table() -> dict[str, int]:
    """Population per kommunekode from the embedded cited table (K17 only)."""
    table = municipality_table()
    return dict(zip(table["kommunekode"], table["population"].astype(int), strict=True))


def find_folder_files(folder: Path) -> UserFiles:
    """Recognise files in a folder by name: kommuner*, postnumre*, and a CVR export (.xlsx/.csv)."""
    def first(patterns: tuple[str, ...]) -> Path | None:
        for pattern in patterns:
            hits = sorted(folder.rglob(pattern))
            if hits:
                return hits[0]
        return None

    return UserFiles(
        boundaries=first(("kommuner*.geojson", "kommuner*.gpkg", "kommune*.geojson", "*kommuneinddeling*")),
        companies=first(("*cvr*.xlsx", "*cvr*.csv", "datacvr*.xlsx", "*virksomhed*.xlsx")),
        postcodes=first(("postnumre*.geojson", "postnumre*.gpkg")),
    )


def folder_from_env() -> Path | None:
    """The folder named by KLYNGESTED_DATA_DIR, if set and present."""
    value = os.environ.get(ENV_DATA_DIR, "").strip()
    return Path(value) if value and Path(value).is_dir() else None
