"""Klyngested – Streamlit app. Composition only: analysis lives in geo/, map layers in layers/,
Streamlit sections in ui/."""

from __future__ import annotations

import time

import streamlit as st

from geo.i18n import t
from geo.text import md
from layers.assets import install_static
from ui.chrome import page_chrome
from ui.data import cached_context, cached_sites_frame, indicator_table
from ui.decide import fairness_view, finance_view, suggest_view
from ui.meeting import (
    case_view,
    exports_view,
    load_from_query_params,
    presentation_view,
    sync_query_params,
)
from ui.ranking import indicators_view, ranking_view
from ui.sidebar import sidebar
from ui.state import init_state, show_messages, state
from ui.surface import surface_view
from ui.workspace import map_panel, sites_panel

_started = time.perf_counter()
st.set_page_config(page_title="Klyngested", page_icon="📍", layout="wide")
install_static()  # Leaflet served from /app/static/, so the map works offline
init_state()
load_from_query_params()
settings = sidebar()
lang = settings.lang
page_chrome(lang, settings.presentation)

if not settings.presentation:  # presentation mode has its own one-line header
    st.title(t("title", lang))
    st.write(t("subtitle", lang))
    if settings.layers.provenance["workplaces"].quality == "synthetic":
        st.info(t("demodata_banner", lang), icon=":material/info:")
show_messages()

sites = cached_sites_frame(settings.data_key, tuple(state.sites), settings.layers)
ctx = cached_context(settings.data_key, settings.codes, settings.method, settings.layers)
provenance = [*settings.layers.provenance_lines(), t("method_line", "da", method=settings.engine.describe())]
table, breakdown = indicator_table(settings.data_key, settings.codes, settings.method, sites, ctx) if len(sites) else (None, None)

if settings.presentation:
    presentation_view(settings, table, sites)
else:
    map_col, side_col = st.columns([3, 2], gap="medium")
    with map_col:
        st.caption(t("map_hint", lang))
        map_panel(settings, sites)
    with side_col:
        sites_panel(settings)
    tabs = st.tabs([t(f"tab_{name}", lang) for name in ("indicators", "ranking", "suggest", "fairness", "finance", "meeting", "surface")])
    with tabs[6]:
        surface_view(settings, ctx, table)
    with tabs[2]:
        suggest_view(settings, ctx, sites)
    if table is None:
        for tab in (tabs[0], tabs[1], tabs[3], tabs[4], tabs[5]):
            tab.info(t("no_sites", lang))
    else:
        with tabs[0]:
            indicators_view(settings, table, breakdown, provenance)
        with tabs[1]:
            ranking_view(settings, table)
        with tabs[3]:
            fairness_view(settings, ctx, sites)
        with tabs[4]:
            finance_view(settings, ctx, sites, provenance)
        with tabs[5]:
            case_view(settings, table)
            exports_view(settings, sites, table, breakdown, provenance)

with st.expander(t("provenance_section", lang), expanded=False):
    for line in [*settings.layers.provenance_lines(), *settings.layers.notes()]:
        st.markdown(f"- {md(line)}")
    st.markdown(f"- {t('method_line', lang, method=md(settings.engine.describe()))}")
sync_query_params(settings)
state["script_ms"] = (time.perf_counter() - _started) * 1000  # server time of this run (benchmarks read it)
