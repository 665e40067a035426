"""Indicators on hand-made layers: every expected number is worked out in the comments."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely import Point

from geo.data.sites import Site, sites_frame
from geo.data.sources.embedded import load_default
from geo.reach import indicators
from geo.reach.catchment import StraightLineEstimate
from geo.reach.engines import select_engine
from geo.settings import CRS_DISPLAY, CRS_METRIC
from tests.helpers import X0, Y0, tiny_layers


def site_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Midt"], "lat": [55.3], "lon": [11.8], "kommunekode": ["0370"], "kommune": ["Næstved"]},
        geometry=[Point(X0, Y0)],
        crs=CRS_METRIC,
    )


def test_estimate_minutes_from_distance() -> None:
    # 26 km straight line × 1.3 detour = 33.8 km road at 60 km/h = 33.8 min
    engine = StraightLineEstimate(detour=1.3, speed_kmh=60)
    assert engine.minutes((0, 0), [[26_000, 0]])[0] == pytest.approx(33.8)
    # radius reached in 30 min: 30 km road / 1.3 = 23.077 km straight line
    assert engine.radius_m(30) == pytest.approx(23_076.9, abs=0.1)


def test_counts_within_thresholds_by_hand() -> None:
    # Radii at 60 km/h, detour 1.3: 15 min 11.5 km, 30 min 23.1 km, 45 min 34.6 km, 60 min 46.2 km.
    # Workplaces at 5, 20, 25, 40, 100 km east: 15->1, 30->2, 45->3, 60->4.
    table, breakdown = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate())
    row = table.iloc[0]
    assert [row[f"workplaces_{t}"] for t in (15, 30, 45, 60)] == [1, 2, 3, 4]
    # employees: 10 (+ unknown) -> 10 at 30 min; +7 at 45; +3 at 60
    assert [row[f"employees_{t}"] for t in (15, 30, 45, 60)] == [10, 10, 17, 20]
    # K17 share within 45 min: 3 of 5 workplaces (both codes are K17)
    assert row["share_k17_45"] == pytest.approx(60.0)
    assert row["nearest_institution_km"] == pytest.approx(3.0)
    assert row["nearest_university_km"] == pytest.approx(3.0)
    assert row["nearest_vocational_school_km"] == pytest.approx(40.0)
    assert math.isnan(row["nearest_business_academy_km"])
    # stations: (-4 km, +3 km) -> 5 km; 5 × 1.3 = 6.5 min
    assert row["nearest_station_km"] == pytest.approx(5.0)
    assert row["nearest_station_min"] == pytest.approx(6.5)
    # institutions within 30 min (23.1 km): only the university
    assert row["institutions_30"] == 1
    assert row["method"] == "estimate" and row["data"] == "Demodata"
    # all three workplaces reached in 45 min lie in 0370
    assert breakdown[["kommunekode", "workplaces", "employees"]].values.tolist() == [["0370", 3, 17.0]]


def test_cluster_filter_counts_only_matching_codes() -> None:
    # construction prefixes 41 and 43 exclude the 620100 workplace at 25 km
    table, _ = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate(), codes=("41", "43"))
    assert table.iloc[0]["workplaces_45"] == 2
    assert table.iloc[0]["workplaces_60"] == 3


def test_population_of_reached_municipalities() -> None:
    # representative point of Næstved's square is near the site; Faxe's square lies 30-200 km east,
    # its representative point ~115 km away -> only Næstved's population counts
    table, _ = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate())
    assert table.iloc[0]["population_45"] == 84574
    assert table.iloc[0]["municipalities_45"] == 1


def test_every_indicator_names_a_criterion_of_the_paper() -> None:
    from geo.reach.criteria import CRITERIA

    specs = indicators.indicator_specs()
    assert {s.criterion for s in specs} == set(CRITERIA)
    table, _ = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate())
    assert {s.column for s in specs} <= set(table.columns)


def test_fairness_per_municipality_by_hand() -> None:
    from geo.decide.fairness import fairness_table, finance_keys

    ctx = indicators.prepare(tiny_layers(), StraightLineEstimate())
    fair = fairness_table(ctx, (X0, Y0), codes=("0370", "0320")).set_index("kommunekode")
    # Næstved (0370) holds the workplaces at 5, 20, 25 km: all within 45 min (34.6 km),
    # two of three within 30 min (23.1 km); employees 10 + ? + 7 -> 10 of 17 within 30 min
    assert fair.loc["0370", "share_workplaces_30"] == pytest.approx(66.7)
    assert fair.loc["0370", "share_workplaces_45"] == 100.0
    assert fair.loc["0370", "share_employees_30"] == pytest.approx(100 * 10 / 17, abs=0.05)
    # Faxe (0320) holds 40 and 100 km: none within 45 min -> left out; 40 km is within 60 min
    assert fair.loc["0320", "share_workplaces_45"] == 0.0 and bool(fair.loc["0320", "left_out"])
    assert fair.loc["0320", "share_workplaces_60"] == 50.0
    # median of 5, 20, 25 km at 1.3 min/km = 20 km × 1.3 = 26 min
    assert fair.loc["0370", "median_minutes"] == pytest.approx(26.0)
    # "nået" is the indicator's definition (a point in the middle within 45 min): Næstved yes, Faxe (~115 km) no,
    # so the Kommunerne tab counts the same 1 as municipalities_45 on the Indikatorer tab
    assert fair["reached"].tolist() == [True, False]
    table, _ = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate())
    assert int(fair["reached"].sum()) == table.iloc[0]["municipalities_45"] == 1
    keys = finance_keys(ctx, (X0, Y0), codes=("0370", "0320")).set_index("kommunekode")
    assert keys.loc["0370", "benefit"] == 3 and keys.loc["0320", "benefit"] == 0
    assert keys.loc["0320", "population"] == 37344 and keys.loc["0320", "workplaces"] == 2


# ---- one spec per indicator: labels from the catalogue, decimals in one place ----------------

ROW = {"site": "Midt", "workplaces_15": 10, "workplaces_45": 1234, "employees_45": 99.5, "share_k17_45": 12.345,
       "population_45": 98765, "municipalities_45": 4, "nearest_station_km": 3.456, "nearest_station_min": 7.0}


def test_evidence_line_is_the_headline_indicators_with_units() -> None:
    # workplaces only at the 45-minute threshold, employees left out; counts carry no unit
    assert indicators.evidence(ROW, "value") == [
        "Klyngearbejdssteder inden for 45 min: 1.234", "Andel af K17's klyngearbejdssteder inden for 45 min: 12,3\u00a0%"]
    assert indicators.evidence(ROW, "attract", lang="en") == [
        "Population of municipalities reached within 45 min: 98,765", "K17 municipalities reached within 45 min: 4"]
    assert indicators.evidence(ROW, "network") == [
        "Afstand til nærmeste togstation: 3,5\u00a0km", "Køretid til nærmeste togstation: 7,0\u00a0min"]
    assert indicators.evidence(ROW, "research") == []  # no research column in this row


def test_display_table_formats_with_each_specs_decimals() -> None:
    table, _ = indicators.compute(tiny_layers(), site_frame(), StraightLineEstimate())
    table = table.assign(share_k17_45=12.345, workplaces_45=1234, nearest_station_km=3.456)
    shown = indicators.display_table(table, "da")
    assert shown.loc["Andel af K17's klyngearbejdssteder inden for 45 min (%)", "1. Midt"] == "12,3"
    assert shown.loc["Klyngearbejdssteder inden for 45 min (antal)", "1. Midt"] == "1.234"
    assert shown.loc["Afstand til nærmeste togstation (km)", "Kriterium"] == "Netværksfacilitering"
    english = indicators.display_table(table, "en")
    assert english.loc["Distance to nearest rail station (km)", "1. Midt"] == "3.5"
    assert english.loc["Cluster workplaces within 45 min (count)", "Criterion"] == "Value for local companies"


def test_spec_for_any_threshold_and_its_decimals() -> None:
    spec = indicators.spec_for("workplaces_20")
    assert (spec.label("en"), spec.decimals, spec.criterion) == ("Cluster workplaces within 20 min", 0, "value")
    assert indicators.spec_for("nearest_university_km").format(2.25, "da", unit=True) == "2,2\u00a0km"  # the unit never wraps away
    assert {s.decimals for s in indicators.indicator_specs() if s.unit in ("km", "pct", "min")} == {1}


def test_distances_to_points_placed_at_their_town_are_never_precise() -> None:
    """Næstved and Roskilde (town coordinates) in the default: no '0,0 km' to a station or university."""
    layers = load_default()
    towns = layers.towns.to_crs(CRS_DISPLAY).set_index("name")
    sites = sites_frame([Site(n, towns.loc[n].geometry.y, towns.loc[n].geometry.x) for n in ("Næstved", "Roskilde")],
                        layers.municipalities)
    table, _ = indicators.compute(layers, sites, select_engine("estimate")[0])
    shown = indicators.display_table(table)
    station = shown.loc["Afstand til nærmeste togstation (km)"]
    university = shown.loc["Afstand til nærmeste universitet (km)"]
    assert list(station.iloc[1:]) == ["i byen", "i byen"]
    assert university.iloc[2] == "i byen"  # RUC, placed at Roskilde
    assert university.iloc[1] == "≈ 32"  # Næstved -> nearest university, 32.2 km, whole km
    km_rows = [label for label in shown.index if label.endswith("(km)")]
    assert not any(v == "0,0" for label in km_rows for v in shown.loc[label].iloc[1:])
    # the drive to the same points: 'i byen' with the distance, else whole minutes
    assert list(shown.loc["Køretid til nærmeste togstation (min)"].iloc[1:]) == ["i byen", "i byen"]
    drive = shown.loc["Køretid til nærmeste universitet (min)"]
    minutes = table["nearest_university_min"].iloc[0]
    assert drive.iloc[2] == "i byen" and drive.iloc[1] == f"≈ {round(minutes)}" and minutes > 30
    row = table.iloc[0]
    spec = indicators.spec_for("nearest_station_km")
    assert indicators.format_indicator(row, spec) == "i byen"
    assert indicators.format_indicator({**row.to_dict(), "approximate_km": ""}, spec) == "0,0\u00a0km"
