"""Indicator table and the weighted ranking: weights that total 100 %, contributions, robustness."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.decide.robustness import (
    leave_one_criterion_out,
    leave_one_site_out,
    monte_carlo,
    reversal_sentences,
)
from geo.decide.scoring import Ranking, explain, score
from geo.decide.weights import (
    CRITERION_IDS,
    default_directions,
    default_feeds,
    equal_weights,
    rebalance,
)
from geo.format import d3_locale, number
from geo.i18n import choose, t
from geo.reach import indicators
from geo.reach.criteria import CRITERIA
from geo.report.csv import to_csv_bytes
from geo.report.safety import safe_filename
from geo.style import CRITERION_COLOURS
from geo.text import md, md_table
from ui.sidebar import Settings
from ui.state import set_weights, state


def indicators_view(settings: Settings, table: pd.DataFrame, breakdown: pd.DataFrame, provenance: list[str]) -> None:
    """The indicator table (sites as columns), CSV export and the per-municipality breakdown."""
    lang = settings.lang
    st.table(md_table(indicators.display_table(table, lang)))
    st.caption(choose({"da": indicators.REACHED_DA, "en": indicators.REACHED_EN}, lang))
    danish = st.checkbox(t("csv_danish", lang), value=True, key="csv_danish")
    st.download_button(
        t("download_csv", lang),
        data=to_csv_bytes(table, provenance, danish=danish),
        file_name=f"{safe_filename('klyngested_indikatorer')}.csv",
        mime="text/csv",
        key="download_csv",
    )
    st.subheader(t("breakdown_section", lang))
    pick = st.selectbox(t("breakdown_site", lang), table["site"].tolist(), key="breakdown_pick")
    st.table(md_table(indicators.breakdown_display(breakdown[breakdown["site"] == pick], lang)))


def _new_weights(weights: dict[str, float]) -> None:
    """Store weights set in this fragment and note that the surface tab, drawn outside it, is stale."""
    set_weights(weights)
    state["surface_stale"] = True


def _on_weight(cid: str) -> None:
    locked = state.locked if state.locked in CRITERION_IDS and state.locked != cid else None
    _new_weights(rebalance(state.weights, cid, state[f"w_{cid}"], locked))


def _redraw_surface() -> None:
    """A weight moved in this fragment while the surface is on: rerun the whole app so the
    surface tab (outside the fragment) is recoloured now, not at the next full rerun."""
    if state.pop("surface_stale", False) and state.get("surface_on"):
        st.rerun(scope="app")


def weight_controls(lang: str) -> dict[str, float]:
    """Five sliders that always total 100 %, a lock and a reset."""
    cols = st.columns(len(CRITERION_IDS))
    for col, cid in zip(cols, CRITERION_IDS, strict=True):
        name = CRITERIA[cid].name(lang)
        col.slider(name, 0.0, 100.0, step=0.5, key=f"w_{cid}", on_change=_on_weight, args=(cid,), format="%.1f %%")
    c1, c2, c3 = st.columns([2, 2, 3])
    c1.button(t("weights_equal", lang), on_click=lambda: _new_weights(equal_weights()), key="weights_equal")
    c2.selectbox(t("weights_lock", lang), ["—", *CRITERION_IDS], key="locked",
                 format_func=lambda c: c if c == "—" else CRITERIA[c].name(lang))
    c3.markdown(t("weights_total", lang, total=number(sum(state.weights.values()), 1, lang)))
    return dict(state.weights)


def indicator_settings(lang: str) -> tuple[dict, dict, dict]:
    """Direction, target and inclusion per indicator (feeds, directions, targets)."""
    specs = indicators.indicator_specs()
    base = pd.DataFrame({
        "column": [s.column for s in specs],
        t("indicator", lang): [s.label(lang) for s in specs],
        t("criterion", lang): [CRITERIA[s.criterion].name(lang) for s in specs],
        t("more_is_better", lang): [s.higher_is_better for s in specs],
        t("target", lang): [None] * len(specs),
        t("included", lang): [s.scored for s in specs],
    })
    edited = st.data_editor(base, key="indicator_settings", hide_index=True, width="stretch",
                            column_config={"column": None}, disabled=[t("indicator", lang), t("criterion", lang)])
    crit = {s.column: s.criterion for s in specs}
    feeds: dict[str, list[str]] = {c: [] for c in CRITERION_IDS}
    directions, targets = {}, {}
    for row in edited.itertuples(index=False):
        column, more, target, included = row[0], row[3], row[4], row[5]
        directions[column] = bool(more)
        if included:
            feeds[crit[column]].append(column)
        if target is not None and pd.notna(target) and float(target) > 0:
            targets[column] = float(target)
    return {k: tuple(v) for k, v in feeds.items()}, directions, targets


def contribution_chart(ranking: Ranking, lang: str) -> alt.Chart:
    """Stacked bar per site: each criterion's contribution to the total (colour-blind safe)."""
    data = ranking.contributions.copy()
    data["criterion_name"] = data["criterion"].map(lambda c: CRITERIA[c].name(lang))
    data["stack"] = data["criterion"].map(CRITERION_IDS.index)
    order = [CRITERIA[c].name(lang) for c in CRITERION_IDS]
    colours = [CRITERION_COLOURS[c] for c in CRITERION_IDS]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("site:N", sort=ranking.table["site"].tolist(), title=None, axis=alt.Axis(labelFontSize=16)),
            x=alt.X("contribution:Q", title=t("points", lang), axis=alt.Axis(labelFontSize=14, titleFontSize=15)),
            color=alt.Color("criterion_name:N", scale=alt.Scale(domain=order, range=colours),
                            legend=alt.Legend(title=None, orient="right", labelFontSize=15, labelLimit=420)),
            order=alt.Order("stack:Q"),
            tooltip=["site", "criterion_name", alt.Tooltip("contribution:Q", format=".1f")],
        )
        .properties(height=max(120, 60 * len(ranking.table)))
        .configure(locale={"number": d3_locale(lang)})
    )


def frequency_chart(freq: pd.DataFrame, lang: str) -> alt.Chart:
    """Rank-frequency bars: how often each site takes each rank."""
    long = freq.reset_index(names="site").melt(id_vars="site", var_name="rank", value_name="share")
    long["rank"] = long["rank"].astype(str)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", axis=alt.Axis(format="%", labelFontSize=14), title=t("share_of_draws", lang)),
            y=alt.Y("site:N", sort=freq.index.tolist(), title=None, axis=alt.Axis(labelFontSize=16)),
            color=alt.Color("rank:O", scale=alt.Scale(scheme="viridis"), legend=alt.Legend(title=t("rank", lang), labelFontSize=15)),
            order=alt.Order("rank:O"),
            tooltip=["site", "rank", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=max(120, 60 * len(freq)))
        .configure(locale={"number": d3_locale(lang)})
    )


@st.cache_data(show_spinner=False, max_entries=100)
def _ranked(table: pd.DataFrame, weights: dict, feeds: dict, directions: dict, targets: dict) -> tuple[Ranking, str]:
    """The ranking, cached on its inputs; the key string identifies it for the robustness caches."""
    ranking = score(table, weights, feeds=feeds, directions=directions, targets=targets)
    return ranking, ranking.scores.to_json() + repr(sorted(ranking.weights.items()))


@st.cache_data(show_spinner=False, max_entries=100)
def _robustness(key: str, _scores: pd.DataFrame, _weights: dict, draws: int, method: str):
    return monte_carlo(_scores, _weights, n=draws, method=method, seed=0)


@st.cache_data(show_spinner=False, max_entries=100)
def _criterion_out(key: str, _scores: pd.DataFrame, _weights: dict) -> pd.DataFrame:
    return leave_one_criterion_out(_scores, _weights)


def headline_ranking(table: pd.DataFrame) -> dict | None:
    """The ranking and robustness sentences for presentation mode: the Rangering tab's last
    result, or (opened straight from a link) the session's weights with the default settings."""
    if state.get("last_ranking") is not None:
        return state["last_ranking"]
    if len(table) < 2:
        return None
    ranking, key = _ranked(table, dict(state.weights), default_feeds(), default_directions(), {})
    mc = _robustness(key, ranking.scores, ranking.weights, 10_000, "dirichlet")
    return {"table": ranking.table, "sentences": mc.sentences, "frequencies": mc.frequencies, "weights": ranking.weights}


@st.fragment
def ranking_view(settings: Settings, table: pd.DataFrame) -> Ranking | None:
    """Weights, ranking with explanation, and robustness in plain Danish.

    A fragment: moving a weight reruns only this section, never the map or the catchments.
    """
    lang = settings.lang
    if len(table) < 2:
        st.info(t("ranking_needs_two", lang))
        return None
    _redraw_surface()
    weights = weight_controls(lang)
    with st.expander(t("indicator_settings", lang)):
        feeds, directions, targets = indicator_settings(lang)
    ranking, mc_inputs = _ranked(table, weights, feeds, directions, targets)
    winner = ranking.table["site"].iloc[0]
    st.markdown(f"### {md(explain(ranking, winner))}")
    st.table(md_table(pd.DataFrame({
        t("rank", lang): ranking.table["rank"].astype(str).tolist(),
        t("breakdown_site", lang): ranking.table["site"].tolist(),
        t("points", lang): [number(v, 1, lang) for v in ranking.table["score"]],
    }).set_index(t("rank", lang))))
    st.caption(t("points_note", lang))
    st.altair_chart(contribution_chart(ranking, lang), width="stretch")
    for note in ranking.notes:
        st.caption(md(note))
    st.caption(t("normalisation", lang) + md("; ".join(sorted(set(ranking.method_da.values())))))

    st.subheader(t("robustness", lang))
    c1, c2 = st.columns(2)
    method = c1.radio(t("robustness_method", lang), ["dirichlet", "uniform"], horizontal=True, key="mc_method",
                      format_func=lambda m: t(f"mc_{m}", lang))
    draws = c2.select_slider(t("draws", lang), [1_000, 5_000, 10_000, 20_000], value=10_000, key="mc_draws",
                             format_func=lambda n: number(n, 0, lang))
    mc = _robustness(mc_inputs, ranking.scores, ranking.weights, draws, method)
    for site in ranking.table["site"]:
        st.markdown(f"- **{md(mc.sentences[site])}**")
    st.altair_chart(frequency_chart(mc.frequencies, lang), width="stretch")
    st.caption(md(mc.method_da))
    if st.toggle(t("loso_toggle", lang), key="loso", help=t("loso_help", lang)):
        loco = _criterion_out(mc_inputs, ranking.scores, ranking.weights)
        loso = leave_one_site_out(table, ranking.weights, feeds=feeds, directions=directions, targets=targets)
        lines = [s for s in loco["sentence"] if s] + reversal_sentences(loso)
        st.markdown("\n".join(f"- {md(s)}" for s in lines) if lines else t("no_reversal", lang))
    state["last_ranking"] = {"table": ranking.table, "sentences": mc.sentences, "frequencies": mc.frequencies,
                             "weights": ranking.weights}
    return ranking
