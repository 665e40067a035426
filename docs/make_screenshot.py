"""Render the README images: the app with two towns, presentation mode, and a PDF page.

Run: `.venv/bin/python -m docs.make_screenshot` (needs Debian's chromium).
"""

from __future__ import annotations

from pathlib import Path

from geo.data.sites import Site, sites_frame
from geo.data.sources.embedded import load_default
from geo.decide.weights import equal_weights
from geo.reach.engines import select_engine
from geo.report.bundle import build_report_data
from geo.report.pdf import report_to_png_pages
from tests.e2e_support import add_town, browser_page, running_app, wait_for_map

DOCS = Path(__file__).parent
TOWNS = ("Næstved", "Roskilde")


def app_screenshots() -> None:
    with running_app() as url, browser_page(1600, 1500) as page:
        page.goto(url)
        wait_for_map(page)
        for town in TOWNS:
            add_town(page, town)
        page.wait_for_timeout(2000)
        page.screenshot(path=str(DOCS / "screenshot.png"))
        page.get_by_role("tab", name="Rangering").click()  # rank once so presentation shows ranks
        page.get_by_text("vægtkombinationer").first.wait_for(timeout=60_000)
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.get_by_text("Præsentation").first.click()
        page.get_by_text("Klyngearbejdssteder inden for 45 min").first.wait_for(timeout=60_000)
        page.wait_for_timeout(2000)
        page.screenshot(path=str(DOCS / "presentation.png"))


def pdf_page() -> None:
    layers = load_default()
    sites = sites_frame([Site("Næstved", 55.2299, 11.7609), Site("Roskilde", 55.6415, 12.0804)], layers.municipalities)
    engine, _ = select_engine("estimate")
    data = build_report_data(layers, sites, engine, codes=("41", "42", "43", "711", "813"), cluster_id="byggeri",
                             weights=equal_weights(), scenario_name="K17-møde")
    (DOCS / "pdf_page1.png").write_bytes(report_to_png_pages(data, dpi=80)[0])


if __name__ == "__main__":
    app_screenshots()
    pdf_page()
