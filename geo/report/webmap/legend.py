"""Map legend (HTML, shown on or beside the map) and provenance attribution as a Leaflet control."""

from __future__ import annotations

import json

from branca.element import MacroElement
from jinja2 import Template

from geo.format import number
from geo.reach.indicators import kind_label
from geo.report.webmap.geojson import esc
from geo.report.webmap.workplaces import CELL_M, POINT_LIMIT
from geo.style import (
    KIND_COLOURS,
    RING_STYLES,
    SITE_COLOUR,
    SITE_RING,
    STATION_COLOUR,
    WORKPLACE_COLOUR,
)


class MapNotes(MacroElement):
    """Optional legend control (bottom right) and attribution lines, with no extra JavaScript."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            {% if this.html_json != '""' %}
            var ctl = L.control({position: 'bottomright'});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', 'klyngested-legend');
                div.innerHTML = {{ this.html_json }};
                return div;
            };
            ctl.addTo(map);
            {% endif %}
            {% for line in this.attributions %}
            map.attributionControl.addAttribution({{ line }});
            {% endfor %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str, attributions: list[str]) -> None:
        super().__init__()
        self.html_json = json.dumps(legend_html)
        self.attributions = [json.dumps(esc(a)) for a in attributions]


def legend_html(thresholds: tuple[int, ...], workplaces_title: str, n_workplaces: int,
                attributions: tuple[str, ...] | list[str] = ()) -> str:
    """Legend for sites, rings, institution kinds, stations and workplace cells (large type),
    with the data sources below it when the map itself carries no attribution."""
    dot = ('<span style="display:inline-block;width:18px;height:18px;border-radius:50%;background:{};'
           'border:2px solid {};margin-right:6px;vertical-align:middle"></span>')
    items = [f'{dot.format(SITE_COLOUR, SITE_RING)}Lokalitet']
    for (colour, dash), t in zip(RING_STYLES, thresholds, strict=False):
        style = "dashed" if dash else "solid"
        items.append(f'<span style="display:inline-block;width:28px;border-top:4px {style} {colour};margin-right:6px;vertical-align:middle"></span>{t} min')
    items += [f"{dot.format(c, '#fff')}{esc(kind_label(k).capitalize())}" for k, c in KIND_COLOURS.items()]
    items.append(f"{dot.format('#fff', STATION_COLOUR)}Togstation")
    if n_workplaces > POINT_LIMIT:
        items.append(
            '<span style="display:inline-block;width:40px;height:16px;margin-right:6px;vertical-align:middle;'
            'background:linear-gradient(90deg,#fde725,#22a884,#414487)"></span>'
            f"{esc(workplaces_title)} (få → mange pr. {number(CELL_M / 1000, 1)} km-celle)"
        )
    else:
        items.append(f"{dot.format(WORKPLACE_COLOUR, '#222')}{esc(workplaces_title)}")
    body = "".join(f'<span class="klyngested-legend-item" style="margin-right:18px;display:inline-block;max-width:100%">{i}</span> ' for i in items)
    if attributions:
        body += f'<div style="font-size:14px;line-height:1.4;color:#222">Kilder: {esc(" · ".join(attributions))}</div>'
    return (
        '<div class="klyngested-legend" role="note" aria-label="Signaturforklaring" '
        'style="background:rgba(255,255,255,.95);padding:6px 10px;border:1px solid #555;'
        f'border-radius:6px;font:16px/1.8 sans-serif;color:#111">{body}</div>'
    )
