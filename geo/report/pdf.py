"""Danish board pack as a tagged PDF (PDF/UA-1), laid out by Typst from the template `pack.typ`.

A4 landscape; every page carries the scenario name, the date and "Side n af N". Sections, each
starting on a new page: overview map and key figures; comparison table; ranking with robustness
(when given); the suitability surface (when the bundle carries one); the optimiser's suggestion
(when given); one section per site (map, indicators by the paper's five criteria,
per-municipality fairness); co-financing (when given); the lead municipality's case (when texts
are given); sources. A table longer than its page continues on the next one under its headings,
and the page's header names the section with "(fortsat)".

Accessibility: the PDF has a structure tree in reading order (headings, paragraphs, real tables
with header cells, figures with Danish alternative texts), /Lang (da) and the document title
shown by viewers; Typst checks PDF/UA-1 as it writes (no picture without its alternative text).

Security: the template is ours and fixed. Everything else reaches Typst as data: `pack_content`
turns the pack's text (names from users included, cleaned by `geo.text.plain`) into JSON, which
the template reads from `sys.inputs` and shows as strings: never as markup or code. Maps and
charts are drawn by matplotlib (`geo.report.boardpack.figures`) as JPEG and written under
generated names (``img/1.jpg``, …) into a fresh temporary folder that is Typst's root and holds
nothing else: Typst reads no file outside its root, and its package folders are empty, so it
fetches nothing from the network. Typst runs in a child process per pack
(`geo.report.boardpack.typeset`): what it keeps in memory between compilations goes with it.

Fonts: DejaVu Sans from matplotlib's own data (the maps' font; it covers æøå, – and “”), never
the system's fonts, so the pack looks the same on every machine.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

from geo.errors import ReportError
from geo.report.boardpack import sections
from geo.report.boardpack.basemap import MapContext
from geo.report.boardpack.picture import Picture
from geo.text import plain

if TYPE_CHECKING:
    from geo.report.bundle import ReportData

SITES_PER_TABLE = 6  #: site columns in one comparison table
TEMPLATE = Path(__file__).parent / "boardpack" / "templates" / "pack.typ"
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  #: DejaVu Sans, shipped with matplotlib
WORKER = Path(__file__).parent / "boardpack" / "typeset.py"  #: run as a script, in a child process per pack
TIMEOUT_S = 120  #: a pack laid out in longer than this is given up
Builder = Callable[[MapContext], sections.Part]
Json = dict[str, "Json"] | list["Json"] | str | float | int | bool | None


@dataclass
class Section:
    """One section of the pack: its heading and what it shows."""

    title: str
    part: sections.Part


def report_to_pdf(data: ReportData) -> bytes:
    """The board pack as tagged PDF (PDF/UA-1) bytes.

    Raises
    ------
    ReportError
        Typst could not lay out the pack, or not within `TIMEOUT_S`.
    """
    ctx = MapContext(data)
    content, pictures = pack_content(data, [Section(title, build(ctx)) for title, build in page_plan(data)])
    return typeset(content, pictures)


def pack_content(data: ReportData, parts: list[Section]) -> tuple[Json, dict[str, bytes]]:
    """The pack as plain data for the template, and its pictures by their file names.

    Every string keeps only visible characters (`geo.text.plain`: user names may hold U+FEFF or
    lone surrogates); a `Picture` becomes its generated file name ``img/<n>.jpg`` (or ``.svg``),
    its alternative text and its printed size (mm).
    """
    pictures: dict[str, bytes] = {}

    def value(v: object) -> Json:
        if isinstance(v, str):
            return plain(v)
        if isinstance(v, Picture):
            path = f"img/{len(pictures) + 1}.{v.extension}"
            pictures[path] = v.data
            return {"path": path, "alt": plain(v.alt),
                    "width_mm": float(v.width_mm), "height_mm": float(v.height_mm)}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {f.name: value(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, dict):
            return {str(k): value(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [value(x) for x in v]
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, numbers.Real):
            return float(v)
        raise TypeError(f"not pack data: {type(v).__name__}")

    synthetic = data.has_synthetic
    content = value({
        "title": f"Klyngested – {data.scenario_name}", "scenario": data.scenario_name, "cluster": data.cluster_name,
        "created": data.created, "method": data.method_da, "synthetic": synthetic,
        "data_label": f"Data: {data.data_label}" + (" – syntetiske data, ikke til beslutninger" if synthetic else ""),
        "sections": [{"title": s.title, "layout": s.part.layout, "values": s.part.values} for s in parts],
    })
    return content, pictures


def typeset(content: Json, pictures: Mapping[str, bytes]) -> bytes:
    """Lay out `content` (from `pack_content`) with the template as PDF/UA-1, in a child process.

    The folder the child reads (`geo.report.boardpack.typeset`) is fresh and temporary: the data
    as JSON beside Typst's root, which holds only the pictures under generated names.

    Parameters
    ----------
    content
        The pack as JSON-able data; handed to Typst in ``sys.inputs`` and read there as data.
    pictures
        Each picture's bytes by its generated name in the root (``img/<n>.jpg`` or ``.svg``).

    Raises
    ------
    ReportError
        Typst could not lay out the pack, or took longer than `TIMEOUT_S` (the English message
        keeps Typst's own).
    """
    data = json.dumps(content, ensure_ascii=False, allow_nan=False)
    with tempfile.TemporaryDirectory(prefix="klyngested-pakke-") as tmp:
        folder = Path(tmp)
        (folder / "root" / "img").mkdir(parents=True)
        (folder / "packages").mkdir()
        for name, picture in pictures.items():
            (folder / "root" / name).write_bytes(picture)
        (folder / "data.json").write_text(data, encoding="utf-8")
        command = [sys.executable, "-I", str(WORKER), str(folder), str(TEMPLATE), str(FONTS)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as err:
            raise ReportError(f"Mødepakken blev ikke færdig på {TIMEOUT_S} sekunder. Prøv igen, eller vælg færre "
                              "lokaliteter.", f"The board pack took longer than {TIMEOUT_S} s to lay out.") from err
        if done.returncode != 0:
            raise ReportError("Mødepakken kunne ikke sættes op som PDF. Prøv igen, eller vælg et andet format.",
                              f"The board pack could not be laid out as PDF: {done.stderr.strip()[-1000:]}")
        return (folder / "pack.pdf").read_bytes()


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
