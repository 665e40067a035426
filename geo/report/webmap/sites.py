"""Candidate sites with their catchment areas drawn underneath.

The sites' layer is written as plain Leaflet code (`group_script`), the same for the app's
dynamic layer and the standalone HTML map: folium renders every element through Jinja and
compiles each rendered piece again as a template (about 5 ms per element, 0.4 s for 20 sites).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import folium
import geopandas as gpd
from jinja2 import Template

from geo.reach.catchment import CatchmentEngine
from geo.report.webmap.geojson import esc, to_display
from geo.style import RING_HALO, RING_STYLES, SITE_COLOUR, SITE_RING, SUGGESTION_COLOUR

#: Layer names of the map's dynamic groups (the app lists them in its layer control).
SITES_GROUP = "Lokaliteter og oplande"
SUGGESTIONS_GROUP = "Foreslåede steder"
RING_SIMPLIFY_M = 100.0  #: outlines are simplified by this many metres before they are drawn


def ring_shapes(shown: gpd.GeoDataFrame) -> list[dict]:
    """One site's catchment outlines (a frame in EPSG:4326 with ``minutes``) as GeoJSON features,
    innermost first, styled by threshold; the label is added per site name (`ring_features`)."""
    return [
        {"type": "Feature", "geometry": shape.geometry.__geo_interface__,
         "properties": {"colour": colour, "dash": dash, "minutes": float(shape.minutes)}}
        for (colour, dash), shape in zip(RING_STYLES, shown.sort_values("minutes").itertuples(), strict=False)
    ]


def catchment_shapes(engine: CatchmentEngine, xy: tuple[float, float], thresholds: tuple[int, ...]) -> list[dict]:
    """One site's catchment outlines (EPSG:4326, simplified) as GeoJSON features (`ring_shapes`)."""
    return ring_shapes(to_display(engine.isochrones(xy, thresholds), simplify_m=RING_SIMPLIFY_M))


def report_catchments(iso: gpd.GeoDataFrame, count: int) -> list[list[dict]]:
    """Each of `count` sites' outlines (`ring_shapes`) from a report's catchments (``nr`` 1, 2, …;
    EPSG:25832), reprojected in one pass."""
    shown = to_display(iso, simplify_m=RING_SIMPLIFY_M)
    return [ring_shapes(shown[shown["nr"] == nr]) for nr in range(1, count + 1)]


def ring_features(name: str, rings: list[dict], method: str) -> list[dict]:
    """One site's outlines (`catchment_shapes`), each labelled with the site's name (escaped),
    its minutes and the method ("vejnet" for ``network``, else "estimat")."""
    shown = "vejnet" if method == "network" else "estimat"
    return [{**ring, "properties": {**ring["properties"], "label": f"{esc(name)}: {ring['properties']['minutes']:g} min ({shown})"}}
            for ring in rings]


@dataclass(frozen=True)
class LabelMarker:
    """A marker drawn as a labelled HTML box (no image or plugin needed), centred on its point."""

    lat: float
    lon: float
    tooltip: str
    size: tuple[int, int]
    html: str


def _label_marker(location: tuple[float, float], text: str, aria: str, tooltip: str,
                  size: tuple[int, int], style: str) -> LabelMarker:
    width, height = size
    return LabelMarker(location[0], location[1], tooltip, size,
                       f'<div role="img" aria-label="{esc(aria)}" style="width:{width}px;height:{height}px;{style};'
                       f'text-align:center;box-sizing:border-box">{esc(text)}</div>')


def site_markers(sites: gpd.GeoDataFrame) -> list[LabelMarker]:
    """Numbered site markers (1, 2, …) with name and municipality as tooltip."""
    return [
        _label_marker(
            (site.geometry.y, site.geometry.x), str(number), f"Lokalitet {number}: {site.name}",
            f"<b>{number}. {esc(site.name)}</b><br>{esc(site.kommune)}", (34, 34),
            f"border-radius:50%;background:{SITE_COLOUR};color:#fff;border:4px solid {SITE_RING};"
            "box-shadow:0 0 0 2px #000;font:bold 18px/26px sans-serif",
        )
        for number, site in enumerate(to_display(sites).itertuples(), start=1)
    ]


def suggestion_markers(chosen: list[dict]) -> list[LabelMarker]:
    """Suggested sites (from location-allocation) as labelled squares F1, F2, …"""
    return [
        _label_marker(
            (site["lat"], site["lon"]), f"F{number}", f"Forslag {number}: {site['name']}",
            f"<b>Forslag {number}: {esc(site['name'])}</b>", (40, 30),
            f"background:{SUGGESTION_COLOUR};color:#000;border:3px solid #000;font:bold 16px/24px sans-serif",
        )
        for number, site in enumerate(chosen, start=1)
    ]


def site_rings(sites: gpd.GeoDataFrame, catchments: list[list[dict]], method: str) -> dict:
    """The sites' catchment outlines as one FeatureCollection, labelled per site and method."""
    features = [f for name, rings in zip(sites["name"], catchments, strict=True) for f in ring_features(name, rings, method)]
    return {"type": "FeatureCollection", "features": features}


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
"""


def _script_text(json_text: str) -> str:
    """JSON text that cannot end a <script> element (``<``, ``>`` and ``&`` as JSON escapes)."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def group_script(name: str, rings: str, markers: Sequence[LabelMarker]) -> str:
    """Leaflet code making the feature group `name` (not yet on a map): the outlines (a GeoJSON
    FeatureCollection as JSON text, drawn twice: a light halo, then coloured with tooltips) and
    the markers."""
    return _GROUP.format(name=name, rings=_script_text(rings), halo=json.dumps(RING_HALO),
                         markers=_script_text(json.dumps([asdict(m) for m in markers])))


class SitesLayer(folium.FeatureGroup):
    """A feature group whose content is `group_script`'s code: one element however many sites."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

    def __init__(self, name: str, rings: str, markers: Sequence[LabelMarker]) -> None:
        super().__init__(name=name)
        self.script = group_script(self.get_name(), rings, markers)


def sites_layer(sites: gpd.GeoDataFrame, catchments: list[list[dict]], method: str) -> SitesLayer:
    """Numbered site markers above their catchment outlines (`catchment_shapes` per site)."""
    return SitesLayer(SITES_GROUP, json.dumps(site_rings(sites, catchments, method)), site_markers(sites))
