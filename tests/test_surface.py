"""Suitability surface: H3 grid, cell indicators (one code path with sites), scores, top areas."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from shapely import Point

from geo.data.loading import load_layers
from geo.data.roads import load_default_roads
from geo.data.sites import Site, sites_frame
from geo.decide import suitability
from geo.reach import indicators, surface
from geo.reach.catchment import StraightLineEstimate
from geo.reach.network import NetworkEngine
from geo.settings import CRS_DISPLAY, CRS_METRIC
from tests.helpers import X0, Y0, tiny_layers

INDICATORS = [s.column for s in indicators.indicator_specs()]
VALUE_ONLY = {"value": 100, "attract": 0, "knowledge": 0, "network": 0, "research": 0}


def two_clusters():
    """tiny_layers with 100 employees at P (in 0370) and 30 at Q, 110 km east (in 0320)."""
    base = tiny_layers()
    xy = [(X0, Y0)] * 4 + [(X0 + 110_000, Y0)] * 3
    wp = gpd.GeoDataFrame(
        {"cvr": [str(i) for i in range(7)], "pnr": [None] * 7, "name": ["w"] * 7, "industry_code": ["410000"] * 7,
         "employees": [25.0] * 4 + [10.0] * 3, "kommunekode": ["0370"] * 4 + ["0320"] * 3,
         "location_quality": ["synthetic"] * 7},
        geometry=[Point(p) for p in xy], crs=CRS_METRIC)
    return base.with_layer("workplaces", wp, base.provenance["workplaces"])


def lonlat_of(x: float, y: float) -> tuple[float, float]:
    p = gpd.GeoSeries([Point(x, y)], crs=CRS_METRIC).to_crs(CRS_DISPLAY).iloc[0]
    return p.x, p.y


def test_grid_covers_the_municipalities_with_sized_cells() -> None:
    layers = tiny_layers()  # 60 × 60 km (0370) + 170 × 60 km (0320) = 13,800 km²
    grid = surface.hex_grid(layers.municipalities, 6)
    # H3 level-6 cells are ~30 km² at this latitude (36 km² is the global mean):
    # 13,800 km² / 30 km² ≈ 460 cells, one per cell centre inside a square
    mean_km2 = np.mean([h3.cell_area(c, "km^2") for c in grid["cell"]])
    assert 29 < mean_km2 < 31
    assert abs(len(grid) - 13_800 / mean_km2) < 15
    assert set(grid["kommunekode"]) == {"0370", "0320"}
    assert grid["cell"].is_unique and (grid["cell"].map(h3.get_resolution) == 6).all()
    # centres rounded like a site's coordinates, and x/y are exactly their projection
    assert (grid["lat"] == grid["lat"].round(5)).all()
    again = sites_frame([Site("c", grid["lat"].iloc[0], grid["lon"].iloc[0])], layers.municipalities)
    assert (again.geometry.x.iloc[0], again.geometry.y.iloc[0]) == (grid["x"].iloc[0], grid["y"].iloc[0])
    with pytest.raises(surface.SurfaceError, match="Opløsningen"):
        surface.hex_grid(layers.municipalities, 16)


def test_best_area_is_where_the_cluster_is() -> None:
    layers = two_clusters()
    ctx = indicators.prepare(layers, StraightLineEstimate())
    cells = surface.cell_indicators(ctx, surface.hex_grid(layers.municipalities, 6))
    surf = suitability.criterion_surfaces(cells)
    total = suitability.totals(surf, VALUE_ONLY)
    top = suitability.top_areas(surf, total, layers.towns, n=5)
    # all 100 employees sit at P: gravity access falls strictly with distance, so the best
    # cell is the one holding P, scoring 100; the second peak is the cell holding Q
    p_lon, p_lat = lonlat_of(X0, Y0)
    q_lon, q_lat = lonlat_of(X0 + 110_000, Y0)
    assert top["cell"].iloc[0] == h3.latlng_to_cell(p_lat, p_lon, 6)
    assert top["score"].iloc[0] == pytest.approx(100.0)
    assert top["cell"].iloc[1] == h3.latlng_to_cell(q_lat, q_lon, 6)
    assert top["kommune"].tolist()[:2] == ["Næstved", "Faxe"] and top["town"].iloc[0] == "By"
    assert len(top) == 2  # only two peaks: the surface falls away from P and Q
    # one per municipality keeps the best of each
    one = suitability.top_areas(surf, total, layers.towns, n=5, one_per_municipality=True)
    assert one["kommunekode"].tolist() == ["0370", "0320"]


def _same(a: pd.Series, b: pd.Series) -> list[str]:
    return [c for c in INDICATORS if not (a[c] == b[c] or (pd.isna(a[c]) and pd.isna(b[c])))]


@pytest.mark.parametrize("method", ["estimate", "network"])
def test_cell_equals_a_site_at_its_centre(method: str) -> None:
    layers = load_layers(None)
    engine = StraightLineEstimate() if method == "estimate" else NetworkEngine(load_default_roads())
    ctx = indicators.prepare(layers, engine, ("41", "42", "43"))
    grid = surface.hex_grid(layers.municipalities).iloc[[0, 400, 900, 1400]]
    cells = surface.cell_indicators(ctx, grid)
    sites = sites_frame([Site(c, lat, lon) for c, lat, lon in zip(grid["cell"], grid["lat"], grid["lon"], strict=True)],
                        layers.municipalities)
    table, _ = indicators.compute(layers, sites, engine, ("41", "42", "43"))
    for i in range(len(grid)):
        assert _same(cells.iloc[i], table.iloc[i]) == [], f"cell {grid['cell'].iloc[i]}"
        assert cells["kommunekode"].iloc[i] == table["kommunekode"].iloc[i]
    assert cells["workplaces_60"].sum() > 0 and (cells["method"] == method).all()
    # on the surface's scale, a site at a cell centre scores exactly that cell
    surf = suitability.criterion_surfaces(surface.cell_indicators(ctx, surface.hex_grid(layers.municipalities, 6)))
    total = suitability.totals(surf, VALUE_ONLY)
    best = surf.cells.iloc[int(np.argmax(total))]
    other = surf.cells.iloc[0]
    at_best = sites_frame([Site("Bedst", best["lat"], best["lon"]), Site("Anden", other["lat"], other["lon"])],
                          layers.municipalities)
    site_table, _ = indicators.compute(layers, at_best, engine, ("41", "42", "43"))
    on = suitability.sites_on_surface(surf, site_table, VALUE_ONLY)
    assert on["score"].tolist() == pytest.approx([total.max(), total[0]], abs=1e-9)
    assert (total.max() >= on["score"] - 1e-9).all()


def test_surface_honours_the_method_across_the_storstrom_bridge() -> None:
    layers = load_layers(None)
    roads = load_default_roads()
    bridges = roads.links["Storstrømsbroen"] + roads.links["Farøbroerne"]
    grid = surface.hex_grid(layers.municipalities, 6, codes=("0360", "0376"))  # Lolland and Guldborgsund

    def reach(engine):
        return surface.cell_indicators(indicators.prepare(layers, engine), grid)["municipalities_45"]

    closed = reach(NetworkEngine(roads.without_edges(bridges)))
    open_ = reach(NetworkEngine(roads))
    estimate = reach(StraightLineEstimate())
    # without the bridges no cell on Lolland-Falster reaches a Zealand municipality within 45 min
    assert closed.max() == 2
    # over the bridges the cells near them reach Vordingborg and beyond; the estimate crosses water
    assert open_.max() >= 3 and (open_ >= closed).all() and (open_ > closed).any()
    assert estimate.max() >= 3 and not estimate.equals(open_)


def test_disk_cache_is_reused_and_keyed_on_the_engine(tmp_path, monkeypatch) -> None:
    layers = tiny_layers()
    ctx = indicators.prepare(layers, StraightLineEstimate())
    first, hit1 = surface.cached_cells(ctx, layers.municipalities, 5, folder=tmp_path)
    calls = []
    monkeypatch.setattr(indicators, "measure", lambda *a: calls.append(1) or (_ for _ in ()).throw(AssertionError))
    second, hit2 = surface.cached_cells(ctx, layers.municipalities, 5, folder=tmp_path)
    assert (hit1, hit2) == (False, True) and not calls
    pd.testing.assert_frame_equal(pd.DataFrame(first.drop(columns="geometry")), pd.DataFrame(second.drop(columns="geometry")))
    slower = indicators.prepare(layers, StraightLineEstimate(speed_kmh=40))
    assert surface.cache_key(slower, layers.municipalities, 5) != surface.cache_key(ctx, layers.municipalities, 5)


def test_cli_writes_cells_csv_and_gpkg(tmp_path, monkeypatch, capsys) -> None:
    import pyogrio

    from geo.cli.main import main

    monkeypatch.setenv(surface.ENV_SURFACE_CACHE, str(tmp_path / "cache"))
    out = tmp_path / "cells.csv"
    args = ["surface", "--cluster", "byggeri", "--resolution", "6", "--workers", "1", "--international"]
    assert main([*args, "--weights", "value=100", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    table = pd.read_csv(tmp_path / "cells.csv", nrows=text.split("\n\n")[0].count("\n"))
    n_cells = len(surface.hex_grid(load_layers(None).municipalities, 6))
    assert len(table) == n_cells and table["cell"].is_unique
    assert {"lat", "lon", "kommunekode", "access_employees", "nearest_station_min", "score_value", "score"} <= set(table.columns)
    # value weighted 100 %: the score is 100 × the value criterion score
    assert np.allclose(table["score"], 100 * table["score_value"], atol=0.01)
    # the top areas are numbered from the best cell down (at most 5 local maxima)
    ranks = table.dropna(subset=["top_area"]).sort_values("top_area")
    assert 2 <= len(ranks) <= 5 and ranks["top_area"].astype(int).tolist() == list(range(1, len(ranks) + 1))
    assert ranks["score"].iloc[0] == table["score"].max() and ranks["score"].is_monotonic_decreasing
    assert "Egnethed 0–100" in text and "fra cache" not in capsys.readouterr().err
    gpkg = tmp_path / "cells.gpkg"
    assert main([*args, "--out", str(gpkg)]) == 0
    assert "fra cache" in capsys.readouterr().err  # the second run only rescored
    assert [name for name, _ in pyogrio.list_layers(gpkg)] == ["cells", "top_areas", "provenance"]
    cells = gpd.read_file(gpkg, layer="cells")
    assert len(cells) == n_cells and cells.crs == CRS_METRIC and (cells.geom_type == "Polygon").all()


@pytest.mark.parametrize(("extra", "message"), [
    (["--out", "x.txt"], "--out skal ende på .csv eller .gpkg"),
    (["--out", "x.csv", "--weights", "value=abc"], "Kan ikke læse vægten"),
    (["--out", "x.csv", "--resolution", "16"], "Opløsningen skal være"),
])
def test_cli_bad_input_is_one_danish_line(tmp_path, monkeypatch, capsys, extra, message) -> None:
    from geo.cli.main import main

    monkeypatch.setenv(surface.ENV_SURFACE_CACHE, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["surface", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
