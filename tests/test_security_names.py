"""Names are text (issue 11, "Closed doors"): hostile site, municipality and scenario names are
cleaned, made unique and shown literally – in Streamlit's Markdown (checked with a CommonMark
parser and through AppTest on every tab), in the CLI and in every export. The browser check is
in tests/test_injection_e2e.py.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pypdf
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from geo.data.sites import Site, clean_name, clean_sites, read_sites_csv, sites_frame, unique_name
from geo.errors import SiteNameError
from geo.reach.engines import select_engine
from geo.reach.indicators import compute
from geo.report.bundle import build_report_data
from geo.report.csv import to_csv_bytes
from geo.report.formats import render
from geo.report.scenario import Scenario, from_query_params, scenario_from_json
from geo.settings import MAX_SITE_NAME
from geo.text import md, plain
from tests.helpers import add_town, open_section
from tests.report_support import WEIGHTS, layers
from ui import state as ui_state

ROOT = Path(__file__).resolve().parents[1]
LINK = "[Klik her](http://evil.example/phish)"
IMAGE = "![x](http://evil.example/pixel.png)"
IMG_TAG = "<img src=x onerror=alert(1)>"
#: Hostile names and what the normaliser makes of them (checked by hand).
CORPUS = {
    LINK: LINK,
    IMAGE: IMAGE,
    IMG_TAG: IMG_TAG,
    "<script>alert(1)</script>": "<script>alert(1)</script>",
    "`kode` ```blok```": "`kode` ```blok```",
    "$x$ og $\\frac{1}{0": "$x$ og $\\frac{1}{0",
    "**fed** _kursiv_ ~~streg~~": "**fed** _kursiv_ ~~streg~~",
    "# Overskrift": "# Overskrift",
    "www.evil.example og post@evil.example": "www.evil.example og post@evil.example",
    ":red[rød] :material/home:": ":red[rød] :material/home:",
    "\u202eexe.gpj\u202c Slagelse": "exe.gpj Slagelse",  # right-to-left override dropped
    "Zero\u200bwidth\u2066iso\u2069": "Zerowidthiso",
    "\ufeffRoskilde": "Roskilde",
    "  Køge\t\n\r  havn\x07 ": "Køge havn",
    "A\u030arhus": "\u00c5rhus",  # decomposed Å composed (NFC), so look-alikes compare equal
    "x" * 5000: "x" * MAX_SITE_NAME,
}
#: Raw fragments that must never reach Markdown unescaped.
ACTIVE = ("](", "<img", "<script", "http://", "www.", "@evil", "`", "$", "**", "# ")


def _unescaped(source: str) -> str:
    """Markdown source with every backslash escape removed: what the parser sees as syntax."""
    return re.sub(r"\\.", "", source, flags=re.DOTALL)


def _rendered(source: str) -> str:
    """HTML from a CommonMark + GFM parser (raw HTML and autolinks on, like a browser would)."""
    parser = MarkdownIt("gfm-like", {"html": True})
    parser.linkify.set({"fuzzy_link": False})
    return parser.render(source)


# --------------------------------------------------------------------------- normaliser


@pytest.mark.parametrize(("raw", "clean"), list(CORPUS.items()))
def test_clean_name_keeps_visible_text_only(raw: str, clean: str) -> None:
    assert clean_name(raw, "Lokalitet 1") == clean


@pytest.mark.parametrize("raw", ["", "   ", "\ufeff\u200b\u202e", "\x00\x07", None])
def test_clean_name_of_nothing_visible_is_the_default(raw: object) -> None:
    assert clean_name(raw, "Lokalitet 3") == "Lokalitet 3"


def test_unique_name_numbers_and_stays_within_the_limit() -> None:
    assert unique_name("Næstved", {"Roskilde"}) == "Næstved"
    assert unique_name("Næstved", {"Næstved"}) == "Næstved (2)"
    assert unique_name("Næstved", {"Næstved", "Næstved (2)"}) == "Næstved (3)"
    long = "y" * MAX_SITE_NAME
    assert unique_name(long, {long}) == "y" * (MAX_SITE_NAME - 4) + " (2)"


def test_clean_sites_makes_duplicates_and_look_alikes_unique() -> None:
    sites = [Site("Næstved", 55.23, 11.76), Site("\ufeffNæstved", 55.3, 11.8), Site("Næst\u200bved ", 55.4, 11.9),
             Site("", 55.5, 11.7)]
    assert [s.name for s in clean_sites(sites)] == ["Næstved", "Næstved (2)", "Næstved (3)", "Lokalitet 4"]
    assert [s.name for s in clean_sites([Site("Næstved", 55.2, 11.7)], taken={"Næstved"})] == ["Næstved (2)"]


def test_every_entry_path_cleans_and_dedupes() -> None:
    link = from_query_params({"s": "\ufeffA~55.23~11.76|A~55.64~12.08|" + "z" * 5000 + "~55.4~11.35"})
    assert [s.name for s in link["sites"]] == ["A", "A (2)", "z" * MAX_SITE_NAME]
    csv_sites, notes = read_sites_csv("navn,lat,lon\nA,55.23,11.76\nA,55.64,12.08\n\ufeffA,55.40,11.35\n".encode())
    assert [s.name for s in csv_sites] == ["A", "A (2)", "A (3)"]
    assert any("samme navn" in n and "A (2)" in n for n in notes)
    scenario = Scenario([Site("A", 55.23, 11.76), Site("A", 55.64, 12.08), Site("q" * 5000, 55.4, 11.35)])
    loaded = scenario_from_json(scenario.to_json())
    assert [s.name for s in loaded.sites] == ["A", "A (2)", "q" * MAX_SITE_NAME]
    frame = sites_frame([Site("B", 55.23, 11.76), Site("B", 55.64, 12.08)], layers().municipalities)
    assert frame["name"].tolist() == ["B", "B (2)"]


def test_library_refuses_duplicate_names_in_danish() -> None:
    frame = sites_frame([Site("C", 55.23, 11.76), Site("D", 55.64, 12.08)], layers().municipalities)
    frame["name"] = ["C", "C"]  # a frame made by hand, past sites_frame
    with pytest.raises(SiteNameError, match="To lokaliteter hedder 'C'"):
        compute(layers(), frame, select_engine("estimate")[0])


# --------------------------------------------------------------------------- Markdown escaping


@pytest.mark.parametrize("raw", list(CORPUS))
def test_md_renders_the_literal_text_and_no_markup(raw: str) -> None:
    source = md(clean_name(raw, "x"))
    out = _rendered(source)
    assert not re.search(r"<(a|img|script|strong|em|code|h\d|s|del)\b", out), out
    text = html.unescape(re.sub(r"</?p>", "", out)).strip().replace("\u2060", "")
    assert text == clean_name(raw, "x")
    assert not any(fragment in _unescaped(source) for fragment in ACTIVE), source


def test_md_breaks_bare_links_and_mail_addresses() -> None:
    assert md("http://a.dk www.b.dk c@d.dk") == "http\u2060\\:\\/\\/a\\.dk www\u2060\\.b\\.dk c\u2060\\@d\\.dk"
    assert md("linje 1\nlinje 2") == "linje 1 linje 2"


def test_plain_keeps_line_breaks_and_drops_surrogates() -> None:
    assert plain("a\ufeff\nb\ud800\tc\x07") == "a\nb\tc "


# --------------------------------------------------------------------------- the app on every tab


def _markdown_bodies(at: AppTest) -> list[str]:
    """The Markdown source of every element Streamlit renders as Markdown."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "toast", "warning", "error", "info", "success")
    bodies = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    return bodies + [str(m.label) for m in at.metric]


TABLE_TAGS = {"div", "table", "thead", "tbody", "tr", "th", "td"}


def _table_texts(at: AppTest) -> list[str]:
    """The text of every cell of the app's HTML tables, after checking they hold no markup but the table's own."""
    texts = []
    for element in at.html:
        if 'class="ks-table-wrap"' in element.body:
            tree = ET.fromstring(element.body)  # escaped text keeps it well-formed
            assert {e.tag for e in tree.iter()} <= TABLE_TAGS, element.body
            texts += ["".join(cell.itertext()) for cell in tree.iter() if cell.tag in ("th", "td")]
    return texts


LIST_TAGS = {"ul", "li", "strong", "span"}


def _list_texts(at: AppTest) -> list[str]:
    """The text of every item of the app's HTML lists (`geo.text.html_list`), after checking they hold no markup but the list's own."""
    texts = []
    for element in at.html:
        if element.body.startswith('<ul class="ks-list">'):
            tree = ET.fromstring(element.body)
            assert {e.tag for e in tree.iter()} <= LIST_TAGS, element.body
            texts += ["".join(item.itertext()) for item in tree.iter("li")]
    return texts


def _assert_inert(at: AppTest) -> str:
    assert not at.exception, at.exception
    bodies = _markdown_bodies(at)
    for body in bodies:
        out = _rendered(body)
        assert not re.search(r"<(a|img|script)\b", out), body
        assert not any(fragment in _unescaped(body) for fragment in ("](", "<img", "<script", "http://")), body
    return "\n".join(bodies + _table_texts(at) + _list_texts(at))


def test_app_shows_hostile_names_as_text_on_every_tab() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["s"] = "|".join([f"{LINK}~55.2301~11.7605", f"\ufeff{IMAGE}~55.6415~12.0803",
                                     f"{IMG_TAG}~55.4028~11.3546", "$x$ **fed**~55.4621~12.1822"])
    at.run()
    names = [s.name for s in at.session_state["sites"]]
    assert names == [LINK, IMAGE, IMG_TAG, "$x$ **fed**"]
    for _ in range(2):  # the town picker twice: the second Næstved is numbered, nothing raises
        add_town(at, "Næstved")
    assert [s.name for s in at.session_state["sites"]][-2:] == ["Næstved", "Næstved (2)"]
    at.session_state["loso"] = True  # kept choices of tabs not yet open
    at.session_state["sg_pool"] = "sites"
    at.session_state["fin_site"] = IMG_TAG
    at.session_state["messages"] = [("success", f"Scenarie indlæst: {LINK}")]
    at.session_state["pending_diff"] = Scenario([], snapshot_id=IMAGE, layer_dates={LINK: "<img src=y>"})
    at.run()
    assert any(md(LINK) in t.value for t in at.toast)
    open_section(at, "ranking")
    _assert_inert(at)
    sentences = _list_texts(at)
    for name in names:  # each name is in the robustness sentences, as written
        assert any(name in sentence for sentence in sentences), name
    open_section(at, "fairness")
    at.selectbox(key="fair_site").set_value(LINK)
    at.run()
    _assert_inert(at)
    for section in ("indicators", "finance", "surface", "portfolio"):
        open_section(at, section)
        _assert_inert(at)
        if section == "indicators":  # the names head the table's columns, as written
            assert {f"1. {LINK}", f"3. {IMG_TAG}"} <= set(_table_texts(at))
    open_section(at, "suggest")
    at.button(key="sg_run").click()
    at.run()
    shown = _assert_inert(at)
    chosen = at.session_state["suggestion"]["chosen"]
    assert md(", ".join(f"F{i} {c['name']}" for i, c in enumerate(chosen, start=1))) in shown
    open_section(at, "meeting")
    assert any(md(IMAGE) in w.value for w in at.warning)  # the scenario's snapshot difference, escaped
    at.button(key="prepare_exports").click()
    at.run()
    _assert_inert(at)
    data = at.session_state["exports"]["data"]
    assert all(render(data, fmt) for fmt in ("pdf", "xlsx", "gpkg", "html"))  # hostile names do not break a file
    at.toggle(key="presentation").set_value(True)
    at.run()
    _assert_inert(at)
    cards = "".join(element.proto.body for element in at.get("html"))  # the site cards, HTML-escaped
    assert cards.count('class="ks-card"') == 4
    for name in (LINK, IMAGE, IMG_TAG):
        assert html.escape(name) in cards, name
    assert "<img" not in cards and "](http" not in cards.replace(html.escape(LINK), "").replace(html.escape(IMAGE), "")


class _State(dict):
    """Stands in for st.session_state (item and attribute access)."""

    __getattr__ = dict.__getitem__

    def __setattr__(self, key: str, value: object) -> None:
        self[key] = value


def test_session_entry_paths_number_taken_names(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _State(sites=[Site("Næstved", 55.23, 11.76), Site("Roskilde", 55.64, 12.08)], editor_version=0,
                  suggestion=None, messages=[])
    monkeypatch.setattr(ui_state, "state", fake)
    fake["ed"] = {"edited_rows": {1: {"navn": " Næst\u200bved\ufeff "}}, "deleted_rows": []}
    ui_state.apply_site_edits("ed")  # rename in the table to a taken name
    assert [s.name for s in fake.sites] == ["Næstved", "Næstved (2)"]
    added = ui_state.add_site(Site("\u202eNæstved", 55.4, 11.35))  # town picker, form, map click, site list
    assert added is not None and added.name == "Næstved (3)"
    fake["ed"] = {"edited_rows": {0: {"navn": "\u200b"}}, "deleted_rows": []}
    ui_state.apply_site_edits("ed")  # nothing visible: the old name stays
    assert [s.name for s in fake.sites] == ["Næstved", "Næstved (2)", "Næstved (3)"]


# --------------------------------------------------------------------------- command line


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("names") / "lokaliteter.csv"
    path.write_text(f'navn,lat,lon\nA,55.2301,11.7605\nA,55.6415,12.0803\n\ufeffB,55.4028,11.3546\n"{LINK}",55.4621,12.1822\n',
                    encoding="utf-8")
    return path


def test_cli_rank_and_split_with_duplicate_and_bom_names(hostile_csv: Path) -> None:
    rank = _cli("rank", "--international", "--sites", str(hostile_csv), "--draws", "200")
    assert rank.returncode == 0 and "Traceback" not in rank.stderr, rank.stderr
    table = pd.read_csv(io.StringIO(rank.stdout.split("\n\n")[0].lstrip("\ufeff")))
    assert sorted(table["site"]) == sorted(["A", "A (2)", "B", LINK])
    assert "samme navn" in rank.stderr
    split = _cli("split", "--sites", str(hostile_csv), "--site", "A (2)", "--total", "1000")
    assert split.returncode == 0 and "Traceback" not in split.stderr, split.stderr
    missing = _cli("split", "--sites", str(hostile_csv), "--site", "\ufeffB", "--total", "1000")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert len([line for line in missing.stderr.splitlines() if "findes ikke" in line]) == 1


def test_cli_report_with_bom_and_hostile_names(hostile_csv: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.json"
    made = _cli("scenario", "--sites", str(hostile_csv), "--name", "\ufeffMøde $x$", "--out", str(scenario))
    assert made.returncode == 0, made.stderr
    assert [s["name"] for s in json.loads(scenario.read_text(encoding="utf-8"))["sites"]] == ["A", "A (2)", "B", LINK]
    out = tmp_path / "pakke.pdf"
    report = _cli("report", "--scenario", str(scenario), "--out", str(out))
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(out).pages)
    assert "Lokalitet 4: [Klik her](http://evil.example/phish)" in text and "Møde $x$" in text


# --------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def hostile_report():
    names = ["\ufeffRoskilde", LINK, IMG_TAG, "$\\frac{1}{0", "Roskilde"]
    coords = [(55.6415, 12.0803), (55.2301, 11.7605), (55.4028, 11.3546), (55.4621, 12.1822), (55.7167, 11.7167)]
    lay = layers()
    sites = sites_frame([Site(n, la, lo) for n, (la, lo) in zip(names, coords, strict=True)], lay.municipalities)
    return build_report_data(lay, sites, select_engine("estimate")[0], codes=("41", "42", "43"), cluster_id="byggeri",
                             scenario_name=f"\ufeff{IMAGE}", created="2026-11-30", weights=WEIGHTS, robustness_draws=200)


EXPECTED = ["Roskilde", LINK, IMG_TAG, "$\\frac{1}{0", "Roskilde (2)"]


def test_exports_keep_the_names_as_text(hostile_report) -> None:
    assert hostile_report.sites["name"].tolist() == EXPECTED
    csv_text = to_csv_bytes(hostile_report.table, []).decode("utf-8-sig")
    assert all(name in csv_text for name in EXPECTED)
    book = openpyxl.load_workbook(io.BytesIO(render(hostile_report, "xlsx")))
    cells = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert set(EXPECTED) <= cells
    page = render(hostile_report, "html").decode("utf-8")
    assert IMG_TAG not in page and html.escape(IMG_TAG) in page
    pdf = pypdf.PdfReader(io.BytesIO(render(hostile_report, "pdf")))
    text = " ".join(p.extract_text() or "" for p in pdf.pages)
    assert f"Klyngested · {IMAGE}" in text and f"Lokalitet 3: {IMG_TAG}" in text and "$\\frac{1}{0" in text
    assert "\ufeff" not in text


def test_geopackage_keeps_the_names(hostile_report, tmp_path: Path) -> None:
    path = tmp_path / "l.gpkg"
    path.write_bytes(render(hostile_report, "gpkg"))
    assert gpd.read_file(path, layer="sites")["site"].tolist() == EXPECTED
