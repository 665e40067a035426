"""Board-pack PDF: sections and Danish text on every page (its speed: `python -m benchmarks goals`).

The tagged structure (PDF/UA) is checked in tests/test_pdf_tagged.py."""

from __future__ import annotations

import io

import pypdf
import pytest

from geo.report.boardpack.sections import ROWS_UNDER_MAP
from geo.report.formats import render
from geo.report.pdf import page_plan
from tests.report_support import report_data


@pytest.fixture(scope="module")
def pages(board_pdf):
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(board_pdf)).pages]


def starts(title: str, text: str) -> bool:
    """The page starts a section: its heading is a line of its own, the first after the running header."""
    lines = text.splitlines()
    return title in lines and lines.index(title) <= 2  # the header's line (it may wrap once), then the heading


def section_pages(titles: list[str], pages: list[str]) -> list[str]:
    """The section each page belongs to: its heading starts a page; a continued page names it '(fortsat)'."""
    out, k = [], -1
    for text in pages:
        if k + 1 < len(titles) and starts(titles[k + 1], text):
            k += 1
        out.append(titles[k])
    return out


def test_sections_in_order_each_on_a_new_page(board_data, pages):
    # overview, comparison, ranking, 4 sites, co-financing, lead case, sources; long tables continue
    titles = [t for t, _ in page_plan(board_data)]
    assert titles[0] == "Overblik" and titles[-1] == "Kilder og metode"
    assert titles[3] == "Lokalitet 1: Næstved" and "Medfinansiering" in titles and "Lead-kommunens begrundelse" in titles
    assert len([t for t in titles if t.startswith("Lokalitet ")]) == 4
    owners = section_pages(titles, pages)
    assert sorted(set(owners), key=titles.index) == titles  # every section starts a page, in the plan's order
    for owner, text, previous in zip(owners[1:], pages[1:], owners[:-1], strict=True):
        if owner == previous:  # a continued page says so in its header
            assert f"{owner} (fortsat)" in text


def test_no_municipality_table_is_cut(board_data, pages):
    """Every municipality a site reaches is in the pack; a site whose table fits under its map takes one page.

    (A longer table continues on the next page: tests/test_pdf_tagged.py, 60 municipalities.)
    """
    titles = [t for t, _ in page_plan(board_data)]
    owners = section_pages(titles, pages)
    for i, name in enumerate(board_data.site_names(), start=1):
        own = [p for t, p in zip(owners, pages, strict=True) if t.startswith(f"Lokalitet {i}:")]
        codes = board_data.breakdown.loc[board_data.breakdown["site"].astype(str) == name, "kommunekode"].astype(str)
        missing = [c for c in codes if f"({c})" not in "\n".join(own)]
        assert not missing, (name, missing)
        assert f"Fordeling pr. kommune ({len(codes)} kommuner)" in own[0]
        assert len(codes) > ROWS_UNDER_MAP or len(own) == 1, (name, len(codes), len(own))
    assert "Gavn ÷ udgift: kommunens andel af gavnen" in "\n".join(pages)


def test_every_page_has_name_date_and_number(pages):
    for n, text in enumerate(pages, start=1):
        assert "Testscenarie" in text and "2026-11-26" in text
        assert f"Side {n} af {len(pages)}" in text
        assert "Demodata" in text


def test_danish_content(pages):
    everything = "\n".join(pages)
    for word in ("Overblik", "Sammenligning af lokaliteterne", "Rangering og robusthed", "Kilder og metode",
                 "Værdi for lokale virksomheder", "Tiltrækning og fastholdelse", "Netværksfacilitering",
                 "Udbytte af offentlig forskning", "vægtkombinationer", "Fordeling pr. kommune",
                 "Medfinansiering", "omtrentlig placering", "Vi holder netværksmøder.", "km"):
        assert word in everything, word
    assert "Rejsetidsmetode" in pages[-1] and "15, 30, 45, 60" in pages[-1]


def test_suggestion_page_says_it_in_sentences():
    data = report_data(n_sites=2, ranked=False, finance=False, case=False)
    data.suggestion = ["Forslag: F1 Næstved, F2 Roskilde",
                       ("Forslaget dækker 61,2 % af klyngens ansatte inden for tærsklen; gennemsnitlig køretid "
                        "31,4 min. Der findes ikke et bedre sæt med 2 steder.")]
    titles = [t for t, _ in page_plan(data)]
    assert titles[2] == "Optimeringens forslag"
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(render(data, "pdf"))).pages]
    [page] = [p for owner, p in zip(section_pages(titles, pages), pages, strict=True) if owner == titles[2]]
    text = " ".join(page.split())  # lines wrap
    assert "F1 Næstved, F2 Roskilde" in text and "Der findes ikke et bedre sæt med 2 steder." in text


def test_minimal_pack_without_optional_pages():
    data = report_data(n_sites=2, ranked=False, finance=False, case=False)
    reader = pypdf.PdfReader(io.BytesIO(render(data, "pdf")))
    titles = [t for t, _ in page_plan(data)]
    assert titles == ["Overblik", "Sammenligning af lokaliteterne", "Lokalitet 1: Næstved",
                      f"Lokalitet 2: {data.site_names()[1]}", "Kilder og metode"]
    pages = [p.extract_text() for p in reader.pages]
    assert set(section_pages(titles, pages)) == set(titles)
    assert reader.metadata.title == "Klyngested – Testscenarie"
