"""Injection: user-chosen names (sites, companies, institutions, municipalities, files) are text
everywhere – map tooltips, the standalone HTML export, CSV and Excel (OWASP CSV injection) –
and export file names are safe; the board pack (Typst) prints them as text and never runs them.
The browser check that no script runs is in tests/test_injection_e2e.py.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.data.sites import Site, sites_frame
from geo.report.csv import to_csv_bytes
from geo.report.safety import neutralise, neutralise_frame, safe_filename

#: Names that would run script if inserted as HTML, or break out of a JS string/template.
HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "'\"><svg onload=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "`+(window.__pwned=1)+`",
    "${window.__pwned=1}",
    "back\\u{zz}slash\\",
]
#: Names that Jinja would run or choke on: branca compiles every rendered piece of a folium map
#: again as a template on the server, so ``A{{ 6*7 }}B`` must stay text (never ``A42B``).
JINJA = ["A{{ 6*7 }}B", "{# a comment never closed", "{% raw %}", "{{ cycler.__init__.__globals__ }}",
         "A{% if 1 %}JINJA{% endif %}RAN"]
#: Raw fragments none of which may survive into generated HTML/JS.
RAW = ["<script>window", "<img src=x", "<svg onload", "</script><script>"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
settings.register_profile("injection", max_examples=80, deadline=None)


def _layers_with_hostile_names(names: list[str] = HOSTILE):
    from geo.data.provenance import Provenance
    from tests.report_support import layers

    HOSTILE = names  # noqa: N806 - the names every layer below is given
    lay = layers()
    wp = lay.workplaces.head(50).copy()
    wp["name"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(wp))]
    inst = lay.institutions.copy()
    inst["name"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(inst))]
    st_ = lay.stations.copy()
    st_["name"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(st_))]
    mun = lay.municipalities.copy()
    mun["navn"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(mun))]
    prov = replace(lay.provenance["workplaces"], source=HOSTILE[1] + ".xlsx")
    assert isinstance(prov, Provenance)
    lay = lay.with_layer("workplaces", wp, prov)
    lay = lay.with_layer("institutions", inst, lay.provenance["institutions"])
    lay = lay.with_layer("stations", st_, lay.provenance["stations"])
    return lay.with_layer("municipalities", mun, lay.provenance["municipalities"])


def _map_html(names: list[str], layer_names: list[str] = HOSTILE) -> str:
    from geo.reach.engines import select_engine
    from geo.report.webmap.basemap import base_map, map_data
    from geo.report.webmap.sites import catchment_shapes, sites_layer
    from geo.settings import THRESHOLDS_MIN

    lay = _layers_with_hostile_names(layer_names)
    engine, _ = select_engine("estimate")
    sites = sites_frame([Site(n, 55.23 + 0.03 * i, 11.76 + 0.03 * i) for i, n in enumerate(names)],
                        lay.municipalities)
    m = base_map(map_data(lay, lay.workplaces), THRESHOLDS_MIN)
    shapes = [catchment_shapes(engine, (p.x, p.y), THRESHOLDS_MIN) for p in sites.geometry]
    sites_layer(sites, shapes, "estimate").add_to(m)
    return m.get_root().render()


def test_map_tooltips_escape_markup_in_every_layer() -> None:
    html = _map_html(HOSTILE[:4])
    for raw in RAW:
        assert raw not in html, raw
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in html or \
        "&lt;img src=x onerror=&#x27;" in html or "&lt;img src=x onerror" in html


def test_esc_escapes_html_special_characters() -> None:
    from geo.report.webmap.geojson import esc

    assert esc('<a href="x">\'&</a>') == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&lt;/a&gt;"


def test_esc_is_safe_inside_javascript_template_literals() -> None:
    from geo.report.webmap.geojson import esc

    for name in HOSTILE:
        out = esc(name)
        assert not set(out) & set("`$\\<>\"'"), out


def test_map_script_has_no_template_literal_breakout() -> None:
    html = _map_html(HOSTILE[4:])
    assert "`+(window.__pwned" not in html and "${window.__pwned" not in html
    assert "\\u{zz}" not in html


def _ran_jinja(text: str) -> bool:
    return "A42B" in text or "AJINJARAN" in text


def test_jinja_in_every_map_layer_is_text_not_a_template() -> None:
    html = _map_html(JINJA, layer_names=[*JINJA, *JINJA[:2]])
    assert not _ran_jinja(html)
    assert "A&#123;&#123; 6*7 &#125;&#125;B" in html  # shown as typed


def test_jinja_in_the_suitability_map_is_text() -> None:
    import numpy as np
    import pandas as pd
    from shapely.geometry import Point

    from layers.surface import surface_map, surface_shapes

    cells = gpd.GeoDataFrame({"cell": [1, 2], "kommune": JINJA[:2]},
                             geometry=[Point(680_000, 6_130_000).buffer(500, 6), Point(682_000, 6_130_000).buffer(500, 6)],
                             crs="EPSG:25832")
    top = pd.DataFrame({"lat": [55.3], "lon": [11.8], "label": [JINJA[0]], "score": [80.0], "rank": [1]})
    html = surface_map(surface_shapes(cells), np.array([10.0, 90.0]), top).get_root().render()
    assert not _ran_jinja(html) and "A&#123;&#123; 6*7 &#125;&#125;B" in html


# --------------------------------------------------------------------------- HTML export


def test_html_export_escapes_site_names_scenario_and_provenance() -> None:
    from geo.report.formats import render
    from tests.report_support import report_data

    data = report_data(ranked=False, finance=False, case=False)
    lay = data.layers
    data.sites = sites_frame([Site(n, 55.23 + 0.03 * i, 11.76 + 0.03 * i) for i, n in enumerate(HOSTILE[:4])],
                             lay.municipalities)
    data.scenario_name = HOSTILE[0]
    data.notes = [*data.notes, HOSTILE[1]]
    text = render(data, "html").decode("utf-8")
    for raw in RAW:
        assert raw not in text, raw
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text


def test_html_export_keeps_jinja_in_names_scenario_and_notes_as_text() -> None:
    from geo.report.formats import render
    from tests.report_support import report_data

    data = report_data(ranked=False, finance=False, case=False)
    data.sites = sites_frame([Site(n, 55.23 + 0.03 * i, 11.76 + 0.03 * i) for i, n in enumerate(JINJA[:4])],
                             data.layers.municipalities)
    data.scenario_name, data.notes = JINJA[0], [*data.notes, *JINJA[1:]]
    text = render(data, "html").decode("utf-8")
    assert not _ran_jinja(text) and "A&#123;&#123; 6*7 &#125;&#125;B" in text


# --------------------------------------------------------------------------- CSV


def _cells(data: bytes, sep: str) -> list[str]:
    text = data.decode("utf-8-sig")
    return [c for row in csv.reader(io.StringIO(text), delimiter=sep) for c in row]


def _is_formula(cell: str) -> bool:
    return cell.lstrip(" \n").startswith(TRIGGERS)


@pytest.mark.parametrize("danish", [True, False])
def test_csv_neutralises_every_trigger_in_cells_headers_and_provenance(danish: bool) -> None:
    names = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", " =HYPERLINK(\"http://x\")",
             "＝1+1", "Næstved", "=cmd|' /C calc'!A0"]
    table = pd.DataFrame({"site": names, "=header": range(len(names)), "share_k17_45": [-5.5] * len(names),
                          "kommune": pd.Categorical(["@x"] * len(names))})
    data = to_csv_bytes(table, ["=provenance", "Kilde: CVR"], danish=danish)
    sep = ";" if danish else ","
    cells = _cells(data, sep)
    assert not [c for c in cells if _is_formula(c) and not c.startswith("-5")], cells
    assert "'=1+1" in cells and "'=header" in cells and "'=provenance" in cells and "'@x" in cells
    assert ("-5,5" if danish else "-5.5") in cells  # numbers stay numbers


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_csv_any_text_is_never_a_formula(texts: list[str]) -> None:
    table = pd.DataFrame({"site": texts, "n": range(len(texts))})
    for danish in (True, False):
        data = to_csv_bytes(table, texts, danish=danish)
        cells = _cells(data, ";" if danish else ",")
        assert not [c for c in cells if _is_formula(c)]


def test_neutralise_leaves_numbers_and_plain_text() -> None:
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise(None) is None
    assert neutralise("Næstved") == "Næstved" and neutralise("\n=1") == "'\n=1"
    frame = neutralise_frame(pd.DataFrame({"a": [1, 2], "b": ["=x", "y"]}))
    assert frame["a"].tolist() == [1, 2] and frame["b"].tolist() == ["'=x", "y"]


# --------------------------------------------------------------------------- Excel


def _workbook_cells(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    yield ws.title, c


def test_excel_cli_workbook_has_no_formulas() -> None:
    from geo.report.excel import to_xlsx_bytes

    names = ["=1+1", "+A1", "-A1", "@SUM(A1)", "\t=x", "\r=x", "=cmd|' /C calc'!A0", HOSTILE[0]]
    table = pd.DataFrame({"site": names, "kommune": names, "workplaces_45": range(len(names)),
                          "=extra": names})
    data = to_xlsx_bytes(table, ["=HYPERLINK(\"http://x\")", *names])
    for sheet, cell in _workbook_cells(data):
        assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not _is_formula(cell.value), (sheet, cell.coordinate, cell.value)


def test_excel_report_workbook_has_no_formulas_in_any_sheet() -> None:
    from geo.report.formats import render
    from tests.report_support import report_data

    data = report_data()  # site names include '=cmd|…' and HTML; case text '=HYPERLINK(…)'
    for sheet, cell in _workbook_cells(render(data, "xlsx")):
        assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not _is_formula(cell.value), (sheet, cell.coordinate, cell.value)


# --------------------------------------------------------------------------- PDF (Typst)

#: Typst markup and code in names: each must be printed as it is, none may run.
TYPST = [
    '#read("/etc/passwd")',
    '#image("/etc/passwd")',
    '$x^2$ *fed* _skrå_ `kode`',
    '[a] \\ <etiket> @ref = ~ // ikke en kommentar',
]


def _pdf_text(pdf: bytes) -> str:
    import pypdf  # optional: the PDF tests only

    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # lines wrap


def test_typst_markup_in_names_is_printed_literally_and_never_runs() -> None:
    from geo.report.formats import render
    from tests.report_support import report_data

    data = report_data(ranked=False, finance=False, names=tuple(TYPST))
    data.scenario_name = '#include "img/1.jpg" #sys.inputs'
    data.case_texts = {"value": '#eval("1 + 1") #panic("x")', "network": "Nor\ufeffmal\ud800t"}
    text = _pdf_text(render(data, "pdf"))
    for i, name in enumerate(TYPST, start=1):
        assert f"Lokalitet {i}: {name}" in text, name
    assert '#include "img/1.jpg" #sys.inputs' in text  # in every page's header
    assert '#eval("1 + 1") #panic("x")' in text and "Normalt" in text  # invisible characters dropped
    assert "root:" not in text and "(fortsat)" not in text.split("Lokalitet 1")[0]


def test_the_pack_is_compiled_in_a_root_holding_only_its_pictures(monkeypatch) -> None:
    """Typst runs in a child process and reads files only in its root: a fresh folder with the generated
    pictures; the data lies beside it; packages come from empty folders (nothing fetched)."""
    import subprocess  # optional: the PDF tests only

    from geo.report import pdf
    from tests.report_support import report_data

    seen: dict[str, object] = {}
    run = subprocess.run

    def recording(command, **kwargs):
        folder = Path(command[-3])
        seen["command"] = command
        seen["files"] = sorted(str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file())
        seen["packages"] = list((folder / "packages").iterdir())
        seen["folder"] = folder
        return run(command, **kwargs)

    monkeypatch.setattr(pdf.subprocess, "run", recording)
    pdf.report_to_pdf(report_data(n_sites=1, ranked=False, finance=False, case=False))
    assert seen["files"] == ["data.json", "root/img/1.jpg", "root/img/2.svg"]  # the overview map, the site's map
    assert seen["packages"] == [] and seen["command"][1] == "-I"  # the child ignores PYTHON* variables
    assert not Path(seen["folder"]).exists()  # removed after the pack was made


def test_typst_gets_the_root_no_system_fonts_and_empty_package_folders(monkeypatch, tmp_path) -> None:
    import typst  # optional: the PDF tests only

    from geo.report.boardpack import typeset

    seen: dict[str, object] = {}

    def recording(**kwargs):
        seen.update(kwargs)
        raise typst.TypstError("stop", "")

    monkeypatch.setattr(typeset.typst, "Compiler", recording)
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    assert typeset.main([str(tmp_path), str(tmp_path / "pack.typ"), str(tmp_path / "fonts")]) == typeset.TYPST_FAILED
    assert seen["root"] == str(tmp_path / "root") and seen["ignore_system_fonts"] is True
    assert seen["package_path"] == seen["package_cache_path"] == str(tmp_path / "packages")
    assert seen["sys_inputs"] == {"data": "{}"}


def test_the_template_reads_nothing_but_its_data_and_pictures() -> None:
    from geo.report.pdf import TEMPLATE

    source = re.sub(r"//.*", "", TEMPLATE.read_text(encoding="utf-8"))  # without comments
    assert not re.search(r"\b(eval|read|plugin|csv|xml|yaml|toml|cbor)\(|#(import|include)\b|@preview", source)
    assert source.count("json(") == 1 and "json(bytes(sys.inputs.data))" in source
    assert re.findall(r"image\((\w[\w.]*)", source) == ["p.path"]


def test_a_typst_error_is_a_danish_report_error() -> None:
    from geo.errors import ReportError
    from geo.report.pdf import typeset

    with pytest.raises(ReportError, match="Mødepakken kunne ikke sættes op som PDF") as err:
        typeset({"title": "x"}, {})
    assert "could not be laid out" in err.value.message("en")


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "etc_passwd"),
    ("C:\\Windows\\system32\\cmd.exe", "C_Windows_system32_cmd_exe"),
    ("CON", "CON_"), ("nul", "nul_"), ("-rf", "rf"), ("", "klyngested"), ("...", "klyngested"),
    ("Næstved <script>.csv", "Naestved_script_csv"), ("a\x00b\nc", "a_b_c"),
    ("Køge Ø – Ærø", "Koege_Oe_Aeroe"), ("ＣＯＮ", "CON_"),
])
def test_safe_filename_examples(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_safe_filename_is_always_a_plain_ascii_stem(name: str) -> None:
    stem = safe_filename(name)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}", stem), stem
    assert stem.upper() not in {"CON", "PRN", "AUX", "NUL"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=3, max_size=3, unique=True), st.text(max_size=20))
def test_html_table_shows_any_text_literally_in_table_markup_only(names: list[str], cell: str) -> None:
    import xml.etree.ElementTree as ET

    from geo.text import html_table, plain

    frame = pd.DataFrame({names[0]: [cell, None], names[1]: ["<b>x</b>", "1,5"]}, index=pd.Index([names[2], "r"], name="Indikator"))
    root = ET.fromstring(html_table(frame, cell))
    assert {e.tag for e in root.iter()} <= {"div", "table", "thead", "tbody", "tr", "th", "td"}
    head = ["".join(th.itertext()) for th in root.find("table/thead").iter("th")]
    rows = root.findall("table/tbody/tr")
    assert head == ["Indikator", plain(names[0]), plain(names[1])]
    assert ["".join(r.find("th").itertext()) for r in rows] == [plain(names[2]), "r"]
    assert [["".join(td.itertext()) for td in r.findall("td")] for r in rows] == [[plain(cell), "<b>x</b>"], ["–", "1,5"]]
    assert root.get("aria-label").split() == plain(cell).split()  # XML turns a newline in an attribute into a space


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=4), st.booleans())
def test_html_list_shows_any_text_literally_one_item_each(items: list[str], strong: bool) -> None:
    import xml.etree.ElementTree as ET

    from geo.text import html_list, plain

    root = ET.fromstring(html_list([*items, "<b>x</b>"], strong=strong))
    assert root.tag == "ul" and {e.tag for e in root.iter()} == {"ul", "li", "strong" if strong else "span"}
    assert ["".join(li.itertext()) for li in root.findall("li")] == [*(plain(i) for i in items), "<b>x</b>"]
