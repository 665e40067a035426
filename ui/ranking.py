"""The weighted ranking: weights that total 100 %, indicator rules, contributions, robustness."""

from __future__ import annotations

import copy
import functools

import altair as alt
import pandas as pd
import streamlit as st

from geo.decide.robustness import (
    leave_one_criterion_out,
    leave_one_site_out,
    reversal_sentences,
)
from geo.decide.scoring import Ranking, explain
from geo.decide.weights import CRITERION_IDS, equal_weights, rebalance
from geo.format import d3_locale, number
from geo.i18n import t
from geo.reach import indicators
from geo.reach.criteria import CRITERIA
from geo.style import CRITERION_COLOURS
from geo.text import md
from ui.chrome import show_list, show_table
from ui.results import ranking_result, rule_parts
from ui.runlog import timed
from ui.sidebar import Settings
from ui.state import set_weights, state


def _on_weight(cid: str) -> None:
    locked = state["locked"] if state["locked"] in CRITERION_IDS and state["locked"] != cid else None
    set_weights(rebalance(state.weights, cid, state[f"w_{cid}"], locked))


def weight_controls(lang: str) -> dict[str, float]:
    """Five sliders that always total 100 %, a lock and a reset."""
    cols = st.columns(len(CRITERION_IDS))
    for col, cid in zip(cols, CRITERION_IDS, strict=True):
        name = CRITERIA[cid].name(lang)
        col.slider(name, 0.0, 100.0, step=0.5, key=f"w_{cid}", on_change=_on_weight, args=(cid,), format="%.1f %%")
    c1, c2, c3 = st.columns([2, 2, 3])
    c1.button(t("weights_equal", lang), on_click=lambda: set_weights(equal_weights()), key="weights_equal")
    c2.selectbox(t("weights_lock", lang), ["—", *CRITERION_IDS], key="locked",
                 format_func=lambda c: c if c == "—" else CRITERIA[c].name(lang))
    c3.markdown(t("weights_total", lang, total=number(sum(state.weights.values()), 1, lang)))
    return dict(state.weights)


def _rule_labels(lang: str) -> tuple[str, str, str]:
    return t("more_is_better", lang), t("target", lang), t("included", lang)


def _on_rules(editor_key: str, lang: str) -> None:
    """Apply the indicator table's edits to the kept rules (one version per edit, like the sites)."""
    more_l, target_l, included_l = _rule_labels(lang)
    columns = list(state.rules)
    rules = dict(state.rules)
    for index, change in state[editor_key].get("edited_rows", {}).items():
        column = columns[int(index)]
        more, target, included = rules[column]
        target = change.get(target_l, target)
        rules[column] = (bool(change.get(more_l, more)),
                         float(target) if target is not None and pd.notna(target) and float(target) > 0 else None,
                         bool(change.get(included_l, included)))
    state.rules = rules
    state.rules_version += 1


def indicator_settings(lang: str) -> None:
    """Direction, target and inclusion per indicator, edited into the kept rules."""
    specs = {s.column: s for s in indicators.indicator_specs()}
    more_l, target_l, included_l = _rule_labels(lang)
    rules = state.rules
    base = pd.DataFrame({
        t("indicator", lang): [specs[c].label(lang) for c in rules],
        t("criterion", lang): [CRITERIA[specs[c].criterion].name(lang) for c in rules],
        more_l: [r[0] for r in rules.values()],
        target_l: [r[1] or 0.0 for r in rules.values()],  # 0 = no target (an empty cell showed "None")
        included_l: [r[2] for r in rules.values()],
    })
    editor_key = f"indicator_settings_{state.rules_version}"
    st.data_editor(base, key=editor_key, hide_index=True, width="stretch", on_change=_on_rules, args=(editor_key, lang),
                   column_config={target_l: st.column_config.NumberColumn(target_l, min_value=0.0)},
                   disabled=[t("indicator", lang), t("criterion", lang)])


CHART_DATA = "tal"  #: the name of a chart's dataset in its spec


def show_chart(spec: dict, data: pd.DataFrame) -> None:
    """Draw a chart ``spec`` (built on ``alt.NamedData(CHART_DATA)``) with ``data`` sent beside it.

    ``st.altair_chart`` names a chart's data by its content, so new numbers make a new spec and
    the browser builds the whole Vega view again. Here the spec stays the same while only the
    numbers change (the charts sort by a column, not by a list of sites), and the browser
    swaps the data of the view it has. The specs are built once per language and number of
    sites (altair validates each spec it writes: about 6 ms a chart, on every weight move).
    """
    st.vega_lite_chart(spec={**copy.deepcopy(spec), "datasets": {CHART_DATA: data}}, width="stretch")


@functools.lru_cache(maxsize=64)
def contribution_spec(lang: str, n_sites: int) -> dict:
    """Stacked bar per site: each criterion's contribution to the total (colour-blind safe)."""
    order = [CRITERIA[c].name(lang) for c in CRITERION_IDS]
    colours = [CRITERION_COLOURS[c] for c in CRITERION_IDS]
    return (
        alt.Chart(alt.NamedData(CHART_DATA))
        .mark_bar()
        .encode(
            y=alt.Y("site:N", sort=alt.EncodingSortField("place", op="min"), title=None, axis=alt.Axis(labelFontSize=16)),
            x=alt.X("contribution:Q", title=t("points", lang), axis=alt.Axis(labelFontSize=14, titleFontSize=15)),
            color=alt.Color("criterion_name:N", scale=alt.Scale(domain=order, range=colours),
                            legend=alt.Legend(title=None, orient="right", labelFontSize=15, labelLimit=420)),
            order=alt.Order("stack:Q"),
            tooltip=[alt.Tooltip("site:N"), alt.Tooltip("criterion_name:N"), alt.Tooltip("contribution:Q", format=".1f")],
        )
        .properties(height=max(120, 60 * n_sites))
        .configure(locale={"number": d3_locale(lang)})
    ).to_dict()


def contribution_data(ranking: Ranking, lang: str) -> pd.DataFrame:
    """The numbers of `contribution_spec`: each site's points per criterion, in ranking order."""
    data = ranking.contributions.copy()
    data["criterion_name"] = data["criterion"].map(lambda c: CRITERIA[c].name(lang))
    data["stack"] = data["criterion"].map(CRITERION_IDS.index)
    data["place"] = data["site"].map({site: i for i, site in enumerate(ranking.table["site"])})
    return data


@functools.lru_cache(maxsize=64)
def frequency_spec(lang: str, n_sites: int) -> dict:
    """Rank-frequency bars: how often each site takes each rank."""
    return (
        alt.Chart(alt.NamedData(CHART_DATA))
        .mark_bar()
        .encode(
            x=alt.X("share:Q", axis=alt.Axis(format="%", labelFontSize=14), title=t("share_of_draws", lang)),
            y=alt.Y("site:N", sort=alt.EncodingSortField("place", op="min"), title=None, axis=alt.Axis(labelFontSize=16)),
            color=alt.Color("rank:O", scale=alt.Scale(scheme="viridis"), legend=alt.Legend(title=t("rank", lang), labelFontSize=15)),
            order=alt.Order("rank:O"),
            tooltip=[alt.Tooltip("site:N"), alt.Tooltip("rank:O"), alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=max(120, 60 * n_sites))
        .configure(locale={"number": d3_locale(lang)})
    ).to_dict()


def frequency_data(freq: pd.DataFrame) -> pd.DataFrame:
    """The numbers of `frequency_spec`: site, rank and share of draws, long form."""
    long = freq.reset_index(names="site").melt(id_vars="site", var_name="rank", value_name="share")
    long["rank"] = long["rank"].astype(int)  # ordinal in numeric order: 1, 2, …, 10
    long["place"] = long["site"].map({site: i for i, site in enumerate(freq.index)})
    return long


@st.cache_data(show_spinner=False, max_entries=100)
def _criterion_out(key: str, _scores: pd.DataFrame, _weights: dict) -> pd.DataFrame:
    return leave_one_criterion_out(_scores, _weights)


@st.fragment
@timed("ranking")
def ranking_view(settings: Settings, table: pd.DataFrame) -> Ranking | None:
    """Weights, ranking with explanation, and robustness in plain Danish.

    A fragment: moving a weight reruns only this section, never the map or the catchments.
    """
    lang = settings.lang
    if len(table) < 2:
        st.info(t("ranking_needs_two", lang))
        return None
    weight_controls(lang)
    rules = st.expander(t("indicator_settings", lang), key="indicator_settings_open", on_change="rerun")
    if rules.open:  # drawn only while open: redrawing the editor cost the browser ~0.15 s a weight
        with rules:
            indicator_settings(lang)
    result = ranking_result(table)
    assert result is not None  # two or more sites
    ranking, mc, mc_inputs = result.ranking, result.robustness, result.key
    winner = ranking.table["site"].iloc[0]
    st.markdown(f"### {md(explain(ranking, winner))}")
    show_table(pd.DataFrame({
        t("rank", lang): ranking.table["rank"].astype(str).tolist(),
        t("breakdown_site", lang): ranking.table["site"].tolist(),
        t("points", lang): [number(v, 1, lang) for v in ranking.table["score"]],
    }).set_index(t("rank", lang)), t("tab_ranking", lang))
    st.caption(t("points_note", lang))
    show_chart(contribution_spec(lang, len(ranking.table)), contribution_data(ranking, lang))
    st.caption("  \n".join([*(md(note) for note in ranking.notes),
                            t("normalisation", lang) + md("; ".join(sorted(set(ranking.method_da.values()))))]))

    st.subheader(t("robustness", lang))
    c1, c2 = st.columns(2)
    # the robustness choices are drawn after the figures they feed; a change reruns the fragment
    c1.radio(t("robustness_method", lang), ["dirichlet", "uniform"], horizontal=True, key="mc_method",
             format_func=lambda m: t(f"mc_{m}", lang))
    c2.select_slider(t("draws", lang), [1_000, 5_000, 10_000, 20_000], key="mc_draws",
                     format_func=lambda n: number(n, 0, lang))
    show_list([mc.sentences[site] for site in ranking.table["site"]], strong=True)
    st.caption(md(mc.method_da))
    shares = st.expander(t("rank_frequencies", lang), key="rank_frequencies_open", on_change="rerun")
    if shares.open:  # drawn only while open: the chart cost the browser ~0.1 s a weight
        with shares:
            show_chart(frequency_spec(lang, len(mc.frequencies)), frequency_data(mc.frequencies))
    if st.toggle(t("loso_toggle", lang), key="loso", help=t("loso_help", lang)):
        loco = _criterion_out(mc_inputs, ranking.scores, ranking.weights)
        feeds, directions, targets = rule_parts(state.rules)
        loso = leave_one_site_out(table, ranking.weights, feeds=feeds, directions=directions, targets=targets)
        lines = [s for s in loco["sentence"] if s] + reversal_sentences(loso)
        if lines:
            show_list(lines)
        else:
            st.markdown(t("no_reversal", lang))
    return ranking
