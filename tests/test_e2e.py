"""End to end: the real app in headless Chromium, offline – click the map, see the row."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e_support import ARTIFACTS, add_town, wait_for_map

pytestmark = pytest.mark.e2e

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def test_click_map_adds_site_with_indicators(app_url: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failed_requests: list[str] = []
    page.on("requestfailed", lambda r: failed_requests.append(r.url))
    page.goto(app_url, wait_until="domcontentloaded")
    frame = page.frame_locator(MAP_FRAME)
    leaflet = frame.locator(".leaflet-container")
    leaflet.wait_for(state="visible", timeout=60_000)
    # Leaflet itself rendered from the local server: vector layers and the legend exist.
    page.locator(".klyngested-legend").first.wait_for(timeout=30_000)
    # the layer control is added last, once streamlit-folium has hooked its click handler
    frame.locator(".leaflet-control-layers").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    # vectors are drawn on one canvas (prefer_canvas) in the overlay pane
    assert frame.locator(".leaflet-overlay-pane canvas").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "e2e_start.png"), full_page=True)
    box = leaflet.bounding_box()
    leaflet.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.55})
    # the indicator table, not the site list (which names the site too)
    row = page.get_by_role("table").filter(has_text="Lokalitet 1").filter(has_text="Kriterium")
    row.first.wait_for(timeout=60_000)
    text = row.first.inner_text()
    assert "Klyngearbejdssteder inden for 45 min" in text
    assert "Demodata" in page.content()
    page.screenshot(path=str(ARTIFACTS / "e2e_site_added.png"), full_page=True)
    assert not [u for u in failed_requests if "leaflet" in u], failed_requests


def test_a_map_click_is_sent_at_once_and_adds_one_site(app_url: str, page) -> None:
    """streamlit-folium sends clicks after its 250 ms debounce; layers/map_click.js sends them in
    the click's own task, and the debounced call then finds nothing new: one click, one site."""
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_map(page)
    frame = page.frame(url=lambda u: "streamlit_folium" in u)
    sent = frame.evaluate("""() => {
        map_div.fire("click", {latlng: L.latLng(55.3, 11.7)});
        return JSON.stringify(window.__GLOBAL_DATA__.previous_data);  // same task: no debounce ran yet
    }""")
    assert json.loads(sent)["last_clicked"] == {"lat": 55.3, "lng": 11.7}
    page.get_by_role("tabpanel").get_by_role("table").filter(has_text="Lokalitet 1").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)  # the debounced call has run by now
    site_list = page.locator(".ks-site-list tbody tr")
    assert site_list.count() == 1
    assert "55,3" in site_list.first.inner_text() and "11,7" in site_list.first.inner_text()
    assert page.get_by_text("Der ligger allerede en lokalitet her").count() == 0


def test_bad_upload_gives_danish_message_and_keeps_sites(tmp_path, shared_data, app_url: str, page) -> None:
    bad = tmp_path / "virksomheder.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("tab", name="Tilføj en by").click()
    page.get_by_role("button", name="Tilføj").last.click()
    page.get_by_role("table").filter(has_text="Klyngearbejdssteder").first.wait_for(timeout=60_000)
    page.get_by_text("Egne filer (upload)").click()
    uploads = page.locator('[data-testid="stSidebar"] input[type="file"]')
    uploads.nth(1).set_input_files(str(bad))
    page.locator('[data-testid="stFileChipName"]').first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Indlæs filer").click()
    error = page.locator('[data-testid="stAlert"]').filter(has_text="Fejl")
    error.first.wait_for(timeout=30_000)
    assert "Traceback" not in page.content()
    # the site made before the bad upload is still there, with its indicators
    assert page.get_by_role("table").filter(has_text="Klyngearbejdssteder").count() == 1
    # now the real files: boundaries, CVR export and postcodes
    uploads.nth(0).set_input_files(str(shared_data / "dagi/kommuner_fot2014.geojson"))
    uploads.nth(1).set_input_files(str(shared_data / "cvr/datacvr_export_byggeri_2025.xlsx"))
    uploads.nth(2).set_input_files(str(shared_data / "dagi/postnumre_fot2014.geojson"))
    page.wait_for_function(  # all three files uploaded before the form is submitted
        "document.querySelectorAll('[data-testid=\"stFileChipName\"]').length === 3", timeout=30_000
    )
    page.get_by_role("button", name="Indlæs filer").click()
    page.get_by_role("table").filter(has_text="omtrentlig placering").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "e2e_real_files.png"), full_page=True)


class HeldMessages:
    """The app's WebSocket routed through the test: inside ``with held:`` the browser's messages
    wait, so the server hears nothing of a click and the page shows only what it already holds."""

    def __init__(self, page) -> None:
        self.holding = False
        self.waiting: list = []
        self.server = None
        page.route_web_socket(re.compile(r"/_stcore/stream"), self._route)

    def _route(self, ws) -> None:
        self.server = ws.connect_to_server()
        ws.on_message(lambda message: self.waiting.append(message) if self.holding else self.server.send(message))

    def __enter__(self) -> HeldMessages:
        self.holding = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.holding = False
        for message in self.waiting:
            self.server.send(message)
        self.waiting.clear()


IDLE = "document.querySelector('.stApp').getAttribute('data-test-script-state') !== 'running'"


def _open_tab(page, tab: str, shows: str) -> None:
    page.get_by_role("tab", name=tab).click()
    page.get_by_role("tabpanel").get_by_text(shows).first.wait_for(timeout=60_000)
    page.wait_for_function(IDLE)


def test_opened_tabs_stay_drawn_until_the_page_runs_again_and_markers_are_flat(app_url: str, page) -> None:
    held = HeldMessages(page)
    page.goto(app_url, wait_until="domcontentloaded")
    wait_for_map(page)
    for town in ("Næstved", "Roskilde"):
        add_town(page, town)
    _open_tab(page, "Kommunerne", "klyngearbejdssteder")
    _open_tab(page, "Mødepakke og scenarie", "Scenariets navn")
    _open_tab(page, "Indikatorer", "Klyngearbejdssteder inden for 45 min")
    with held:  # back to Kommunerne: shown from what the browser holds
        page.get_by_role("tab", name="Kommunerne").click()
        page.get_by_role("tabpanel").get_by_text("klyngearbejdssteder").first.wait_for(timeout=10_000)
    page.wait_for_function(IDLE)
    with held:  # the meeting pack shows the weights, which the ranking tab changes alone: drawn anew
        page.get_by_role("tab", name="Mødepakke og scenarie").click()
        page.wait_for_timeout(1500)
        assert page.get_by_role("tabpanel").get_by_text("Scenariets navn").count() == 0
    _open_tab(page, "Mødepakke og scenarie", "Scenariets navn")
    _open_tab(page, "Kommunerne", "klyngearbejdssteder")
    add_town(page, "Slagelse")  # the whole page ran again: only the open tab is drawn
    for _ in range(2):  # the form's run is followed by the run it asks for
        page.wait_for_function(IDLE)
        page.wait_for_timeout(1000)
    with held:
        page.get_by_role("tab", name="Indikatorer").click()
        page.wait_for_timeout(1500)
        assert page.get_by_role("tabpanel").get_by_text("Klyngearbejdssteder inden for 45 min").count() == 0
    _open_tab(page, "Indikatorer", "Slagelse")
    # Leaflet places markers without 3D transforms (layers/leaflet_flat.js): no compositor layer each
    frame = page.frame(url=lambda u: "streamlit_folium" in u)
    assert frame.evaluate("L.Browser.any3d") is False
    assert frame.evaluate("[...document.querySelectorAll('.leaflet-marker-icon')].filter(m => m.style.transform).length") == 0
    assert frame.locator(".leaflet-marker-icon").count() > 0
