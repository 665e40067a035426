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
    titles = [t for t, _ in page_plan(data)]
    assert len(pages) == len(titles)
    assert titles[0] == "Overblik" and titles[-1] == "Kilder og metode"
    assert titles[3] == "Lokalitet 1: Næstved" and "Medfinansiering" in titles and "Lead-kommunens begrundelse" in titles
    sites = [t for t in titles if t.startswith("Lokalitet ") and "fortsat" not in t]
    assert len(sites) == 4


def test_no_municipality_table_is_cut(data, pages):
    """Every municipality a site reaches is in the pack: after 8 rows the table continues."""
    titles = [t for t, _ in page_plan(data)]
    for i, name in enumerate(data.site_names(), start=1):
        mine = "\n".join(p for t, p in zip(titles, pages, strict=True) if t.startswith(f"Lokalitet {i}:"))
        codes = data.breakdown.loc[data.breakdown["site"].astype(str) == name, "kommunekode"].astype(str)
        missing = [c for c in codes if f"({c})" not in mine]
        assert not missing, (name, missing)
    assert any(len(data.breakdown[data.breakdown["site"].astype(str) == n]) > 8 for n in data.site_names())
    assert "fortsat" in "".join(titles) and "Gavn ÷ udgift: kommunens andel af gavnen" in "\n".join(pages)


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
    text = " ".join(pypdf.PdfReader(io.BytesIO(render(data, "pdf"))).pages[2].extract_text().split())  # lines wrap
    assert "F1 Næstved, F2 Roskilde" in text and "Der findes ikke et bedre sæt med 2 steder." in text


def test_minimal_pack_without_optional_pages():
    data = report_data(n_sites=2, ranked=False, finance=False, case=False)
    reader = pypdf.PdfReader(io.BytesIO(render(data, "pdf")))
    titles = [t for t, _ in page_plan(data)]
    continued = sum("fortsat" in t for t in titles)
    assert len(reader.pages) == 1 + 1 + 2 + continued + 1  # overview, comparison, 2 sites (+ continuations), sources
    assert "Rangering og robusthed" not in titles and "Medfinansiering" not in titles
    assert reader.metadata.title == "Klyngested – Testscenarie"
