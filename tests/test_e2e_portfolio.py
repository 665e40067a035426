"""End to end: the "Klynger" tab places a portfolio on the map and downloads it in Excel."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.e2e_support import ARTIFACTS, browser_page, running_app

pytestmark = pytest.mark.e2e

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_portfolio_tab_adds_offices_to_map_and_excel_sheet() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app() as url, browser_page() as page:
        page.goto(url, wait_until="domcontentloaded")
        page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(state="visible", timeout=180_000)
        page.get_by_role("tab", name="Klynger").click()
        page.get_by_role("button", name="Placér porteføljen").click()
        page.get_by_text("De fælles regler").first.wait_for(timeout=120_000)
        offices = page.frame_locator(MAP_FRAME).locator(".klyngested-office")
        offices.first.wait_for(timeout=60_000)
        assert offices.count() == 4  # byggeri, food, energy, digital: one office each
        labels = [offices.nth(i).get_attribute("aria-label") for i in range(4)]
        assert "Byggeri og anlæg i Næstved" in labels  # the existing office stays
        assert "optimalitetsgab" in page.content()
        page.screenshot(path=str(ARTIFACTS / "e2e_portfolio.png"), full_page=True)
        with page.expect_download(timeout=60_000) as got:
            page.get_by_role("button", name="Hent Excel med porteføljen").click()
        book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
        assert "Portefølje" in book.sheetnames
        ws = book["Portefølje"]
        assert ws["A1"].value == "Klynge" and ws["B2"].value and ws.max_row > 5
        towns = {ws.cell(row=r, column=2).value for r in range(2, 6)}
        assert "Næstved" in towns
