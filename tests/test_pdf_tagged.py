"""The board pack is a tagged PDF (PDF/UA-1): language, title, structure tree, alt texts, real tables.

The structure tree is read with pikepdf; the text of each structure element is found through
its marked-content ids (MCID), read from the page content with pypdf.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pandas as pd
import pikepdf
import pypdf
import pytest

from geo.report.formats import render
from tests.report_support import HOSTILE, report_data


@dataclasses.dataclass
class Element:
    """A structure element: its type, alternative text and the text it marks, in reading order."""

    kind: str
    alt: str
    text: str
    kids: list[Element]

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


def _marked_text(pdf: bytes) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text drawn inside that marked-content sequence."""
    out: dict[tuple[int, int], str] = {}
    for n, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
        stack: list[int | None] = []

        def before(op, args, cm, tm, stack=stack):
            if op == b"BDC":
                stack.append(args[1].get("/MCID") if len(args) > 1 and hasattr(args[1], "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(t, cm, tm, font, size, n=n, stack=stack):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None and t:
                out[(n, int(mcid))] = out.get((n, int(mcid)), "") + t

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return out


def structure(pdf: bytes) -> Element:
    """The document's structure tree, each element with the text of its own marked content."""
    doc = pikepdf.open(io.BytesIO(pdf))
    pages = {page.objgen: n for n, page in enumerate(doc.pages)}
    texts = _marked_text(pdf)

    def build(node) -> Element:
        page = pages.get(node.Pg.objgen) if "/Pg" in node else None
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, pikepdf.Array) else [kids]
        own = "".join(texts.get((page, int(k)), "") for k in kids if isinstance(k, int))
        children = [build(k) for k in kids if isinstance(k, pikepdf.Dictionary)]
        return Element(str(node.S)[1:], str(node.get("/Alt", "")), own, children)

    top = doc.Root.StructTreeRoot.K
    return build(top[0] if isinstance(top, pikepdf.Array) else top)


def full_text(e: Element) -> str:
    """The element's text with its descendants', line breaks and runs of spaces as one space."""
    return re.sub(r"[ \n]+", " ", e.text + " " + " ".join(full_text(k) for k in e.kids)).strip()


@pytest.fixture(scope="module")
def tree(board_pdf) -> Element:
    return structure(board_pdf)


def test_catalog_says_tagged_danish_and_shows_the_title(board_pdf) -> None:
    doc = pikepdf.open(io.BytesIO(board_pdf))
    root = doc.Root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == "da"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert "/StructTreeRoot" in root
    meta = doc.open_metadata()
    assert meta["dc:title"] == "Klyngested – Testscenarie"
    assert meta["pdfuaid:part"] == "1"
    assert doc.docinfo.Title == "Klyngested – Testscenarie"


def test_structure_has_headings_tables_and_figures(tree) -> None:
    assert tree.kind == "Document"
    kinds = {e.kind for e in tree.walk()}
    assert {"H1", "H2", "P", "Table", "THead", "TBody", "TR", "TH", "TD", "Figure"} <= kinds
    headings = [full_text(e) for e in tree.walk() if e.kind == "H1"]
    assert headings[:4] == ["Overblik", "Sammenligning af lokaliteterne", "Rangering og robusthed",
                            "Lokalitet 1: Næstved"]
    assert headings[-1] == "Kilder og metode"


def test_every_figure_has_a_danish_alt_text(tree) -> None:
    figures = [e for e in tree.walk() if e.kind == "Figure"]
    # overview map, ranking chart, 4 site maps, co-financing chart
    assert len(figures) == 7
    assert all(f.alt.strip() for f in figures)
    assert figures[0].alt.startswith("Kort over K17 med kommunegrænser og de 4 lokaliteter nummereret: 1. Næstved")
    assert any(f.alt.startswith("Kort over lokalitet 1, Næstved i Næstved med linjer") for f in figures)
    assert any("3. Næstved: 37,8 point" in f.alt for f in figures)  # the ranking chart's bars, in words
    assert any(f.alt.startswith("Vandret søjlediagram over hver kommunes bidrag") for f in figures)


def test_a_table_row_is_text_in_cell_order(tree) -> None:
    """Næstved's own municipality in its per-municipality table, checked by hand: the site reaches
    1.722 workplaces in 45 min (the indicator table), 457 of them in Næstved Kommune, so the
    benefit share is 457 / 1.722 = 26,5 %; Næstved pays 99.516 of 1.000.000 kr. = 10,0 %
    (by population), and 26,54 / 9,95 = 2,67. The column headings are header cells (TH); a row's
    first cell is a data cell (Typst marks row headings only behind a feature flag)."""
    rows = [[(c.kind, full_text(c)) for c in r.kids] for r in tree.walk() if r.kind == "TR"]
    assert [("TD", "Næstved (0370)"), ("TD", "457"), ("TD", "26,5\u00a0%"), ("TD", "10,0\u00a0%"),
            ("TD", "2,67")] in rows
    header = [("TH", "Kommune"), ("TH", "Arb.steder nået 45 min"), ("TH", "Andel af gavn"),
              ("TH", "Andel af udgift"), ("TH", "Gavn ÷ udgift")]
    assert header in rows


def test_html_in_a_site_name_is_text(board_pdf, tree) -> None:
    headings = [full_text(e) for e in tree.walk() if e.kind == "H1"]
    assert f"Lokalitet 3: {HOSTILE}" in headings
    assert len([e for e in tree.walk() if e.kind == "Figure"]) == 7  # no picture came from the name
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(board_pdf)).pages)
    assert f"Lokalitet 3: {HOSTILE}" in text


def test_a_long_table_continues_on_the_next_pages() -> None:
    """60 municipalities for one site: every one is in the pack, under repeated headings."""
    data = report_data(n_sites=2, ranked=False, finance=False, case=False)
    names = [f"Testkommune {k:02d}" for k in range(1, 61)]
    first = data.site_names()[0]
    many = pd.DataFrame({"site": first, "kommunekode": [f"9{k:03d}" for k in range(1, 61)], "kommune": names,
                         "workplaces": range(600, 0, -10), "employees": 1.0})
    data = dataclasses.replace(data, breakdown=pd.concat([many, data.breakdown[data.breakdown["site"] != first]]))
    pdf = render(data, "pdf")
    tree = structure(pdf)
    cells = [full_text(e) for e in tree.walk() if e.kind in ("TH", "TD")]
    assert all(f"{name} (9{k:03d})" in cells for k, name in enumerate(names, start=1))
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    continued = [p for p in pages if f"Lokalitet 1: {first} (fortsat)" in p]
    assert len(continued) >= 2 and "Testkommune 60 (9060)" in continued[-1]
    assert all("Andel af gavn" in p for p in continued)  # the heading row again on every next page
    assert "Fordeling pr. kommune (60 kommuner)" in "\n".join(pages)
