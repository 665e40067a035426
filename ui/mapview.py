"""The app's map: the static map becomes Leaflet code once per data state; a run sends only
the dynamic layer (sites, catchments, suggestions).

streamlit-folium's `st_folium` renders the whole folium Map on every call (every GeoJSON layer
serialised again, Figure templates compiled again). Here the same steps run once per data state,
cluster and basemap choice and the resulting strings are cached and shared (they are immutable);
each run renders only the feature groups, which streamlit-folium's frontend swaps in without
reloading Leaflet, so the user's zoom and position stay. The steps are streamlit-folium's own
(helpers of the pinned version in requirements.txt), called in the order `st_folium` calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import branca
import folium
import streamlit as st
import streamlit_folium as stf

from geo.report.webmap.basemap import MapData, base_map
from geo.report.webmap.sites import SITES_GROUP, SUGGESTIONS_GROUP
from geo.settings import THRESHOLDS_MIN
from layers.assets import FLAT_JS_URL, MAP_CLICK_JS
from ui.data import DATA_STATES, DATA_TTL
from ui.state import state

#: Layer name of the cluster portfolio's dynamic group (after sites and suggestions).
PORTFOLIO_GROUP = "Klyngeportefølje"
#: A click on the map, and a click on a marker (an institution, a station, a site).
CLICKS = ["last_clicked", "last_object_clicked"]


@dataclass(frozen=True)
class StaticMap:
    """Leaflet code of the static map, and the layer control for 0, 1, 2 … dynamic groups."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    controls: tuple[str, ...]


def _links(fmap: folium.Map) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """CSS and JS links of every element of the map, deduplicated (as `st_folium` collects them)."""
    css: list[str] = []
    js: list[str] = []
    stack: list[branca.element.Element] = [fmap]
    while stack:
        elem = stack.pop(0)
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
        stack.extend(getattr(elem, "_children", {}).values())
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def build_static_map(data: MapData, tiles: bool, group_names: Sequence[str]) -> StaticMap:
    """Render the static map once; the layer controls list the static layers and the named groups."""
    fmap = base_map(data, THRESHOLDS_MIN, tiles=tiles, with_legend=False, attribution_inside=False)
    fmap.render()
    html, header = stf._get_html(fmap), stf._get_header(fmap)
    css, js = _links(fmap)
    js = (FLAT_JS_URL, *js)  # before Leaflet: markers without 3D transforms (layers/leaflet_flat.js)
    script = stf._get_map_string(fmap) + "\n" + MAP_CLICK_JS  # renames the map's variables: map id read after
    map_id = stf.get_full_id(fmap)
    # collapsed: a small button (the open box hid the north-east of K17)
    controls = [stf._get_layer_control_string(folium.LayerControl(collapsed=True), fmap)]
    for idx, name in enumerate(group_names):
        stf._get_feature_group_string(folium.FeatureGroup(name=name), fmap, idx)
        controls.append(stf._get_layer_control_string(folium.LayerControl(collapsed=True), fmap))
    return StaticMap(script, header, html, map_id, css, js, tuple(controls))


@st.cache_resource(show_spinner=False, max_entries=4 * DATA_STATES, ttl=DATA_TTL)
def cached_static_map(data_key: str, codes: tuple[str, ...] | None, tiles: bool, _data: MapData) -> StaticMap:
    """The static map's code per data state, cluster and basemap choice, shared by all sessions."""
    return build_static_map(_data, tiles, (SITES_GROUP, SUGGESTIONS_GROUP, PORTFOLIO_GROUP))


def show_map(static: StaticMap, groups: Sequence[str], key: str, height: int,
             on_change: Callable[[], None] | None) -> None:
    """Draw the cached static map with this run's dynamic groups (Leaflet code from
    `layers.dynamic.group_js`, numbered from 0); clicks go to ``state[key]``."""
    hash_key = stf.generate_js_hash(static.script, key, False)

    def changed() -> None:
        state[key] = state.get(hash_key, {})
        if on_change is not None:
            on_change()

    stf._component_func(
        script=static.script, header=static.header, html=static.html, id=static.map_id, key=hash_key,
        height=height, width=None, returned_objects=CLICKS, default=dict.fromkeys(CLICKS),
        zoom=None, center=None, feature_group="".join(groups), return_on_hover=False,
        layer_control=static.controls[len(groups)], pixelated=False, css_links=list(static.css_links),
        js_links=list(static.js_links), on_change=changed, wrap_longitude=False,
    )
