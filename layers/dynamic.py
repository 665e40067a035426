"""The map's dynamic layer as plain Leaflet code: the sites' catchment outlines (over a light
halo), site markers, suggestions and the cluster portfolio, for streamlit-folium's
``feature_group`` (evaluated in the map's frame).

Folium renders every element through Jinja and compiles each rendered snippet again as a
template (about 5 ms per element, 0.4 s for 20 sites); this layer changes on every click, so
it is written directly from the same data and styles `geo.report.webmap.sites` gives folium.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from geo.report.webmap.sites import LabelMarker
from geo.style import RING_HALO

_GROUP = """var {name} = L.featureGroup({{}});
var {name}_rings = {rings};
L.geoJSON({name}_rings, {{interactive: false, style: function (f) {{
    return {{color: {halo}, weight: 6, opacity: 0.9, fill: false}};
}}}}).addTo({name});
L.geoJSON({name}_rings, {{style: function (f) {{
    return {{color: f.properties.colour, weight: 3, dashArray: f.properties.dash, fill: !!f.properties.fill,
             fillColor: f.properties.colour, fillOpacity: 0.08}};
}}}}).bindTooltip(function (layer) {{ return layer.feature.properties.label; }}, {{sticky: true}}).addTo({name});
{markers}.forEach(function (m) {{
    L.marker([m.lat, m.lon], {{icon: L.divIcon({{html: m.html, iconSize: m.size,
        iconAnchor: [Math.floor(m.size[0] / 2), Math.floor(m.size[1] / 2)], className: "empty"}})}})
        .bindTooltip(m.tooltip, {{sticky: true}}).addTo({name});
}});
map_div.addLayer({name});
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
    return _GROUP.format(name=group_name(index), rings=rings or feature_collection_text([]), halo=json.dumps(RING_HALO),
                         markers=json.dumps([asdict(m) for m in markers]))
