"""The board pack's site maps: windows of base-map sheets drawn once, each holding its site's catchments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo.report.boardpack.basemap import SITE_MAP, ZOOM_STEP, MapContext, SiteViews, draw_base
from geo.report.boardpack.figures import site_map
from tests.report_support import report_data


@pytest.fixture(scope="module")
def ctx() -> MapContext:
    return MapContext(report_data(finance=False, case=False))


def test_every_window_holds_its_sites_catchments_at_a_shared_scale(ctx) -> None:
    views = ctx.site_views
    assert len(views.windows) == 4
    for i in range(4):
        x0, x1, y0, y1 = views.extent(i)
        rx0, ry0, rx1, ry1 = ctx.iso[ctx.iso["nr"] == i + 1].total_bounds
        assert x0 < rx0 and rx1 < x1 and y0 < ry0 and ry1 < y1, i  # no ring is cut off
        metres = views.sheets[views.windows[i][0]].metres
        assert math.isclose(math.log(metres, ZOOM_STEP), round(math.log(metres, ZOOM_STEP)))
        assert (x1 - x0) / metres == pytest.approx(SITE_MAP.box[2]) and (y1 - y0) / metres == pytest.approx(SITE_MAP.box[3])
    # the estimate's rings are circles of the same radius: one scale, one sheet for all four sites
    assert len(views.sheets) == 1


def test_a_window_of_the_sheet_is_the_base_map_drawn_for_that_window(ctx) -> None:
    views = ctx.site_views
    for i in (0, 3):
        alone = draw_base(ctx, views.extent(i), (views.width, views.height)).astype(int)
        window = views.base(i).astype(int)
        assert window.shape == alone.shape == (views.height, views.width, 3)
        # the same pixels, up to anti-aliasing where a name or border meets the sheet's own edge
        assert np.mean(np.abs(window - alone) > 8) < 0.005, i


def test_sites_far_apart_get_a_sheet_each(ctx, monkeypatch) -> None:
    monkeypatch.setattr("geo.report.boardpack.basemap.MAX_SHEET_PIXELS", 1)
    views = SiteViews(ctx, SITE_MAP)
    assert len(views.sheets) == 4 and [k for k, _, _ in views.windows] == [0, 1, 2, 3]
    # the same window as on the shared sheet, up to snapping to that sheet's pixels
    assert np.allclose(views.extent(2), ctx.site_views.extent(2), rtol=0, atol=views.sheets[2].metres)
    assert views.base(2).shape == (views.height, views.width, 3)


def test_site_map_is_a_jpeg_of_map_and_legend(ctx) -> None:
    picture = site_map(ctx, 0)
    assert picture.jpeg.startswith(b"\xff\xd8\xff")
    width, height = picture.size
    assert width == SITE_MAP.figure[0] and height > SITE_MAP.figure[1]  # the legend is below the map
    assert "Kort over lokalitet 1, Næstved" in picture.alt and "15, 30, 45 og 60 min" in picture.alt
