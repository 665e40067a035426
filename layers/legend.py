"""Map legend and provenance attribution, as Leaflet controls (no extra JavaScript)."""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.indicators import KIND_DA
from layers._geo import esc
from layers.style import KIND_COLOURS, RING_STYLES, SITE_COLOUR, STATION_COLOUR


class _Control(MacroElement):
    """A Leaflet control holding fixed HTML, plus attribution lines."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var ctl = L.control({position: 'bottomleft'});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'klyngested-legend');
                div.innerHTML = {{ this.html_json }};
                return div;
            };
            ctl.addTo(map);
            {% for line in this.attributions %}
            map.attributionControl.addAttribution({{ line }});
            {% endfor %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, attributions: list[str]) -> None:
        super().__init__()
        self.html_json = json.dumps(html)
        self.attributions = [json.dumps(esc(a)) for a in attributions]


def legend(thresholds: tuple[int, ...], workplaces_title: str, attributions: list[str]) -> MacroElement:
    """Legend for sites, rings, institution kinds and stations; provenance as attribution."""
    dot = '<span style="display:inline-block;width:16px;height:16px;border-radius:50%;background:{};border:2px solid {};margin-right:6px;vertical-align:middle"></span>'
    rows = [f'{dot.format(SITE_COLOUR, "#000")}Lokalitet']
    for (colour, dash), t in zip(RING_STYLES, thresholds, strict=False):
        style = "dashed" if dash else "solid"
        rows.append(f'<span style="display:inline-block;width:24px;border-top:3px {style} {colour};margin-right:6px;vertical-align:middle"></span>{t} min')
    rows += [f"{dot.format(c, '#fff')}{esc(KIND_DA[k]).capitalize()}" for k, c in KIND_COLOURS.items()]
    rows.append(f"{dot.format('#fff', STATION_COLOUR)}Togstation")
    rows.append(f'<span style="display:inline-block;width:16px;height:16px;background:#2a788e;margin-right:6px;vertical-align:middle"></span>{esc(workplaces_title)}')
    html = (
        '<div style="background:rgba(255,255,255,.92);padding:8px 12px;border:1px solid #555;'
        'border-radius:6px;font:16px/1.5 sans-serif;color:#111">' + "<br>".join(rows) + "</div>"
    )
    return _Control(html, attributions)
