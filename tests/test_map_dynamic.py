"""The app's map: the static map's code is made once; sites and suggestions are a separate
Leaflet layer (checked by running the generated code in Node against a recording stub of L)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from geo.data.clusters import load_clusters, matches
from geo.data.loading import load_layers
from geo.data.sites import Site, sites_frame
from geo.reach.engines import select_engine
from geo.settings import THRESHOLDS_MIN
from geo.style import RING_HALO, RING_STYLES
from geo.report.webmap.basemap import map_data
from layers.dynamic import feature_collection_text, group_js, group_name
from geo.report.webmap.sites import SITES_GROUP, SUGGESTIONS_GROUP, catchment_shapes, ring_features, site_markers, site_rings, suggestion_markers
from ui.mapview import build_static_map

#: A stub of Leaflet that records what the dynamic code adds, then prints it as JSON.
STUB = """
const added = {geojson: [], markers: [], groups: 0};
function chain(obj) { obj.bindTooltip = () => obj; obj.addTo = () => obj; return obj; }
const L = {
  featureGroup: () => { added.groups += 1; return {}; },
  geoJSON: (data, options) => { added.geojson.push({n: data.features.length,
                                                   style: data.features.map(f => options.style(f))}); return chain({}); },
  marker: (latlng, options) => { added.markers.push({latlng, html: options.icon.html, anchor: options.icon.iconAnchor});
                                 return chain({}); },
  divIcon: (o) => o,
};
const map_div = {addLayer: () => {}};
var window = {};
"""


@pytest.fixture(scope="module")
def layers():
    return load_layers(None)


def _sites(layers):
    return sites_frame([Site("Næstved <b>st.</b>", 55.2301, 11.7605), Site("Roskilde", 55.6415, 12.0803)],
                       layers.municipalities)


def _run_in_node(code: str) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    out = subprocess.run([node, "-e", STUB + code + "\nconsole.log(JSON.stringify(added));"],
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def test_dynamic_layer_draws_each_site_and_its_outlines(layers) -> None:
    sites = _sites(layers)
    engine = select_engine("estimate")[0]
    catchments = [catchment_shapes(engine, (p.x, p.y), THRESHOLDS_MIN) for p in sites.geometry]
    rings = feature_collection_text([json.dumps(ring_features(name, c, "estimate")) for name, c in zip(sites["name"], catchments)])
    assert json.loads(rings) == json.loads(json.dumps(site_rings(sites, catchments, "estimate")))  # per-site parts, joined
    added = _run_in_node(group_js(0, rings, site_markers(sites)))
    assert added["groups"] == 1
    assert [m["latlng"] for m in added["markers"]] == [[55.2301, 11.7605], [55.6415, 12.0803]]
    assert added["markers"][0]["anchor"] == [17, 17]  # 34 px circle centred on the point
    assert "&lt;b&gt;" in added["markers"][0]["html"] and "<b>st." not in added["markers"][0]["html"]
    halo, rings = added["geojson"]  # a light halo under the coloured outlines (3:1 on any base map)
    assert rings["n"] == halo["n"] == sum(len(c) for c in catchments) == 2 * len(THRESHOLDS_MIN)
    assert {s["fill"] for s in rings["style"]} == {False}
    assert {s["color"] for s in halo["style"]} == {RING_HALO} and {s["weight"] for s in halo["style"]} == {6}
    assert {s["color"] for s in rings["style"]} == {colour for colour, _ in RING_STYLES}


def test_suggestions_are_a_second_group_without_outlines() -> None:
    code = group_js(1, None, suggestion_markers([{"name": "Sorø", "lat": 55.43, "lon": 11.56}]))
    assert group_name(1) in code
    added = _run_in_node(code)
    assert added["geojson"] == [{"n": 0, "style": []}, {"n": 0, "style": []}]
    assert "F1" in added["markers"][0]["html"]


def test_static_map_is_made_without_sites_and_lists_the_dynamic_groups(layers) -> None:
    codes = load_clusters()["byggeri"].codes
    static = build_static_map(map_data(layers, layers.workplaces[matches(layers.workplaces["industry_code"], codes)]),
                              False, (SITES_GROUP, SUGGESTIONS_GROUP))
    assert "Lokalitet 1" not in static.script and "Lokaliteter og oplande" not in static.script
    assert group_name(0) not in static.script
    assert len(static.controls) == 3  # no group, sites, sites and suggestions
    assert group_name(0) not in static.controls[0]
    assert group_name(0) in static.controls[1] and SITES_GROUP in static.controls[1]
    assert group_name(1) in static.controls[2] and "Foresl" in static.controls[2]
    assert "/app/static/leaflet/leaflet.js" in static.js_links  # Leaflet from this server, offline
