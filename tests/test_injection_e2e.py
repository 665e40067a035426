"""Injection in headless Chromium: hostile names render as text and run no script – in the app
(page and map iframe) and in the standalone HTML export."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from geo.data.sites import Site, sites_frame
from geo.report.formats import render
from tests.report_support import report_data

pytestmark = pytest.mark.e2e

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
HTML_NAMES = [IMG, SCRIPT, "'\"><svg onload=window.__pwned=3>", "</script><script>window.__pwned=4</script>"]
LINK = "[Klik her](http://evil.example/phish)"
PIXEL = "![x](http://evil.example/pixel.png)"
TAG = "<img src=x onerror=window.__pwned=7>"
TEMPLATE_NAMES = ["`+(window.__pwned=5)+`", "${window.__pwned=6}", "ends with backslash \\u{zz}\\"]


def _export_html(tmp_path, names: list[str]) -> str:
    data = report_data(ranked=False, finance=False, case=False)
    data.sites = sites_frame([Site(n, 55.23 + 0.04 * i, 11.76 + 0.04 * i) for i, n in enumerate(names)],
                             data.layers.municipalities)
    data.scenario_name = SCRIPT
    path = tmp_path / "kort.html"
    path.write_bytes(render(data, "html"))
    return path.as_uri()


def _open_and_hover(page, url: str) -> tuple[object, list[str], list[str]]:
    """Load the export, hover every site marker; return pwned flag, page errors, tooltip texts."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.locator(".leaflet-container").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    markers = page.locator(".leaflet-marker-icon")
    tips = []
    for i in range(markers.count()):
        markers.nth(i).hover(force=True)
        page.wait_for_timeout(100)
        tooltip = page.locator(".leaflet-tooltip")
        tips.append(tooltip.last.inner_text() if tooltip.count() else "")
    return page.evaluate("window.__pwned"), errors, tips


def test_html_export_runs_no_script_and_shows_names_as_text(tmp_path, page) -> None:
    pwned, errors, tips = _open_and_hover(page, _export_html(tmp_path, HTML_NAMES))
    assert pwned is None and not errors, (pwned, errors)
    shown = " ".join(tips)
    for name in HTML_NAMES:
        assert name in shown, (name, tips)


def test_html_export_template_literal_names_run_no_script(tmp_path, page) -> None:
    pwned, errors, tips = _open_and_hover(page, _export_html(tmp_path, TEMPLATE_NAMES))
    assert pwned is None and not errors, (pwned, errors)
    assert all(name in " ".join(tips) for name in TEMPLATE_NAMES), tips


def test_app_hostile_site_name_is_text_and_runs_no_script(app_url: str, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url, wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=60_000)
    for name in (IMG, SCRIPT):
        page.get_by_role("tab", name="Tilføj med koordinater").click()
        page.get_by_label("Navn", exact=True).first.fill(name)
        page.get_by_role("button", name="Tilføj").first.click()
        page.get_by_role("tabpanel").get_by_role("table").filter(has_text=name).first.wait_for(timeout=60_000)
    # the map redraws with both markers; hover them so their tooltips are built too
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-marker-icon").nth(1).wait_for(timeout=30_000)
    for i in range(frame.locator(".leaflet-marker-icon").count()):
        frame.locator(".leaflet-marker-icon").nth(i).hover(force=True)
        page.wait_for_timeout(200)
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__pwned") is None
    map_frames = [f for f in page.frames if f != page.main_frame and f.locator(".leaflet-container").count()]
    assert map_frames, "map iframe not found"
    assert all(f.evaluate("typeof window.__pwned") == "undefined" for f in page.frames)
    # the names are visible as text in the indicator table and in a map tooltip
    assert page.get_by_role("tabpanel").get_by_role("table").filter(has_text=IMG).count() >= 1
    assert page.get_by_text(SCRIPT).count() >= 1
    assert "Traceback" not in page.content()
    assert not [e for e in errors if "pwned" in e], errors


def test_shared_link_with_markdown_names_shows_text_and_fetches_nothing(app_url: str, page) -> None:
    """A link (?s=…) whose site names are Markdown links, images and HTML: the page shows the
    names literally, has no <a>/<img> made from them, and the browser requests nothing."""
    query = quote("|".join([f"{LINK}~55.2301~11.7605", f"{PIXEL}~55.6415~12.0803", f"{TAG}~55.4028~11.3546"]), safe="")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/?s={query}", wait_until="domcontentloaded")
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=90_000)
    # shown literally (a word joiner, U+2060, sits invisibly after "http" so it is no autolink)
    page.get_by_role("table").filter(has_text="[Klik her](http").first.wait_for(timeout=90_000)
    page.get_by_role("tab", name="Rangering").click()
    heading = page.get_by_role("heading", level=3).filter(has_text="nr. 1 med")
    heading.first.wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    body = page.locator("body").inner_text().replace("\u2060", "")
    for name in (LINK, PIXEL, TAG):
        assert name in body, name
    # (a heading's own "#…" anchor may spell the name; any other link or image made from it may not)
    made = "[...document.querySelectorAll('a[href*=\"evil\"]:not([href^=\"#\"]), img[src*=\"evil\"], img[src=\"x\"]')].length"
    assert all(frame.evaluate(made) == 0 for frame in page.frames)
    assert not [r for r in requests if urlsplit(r).hostname == "evil.example"], requests
    assert page.evaluate("window.__pwned") is None
    assert "Traceback" not in page.content()
