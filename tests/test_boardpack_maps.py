"""The board pack's site maps: windows of base-map sheets drawn once, each holding its site's catchments."""

from __future__ import annotations

import base64
import io
import math
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from geo.report.boardpack.basemap import SITE_MAP, ZOOM_STEP, MapContext, SiteViews, draw_base
from geo.report.boardpack.figures import site_map
from geo.report.boardpack.vector import ScaleBar, SvgMap
from geo.style import RING_STYLES
from tests.report_support import report_data


SVG = "{http://www.w3.org/2000/svg}"


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


def test_a_base_map_is_drawn_once_per_data_cluster_and_window(monkeypatch) -> None:
    from geo.report.boardpack import basemap

    drawn = []
    draw = basemap._draw_base
    monkeypatch.setattr(basemap, "_draw_base", lambda *a: drawn.append(a[1:]) or draw(*a))
    monkeypatch.setattr(basemap, "_bases", type(basemap._bases)())
    first, again = (MapContext(report_data(finance=False, case=False)) for _ in range(2))  # one data state, two packs
    extent, size = first.site_views.extent(0), (first.site_views.width, first.site_views.height)
    base = draw_base(first, extent, size)
    assert draw_base(again, extent, size) is base and len(drawn) == 1  # the second pack draws no base map
    assert not base.flags.writeable  # shared: no pack can paint into another's map
    draw_base(again, extent, (size[0] // 2, size[1] // 2))
    again.data.codes = ("41",)  # another cluster: another density under the map
    draw_base(again, extent, size)
    assert len(drawn) == 3


def test_sites_far_apart_get_a_sheet_each(ctx, monkeypatch) -> None:
    monkeypatch.setattr("geo.report.boardpack.basemap.MAX_SHEET_PIXELS", 1)
    views = SiteViews(ctx, SITE_MAP)
    assert len(views.sheets) == 4 and [k for k, _, _ in views.windows] == [0, 1, 2, 3]
    # the same window as on the shared sheet, up to snapping to that sheet's pixels
    assert np.allclose(views.extent(2), ctx.site_views.extent(2), rtol=0, atol=views.sheets[2].metres)
    assert views.base(2).shape == (views.height, views.width, 3)


def test_site_map_is_svg_over_the_base_and_legend_pixels(ctx) -> None:
    picture = site_map(ctx, 0)
    assert picture.extension == "svg"
    svg = ElementTree.fromstring(picture.data)
    width, height = picture.size
    assert (svg.get("width"), svg.get("height")) == (str(width), str(height))
    assert width == SITE_MAP.figure[0] and height > SITE_MAP.figure[1]  # the legend is below the map
    (image,) = svg.findall(f"{SVG}image")
    jpeg = Image.open(io.BytesIO(base64.b64decode(image.get("href").removeprefix("data:image/jpeg;base64,"))))
    assert jpeg.format == "JPEG" and jpeg.size == (width, height)
    rings = sorted(ctx.site_rings(0)["minutes"])
    paths = svg.findall(f"{SVG}path")
    assert [p.get("stroke") for p in paths] == [colour for colour, _ in RING_STYLES[:len(rings)]]
    assert paths[0].get("stroke-dasharray") is None and paths[1].get("stroke-dasharray")  # 15 min solid, 30 dashed
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts[-1] == "1" and "N" in texts and any(t.endswith(" km") for t in texts)  # marker, north, scale
    left, top, box_w, box_h = (float(svg.find(f"{SVG}defs/{SVG}clipPath/{SVG}rect").get(k))
                               for k in ("x", "y", "width", "height"))
    dots = [c for c in svg.iter(f"{SVG}circle") if c.get("clip-path")]
    assert dots and all(left - 10 < float(c.get("cx")) < left + box_w + 10 and top - 10 < float(c.get("cy")) < top + box_h + 10
                        for c in dots)
    assert "Kort over lokalitet 1, Næstved" in picture.alt and "15, 30, 45 og 60 min" in picture.alt


def test_svg_map_puts_metres_on_the_box_by_hand() -> None:
    drawing = SvgMap((300, 200), (10, 20, 200, 100), (0.0, 1000.0, 0.0, 500.0))
    x, y = drawing.px(np.array([0.0, 1000.0, 500.0]), np.array([500.0, 0.0, 250.0]))
    assert x.tolist() == [10, 210, 110] and y.tolist() == [20, 120, 70]  # top-left, bottom-right, centre


@pytest.mark.parametrize(("width_km", "km", "labels"), [(60, 10, ["0", "5", "10 km"]), (100, 25, ["0", "12,5", "25 km"]),
                                                        (3, 1, ["0", "0,5", "1 km"])])
def test_scale_bar_is_the_longest_that_fits_a_quarter_of_the_map(width_km, km, labels) -> None:
    bar = ScaleBar.of(0.0, width_km * 1000.0, 0.0, 40_000.0)
    assert bar.km == km and [text for _, text in bar.labels] == labels
