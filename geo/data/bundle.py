"""The Layers object: every GeoDataFrame the analysis needs, in EPSG:25832, with provenance.

Everything downstream takes a Layers, never a file path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd

from geo.data import schema
from geo.data.provenance import Provenance

LAYER_SCHEMAS: dict[str, schema.LayerSchema] = {
    "municipalities": schema.MUNICIPALITIES,
    "workplaces": schema.WORKPLACES,
    "institutions": schema.INSTITUTIONS,
    "stations": schema.STATIONS,
    "towns": schema.TOWNS,
}


@dataclass(frozen=True)
class Layers:
    """Validated layers plus a provenance record for each and the load report."""

    municipalities: gpd.GeoDataFrame
    workplaces: gpd.GeoDataFrame
    institutions: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    provenance: dict[str, Provenance]
    #: Human-readable notes from loading (Danish) that concern no single layer.
    report: tuple[str, ...] = field(default=())
    #: Notes per layer (e.g. how many rows got each location quality); replaced with the layer.
    layer_notes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, layer_schema in LAYER_SCHEMAS.items():
            object.__setattr__(self, name, schema.validate(getattr(self, name), layer_schema))
        missing = set(LAYER_SCHEMAS) - set(self.provenance)
        if missing:
            raise ValueError(f"provenance missing for {sorted(missing)}")

    def with_layer(
        self, name: str, gdf: gpd.GeoDataFrame, provenance: Provenance, notes: tuple[str, ...] = ()
    ) -> Layers:
        """A copy with one layer replaced (validated), its provenance and its notes.

        The replaced layer's old notes go with it, so no note speaks of data no longer in use.
        """
        if name not in LAYER_SCHEMAS:
            raise ValueError(f"unknown layer {name!r}")
        return replace(
            self,
            **{name: gdf},
            provenance={**self.provenance, name: provenance},
            layer_notes={**self.layer_notes, name: tuple(notes)},
        )

    @property
    def data_label(self) -> str:
        """'Demodata', 'omtrentlig placering' or 'reelle data': what the workplaces layer is."""
        quality = self.provenance["workplaces"].quality
        return {"synthetic": "Demodata", "approximate": "omtrentlig placering"}.get(quality, "reelle data")
    def notes(self) -> tuple[str, ...]:
        """Every load note: the general ones, then each layer's, in layer order."""
        return self.report + tuple(n for name in LAYER_SCHEMAS for n in self.layer_notes.get(name, ()))

    def provenance_lines(self) -> list[str]:
        """One Danish line per layer in use, for attributions and export footers."""
        return [p.label() for p in self.provenance.values()]
