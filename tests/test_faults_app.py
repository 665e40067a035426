"""Faults in the app (Streamlit AppTest): hostile or broken files give a Danish message, never a
traceback, and the planner's sites and indicator table survive."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.data.loading import UserFiles
from geo.data.sites import Site
from tests.helpers import shown_tables

ROOT = Path(__file__).resolve().parents[1]
SITES = [Site("Næstved st.", 55.2301, 11.7605), Site('<img src=x onerror="alert(1)">', 55.6415, 12.0803)]


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("k.shp", "w", force_zip64=True) as f:
            chunk = bytes(8 * 1024 * 1024)
            for _ in range(70):  # 560 MB of zeros, ~0.5 MB compressed
                f.write(chunk)
    return buf.getvalue()


def _swapped_boundaries() -> bytes:
    ring = [[55.2, 11.7], [55.3, 11.7], [55.3, 11.8], [55.2, 11.8], [55.2, 11.7]]
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"KOMKODE": "0370"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()


CASES = {
    "xlsx-garbage": UserFiles(companies=b"PK\x03\x04 not a workbook"),
    "csv-no-header": UserFiles(companies="hej;med;dig\n1;2;3\n".encode("cp1252")),
    "random-bytes-boundaries": UserFiles(boundaries=bytes(range(256)) * 20),
    "swapped-boundaries": UserFiles(boundaries=_swapped_boundaries()),
    "zip-bomb-boundaries": None,  # built lazily (takes ~1 s)
    "truncated-geojson-postcodes": UserFiles(companies=b"CVR-nummer;Navn;Postnr.;By;\xc5rsv\xe6rk;Hovedbranche\n"
                                             b"12345678;A;4700;N\xe6stved;1;410000\n",
                                             postcodes=b'{"type": "FeatureCollection", "features": [{"type"'),
}


@pytest.fixture(scope="module")
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("error", "warning", "info", "markdown", "caption", "exception", "text", "code"):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind, [])]
    return "\n".join(parts)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_upload_gives_danish_message_and_keeps_sites(app: AppTest, case: str) -> None:
    files = CASES[case] or UserFiles(boundaries=_bomb())
    app.session_state["sites"] = list(SITES)
    app.session_state["source"] = "default"
    app.run()
    tables_before = len(shown_tables(app))
    app.session_state["files"] = files
    app.session_state["files_key"] = f"upload-test-{case}"
    app.session_state["source"] = "upload"
    app.run()
    assert not app.exception, app.exception
    errors = [e.value for e in app.error]
    assert errors and any(e.startswith("Fejl") for e in errors), errors
    assert not any("Traceback" in e or "uventet" in e.lower() for e in errors), errors
    assert "Traceback" not in _texts(app)
    # the sites are kept, with their indicators, on the default data
    assert [s.name for s in app.session_state["sites"]] == [s.name for s in SITES]
    assert len(shown_tables(app)) >= tables_before >= 1


# Empty layers: folium.GeoJsonTooltip asserts its field exists in the first feature, so an
# empty FeatureCollection (a cluster without workplaces; a site off the road network) must
# not reach it.


def test_cluster_without_workplaces_keeps_the_app_running(app: AppTest) -> None:
    app.session_state["files"] = None
    app.session_state["source"] = "default"
    app.session_state["sites"] = list(SITES)
    app.selectbox(key="cluster").set_value("maritime")
    app.run()
    assert not app.exception, app.exception


def test_site_with_empty_catchment_renders() -> None:
    import folium

    from geo.data.loading import load_layers
    from geo.data.sites import sites_frame
    from geo.reach.engines import select_engine
    from geo.report.webmap.sites import catchment_shapes, sites_layer
    from geo.settings import THRESHOLDS_MIN

    layers = load_layers()
    engine, _ = select_engine("network")
    sites = sites_frame([Site("I vandet", 55.08, 11.677)], layers.municipalities)
    shapes = catchment_shapes(engine, (sites.geometry.x.iloc[0], sites.geometry.y.iloc[0]), THRESHOLDS_MIN)
    assert shapes == []  # in the strait: no road node within reach, so nothing to draw
    m = folium.Map()
    sites_layer(sites, [shapes], "network").add_to(m)
    m.get_root().render()
