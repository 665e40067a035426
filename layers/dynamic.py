"""The map's dynamic layer as plain Leaflet code: the sites' catchment outlines (over a light
halo), site markers, suggestions and the cluster portfolio, for streamlit-folium's
``feature_group`` (evaluated in the map's frame).

Each group is `geo.report.webmap.sites.group_script`'s code (the same the standalone HTML map
uses), put on the map and listed where streamlit-folium's layer control looks for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from geo.report.webmap.sites import LabelMarker, group_script

_ATTACH = """map_div.addLayer({name});
window.feature_group = window.feature_group || [];
window.feature_group.push({name});
"""


def group_name(index: int) -> str:
    """The variable streamlit-folium's layer control expects for dynamic group ``index``."""
    return f"feature_group_feature_group_{index}"


def feature_collection_text(parts: Sequence[str]) -> str:
    """A GeoJSON FeatureCollection as JSON text, from parts that are each the JSON text of a list
    of features (`json.dumps` of a list): each site's part is serialised once and kept."""
    return '{"type": "FeatureCollection", "features": [' + ", ".join(p[1:-1] for p in parts if p != "[]") + "]}"


def group_js(index: int, rings: str | None, markers: Sequence[LabelMarker]) -> str:
    """Leaflet code adding one dynamic group to the map ``map_div``: the outlines (a GeoJSON
    FeatureCollection as JSON text, drawn twice: halo and colour) and the markers."""
    name = group_name(index)
    return group_script(name, rings or feature_collection_text([]), markers) + _ATTACH.format(name=name)
