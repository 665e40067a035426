"""Danish board pack as a tagged PDF (PDF/UA-1), laid out from HTML and CSS by WeasyPrint.

A4 landscape; every page carries the scenario name, the date and "Side n af N". Sections, each
starting on a new page: overview map and key figures; comparison table; ranking with robustness
(when given); the suitability surface (when the bundle carries one); the optimiser's suggestion
(when given); one section per site (map, indicators by the paper's five criteria,
per-municipality fairness); co-financing (when given); the lead municipality's case (when texts
are given); sources. A table longer than its page continues on the next one under its headings
and the section title "(fortsat)".

Accessibility: the PDF has a structure tree in reading order (headings, paragraphs, real tables
with header cells, figures with Danish alternative texts), /Lang (da) and the document title
shown by viewers. Maps and charts are drawn by matplotlib (`geo.report.boardpack.figures`) as
JPEG and handed to WeasyPrint from memory: the renderer fetches nothing else, neither from the
network nor from files. All text from users is escaped by Jinja (autoescape).

Speed: WeasyPrint's time grows with the boxes it lays out, most of them the table cells (about
2,800 for 20 sites); the cells are kept plain (fixed column widths, no nested boxes) and styled
with a lighter user-agent stylesheet (`USER_AGENT`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import markupsafe
import weasyprint
import weasyprint.html
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from geo.report.boardpack import sections
from geo.report.boardpack.basemap import MapContext
from geo.report.boardpack.picture import Picture
from geo.text import plain

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

SITES_PER_TABLE = 6  #: site columns in one comparison table
SCHEME = "klyngested-billede:"  #: the URLs of the pack's own pictures, served from memory
TEMPLATES = Path(__file__).parent / "boardpack" / "templates"
Builder = Callable[[MapContext], sections.Part]


class RefusedFetch(FatalURLFetchingError):
    """The board pack asked for something other than its own pictures (it never should)."""


class PictureFetcher(URLFetcher):
    """Serves the pack's pictures from memory and refuses every other URL (network, files, data)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=())
        self.pictures: dict[str, bytes] = {}

    def add(self, picture: Picture) -> str:
        """Keep a picture; its URL for an <img src>."""
        url = f"{SCHEME}{len(self.pictures) + 1}.jpg"
        self.pictures[url] = picture.jpeg
        return url

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The picture behind one of our URLs.

        Raises
        ------
        RefusedFetch
            For any other URL: rendering stops rather than reach outside the pack.
        """
        if url not in self.pictures:
            raise RefusedFetch(f"Mødepakken henter ikke eksterne filer: {url[:80]}")
        return URLFetcherResponse(url, self.pictures[url], {"Content-Type": "image/jpeg"})


def _lighter(ua: str) -> str:
    """WeasyPrint's user-agent stylesheet without its rules for a pseudo-element of every element.

    The footnote and note calls, markers and callbacks go (the pack has none); list markers stay,
    for list items only. Together these rules made WeasyPrint compute six pseudo-element styles
    for each of the pack's elements: two thirds of the time it spent on styles.
    """
    notes = re.sub(r"^::(footnote|note)-[\w-]+ \{[^}\n]*\}\n", "", ua, flags=re.MULTILINE)
    return notes.replace("\n::marker {", "\nli::marker {")


USER_AGENT_CSS = _lighter(weasyprint.html.UA)
USER_AGENT = weasyprint.CSS(string=USER_AGENT_CSS)


class PackHTML(weasyprint.HTML):
    """The pack's HTML for WeasyPrint, styled by the lighter user-agent stylesheet (`USER_AGENT`)."""

    def _ua_stylesheets(self, forms: bool = False) -> list[weasyprint.CSS]:
        return [USER_AGENT, *super()._ua_stylesheets(forms)[1:]]


@dataclass
class Section:
    """One section of the pack: its heading and what it shows."""

    title: str
    part: sections.Part


def report_to_pdf(data: ReportData) -> bytes:
    """The board pack as tagged PDF (PDF/UA-1) bytes."""
    ctx = MapContext(data)
    fetcher = PictureFetcher()
    html = render_html(data, [Section(title, build(ctx)) for title, build in page_plan(data)], fetcher.add)
    return html_to_pdf(html, fetcher)


def html_to_pdf(html: str, fetcher: PictureFetcher) -> bytes:
    """Lay out the pack's HTML as PDF/UA-1; pictures come only from `fetcher`."""
    return PackHTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")


def _visible(value: object) -> object:
    """Every text shown keeps only visible characters (user names may hold U+FEFF or lone surrogates)."""
    return plain(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


ENVIRONMENT = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                 finalize=_visible, undefined=jinja2.StrictUndefined)


def render_html(data: ReportData, parts: list[Section], src: Callable[[Picture], str]) -> str:
    """The pack as one HTML document; `src` gives each picture its URL."""
    return ENVIRONMENT.get_template("pack.html").render(
        title=f"Klyngested – {plain(data.scenario_name)}", scenario=data.scenario_name, cluster=data.cluster_name,
        created=data.created, method=data.method_da, synthetic=data.has_synthetic,
        data_label=f"Data: {data.data_label}" + (" – syntetiske data, ikke til beslutninger" if data.has_synthetic else ""),
        sections=parts, src=src)


def page_plan(data: ReportData) -> list[tuple[str, Builder]]:
    """(title, builder) per section, in order; each section starts on a new page."""
    plan: list[tuple[str, Builder]] = [("Overblik", sections.overview)]
    names = data.site_names()
    chunks = [list(range(i, min(i + SITES_PER_TABLE, len(names)))) for i in range(0, len(names), SITES_PER_TABLE)]
    for k, chunk in enumerate(chunks or [[]], start=1):
        suffix = f" ({k}/{len(chunks)})" if len(chunks) > 1 else ""
        plan.append((f"Sammenligning af lokaliteterne{suffix}", lambda ctx, c=chunk: sections.comparison(ctx, c)))
    if data.ranking is not None and len(data.ranking):
        plan.append(("Rangering og robusthed", sections.ranking))
    if data.surface is not None:
        plan.append(("Kort over egnethed: hvor i K17?", sections.surface))
    if data.suggestion:
        plan.append(("Optimeringens forslag", sections.suggestion))
    for i, name in enumerate(names):
        plan.append((f"Lokalitet {i + 1}: {name}", lambda ctx, i=i: sections.site(ctx, i)))
    if data.finance is not None and len(data.finance):
        plan.append(("Medfinansiering", sections.finance))
    if any(v.strip() for v in data.case_texts.values()):
        plan.append(("Lead-kommunens begrundelse", sections.case))
    plan.append(("Kilder og metode", sections.sources))
    return plan
