"""End to end: download the board pack and the workbook from the real app, then present."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e_support import ARTIFACTS, add_town, wait_for_map

pytestmark = pytest.mark.e2e


def test_download_pdf_and_excel_then_presentation_mode(app_url: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.goto(app_url)
    wait_for_map(page)
    for town in ("Næstved", "Roskilde"):
        add_town(page, town)
    page.get_by_role("tab", name="Mødepakke og scenarie").click()
    page.get_by_role("button", name="Lav filer til mødet").click()
    pdf_button = page.get_by_role("button", name="Mødepakke (PDF)")
    pdf_button.wait_for(timeout=120_000)
    with page.expect_download(timeout=120_000) as download:  # the PDF is made when clicked
        pdf_button.click()
    pdf = PdfReader(download.value.path())
    text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert len(pdf.pages) >= 4 and "Kilder og metode" in text and "Næstved" in text and "Demodata" in text
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Excel med kilder").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "Kilder og metode" in book.sheetnames and "Indikatorer" in book.sheetnames
    page.get_by_text("Præsentation").first.click()
    page.get_by_text("Klyngearbejdssteder inden for 45 min").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "presentation.png"))
    # no editing controls in presentation mode: the site forms are gone
    assert page.get_by_role("tab", name="Tilføj en by").count() == 0
