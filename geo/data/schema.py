"""Column contracts per layer and their validation at the edges."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.crs import to_crs
from geo.errors import InputFileError
from geo.settings import CRS_METRIC

LOCATION_QUALITIES = ("exact", "address", "postcode", "town", "synthetic")
LOCATION_QUALITY_DA = {
    "exact": "præcis",
    "address": "adresse",
    "postcode": "postnummerområde (omtrentlig placering)",
    "town": "by (omtrentlig placering)",
    "synthetic": "Demodata",
}
INSTITUTION_KINDS = (
    "university",
    "university_college",
    "business_academy",
    "vocational_school",
    "research_institute",
)


@dataclass(frozen=True)
class LayerSchema:
    """Required columns and geometry type of one layer."""

    name: str
    name_da: str
    columns: tuple[str, ...]
    geom_types: tuple[str, ...]


MUNICIPALITIES = LayerSchema(
    "municipalities", "kommuner", ("kommunekode", "navn", "population"), ("Polygon", "MultiPolygon")
)
WORKPLACES = LayerSchema(
    "workplaces",
    "arbejdssteder",
    ("cvr", "pnr", "name", "industry_code", "employees", "kommunekode", "location_quality"),
    ("Point",),
)
INSTITUTIONS = LayerSchema(
    "institutions",
    "institutioner",
    ("name", "kind", "kommunekode", "location_quality", "source"),
    ("Point",),
)
STATIONS = LayerSchema(
    "stations", "stationer", ("name", "kommunekode", "location_quality", "source"), ("Point",)
)
TOWNS = LayerSchema("towns", "byer", ("name", "population"), ("Point",))
SITES = LayerSchema("sites", "lokaliteter", ("name", "kommunekode", "kommune"), ("Point",))


def validate(gdf: gpd.GeoDataFrame, schema: LayerSchema) -> gpd.GeoDataFrame:
    """Check columns, CRS and geometry types; return the frame in EPSG:25832.

    Raises
    ------
    InputFileError
        With a Danish message naming the layer and what is missing.
    """
    missing = [c for c in schema.columns if c not in gdf.columns]
    if missing:
        raise InputFileError(
            f"Laget '{schema.name_da}' mangler kolonnerne: {', '.join(missing)}.",
            f"Layer '{schema.name}' lacks columns: {', '.join(missing)}.",
        )
    if gdf.crs is None:
        raise InputFileError(
            f"Laget '{schema.name_da}' har intet koordinatsystem.",
            f"Layer '{schema.name}' has no CRS.",
        )
    if len(gdf):
        types = set(gdf.geometry.dropna().geom_type.unique())
        wrong = types - set(schema.geom_types)
        if wrong:
            raise InputFileError(
                f"Laget '{schema.name_da}' har forkert geometritype: {', '.join(sorted(wrong))}.",
                f"Layer '{schema.name}' has wrong geometry type: {', '.join(sorted(wrong))}.",
            )
    if "kommunekode" in gdf.columns and len(gdf):
        bad = ~gdf["kommunekode"].fillna("").astype(str).str.fullmatch(r"\d{4}|")
        if bad.any():
            raise InputFileError(
                f"Laget '{schema.name_da}' har {int(bad.sum())} ugyldige kommunekoder (skal være 4 cifre).",
                f"Layer '{schema.name}' has {int(bad.sum())} invalid municipality codes.",
            )
    return to_crs(gdf, CRS_METRIC) if gdf.crs != CRS_METRIC else gdf
