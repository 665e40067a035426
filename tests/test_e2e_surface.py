"""End to end: the suitability surface in the real app – recoloured by a weight slider at once,
a best area becomes a site with its indicators, and the board pack gets the surface page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from geo.reach.surface import ENV_SURFACE_CACHE
from tests.e2e_support import ARTIFACTS, add_town, browser_page, running_app

pytestmark = pytest.mark.e2e

BEST = re.compile(r"Område 1: ved .+ – [\d,]+ point")


def best_area(page) -> str:
    """The first line of the surface tab's list of best areas (waits until it is drawn)."""
    line = page.get_by_text(BEST).first
    line.wait_for(timeout=240_000)
    return line.inner_text().strip()


def words(text: str) -> str:
    return " ".join(text.split())


def test_surface_recolours_on_a_slider_and_a_best_area_becomes_a_site(tmp_path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app({ENV_SURFACE_CACHE: str(tmp_path)}) as url, browser_page(1600, 1200) as page:
        page.goto(url)
        page.get_by_role("tab", name="Tilføj en by").wait_for(timeout=240_000)
        for town in ("Næstved", "Roskilde"):  # two sites: the weight sliders appear
            add_town(page, town)
        page.get_by_role("tab", name="Kort over egnethed").click()
        page.get_by_text("Vis kort over egnethed").click()
        before = best_area(page)
        assert BEST.search(before), before
        # all weight on research, in the Rangering tab (a fragment rerun) …
        page.get_by_role("tab", name="Rangering").click()
        research = page.locator('[data-testid="stSlider"]').filter(has_text="Udbytte af offentlig forskning")
        research.get_by_role("slider").focus()
        page.keyboard.press("End")
        expect(research.get_by_role("slider")).to_have_value("100", timeout=30_000)
        # … and the surface tab already shows the new scores, with no other action
        page.get_by_role("tab", name="Kort over egnethed").click()
        page.wait_for_function("b => !document.body.innerText.includes(b)", arg=before, timeout=60_000)
        after = best_area(page)
        assert BEST.search(after) and after != before, (before, after)
        page.screenshot(path=str(ARTIFACTS / "e2e_surface.png"), full_page=True)
        page.get_by_role("button", name="Tilføj som lokalitet").first.click()
        page.get_by_role("tab", name="Indikatorer").click()
        table = page.get_by_role("table").filter(has_text="3. Område 1 ved ")
        table.first.wait_for(timeout=120_000)
        assert "Klyngearbejdssteder inden for 45 min" in table.first.inner_text()
        # the board pack carries the surface shown in the app
        page.get_by_role("tab", name="Mødepakke og scenarie").click()
        page.get_by_role("button", name="Lav filer til mødet").click()
        pdf_button = page.get_by_role("button", name="Mødepakke (PDF)")
        pdf_button.wait_for(timeout=300_000)  # the four files are made on the click; slow on a busy machine
        with page.expect_download(timeout=60_000) as download:
            pdf_button.click()
        text = "\n".join(p.extract_text() or "" for p in PdfReader(download.value.path()).pages)
        assert "Kort over egnethed: hvor i K17?" in text and words(after.split(" – ")[0]) in words(text)
