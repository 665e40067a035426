"""Render the README screenshot: the app on the embedded default with two towns added.

Run: `.venv/bin/python -m docs.make_screenshot` (needs Debian's chromium).
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e_support import browser_page, running_app

OUT = Path(__file__).with_name("screenshot.png")


def main() -> None:
    with running_app() as url, browser_page(1600, 1500) as page:
        page.goto(url)
        page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(".leaflet-control-layers").wait_for(timeout=60_000)
        for town in ("Næstved", "Roskilde"):
            page.get_by_role("tab", name="Tilføj en by").click()
            page.locator('[data-testid="stSelectbox"]').filter(has_text="By").last.click()
            page.keyboard.type(town)
            page.keyboard.press("Enter")
            page.get_by_role("button", name="Tilføj").last.click()
            page.get_by_role("table").filter(has_text=town).first.wait_for(timeout=60_000)
        page.wait_for_timeout(2000)
        page.screenshot(path=str(OUT))


if __name__ == "__main__":
    main()
