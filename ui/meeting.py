"""Meeting-ready: lead-municipality case, exports (PDF, Excel, GeoPackage, HTML), scenarios and
the shareable link, and the presentation view."""

from __future__ import annotations

import datetime as dt
import html

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.decide.weights import CRITERION_IDS, normalise
from geo.errors import KlyngestedError
from geo.i18n import t
from geo.reach import indicators
from geo.reach.criteria import CRITERIA
from geo.report.bundle import build_report_data
from geo.report.formats import render
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
from ui.decide import suggestion_lines
from ui.ranking import headline_ranking
from ui.sidebar import Settings
from ui.state import flash, set_weights, state
from ui.surface import surface_for_report
from ui.workspace import map_panel

EXPORTS = (("pdf", "application/pdf"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           ("gpkg", "application/geopackage+sqlite3"), ("html", "text/html"))


def _snapshot(settings: Settings) -> tuple[str, str]:
    if settings.data_key.startswith("snapshot-"):
        return settings.data_key.removeprefix("snapshot-"), ""
    return ("standard" if settings.data_key == "default" else settings.data_key), ""


def current_scenario(settings: Settings) -> Scenario:
    """The session's work as a Scenario (sites, cluster, weights, method, texts, snapshot)."""
    snap_id, snap_date = _snapshot(settings)
    return Scenario(
        sites=list(state.sites), name=state.scenario_name, cluster_id=settings.cluster_id if not settings.cluster_id.startswith("__") else None,
        codes=settings.codes, weights=dict(state.weights), method=settings.method, snapshot_id=snap_id,
        snapshot_date=snap_date, layer_dates=layer_dates(settings.layers), case_texts=dict(state.case_texts),
        case_site=state.get("case_site"), data_source=state.get("source", ""),
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
    state["pending_diff"] = scenario
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
    state["case_site"] = st.selectbox(t("case_site", lang), table["site"].tolist(), key="case_site_pick")
    row = table.set_index("site").loc[state["case_site"]]
    for cid in CRITERION_IDS:
        crit = CRITERIA[cid]
        st.markdown(f"**{crit.name(lang)}** — *{crit.paper_da}*")
        c1, c2 = st.columns([2, 3])
        evidence = indicators.evidence(row, cid, lang=lang)
        c1.markdown("\n".join(f"- {e}" for e in evidence) or "–")
        text = c2.text_area(t("case_text", lang), key=f"case_{cid}", height=110, max_chars=4000)
        state.case_texts[cid] = text


def exports_view(settings: Settings, sites: gpd.GeoDataFrame, table: pd.DataFrame, breakdown: pd.DataFrame,
                 provenance: list[str]) -> None:
    """Scenario name, the four meeting exports, scenario save/load and the link."""
    lang = settings.lang
    state.scenario_name = st.text_input(t("scenario_name", lang), value=state.scenario_name, key="scenario_name_input", max_chars=120)
    ranking = state.get("last_ranking")
    finance = state.get("last_finance")
    signature = repr((state.scenario_name, [tuple(s.__dict__.values()) for s in state.sites], state.weights, settings.codes,
                      settings.method, settings.data_key, sorted(state.case_texts.items()), lang,
                      None if finance is None else finance["table"].to_json(), state.get("surface_on"),
                      state.get("surface_one"), repr(state.get("suggestion"))))
    if st.button(t("prepare_exports", lang), key="prepare_exports", type="primary"):
        with st.spinner(t("preparing", lang)):
            snap_id, snap_date = _snapshot(settings)
            data = build_report_data(
                settings.layers, sites, settings.engine, codes=settings.codes, cluster_id=settings.cluster_id,
                cluster_name=settings.cluster_label, scenario_name=state.scenario_name, lang=lang, table=table,
                breakdown=breakdown, weights=state.weights,
                ranking=None if ranking is None else ranking["table"],
                robustness=None if ranking is None else ranking["sentences"],
                rank_frequencies=None if ranking is None else ranking["frequencies"],
                finance=None if finance is None else finance["table"], finance_formula="" if finance is None else finance["formula"],
                case_texts={k: v for k, v in state.case_texts.items() if v}, case_site=state.get("case_site"),
                provenance_lines=provenance, snapshot_id=snap_id, snapshot_date=snap_date,
                created=dt.date.today().isoformat(), surface=surface_for_report(settings),
                suggestion=[line.replace("**", "") for line in suggestion_lines(settings, lang)],
            )
            state["exports"] = {"signature": signature, "files": {fmt: render(data, fmt) for fmt, _ in EXPORTS}}
    exports = state.get("exports")
    stem = safe_filename(state.scenario_name)
    if exports and exports["signature"] == signature:
        cols = st.columns(len(EXPORTS))
        for col, (fmt, mime) in zip(cols, EXPORTS, strict=True):
            col.download_button(t(f"export_{fmt}", lang), exports["files"][fmt], file_name=f"{stem}.{fmt}", mime=mime, key=f"dl_{fmt}")
    elif exports:
        st.caption(t("exports_stale", lang))
    st.divider()
    st.subheader(t("scenario_section", lang))
    scenario = current_scenario(settings)
    st.download_button(t("scenario_save", lang), scenario.to_json().encode("utf-8"), file_name=f"{stem}.json",
                       mime="application/json", key="scenario_save")
    st.file_uploader(t("scenario_load", lang), type=["json"], key="scenario_upload")
    st.button(t("scenario_load_button", lang), on_click=_load_uploaded_scenario, key="scenario_load_button")
    pending = state.pop("pending_diff", None)
    if pending is not None:
        snap_id, snap_date = _snapshot(settings)
        for line in diff_snapshot(pending, snap_id, snap_date, layer_dates(settings.layers)):
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
    ranking = headline_ranking(table)
    order = ranking["table"]["site"].tolist() if ranking else table["site"].tolist()
    numbers = {site: i for i, site in enumerate(table["site"], start=1)}
    ranks = ranking["table"].set_index("site")["rank"] if ranking else {}
    rows = table.set_index("site")
    cards = [site_card(numbers[site], site, rows.loc[site], f"nr. {int(ranks[site])} · " if ranking else "",
                       ranking["sentences"].get(site, "") if ranking else "", lang)
             for site in [s for s in order if s in numbers][:4]]
    card_col.html(f'<div class="ks-cards">{"".join(cards)}</div>')
    r = rows.iloc[0]
    card_col.caption(md(f"{r['method_note']} · {r['data']}"))
