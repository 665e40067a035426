"""The Streamlit app through AppTest: starts on the default, adds sites, survives bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def add_by_coordinates(at: AppTest, name: str, lat: float, lon: float) -> None:
    at.text_input(key="coord_name").set_value(name)
    at.number_input(key="coord_lat").set_value(lat)
    at.number_input(key="coord_lon").set_value(lon)
    at.button(key="coord_add").click()
    at.run()


def test_starts_in_danish_on_demodata(app: AppTest) -> None:
    assert "Klyngested" in app.title[0].value
    assert any("Demodata" in i.value for i in app.info)


def test_add_site_by_coordinates_shows_indicators(app: AppTest) -> None:
    add_by_coordinates(app, "Næstved st.", 55.2301, 11.7605)
    assert not app.exception
    assert [s.name for s in app.session_state["sites"]] == ["Næstved st."]
    table = app.table[0].value
    assert "1. Næstved st." in table.columns
    assert any("Klyngearbejdssteder inden for 45 min" in str(i) for i in table.index)


def test_swapped_coordinates_give_danish_message_and_keep_sites(app: AppTest) -> None:
    add_by_coordinates(app, "Roskilde", 55.6415, 12.0803)
    add_by_coordinates(app, "Byttet", 11.7605, 55.2301)
    assert not app.exception
    assert any("byttet om" in e.value for e in app.error)
    assert [s.name for s in app.session_state["sites"]] == ["Roskilde"]


def test_english_is_selectable(app: AppTest) -> None:
    app.selectbox(key="lang").set_value("en")
    app.run()
    assert "siting" in app.title[0].value


def test_bad_codes_keep_the_app_running(app: AppTest) -> None:
    app.selectbox(key="cluster").set_value("__custom__")
    app.run()
    app.text_input(key="custom_codes").set_value("41, abc")
    app.run()
    assert not app.exception
    assert any("Ugyldige branchekoder" in e.value for e in app.error)


def test_network_method_labels_the_synthetic_graph(app: AppTest) -> None:
    app.radio(key="method").set_value("network")
    app.run()
    add_by_coordinates(app, "Nykøbing F", 54.7691, 11.8743)
    assert not app.exception
    table = app.table[0].value
    assert "vejnet (syntetisk demonet) · Demodata" in table.iloc[-1].tolist()
