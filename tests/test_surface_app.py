"""The "Kort over egnethed" tab through AppTest: computed once, recoloured by weights, cells become sites."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.data.loading import load_layers
from geo.reach import indicators, surface
from geo.text import md
from tests.helpers import add_town, open_section, shown_tables
from ui.data import clear_per_site
from ui.surface import cached_surface

ROOT = Path(__file__).resolve().parents[1]


def test_surface_recolours_without_recomputing_and_adds_a_top_area(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(surface.ENV_SURFACE_CACHE, str(tmp_path))
    cached_surface.clear()
    calls: list[int] = []
    measure = indicators.measure

    def counted(ctx, xys):
        calls.append(len(xys))
        return measure(ctx, xys)

    monkeypatch.setattr(indicators, "measure", counted)
    st.cache_data.clear()  # rows cached by earlier tests in this process would hide the searches
    st.cache_resource.clear()
    clear_per_site()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    for town in ("Næstved", "Roskilde"):  # two sites: the weight sliders appear
        add_town(at, town)
    assert calls == [1, 1]  # one search per site
    open_section(at, "surface")
    at.toggle(key="surface_on").set_value(True)
    at.run()
    assert not at.exception, at.exception
    cells = sum(calls) - 2
    assert cells == len(surface.hex_grid(load_layers(None).municipalities))

    def shown() -> list[str]:
        return [m.value for m in at.markdown if "point" in m.value]

    before, n_calls = shown(), len(calls)
    assert any(line.startswith(md("Område 1: ved ")) for line in before)
    assert any(line.startswith("**Dine lokaliteter på samme skala:** " + md("Næstved ")) for line in before)
    open_section(at, "ranking")
    at.slider(key="w_research").set_value(80.0)
    at.run()
    open_section(at, "surface")
    assert not at.exception, at.exception
    assert len(calls) == n_calls  # a weight change only recolours: no indicator was computed
    assert shown() != before  # … and the scores moved
    top = [b for b in at.button if b.key.startswith("surface_add_") and b.key != "surface_add_clicked"]
    assert 1 <= len(top) <= 5
    top[0].click()
    at.run()
    assert not at.exception, at.exception
    sites = at.session_state["sites"]
    assert len(sites) == 3 and sites[2].name.startswith("Område 1 ved ")
    open_section(at, "indicators")
    assert f"3. {sites[2].name}" in shown_tables(at)[0].columns  # its indicators are shown
