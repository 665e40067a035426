"""Map layer data: names escaped, aggregation when many, labels for Demodata and approximations."""

from __future__ import annotations

from geo.report.webmap.basemap import base_map, map_data
from geo.report.webmap.municipalities import municipalities_data, municipality_style
from geo.report.webmap.workplaces import POINT_LIMIT, density_cells, workplaces_data
from geo.style import MUNICIPALITY_LINE, MUNICIPALITY_OTHER
from tests.helpers import tiny_layers


def test_company_names_are_escaped_in_tooltips() -> None:
    layers = tiny_layers()
    data = workplaces_data(layers.workplaces, layers.provenance["workplaces"])
    labels = [f["properties"]["label"] for f in data["geojson"]["features"]]
    assert any("B &lt;script&gt;" in label for label in labels)
    assert not any("<script>" in label for label in labels)
    html = base_map(map_data(layers, layers.workplaces), (15, 30)).get_root().render()
    assert "<script>\"" not in html and "B <script>" not in html


def test_few_workplaces_are_points_many_are_cells() -> None:
    layers = tiny_layers()
    assert workplaces_data(layers.workplaces, layers.provenance["workplaces"])["mode"] == "points"
    many = layers.workplaces.sample(POINT_LIMIT + 1, replace=True, random_state=1)
    data = workplaces_data(many, layers.provenance["workplaces"])
    assert data["mode"] == "cells"
    # five distinct points 5-100 km apart -> five 2.5 km cells whose counts sum to all rows
    cells = density_cells(many)
    assert len(cells) == 5 and cells["count"].sum() == POINT_LIMIT + 1


def test_synthetic_and_approximate_layers_say_so_on_the_map() -> None:
    layers = tiny_layers()
    data = map_data(layers, layers.workplaces)
    assert data.workplaces["title"].endswith("Demodata")
    assert data.municipalities["approx"] is True
    assert any("Demodata" in a for a in data.attributions)


def test_coincident_institutions_are_fanned_out_for_display() -> None:
    import geopandas as gpd
    from shapely import Point

    from geo.report.webmap.points import SPREAD_PX, pixel_offsets

    pts = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(5000, 0), Point(0, 0), Point(0, 0)], crs="EPSG:25832")
    offsets = pixel_offsets(pts)
    # three share a point: 0, 120 and 240 degrees on a 12 px circle; the lone one stays put
    assert offsets[1] == (0, 0)
    assert offsets[0] == (SPREAD_PX, 0)
    assert offsets[2] == (-6, 10) and offsets[3] == (-6, -10)


def test_fairness_colours_and_left_out_hatching() -> None:
    import matplotlib.pyplot as plt
    import pandas as pd

    from geo.style import DENSITY_RAMP
    from layers.fairness import LEFT_OUT_LINE, fairness_figure, share_colour
    from tests.helpers import X0, Y0

    assert share_colour(0.0) == "#ffffff" and share_colour(100.0) == DENSITY_RAMP[-1]
    assert share_colour(10.0) == DENSITY_RAMP[1] and share_colour(50.0) == DENSITY_RAMP[3]
    layers = tiny_layers()
    fair = pd.DataFrame({"kommunekode": ["0370", "0320"], "kommune": ["Næstved", "Faxe"],
                         "share_workplaces_45": [100.0, 0.0], "left_out": [False, True]})
    fig = fairness_figure(layers.municipalities, fair, "Site", (X0, Y0))
    ax = fig.axes[0]
    hatched = [c for c in ax.collections if c.get_hatch() == "//"]
    assert len(hatched) == 1  # only Faxe, the left-out municipality
    assert tuple(hatched[0].get_edgecolor()[0][:3]) == tuple(int(LEFT_OUT_LINE[i:i + 2], 16) / 255 for i in (1, 3, 5))
    assert {t.get_text() for t in ax.texts} >= {"Næstved", "Faxe", "Site"}
    fig.canvas.draw()
    legend, drawn = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert legend.y1 <= drawn.y0 and legend.y0 >= 0  # below the map, hiding no municipality, and in the picture
    plt.close(fig)


def test_fairness_map_is_drawn_at_the_width_it_is_shown() -> None:
    """Streamlit decodes, scales and encodes again every run a picture wider than it is shown;
    at exactly `FAIRNESS_PX` it sends the cached bytes as they are."""
    import io

    import pandas as pd
    from PIL import Image

    from tests.helpers import X0, Y0
    from ui.decide import FAIRNESS_PX, fairness_png

    layers = tiny_layers()
    fair = pd.DataFrame({"kommunekode": ["0370", "0320"], "kommune": ["Næstved", "Faxe"],
                         "share_workplaces_45": [100.0, 0.0], "left_out": [False, True]})
    png = fairness_png("test", None, "estimate", "Site", X0, Y0, fair, layers.municipalities)
    picture = Image.open(io.BytesIO(png))
    assert (picture.format, picture.width) == ("PNG", FAIRNESS_PX)


def test_k17_municipalities_stand_out_and_others_are_grey() -> None:
    layers = tiny_layers()
    munis = layers.municipalities.copy()
    munis.loc[munis.index[-1], "kommunekode"] = "0101"  # København: outside K17
    data = municipalities_data(munis, layers.provenance["municipalities"])
    flags = {f["properties"]["label"].split("(")[-1][:4]: f["properties"]["k17"] for f in data["geojson"]["features"]}
    assert flags["0101"] is False and sum(flags.values()) == len(flags) - 1
    k17 = municipality_style({"properties": {"k17": True}}, approx=False)
    other = municipality_style({"properties": {"k17": False}}, approx=False)
    assert k17["color"] == MUNICIPALITY_LINE and other["color"] == MUNICIPALITY_OTHER
    assert other["fillOpacity"] > k17["fillOpacity"]
    html = base_map(map_data(layers.with_layer("municipalities", munis, layers.provenance["municipalities"]),
                             layers.workplaces), (15, 30)).get_root().render()
    assert MUNICIPALITY_OTHER in html
