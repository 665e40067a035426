"""The Streamlit app through AppTest: starts on the default, adds sites, survives bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.i18n import t
from tests.helpers import add_town, open_section, shown_tables
from ui import results

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
    table = shown_tables(app)[0]
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
    table = shown_tables(app)[0]
    assert any(str(v).startswith("vejnet (syntetisk demonet) · Demodata") for v in table.iloc[-1].tolist())


def add_towns(app: AppTest, *names: str) -> None:
    for name in names:
        add_town(app, name)


def test_weights_always_total_100_and_reranking_recomputes_no_catchment(app: AppTest, monkeypatch) -> None:
    from geo.reach import indicators

    add_towns(app, "Næstved", "Roskilde", "Slagelse")
    open_section(app, "ranking")
    calls = []
    original = indicators.site_row
    monkeypatch.setattr(indicators, "site_row", lambda *a, **k: calls.append(a[1]) or original(*a, **k))
    app.slider(key="w_value").set_value(60.0)
    app.run()
    assert not app.exception
    weights = {c: app.slider(key=f"w_{c}").value for c in ("value", "attract", "knowledge", "network", "research")}
    # value set to 60; the other four keep equal proportions of the remaining 40 -> 10 each
    assert weights == {"value": 60.0, "attract": 10.0, "knowledge": 10.0, "network": 10.0, "research": 10.0}
    assert calls == []  # re-ranking used the cached per-site indicators
    robustness = [h.body for h in app.html if h.body.startswith('<ul class="ks-list">')]  # one sentence per site
    assert len(robustness) == 1 and robustness[0].count("<li>") == 3 and robustness[0].count("vægtkombinationer") == 3
    add_towns(app, "Sorø")  # control: a new site is computed, and only that one
    assert calls == ["Sorø"]


def test_locked_weight_stays_when_another_moves(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    open_section(app, "ranking")
    app.selectbox(key="locked").set_value("research")
    app.run()
    app.slider(key="w_value").set_value(40.0)
    app.run()
    values = {c: app.slider(key=f"w_{c}").value for c in ("value", "attract", "knowledge", "network", "research")}
    assert values["research"] == 20.0 and values["value"] == 40.0
    assert sum(values.values()) == pytest.approx(100.0)


def test_finance_split_sums_to_the_amount(app: AppTest) -> None:
    add_towns(app, "Næstved")
    open_section(app, "finance")
    app.text_input(key="fin_total").set_value("1.000.001 kr.")  # typed the Danish way
    app.run()
    assert not app.exception
    assert any("1.000.001 kr." in m.value for m in app.markdown)
    app.text_input(key="fin_total").set_value("en million")
    app.run()
    assert not app.exception and any("kan ikke læses" in e.value for e in app.error)


def test_presentation_mode_locks_editing_and_keeps_sites(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    app.toggle(key="presentation").set_value(True)
    app.run()
    assert not app.exception
    assert app.selectbox(key="cluster").disabled and app.radio(key="method").disabled
    cards = "".join(e.proto.body for e in app.get("html") if 'class="ks-card"' in e.proto.body)
    assert cards.count('class="ks-card"') == 2 and "Næstved" in cards and "Roskilde" in cards
    assert "vægtkombinationer" in cards  # the robustness sentence, computed without visiting Rangering
    assert not app.get("tabs")  # no editing views in presentation mode
    app.toggle(key="presentation").set_value(False)
    app.run()
    assert [s.name for s in app.session_state["sites"]] == ["Næstved", "Roskilde"]


def test_shared_link_restores_sites_and_weights() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["s"] = "Næstved~55.2301~11.7605|Roskilde~55.6415~12.0803"
    at.query_params["w"] = "value:50,attract:20,knowledge:10,network:10,research:10"
    at.run()
    assert not at.exception
    assert [s.name for s in at.session_state["sites"]] == ["Næstved", "Roskilde"]
    open_section(at, "ranking")
    assert at.slider(key="w_value").value == 50.0


def test_suggestion_keeps_the_fixed_office_and_compares_user_sites(app: AppTest) -> None:
    add_towns(app, "Slagelse")
    open_section(app, "suggest")
    app.multiselect(key="sg_fixed").set_value(["Næstved"])
    app.button(key="sg_run").click()
    app.run()
    assert not app.exception
    suggestion = app.session_state["suggestion"]
    names = [c["name"] for c in suggestion["chosen"]]
    assert len(names) == 2 and "Næstved" in names
    assert 0.0 <= suggestion["gap"] <= 1.0
    assert any("Slagelse" in line for line in suggestion["comparison"])


def test_rank_reversal_tests_on_demand(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde", "Slagelse")
    open_section(app, "ranking")

    def said() -> bool:  # a reversal is named ("Uden …") or the tests found none
        texts = " ".join([m.value for m in app.markdown] + [h.body for h in app.html])
        return "Uden " in texts or "Ingen rangskifte" in texts

    assert not said()  # off by default: not computed on every rerun
    app.toggle(key="loso").set_value(True)
    app.run()
    assert not app.exception and said()


def test_only_the_open_section_runs(app: AppTest, monkeypatch) -> None:
    add_towns(app, "Næstved", "Roskilde")
    st.cache_data.clear()  # an earlier test may have ranked these two sites
    calls = []
    original = results.score
    monkeypatch.setattr(results, "score", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert not [s for s in app.slider if s.key == "w_value"]  # the ranking tab's sliders are not drawn
    app.run()
    assert calls == []  # ranking not computed while the indicator tab is open
    open_section(app, "ranking")
    assert len(calls) == 1


def test_hidden_sections_keep_their_choices_and_feed_the_exports(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    open_section(app, "ranking")
    app.slider(key="w_value").set_value(60.0)
    app.run()
    open_section(app, "finance")
    app.text_input(key="fin_total").set_value("500.000")
    app.run()
    open_section(app, "meeting")
    app.button(key="prepare_exports").click()
    app.run()
    assert not app.exception
    assert {b.key for b in app.get("download_button")} >= {"dl_pdf", "dl_xlsx"}
    open_section(app, "ranking")
    assert app.slider(key="w_value").value == 60.0  # kept while the tab was hidden
    open_section(app, "finance")
    assert app.text_input(key="fin_total").value == "500.000"
    assert any("500.000 kr." in m.value for m in app.markdown)


def test_the_board_pack_starts_on_lav_filer_and_its_button_takes_it(app: AppTest) -> None:
    from ui import meeting

    add_towns(app, "Næstved", "Roskilde")
    open_section(app, "meeting")
    app.button(key="prepare_exports").click()
    app.run()
    exports = app.session_state["exports"]
    started = meeting._packs[exports["signature"]]  # laid out while the planner reads the buttons
    pdf = meeting._file(exports["signature"], "pdf", exports["data"])
    assert pdf.startswith(b"%PDF") and pdf is started.result()  # the button hands over that pack
    app.button(key="prepare_exports").click()  # "Lav filer" again, nothing changed
    app.run()
    assert meeting._packs[exports["signature"]] is started  # the same pack: not laid out a second time


def test_exports_go_stale_when_an_indicator_setting_changes(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    open_section(app, "meeting")
    app.button(key="prepare_exports").click()
    app.run()
    assert "dl_pdf" in {b.key for b in app.get("download_button")}
    rules = dict(app.session_state["rules"])
    column = next(iter(rules))
    more, target, included = rules[column]
    app.session_state["rules"] = {**rules, column: (more, target, not included)}
    app.run()
    assert "dl_pdf" not in {b.key for b in app.get("download_button")}
    assert t("exports_stale", "da") in [c.value for c in app.caption]


def test_indicator_rules_editor_is_drawn_when_opened_with_zero_for_no_target(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    open_section(app, "ranking")
    assert len(app.dataframe) == 0  # the closed editor is not drawn (nor the closed site editor)
    app.session_state["indicator_settings_open"] = True
    app.run()
    editor = app.dataframe[0].value
    target = t("target", "da")
    assert len(editor) == len(app.session_state["rules"])
    assert editor[target].tolist() == [r[1] or 0.0 for r in app.session_state["rules"].values()]
    assert editor[target].notna().all()  # an empty cell would show Streamlit's English "None"


def test_coordinates_outside_denmark_give_one_danish_message_and_keep_the_sites(app: AppTest) -> None:
    add_by_coordinates(app, "Næstved st.", 55.2301, 11.7605)
    add_by_coordinates(app, "Paris", 48.85, 2.35)
    assert [s.name for s in app.session_state["sites"]] == ["Næstved st."]
    assert len(app.error) == 1 and "Danmark" in app.error[0].value
    app.run()  # shown once, where the form is
    assert len(app.error) == 0


def test_runs_leave_garbage_collection_to_python(app: AppTest) -> None:
    """No full collection after every run (0.3-0.4 s each); the modules' objects are frozen."""
    import gc

    from streamlit import config

    assert config.get_option("runner.postScriptGC") is False  # read from .streamlit/config.toml
    assert gc.get_freeze_count() > 10_000  # the app's first run froze the imported modules


def test_site_list_is_text_and_the_table_editor_is_drawn_when_opened(app: AppTest) -> None:
    add_towns(app, "Næstved", "Roskilde")
    listed = [e.proto.body for e in app.get("html") if 'class="ks-site-list"' in e.proto.body]
    assert len(listed) == 1
    assert listed[0].index(">Næstved<") < listed[0].index(">Roskilde<")  # in the map's order
    assert "<td>1</td>" in listed[0] and "<td>2</td>" in listed[0]  # the numbers on the map
    assert not app.dataframe  # the editor (a data grid) is not drawn while closed
    app.session_state["sites_edit_open"] = True
    app.run()
    (editor,) = app.dataframe
    assert editor.value["navn"].tolist() == ["Næstved", "Roskilde"]
