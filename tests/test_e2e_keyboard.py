"""Keyboard only: Tab reaches every control a planner needs, and the map is not a Tab trap."""

from __future__ import annotations

import pytest

from tests.e2e_support import wait_for_map

pytestmark = pytest.mark.e2e

FOCUS_NAME = """() => { const e = document.activeElement; if (!e) return '';
  return (e.getAttribute('aria-label') || e.innerText || e.title || e.tagName).slice(0, 60); }"""


def test_tab_reaches_every_control_past_the_map(app_url: str, page) -> None:
    page.goto(app_url)
    wait_for_map(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    names = []
    for _ in range(40):
        page.keyboard.press("Tab")
        names.append(page.evaluate(FOCUS_NAME))
    for control in ("Sprog / Language", "Præsentation", "Klynge", "streamlit_folium.st_folium",
                    "Tilføj med koordinater", "Navn", "Breddegrad (lat)", "Længdegrad (lon)", "Tilføj"):
        assert control in names, (control, names)
    # the map holds only a few stops (zoom, layer switches, attribution), not one per dot
    assert names.count("streamlit_folium.st_folium") <= 12, names
