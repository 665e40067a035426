"""Klyngested – Streamlit app. Composition only: analysis lives in geo/, map layers in layers/,
Streamlit sections in ui/."""

from __future__ import annotations

import time

import streamlit as st

from geo.i18n import t
from geo.text import md
from layers.assets import install_static
from ui.chrome import page_chrome
from ui.data import cached_context, cached_sites_frame
from ui.heap import freeze_imports
from ui.meeting import load_from_query_params, presentation_view, sync_query_params
from ui.preload import preload_after_first_page
from ui.runlog import log_run
from ui.sections import Run, sections_view
from ui.sidebar import sidebar
from ui.state import init_state, outside_key, show_messages, state
from ui.workspace import map_panel, sites_panel

_started = time.perf_counter()
freeze_imports()  # before any data loads (ui.heap)
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
run = Run(settings, sites, ctx, [*settings.layers.provenance_lines(), t("method_line", "da", method=settings.engine.describe())],
          outside_key())

if settings.presentation:
    presentation_view(settings, run.table if len(sites) else None, sites)
else:
    map_col, side_col = st.columns([3, 2], gap="medium")
    with map_col:
        st.caption(t("map_hint", lang))
        map_panel(settings, sites)
    with side_col:
        sites_panel(settings)
    sections_view(run)

with st.expander(t("provenance_section", lang), expanded=False):
    lines = [md(line) for line in [*settings.layers.provenance_lines(), *settings.layers.notes()]]
    lines.append(t("method_line", lang, method=md(settings.engine.describe())))
    st.markdown("\n".join(f"- {line}" for line in lines))  # one element: each costs the first paint
sync_query_params(settings)
state.script_ms = log_run("script", _started)  # server time of this run (benchmarks read it)
preload_after_first_page()  # the charts' and files' code, once the first page is out
