"""Standalone HTML map of the current view: Leaflet JS/CSS inlined, no CDN, works offline.

The map is the app's folium map (base layers, sites and catchments) with a title, the
legend and a provenance footer. Every user-chosen text (site and company names) is escaped.
"""

from __future__ import annotations

import folium
from branca.element import Element

from geo.report.bundle import ReportData
from geo.report.webmap.basemap import base_map, map_data
from geo.report.webmap.geojson import esc
from geo.report.webmap.leaflet import leaflet_inline
from geo.report.webmap.sites import report_catchments, sites_layer


def inline_leaflet(m: folium.Map) -> folium.Map:
    """Replace the map's Leaflet links (CDN or local server) by inline <script>/<style>.

    Only Leaflet is loaded; folium's other defaults (jQuery, Bootstrap, Awesome Markers)
    are dropped: the exported map uses none of them.
    """
    js, css = leaflet_inline()
    js = js.replace("</script", "<\\/script")
    css = css.replace("</style", "<\\/style")
    m.default_js = []
    m.default_css = []
    header = m.get_root().header
    header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline", index=0)
    header.add_child(Element(f"<script>{js}</script>"), name="leaflet_inline", index=0)
    return m


def report_map(data: ReportData, tiles: bool = False) -> folium.Map:
    """The folium map of a report: base layers, sites with catchments, title and footer."""
    thresholds = tuple(data.thresholds)
    m = base_map(map_data(data.layers, data.cluster_workplaces), thresholds, tiles=tiles)
    catchments = report_catchments(data.isochrones, len(data.sites))
    sites_layer(data.sites, catchments, data.method).add_to(m)
    title = (f"{data.scenario_name} – {data.cluster_name} – {data.created} – "
             f"rejsetid: {data.method_da}" + (" – Demodata" if data.has_synthetic else ""))
    m.get_root().html.add_child(Element(
        '<div role="banner" style="position:fixed;top:8px;left:60px;z-index:1000;background:rgba(255,255,255,.95);'
        'padding:6px 12px;border:1px solid #555;border-radius:6px;font:bold 18px sans-serif;color:#111">'
        f"{esc(title)}</div>"))
    lines = "".join(f"<li>{esc(line)}</li>" for line in [*data.provenance_lines, *data.notes])
    sites = "".join(f"<li>{i}. {esc(str(s.name))} ({esc(str(s.kommune))})</li>"
                    for i, s in enumerate(data.sites.itertuples(), start=1))
    m.get_root().html.add_child(Element(
        '<details role="contentinfo" style="position:fixed;bottom:8px;left:8px;z-index:1000;max-width:55%;'
        'max-height:45%;overflow:auto;background:rgba(255,255,255,.95);padding:6px 10px;border:1px solid #555;'
        'border-radius:6px;font:13px/1.4 sans-serif;color:#111"><summary><b>Lokaliteter – Kilder og metode</b></summary>'
        f"<ol style='margin:4px 0;padding-left:18px;list-style:none'>{sites}</ol>"
        f"<ul style='margin:4px 0;padding-left:18px'>{lines}</ul></details>"))
    return m


def report_to_html(data: ReportData, tiles: bool = False) -> bytes:
    """Standalone UTF-8 HTML of the report map (tiles only when asked: they need a network)."""
    return standalone_html(report_map(data, tiles=tiles), title=data.scenario_name).encode("utf-8")


def standalone_html(m: folium.Map, title: str = "Klyngested") -> str:
    """Render any folium map as one self-contained HTML file."""
    inline_leaflet(m)
    m.get_root().title = esc(title)  # branca renders it into <title> unescaped
    text = m.get_root().render()
    head = text.split("</head>", 1)[0].lower()
    if "charset" not in head:
        text = text.replace("<head>", '<head>\n<meta charset="utf-8">', 1)
    return text

