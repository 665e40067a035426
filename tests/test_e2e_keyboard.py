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


def test_keyboard_opens_the_town_form_and_adds_a_site(app_url: str, page) -> None:
    """The site tabs draw only the open tab's form: opened by the arrow keys, the town form
    appears and a town is added without the mouse."""
    page.goto(app_url)
    wait_for_map(page)
    assert page.get_by_role("combobox", name="By", include_hidden=True).count() == 0  # not drawn while hidden
    page.get_by_role("tab", name="Tilføj med koordinater").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    town_box = page.get_by_role("combobox", name="By")
    town_box.wait_for(timeout=60_000)  # drawn only now: the fragment ran for the new tab
    town_box.focus()
    page.keyboard.type("Holbæk")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS_NAME) == "Tilføj"
    page.keyboard.press("Enter")
    page.locator(".ks-site-list tbody tr").filter(has_text="Holbæk").wait_for(timeout=60_000)
