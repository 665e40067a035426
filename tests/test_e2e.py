"""End to end: the real app in headless Chromium, offline – click the map, see the row."""

from __future__ import annotations

import pytest

from tests.e2e_support import ARTIFACTS

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
    row = page.get_by_role("table").filter(has_text="Lokalitet 1")
    row.first.wait_for(timeout=60_000)
    text = row.first.inner_text()
    assert "Klyngearbejdssteder inden for 45 min" in text
    assert "Demodata" in page.content()
    page.screenshot(path=str(ARTIFACTS / "e2e_site_added.png"), full_page=True)
    assert not [u for u in failed_requests if "leaflet" in u], failed_requests


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
