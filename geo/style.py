"""Colours chosen for projectors and colour-blind viewers (Okabe–Ito palette), for every output.

The one palette of the project: the web map (layers/), the charts (ui/) and the board pack
(geo/report/) all take their colours from here.
"""

from __future__ import annotations

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
#: Catchment rings, innermost first: one hue, darker and more solid with time.
RING_STYLES: tuple[tuple[str, str], ...] = (
    ("#08306b", ""),
    ("#2171b5", "8 4"),
    ("#6baed6", "4 4"),
    ("#9ecae1", "2 6"),
)
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
#: One colour per cluster of a portfolio (Okabe–Ito; the marker also carries the cluster's initials, so
#: clusters beyond the seventh, which reuse a colour, stay distinguishable).
CLUSTER_COLOURS: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")


def cluster_colour(index: int) -> str:
    """Colour of the ``index``-th cluster of a portfolio."""
    return CLUSTER_COLOURS[index % len(CLUSTER_COLOURS)]
