"""The meeting room in a real browser: WCAG 2.1 AA by axe-core on every view, Danish page
language and numbers, and a presentation whose first projector screen holds map and cards."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e_support import ARTIFACTS, add_town, browser_page, running_app, wait_for_map

pytestmark = pytest.mark.e2e

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
TABS = ("Indikatorer", "Rangering", "Forslag", "Kommunerne", "Medfinansiering", "Mødepakke og scenarie",
        "Kort over egnethed", "Klynger")
#: An English decimal ("20.0 %", "55.2299"): a point followed by other than exactly three digits.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])")
#: English thousands ("2,227", "1,000,000") – also what a wrong decimal-comma rewrite of "2.227" gives.
ENGLISH_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
#: An amount without thousands separators ("10000", "1000000").
UNSEPARATED = re.compile(r"(?<![\d.,/~-])\d{5,}(?![\d.,])")
AXE = Axe()


def serious(target) -> list[str]:
    """axe-core's serious and critical WCAG 2.0/2.1 A+AA violations in a page or frame."""
    found = AXE.run(target, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found if v["impact"] in ("serious", "critical")]


def main_text(page) -> str:
    """The visible text of the main area (the sidebar shows industry codes such as '71.1')."""
    return page.locator('[data-testid="stMain"]').inner_text()


def check_view(page, where: str) -> None:
    assert serious(page) == [], where
    text = main_text(page)
    assert not ENGLISH_DECIMAL.findall(text), (where, ENGLISH_DECIMAL.findall(text))
    assert not UNSEPARATED.findall(text), (where, UNSEPARATED.findall(text))
    assert not ENGLISH_THOUSANDS.findall(text), (where, ENGLISH_THOUSANDS.findall(text))


def test_every_view_is_danish_and_passes_axe_and_presentation_fits_a_projector() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app() as url, browser_page(1280, 720) as page:
        page.goto(url)
        wait_for_map(page)
        for town in ("Næstved", "Roskilde", "Slagelse"):  # three cards must fit the projector screen
            add_town(page, town)
        page.wait_for_timeout(1500)
        assert page.evaluate("document.documentElement.lang") == "da"
        map_frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        assert map_frame.locator("html").get_attribute("lang") == "da"
        assert page.get_by_text("Skip to main content", exact=True).count() == 0
        assert page.get_by_role("button", name="Deploy").count() == 0
        # the layer box is a small button until asked for; town names are on the map
        assert map_frame.locator(".leaflet-control-layers-expanded").count() == 0
        assert map_frame.get_by_text("Nykøbing Falster", exact=True).count() == 1
        check_view(page, "main")
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(3000)
            if tab == "Rangering":  # the indicator rules and the rank shares are drawn once opened
                page.get_by_text("Indikatorer: retning").click()
                page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
                page.get_by_text("Fordeling af placeringer").click()
                page.locator(".vega-embed").nth(1).wait_for(timeout=60_000)
                page.wait_for_timeout(1500)
            if tab == "Forslag":  # the suggestion in plain words, compared like with like, no solver jargon
                page.get_by_role("button", name="Foreslå steder").click()
                page.get_by_text("Jeres bedste 2 af 3 lokaliteter").first.wait_for(timeout=120_000)
                assert not re.search(r"optimalitetsgab|Lagrange", main_text(page))
            if tab == "Kort over egnethed":  # the surface itself, with its map and best areas
                page.get_by_text("Vis kort over egnethed").click()
                page.get_by_text("Bedste områder").first.wait_for(timeout=240_000)
                page.wait_for_timeout(2000)
            check_view(page, tab)
        page.goto(page.url + "&vis=praesentation")  # the link opens the app straight in presentation mode
        cards = page.locator(".ks-card")
        cards.first.wait_for(timeout=60_000)
        page.wait_for_timeout(2500)
        page.screenshot(path=str(ARTIFACTS / "presentation_1280x720.png"))
        assert cards.count() == 3 and "vægtkombinationer" in cards.first.inner_text()
        assert page.locator('[data-testid="stSidebar"]').is_hidden()
        assert page.get_by_role("tab", name="Tilføj en by").count() == 0  # nothing editable
        page.locator('iframe[title="streamlit_folium.st_folium"]').wait_for(timeout=60_000)  # drawn after the cards
        first_screen = [page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box(),
                        *(cards.nth(i).bounding_box() for i in range(cards.count()))]
        assert all(box["y"] >= 0 and box["y"] + box["height"] <= 720 for box in first_screen), first_screen
        check_view(page, "presentation")
