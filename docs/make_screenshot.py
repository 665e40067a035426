"""Render the README images: every tab and the presentation at a projector's 1280×720 and at
1600×1000, and the board pack's first page and first site page (via poppler's pdftoppm).

Run: `.venv/bin/python -m docs.make_screenshot` (needs Debian's chromium and poppler-utils).
Files: docs/<view>_<width>x<height>.png, docs/pdf_page1.png, docs/pdf_site.png.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import TimeoutError  # Playwright's, raised by wait_for
from pypdf import PdfReader

from geo.data.sites import Site, sites_frame
from geo.data.sources.embedded import load_default
from geo.decide.weights import equal_weights
from geo.reach.engines import select_engine
from geo.report.bundle import build_report_data
from geo.report.pdf import report_to_pdf
from tests.e2e_support import add_town, browser_page, running_app, wait_for_map

DOCS = Path(__file__).parent
TOWNS = ("Næstved", "Roskilde", "Slagelse")
SIZES = ((1280, 720), (1600, 1000))
#: Tab label -> file stem; the app's main screen is "indikatorer".
TABS = {"Indikatorer": "indikatorer", "Rangering": "rangering", "Forslag": "forslag", "Kommunerne": "kommunerne",
        "Medfinansiering": "medfinansiering", "Mødepakke og scenarie": "moedepakke", "Kort over egnethed": "egnethed",
        "Klynger": "klynger"}


def _tab(page, label: str) -> None:
    """Open a tab and let it draw; the suggestion is run once so Forslag shows a result."""
    page.get_by_role("tab", name=label).click()
    page.wait_for_timeout(3000)
    if label == "Forslag" and page.get_by_text("Jeres bedste").count() == 0:
        page.get_by_role("button", name="Foreslå steder").click()
        page.get_by_text("Jeres bedste").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1000)


def app_screenshots() -> None:
    """Each tab, then the presentation, at each size (the same app session, resized)."""
    with running_app() as url, browser_page(*SIZES[0]) as page:
        page.goto(url)
        for attempt in range(3):  # a busy machine may take more than a minute to draw the first map
            try:
                wait_for_map(page)
                break
            except TimeoutError:
                if attempt == 2:
                    raise
        for town in TOWNS:
            add_town(page, town)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for label, stem in TABS.items():
                _tab(page, label)
                page.screenshot(path=str(DOCS / f"{stem}_{width}x{height}.png"))
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            if page.locator(".ks-card").count() == 0:
                page.get_by_text("Præsentation").first.click()
            page.locator(".ks-card").first.wait_for(timeout=60_000)
            page.wait_for_timeout(2500)
            page.screenshot(path=str(DOCS / f"praesentation_{width}x{height}.png"))


def pdf_pages() -> None:
    """Page 1 and the first site page of the board pack as PNG, drawn by pdftoppm from the PDF itself."""
    layers = load_default()
    sites = sites_frame([Site(name, *xy) for name, xy in zip(TOWNS, ((55.2299, 11.7609), (55.6415, 12.0804),
                                                                       (55.4028, 11.3546)), strict=True)],
                        layers.municipalities)
    engine, _ = select_engine("estimate")
    data = build_report_data(layers, sites, engine, codes=("41", "42", "43", "711", "813"), cluster_id="byggeri",
                             weights=equal_weights(), scenario_name="K17-møde")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "pakke.pdf"
        pdf.write_bytes(report_to_pdf(data))
        pages = [page.extract_text() for page in PdfReader(pdf).pages]
        # a page's first line is its running header, the next its section's heading
        site_page = 1 + next(i for i, text in enumerate(pages) if text.splitlines()[1].startswith("Lokalitet 1:"))
        for page, name in ((1, "pdf_page1"), (site_page, "pdf_site")):
            subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(DOCS / name)], check=True)


if __name__ == "__main__":
    app_screenshots()
    pdf_pages()
