"""Meeting-ready: lead-municipality case, exports (PDF, Excel, GeoPackage, HTML), scenarios and
the shareable link, and the presentation view."""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.decide.weights import CRITERION_IDS, normalise
from geo.errors import KlyngestedError
from geo.i18n import t
from geo.reach import indicators
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import IndicatorContext
from geo.report.bundle import ReportData, build_report_data
from geo.report.safety import safe_filename
from geo.report.scenario import (
    Scenario,
    diff_snapshot,
    from_query_params,
    layer_dates,
    scenario_from_json,
    to_query_params,
)
from geo.settings import K17_CODES
from geo.text import md
from ui.results import finance_inputs, finance_result, ranking_inputs, ranking_result
from ui.runlog import timed
from ui.sidebar import Settings
from ui.state import KEPT_WIDGETS, flash, restore_choice, set_weights, state
from ui.workspace import map_panel

EXPORTS = (("pdf", "application/pdf"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ("gpkg", "application/geopackage+sqlite3"), ("html", "text/html"))


def current_scenario(settings: Settings) -> Scenario:
    """The session's work as a Scenario (sites, cluster, weights, method, texts, snapshot)."""
    return Scenario(
        sites=list(state.sites), name=state.scenario_name, cluster_id=settings.cluster_id if not settings.cluster_id.startswith("__") else None,
        codes=settings.codes, weights=dict(state.weights), method=settings.method, snapshot_id=settings.snapshot_id,
        snapshot_date=settings.snapshot_date, layer_dates=layer_dates(settings.layers), case_texts=dict(state.case_texts),
        case_site=state.case_site, data_source=state.get("source", ""),
    )


def apply_scenario(scenario: Scenario, settings_layers=None) -> None:
    """Put a scenario's content into the session (called from callbacks, before widgets)."""
    state.sites = list(scenario.sites)
    state.editor_version += 1
    if scenario.weights:
        set_weights(normalise(scenario.weights))
    if scenario.cluster_id:
        state["cluster"] = scenario.cluster_id
    elif scenario.codes:
        state["cluster"], state["custom_codes"] = "__custom__", ", ".join(scenario.codes)
    state["method"] = scenario.method
    if scenario.data_source:
        state["source"] = scenario.data_source
    state.case_texts = dict(scenario.case_texts)
    for cid, text in scenario.case_texts.items():
        state[f"case_{cid}"] = text
    state.scenario_name = scenario.name
    state.suggestion = None


def _load_uploaded_scenario() -> None:
    upload = state.get("scenario_upload")
    if upload is None:
        return
    try:
        scenario = scenario_from_json(upload.getvalue())
    except KlyngestedError as err:
        flash("warning", err.message_da)
        return
    apply_scenario(scenario)
    state.pending_diff = scenario
    flash("success", f"Scenarie indlæst: {scenario.name}")


def load_from_query_params() -> None:
    """Once per session: sites, weights, cluster and method from the URL (a shared link)."""
    if state.query_loaded:
        return
    state.query_loaded = True
    found = from_query_params(dict(st.query_params))
    if found.get("sites") and not state.sites:
        state.sites = list(found["sites"])
    if found.get("weights"):
        set_weights(normalise(found["weights"]))
    if found.get("cluster_id"):
        state["cluster"] = found["cluster_id"]
    if found.get("method") in ("estimate", "network"):
        state["method"] = found["method"]
    if st.query_params.get(PRESENT_PARAM[0]) == PRESENT_PARAM[1]:
        state["presentation"] = True
    if found.get("data_source"):
        state["source"] = found["data_source"]
    for note in found.get("notes", []):
        flash("warning", note)


def sync_query_params(settings: Settings) -> None:
    """Keep the address bar a shareable link to the current sites and weights."""
    params = to_query_params(current_scenario(settings)) if state.sites else {}
    if settings.presentation:
        params[PRESENT_PARAM[0]] = PRESENT_PARAM[1]
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def case_view(settings: Settings, table: pd.DataFrame) -> None:
    """Per criterion: the computed evidence beside the lead municipality's own text."""
    lang = settings.lang
    st.caption(t("case_intro", lang))
    names = table["site"].tolist()
    restore_choice("case_site_pick", names, state.case_site if state.case_site in names else names[0])
    state.case_site = st.selectbox(t("case_site", lang), names, key="case_site_pick")
    row = table.set_index("site").loc[state.case_site]
    for cid in CRITERION_IDS:
        crit = CRITERIA[cid]
        st.markdown(f"**{crit.name(lang)}** — *{crit.paper_da}*")
        c1, c2 = st.columns([2, 3])
        evidence = indicators.evidence(row, cid, lang=lang)
        c1.markdown("\n".join(f"- {e}" for e in evidence) or "–")
        text = c2.text_area(t("case_text", lang), key=f"case_{cid}", height=110, max_chars=4000)
        state.case_texts[cid] = text


def export_signature(settings: Settings) -> str:
    """Every input that changes the exported files: sites, texts, weights, indicator rules,
    robustness and finance choices, cluster, method, data state, language, surface and suggestion."""
    return repr((state.scenario_name, [tuple(s.__dict__.values()) for s in state.sites], ranking_inputs(),
                 {k: state[k] for k in KEPT_WIDGETS if k.startswith("fin_")}, settings.codes, settings.cluster_id,
                 settings.method, settings.data_key, settings.snapshot_id, settings.snapshot_date,
                 sorted(state.case_texts.items()), state.case_site, settings.lang, state["surface_on"], state["surface_one"],
                 repr(state.suggestion)))


def _report_data(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame, table: pd.DataFrame,
                 breakdown: pd.DataFrame, provenance: list[str]) -> ReportData:
    """Everything the four meeting files show, from the same cached results the sections show."""
    from ui.decide import suggestion_lines  # optional: matplotlib loads with the files
    from ui.surface import surface_for_report  # optional: h3 loads with the files

    ranked = ranking_result(table)
    try:
        finance = finance_result(settings, ctx, sites, finance_inputs(sites, settings.lang))
    except KlyngestedError:
        finance = None  # the finance section shows the message; the files leave the split out
    return build_report_data(
        settings.layers, sites, settings.engine, codes=settings.codes, cluster_id=settings.cluster_id,
        cluster_name=settings.cluster_label, scenario_name=state.scenario_name, lang=settings.lang, table=table,
        breakdown=breakdown, weights=state.weights,
        ranking=None if ranked is None else ranked.ranking.table,
        robustness=None if ranked is None else ranked.robustness.sentences,
        rank_frequencies=None if ranked is None else ranked.robustness.frequencies,
        finance=None if finance is None else finance.table, finance_formula="" if finance is None else finance.formula_da,
        case_texts={k: v for k, v in state.case_texts.items() if v}, case_site=state.case_site,
        provenance_lines=provenance, snapshot_id=settings.snapshot_id, snapshot_date=settings.snapshot_date,
        created=dt.date.today().isoformat(), surface=surface_for_report(settings),
        suggestion=[line.replace("**", "") for line in suggestion_lines(settings, settings.lang)],
    )


#: The board pack starts as "Lav filer" is clicked (the file most meetings want): its button then
#: waits for the rest instead of starting from nothing. One pack at a time, on one thread.
_PACK_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="klyngested-pack")
PACKS_KEPT = 4  #: the last packs started, kept by signature (a pack not yet laid out is dropped with it)
_packs: OrderedDict[str, Future[bytes]] = OrderedDict()
_packs_lock = threading.Lock()


def _pack(signature: str, data: ReportData) -> Future[bytes]:
    """The board pack for ``signature``: started on the pack thread the first time it is asked
    for, the same pack (laid out, or being laid out) when asked again."""
    from geo.report.formats import render  # optional: the writers load on first use

    with _packs_lock:
        if signature not in _packs:
            _packs[signature] = _PACK_THREAD.submit(render, data, "pdf")
        _packs.move_to_end(signature)
        while len(_packs) > PACKS_KEPT:
            _packs.popitem(last=False)[1].cancel()
        return _packs[signature]


@st.cache_data(show_spinner=False, max_entries=20, ttl=3600)
@timed("file")
def _file(signature: str, fmt: str, _data: ReportData) -> bytes:
    """One meeting file, made when its button is clicked (the board pack: finished, when it was
    started on "Lav filer") and kept for this signature."""
    from geo.report.formats import render  # optional: the writers load on first use

    return _pack(signature, _data).result() if fmt == "pdf" else render(_data, fmt)


def exports_view(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame, table: pd.DataFrame,
                 breakdown: pd.DataFrame, provenance: list[str]) -> None:
    """Scenario name, the four meeting exports, scenario save/load and the link."""
    lang = settings.lang
    if "scenario_name_input" not in state:
        state["scenario_name_input"] = state.scenario_name
    state.scenario_name = st.text_input(t("scenario_name", lang), key="scenario_name_input", max_chars=120)
    signature = export_signature(settings)
    if st.button(t("prepare_exports", lang), key="prepare_exports", type="primary"):
        with st.spinner(t("preparing", lang)):
            # the files are made when their button is clicked (one, not all four); the pack starts now
            state.exports = {"signature": signature,
                             "data": _report_data(settings, ctx, sites, table, breakdown, provenance)}
            _pack(signature, state.exports["data"])  # started now; its button takes it
    exports = state.exports
    stem = safe_filename(state.scenario_name)
    if exports and exports["signature"] == signature:
        cols = st.columns(len(EXPORTS))
        for col, (fmt, mime) in zip(cols, EXPORTS, strict=True):
            col.download_button(t(f"export_{fmt}", lang), partial(_file, signature, fmt, exports["data"]),
                                file_name=f"{stem}.{fmt}", mime=mime, key=f"dl_{fmt}")
    elif exports:
        st.caption(t("exports_stale", lang))
    st.divider()
    st.subheader(t("scenario_section", lang))
    scenario = current_scenario(settings)
    st.download_button(t("scenario_save", lang), scenario.to_json().encode("utf-8"), file_name=f"{stem}.json",
                       mime="application/json", key="scenario_save")
    st.file_uploader(t("scenario_load", lang), type=["json"], key="scenario_upload")
    st.button(t("scenario_load_button", lang), on_click=_load_uploaded_scenario, key="scenario_load_button")
    pending, state.pending_diff = state.pending_diff, None
    if pending is not None:
        for line in diff_snapshot(pending, settings.snapshot_id, settings.snapshot_date, layer_dates(settings.layers)):
            st.warning(md(line))
    st.caption(t("share_link", lang))


PRESENT_PARAM = ("vis", "praesentation")  #: ?vis=praesentation opens the app in presentation mode
CARD_LINES = (("workplaces_45", "pm_card_workplaces"), ("share_k17_45", "pm_card_share"),
              ("municipalities_45", "pm_card_municipalities"), ("institutions_30", "pm_card_institutions"))


def _leave_presentation() -> None:
    state["presentation"] = False


def site_card(no: int, site: str, row: pd.Series, rank: str, sentence: str, lang: str) -> str:
    """One site's card: map number, name, the headline numbers and the robustness sentence (HTML)."""
    lines = []
    for column, key in CARD_LINES:
        value = indicators.spec_for(column).format(float(row[column]), lang, unit=True)
        if column == "municipalities_45":
            value = t("pm_of", lang, n=value, total=len(K17_CODES))
        lines.append(f'<li><span class="ks-v">{html.escape(value)}</span><span class="ks-l">{html.escape(t(key, lang))}</span></li>')
    robust = f"<p>{html.escape(sentence)}</p>" if sentence else ""
    return (f'<section class="ks-card" aria-label="{html.escape(site)}"><h2><span class="ks-no" aria-hidden="true">{no}</span>'
            f'{html.escape(rank + site)}</h2><ul>{"".join(lines)}</ul>{robust}</section>')


def presentation_view(settings: Settings, table: pd.DataFrame | None, sites: gpd.GeoDataFrame) -> None:
    """The projector screen: the map (site numbers, catchments) beside 2–4 site cards; nothing editable."""
    lang = settings.lang
    head, leave = st.columns([6, 1], vertical_alignment="center")
    head.title(t("title", lang))
    if settings.layers.provenance["workplaces"].quality == "synthetic":
        head.caption(t("demodata_short", lang))
    leave.button(t("pm_exit", lang), on_click=_leave_presentation, key="pm_exit")
    map_col, card_col = st.columns([9, 11], gap="small")
    with map_col:
        map_panel(settings, sites, height=560)
    if table is None:
        card_col.info(t("no_sites", lang))
        return
    ranked = ranking_result(table)
    order = ranked.ranking.table["site"].tolist() if ranked else table["site"].tolist()
    numbers = {site: i for i, site in enumerate(table["site"], start=1)}
    ranks = ranked.ranking.table.set_index("site")["rank"] if ranked else {}
    rows = table.set_index("site")
    cards = [site_card(numbers[site], site, rows.loc[site], f"nr. {int(ranks[site])} · " if ranked else "",
                       ranked.robustness.sentences.get(site, "") if ranked else "", lang)
             for site in [s for s in order if s in numbers][:4]]
    card_col.html(f'<div class="ks-cards">{"".join(cards)}</div>')
    r = rows.iloc[0]
    card_col.caption(md(f"{r['method_note']} · {r['data']}"))
