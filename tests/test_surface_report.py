"""The suitability surface in the board pack: its own page when the bundle carries one, none otherwise."""

from __future__ import annotations

import dataclasses
import io

import geopandas as gpd
import pypdf
from matplotlib.colors import to_hex

from geo.cli.main import main
from geo.data.loading import load_layers
from geo.decide import suitability
from geo.reach import indicators, surface
from geo.reach.catchment import StraightLineEstimate
from geo.report.boardpack.surface import draw_surface_map, surface_map
from geo.report.formats import render
from geo.report.pdf import page_plan
from geo.style import SURFACE_RAMP
from tests.report_support import report_data
from tests.test_pdf import starts
from tests.test_surface import VALUE_ONLY, two_clusters

TITLE = "Kort over egnethed: hvor i K17?"


def weighted_surface() -> suitability.WeightedSurface:
    """Level-6 cells over the tiny layers; all weight on value, so the cell holding P scores 100."""
    layers = two_clusters()
    ctx = indicators.prepare(layers, StraightLineEstimate())
    cells = surface.cell_indicators(ctx, surface.hex_grid(layers.municipalities, 6))
    return suitability.weighted(suitability.criterion_surfaces(cells), VALUE_ONLY, layers.towns)


def test_weighted_surface_is_the_totals_and_top_areas() -> None:
    ws = weighted_surface()
    assert ws.cells["score"].max() == 100.0 and ws.cells["score"].min() == 0.0
    best = ws.cells.loc[ws.cells["score"].idxmax(), "cell"]
    assert ws.top["cell"].iloc[0] == best and len(ws.top) == 2  # P's cell, then Q's
    assert ws.meaning == suitability.MEANING_DA


def test_surface_map_colours_cells_by_cividis_class_and_marks_the_top_areas() -> None:
    ws = weighted_surface()
    fig = draw_surface_map.__wrapped__(ws, two_clusters().municipalities)  # the figure before it becomes PNG
    cells = fig.axes[0].collections[0]
    colours = [to_hex(c) for c in cells.get_facecolor()]
    scores = ws.cells["score"].to_numpy()
    assert colours[scores.argmax()] == SURFACE_RAMP[-1] == "#fee838"  # most suitable: light yellow
    assert colours[scores.argmin()] == SURFACE_RAMP[0] == "#00224e"  # least suitable: dark blue
    assert {t.get_text() for t in fig.axes[0].texts} == {"1", "2"}  # the legend and the list are page text
    picture = surface_map(ws, two_clusters().municipalities)
    assert picture.data.startswith(b"\xff\xd8\xff") and "markeret med numrene 1–2" in picture.alt


def test_board_pack_has_the_surface_page_only_when_given() -> None:
    plain = report_data(n_sites=2, finance=False, case=False)
    assert TITLE not in [t for t, _ in page_plan(plain)]  # no surface: no page, nothing computed
    data = dataclasses.replace(plain, surface=weighted_surface())
    titles = [t for t, _ in page_plan(data)]
    assert titles.index(TITLE) == titles.index("Rangering og robusthed") + 1
    pages = [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(render(data, "pdf"))).pages]
    [page] = [p for p in pages if starts(TITLE, p)]  # the section starts a page with its heading
    for words in ("Bedste områder", "Område 1: ved By (Næstved), 100,0 point", "mindst egnet", "mest egnet",
                  "Egnethed 0–100", f"Side {pages.index(page) + 1} af {len(pages)}"):
        assert words in page, words


def test_cli_report_with_surface_uses_the_scenario_weights(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(surface.ENV_SURFACE_CACHE, str(tmp_path / "cache"))
    sites, scenario, pdf = tmp_path / "sites.csv", tmp_path / "s.json", tmp_path / "pakke.pdf"
    sites.write_text("navn,lat,lon\nNæstved st.,55.2301,11.7605\nRoskilde st.,55.6415,12.0803\n", encoding="utf-8")
    assert main(["scenario", "--sites", str(sites), "--cluster", "byggeri", "--weights", "research=100",
                 "--out", str(scenario)]) == 0
    assert main(["report", "--scenario", str(scenario), "--out", str(pdf), "--surface"]) == 0
    [cached] = (tmp_path / "cache").glob("cells_*.parquet")  # the cells are kept for the next run
    expected = suitability.weighted(suitability.criterion_surfaces(gpd.read_parquet(cached)),
                                    {"research": 100}, load_layers(None).towns)
    text = " ".join(" ".join(p.extract_text() or "" for p in pypdf.PdfReader(pdf).pages).split())
    assert TITLE in text
    assert " ".join(suitability.describe_top(expected.top)[0].split()) in text  # research only: its best area
