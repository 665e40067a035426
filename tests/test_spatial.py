"""Which municipality a point lies in: two hand-drawn squares, points checked by hand."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point, box

from geo.data.spatial import assign_municipality
from geo.settings import CRS_DISPLAY, CRS_METRIC

#: Two 10 km squares side by side (EPSG:25832): "0001" west of x = 610 km, "0002" east of it.
SQUARES = gpd.GeoDataFrame({"kommunekode": ["0001", "0002"]},
                           geometry=[box(600_000, 6_100_000, 610_000, 6_110_000),
                                     box(610_000, 6_100_000, 620_000, 6_110_000)], crs=CRS_METRIC)


def test_inside_near_far_and_missing_points() -> None:
    points = gpd.GeoSeries([
        Point(605_000, 6_105_000),  # inside the west square
        Point(615_000, 6_105_000),  # inside the east square
        Point(621_500, 6_105_000),  # 1.5 km east of the east square: the nearest, within 2 km
        Point(605_000, 6_097_000),  # 3 km south of the west square: too far
        None,                       # no geometry
        Point(612_000, 6_111_000),  # 1 km north of the east square (2.24 km from the west one)
    ], index=[10, 11, 12, 13, 14, 15], crs=CRS_METRIC)
    codes = assign_municipality(points, SQUARES)
    assert codes.to_dict() == {10: "0001", 11: "0002", 12: "0002", 13: None, 14: None, 15: "0002"}


def test_points_in_another_crs_are_compared_in_the_municipalities_crs() -> None:
    inside_west = gpd.GeoSeries([Point(605_000, 6_105_000)], crs=CRS_METRIC).to_crs(CRS_DISPLAY)
    assert assign_municipality(gpd.GeoDataFrame(geometry=inside_west), SQUARES).tolist() == ["0001"]


def test_nearest_within_a_shorter_limit() -> None:
    near = gpd.GeoSeries([Point(621_500, 6_105_000)], crs=CRS_METRIC)
    assert assign_municipality(near, SQUARES, max_distance_m=1_000).tolist() == [None]
