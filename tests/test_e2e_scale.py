"""100,000 synthetic workplaces in the real app: the map paints, a site can be added, and the
page stays well under 10 MB (a loose bound, so that a regression to raw markers fails)."""

from __future__ import annotations

import pytest

from tests.e2e_support import ARTIFACTS, running_app

pytestmark = pytest.mark.e2e

PAYLOAD_LIMIT = 10 * 1024 * 1024


def test_100k_workplaces_paint_and_accept_a_site(page) -> None:
    received = {"bytes": 0}

    def on_websocket(ws) -> None:  # Streamlit sends the map over its websocket
        ws.on("framereceived", lambda payload: received.__setitem__("bytes", received["bytes"] + len(payload)))

    with running_app(env={"KLYNGESTED_DEMO_WORKPLACES": "100000"}) as url:
        page.on("websocket", on_websocket)
        page.on("response", lambda r: received.__setitem__("bytes", received["bytes"] + int(r.headers.get("content-length", 0) or 0)))
        page.goto(url, wait_until="domcontentloaded")
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator(".leaflet-control-layers").wait_for(timeout=60_000)
        assert frame.locator(".leaflet-overlay-pane canvas").count() >= 1
        page.wait_for_timeout(1000)
        box = frame.locator(".leaflet-container").bounding_box()
        frame.locator(".leaflet-container").click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.45})
        page.get_by_role("tabpanel").get_by_role("table").filter(has_text="Lokalitet 1").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "e2e_100k.png"))
    print(f"received {received['bytes'] / 1e6:.2f} MB")
    assert received["bytes"] < PAYLOAD_LIMIT
