"""Board-pack PDF: page count and Danish text on every page (its speed: `python -m benchmarks goals`)."""

from __future__ import annotations

import io

import pypdf
import pytest

from geo.report.formats import render
from geo.report.pdf import page_plan
from tests.report_support import report_data


@pytest.fixture(scope="module")
def data():
    return report_data()


@pytest.fixture(scope="module")
def pdf(data) -> bytes:
    return render(data, "pdf")


@pytest.fixture(scope="module")
def pages(pdf):
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_page_count_and_order(data, pages):
    # overview, comparison, ranking, 4 sites, co-financing, lead case, sources
    assert len(pages) == 10 == len(page_plan(data))
    titles = [t for t, _ in page_plan(data)]
    assert titles[0] == "Overblik" and titles[-1] == "Kilder og metode"
    assert titles[3] == "Lokalitet 1: Næstved" and "Medfinansiering" in titles and "Lead-kommunens begrundelse" in titles


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


def test_minimal_pack_without_optional_pages():
    data = report_data(n_sites=2, ranked=False, finance=False, case=False)
    reader = pypdf.PdfReader(io.BytesIO(render(data, "pdf")))
    assert len(reader.pages) == 1 + 1 + 2 + 1  # overview, comparison, 2 sites, sources
    assert reader.metadata.title == "Klyngested – Testscenarie"
