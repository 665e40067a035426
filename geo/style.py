"""Colours chosen for projectors and colour-blind viewers (Okabe–Ito palette), for every output.

The one palette of the project: the web map (layers/), the charts (ui/) and the board pack
(geo/report/) all take their colours from here.
"""

from __future__ import annotations

from collections.abc import Sequence

KIND_COLOURS: dict[str, str] = {
    "university": "#0072B2",
    "university_college": "#E69F00",
    "business_academy": "#009E73",
    "vocational_school": "#CC79A7",
    "research_institute": "#D55E00",
}
STATION_COLOUR = "#000000"
WORKPLACE_COLOUR = "#56B4E9"
SITE_COLOUR = "#000000"  #: black disc with a yellow ring: unlike any data symbol
SITE_RING = "#F0E442"
MUNICIPALITY_LINE = "#444444"
#: Municipalities outside K17 on a national boundary file: greyed, so K17 stands out.
MUNICIPALITY_OTHER = "#a0a0a0"
#: Catchment rings, innermost first: one hue, more solid with less time; every ring at least
#: 4:1 against the white map and 3:1 against light tiles (WCAG 1.4.11), drawn over a white halo.
RING_STYLES: tuple[tuple[str, str], ...] = (
    ("#08306b", ""),
    ("#08519c", "10 5"),
    ("#2171b5", "6 5"),
    ("#3182bd", "2 6"),
)
RING_HALO = "#ffffff"  #: drawn under each ring so it stands out on dark density cells too
#: The map's own background (no tiles): the colour the ring contrast is measured against.
MAP_BACKGROUND = "#ffffff"
TOWN_LABEL = "#111111"  #: K17 main-town labels (dark text with a white halo)
#: Viridis steps for workplace density cells (low -> high), readable in greyscale too.
DENSITY_RAMP: tuple[str, ...] = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")
SUGGESTION_COLOUR = "#ffffff"  #: white squares, black frame and label: suggested sites
CRITERION_COLOURS: dict[str, str] = {"value": "#0072B2", "attract": "#E69F00", "knowledge": "#009E73", "network": "#CC79A7", "research": "#D55E00"}
#: Matplotlib dash style per ring, innermost first (the same order as RING_STYLES).
RING_DASH_MPL: tuple[str, ...] = ("-", "--", "-.", ":")
#: One colour per site in charts and the board pack (Okabe–Ito order).
SITE_COLOURS: tuple[str, ...] = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
#: Warning text (demo data) in the board pack.
WARN_COLOUR = "#B00000"
#: Suitability surface, least -> most suitable: cividis (Nuñez et al. 2018), perceptually uniform,
#: readable with colour blindness and in greyscale; distinct from the workplace-density ramp.
SURFACE_RAMP: tuple[str, ...] = ("#00224e", "#2a3f6d", "#575d6d", "#7d7c78", "#a59c74", "#d2c060", "#fee838")
#: Outline of the top areas on the surface (black on the bright cividis end).
TOP_AREA_LINE = "#000000"


def surface_colours(scores: Sequence[float]) -> list[str]:
    """Cividis class colour of each 0–100 suitability score (7 equal classes); grey when missing."""
    ramp = (*SURFACE_RAMP, "#bdbdbd")
    return [ramp[min(max(int(s / 100.0 * len(SURFACE_RAMP)), 0), len(SURFACE_RAMP) - 1) if s == s else -1] for s in scores]
