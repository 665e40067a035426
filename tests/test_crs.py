"""Coordinate transformations (geo/crs.py): right numbers, made on the one transformation thread."""

from __future__ import annotations

import threading

import geopandas as gpd
import pytest
from shapely import Point

from geo.crs import to_crs, transform, transform_bounds
from geo.settings import CRS_DISPLAY, CRS_METRIC


def test_utm32_central_meridian_by_hand() -> None:
    # UTM zone 32 is centred on 9° E with a false easting of 500 km: (9° E, 0° N) is (500000, 0)
    x, y = transform(CRS_DISPLAY, CRS_METRIC, 9.0, 0.0)
    assert (x, y) == (pytest.approx(500_000.0, abs=1e-6), pytest.approx(0.0, abs=1e-6))
    lon, lat = transform(CRS_METRIC, CRS_DISPLAY, 500_000.0, 0.0)
    assert (lon, lat) == (pytest.approx(9.0), pytest.approx(0.0, abs=1e-9))
    w, s, e, n = transform_bounds(CRS_DISPLAY, CRS_METRIC, (8.9, -0.1, 9.1, 0.1))
    assert w < 500_000 < e and s < 0 < n


def test_every_transformation_runs_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit runs each script run on a new thread; pyproj builds its transformers per thread."""
    seen: list[str] = []
    own = gpd.GeoSeries.to_crs

    def recording(self: gpd.GeoSeries, *args: object, **kwargs: object) -> gpd.GeoSeries:
        seen.append(threading.current_thread().name)
        return own(self, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoSeries, "to_crs", recording)
    points = gpd.GeoSeries([Point(9.0, 0.0), Point(11.76, 55.23)], crs=CRS_DISPLAY)
    results: list[gpd.GeoSeries] = []
    runs = [threading.Thread(target=lambda: results.append(to_crs(points, CRS_METRIC))) for _ in range(3)]
    for run in runs:
        run.start()
        run.join()
    assert len(set(seen)) == 1 and seen[0].startswith("klyngested-crs") and len(seen) == 3
    assert results[0].iloc[0].x == pytest.approx(500_000.0, abs=1e-6)
    assert all(r.geom_equals_exact(own(points, CRS_METRIC), tolerance=1e-6).all() for r in results)
