"""Suggested sites (location-allocation), fairness per municipality and the co-financing split."""

from __future__ import annotations

import io
from functools import partial

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from geo.crs import to_crs
from geo.decide.fairness import FAIRNESS_THRESHOLDS
from geo.decide.finance import KEY_DA, KEYS
from geo.decide.suggest import site_candidates, suggest
from geo.errors import KlyngestedError
from geo.format import kroner, number, percent
from geo.i18n import choose, t
from geo.reach.indicators import REACHED_DA, REACHED_EN, IndicatorContext
from geo.report.csv import to_csv_bytes
from geo.report.safety import safe_filename
from geo.settings import CRS_DISPLAY, CRS_METRIC, K17_CODES
from geo.text import md
from layers.fairness import fairness_figure
from ui.chrome import show_table
from ui.data import cached_fairness, cached_town_candidates
from ui.results import finance_inputs, finance_result
from ui.sidebar import Settings
from ui.state import state


def suggest_view(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame) -> None:
    """Choose k sites (MCLP or p-median with HiGHS) among towns or the user's sites."""
    lang = settings.lang
    st.caption(t("suggest_intro", lang))
    c1, c2, c3 = st.columns(3)
    objective = c1.radio(t("objective", lang), ["mclp", "pmedian"], key="sg_objective", format_func=lambda o: t(f"obj_{o}", lang))
    k = c2.number_input(t("k_sites", lang), 1, 10, key="sg_k")
    minutes = c3.select_slider(t("minutes_limit", lang), [15, 30, 45, 60], key="sg_minutes")
    pool = st.radio(t("candidates", lang), ["towns", "sites"], horizontal=True, key="sg_pool",
                    format_func=lambda p: t(f"cand_{p}", lang))
    candidates = cached_town_candidates(settings.data_key, settings.layers) if pool == "towns" or not len(sites) else site_candidates(sites)
    state["sg_fixed"] = [n for n in state["sg_fixed"] if n in set(candidates["name"])]  # pool may have changed
    fixed = st.multiselect(t("fixed_offices", lang), candidates["name"].tolist(), key="sg_fixed", placeholder=t("choose", lang))
    one = st.checkbox(t("one_per_municipality", lang), key="sg_one")
    if st.button(t("suggest_button", lang), key="sg_run", type="primary"):
        try:
            with st.spinner(t("suggest_running", lang)):
                result = suggest(ctx, settings.engine, candidates, int(k), objective, float(minutes), tuple(fixed), one,
                                 user_sites=site_candidates(sites) if len(sites) else None)
        except KlyngestedError as err:
            st.error(md(err.message(lang)))
            return
        chosen = to_crs(gpd.GeoDataFrame(result.chosen, geometry=gpd.points_from_xy(result.chosen["x"], result.chosen["y"]),
                                         crs=CRS_METRIC), CRS_DISPLAY)
        state.suggestion = {
            "data_key": settings.data_key,
            "chosen": [{"name": n, "lat": p.y, "lon": p.x} for n, p in zip(chosen["name"], chosen.geometry, strict=True)],
            "method": result.result.method_da,
            "covered": result.result.covered_share,
            "mean": result.result.mean_minutes,
            "gap": result.result.gap,
            "proven": result.result.proven_optimal,
            "comparison": [c["sentence"] for c in result.comparison],
        }
        st.rerun()
    lines = suggestion_lines(settings, lang)
    if lines:
        st.markdown(f"### {md(lines[0])}")
        st.markdown(lines[1])
        for line in lines[2:]:
            st.markdown(f"- {md(line)}")
        st.caption(md(f"{state.suggestion['method']} · {settings.engine.label()} · {ctx.data_label}"))


def suggestion_lines(settings: Settings, lang: str) -> list[str]:
    """The last suggestion for this data in sentences: sites, coverage and distance to the best
    (Markdown bold), then the comparison with the user's sites; empty without one."""
    sg = state.suggestion
    if not sg or sg.get("data_key") != settings.data_key:
        return []
    names = ", ".join(f"F{i} {c['name']}" for i, c in enumerate(sg["chosen"], start=1))
    k = len(sg["chosen"])
    gap = (t("gap_proven", lang, k=k) if sg.get("proven")
           else t("gap_open", lang, gap=number(100 * sg["gap"], 1, lang), k=k))
    return [f"{t('suggested', lang)}: {names}",
            t("suggest_result", lang, covered=number(100 * sg["covered"], 1, lang), mean=number(sg["mean"], 1, lang),
              gap_sentence=gap), *sg["comparison"]]


def reached_sentence(n: int, lang: str) -> str:
    """'**5 af 17** K17-kommuner nået.' and what "nået" means – the same definition as the indicator."""
    return t("reached_count", lang, n=number(n, 0, lang), total=len(K17_CODES),
             definition=choose({"da": REACHED_DA, "en": REACHED_EN}, lang))


FAIRNESS_PX = 720  #: width of the fairness map on the page, in pixels


@st.cache_data(show_spinner=False, max_entries=200)
def fairness_png(data_key: str, codes: tuple[str, ...] | None, method: str, site: str, x: float, y: float,
                 _fair: pd.DataFrame, _munis: gpd.GeoDataFrame) -> bytes:
    """The fairness choropleth as PNG, drawn once per site, data, cluster and method, exactly
    `FAIRNESS_PX` wide: Streamlit then sends the bytes as they are (a wider picture it would
    decode, scale and encode again on every run, most of a tab switch's server time)."""
    figure = fairness_figure(_munis, _fair, site, (x, y))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=FAIRNESS_PX / figure.get_figwidth())
    plt.close(figure)
    return buffer.getvalue()


def fairness_view(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Per K17 municipality, what a chosen site reaches of its cluster; those left out flagged."""
    lang = settings.lang
    if not len(sites):
        st.info(t("no_sites", lang))
        return None
    pick = st.selectbox(t("breakdown_site", lang), sites["name"].tolist(), key="fair_site")
    point = sites.set_index("name").geometry[pick]
    fair = cached_fairness(settings.data_key, settings.codes, settings.method, point.x, point.y, ctx)
    shown = pd.DataFrame({
        t("municipality", lang): [f"{'⚠ ' if lo else ''}{n} ({c})" for n, c, lo in zip(fair["kommune"], fair["kommunekode"], fair["left_out"], strict=True)],
        t("cluster_workplaces", lang): [number(v, 0, lang) for v in fair["workplaces"]],
        **{t("share_within", lang, t=m): [percent(v, 1, lang) for v in fair[f"share_workplaces_{m}"]] for m in FAIRNESS_THRESHOLDS},
        t("employees_within_45", lang): [percent(v, 1, lang) for v in fair["share_employees_45"]],
        t("median_minutes", lang): [number(v, 1, lang) for v in fair["median_minutes"]],
        t("institutions_30", lang): [number(v, 0, lang) for v in fair["institutions_30"]],
        t("reached_col", lang): [t("yes" if r else "no", lang) for r in fair["reached"]],
    }).set_index(t("municipality", lang))
    st.image(fairness_png(settings.data_key, settings.codes, settings.method, pick, point.x, point.y, fair,
                          settings.layers.municipalities), width=FAIRNESS_PX, alt=t("fairness_alt", lang, site=pick))
    st.markdown(reached_sentence(int(fair["reached"].sum()), lang))
    show_table(shown, t("tab_fairness", lang))
    left = fair.loc[fair["left_out"], "kommune"].tolist()
    st.markdown(t("left_out", lang, names=md(", ".join(left))) if left else t("none_left_out", lang))
    st.caption(f"{t('method', lang)}: {md(f'{settings.engine.label()} · {ctx.data_label}')}")
    return fair


def finance_view(settings: Settings, ctx: IndicatorContext, sites: gpd.GeoDataFrame, provenance: list[str]) -> pd.DataFrame | None:
    """Split an annual amount among the municipalities by a key, in whole kroner."""
    lang = settings.lang
    inputs = finance_inputs(sites, lang)  # resets choices no longer offered before the widgets are drawn
    c1, c2 = st.columns(2)
    c1.text_input(t("finance_total", lang), key="fin_total")
    key = c2.selectbox(t("finance_key", lang), [*KEYS, "mix"], key="fin_key",
                       format_func=lambda k: KEY_DA.get(k, t("finance_mix", lang)))
    if key == "mix":
        for col, k in zip(st.columns(len(KEYS)), KEYS, strict=True):
            col.number_input(KEY_DA[k], 0, 100, key=f"fin_mix_{k}")
    munis = st.multiselect(t("finance_munis", lang), list(K17_CODES), key="fin_munis", placeholder=t("choose", lang),
                           format_func=lambda c: f"{ctx.muni_name.get(c, c)} ({c})")
    c3, c4 = st.columns(2)
    c3.selectbox(t("finance_lead", lang), ["—", *munis], key="fin_lead",
                 format_func=lambda c: c if c == "—" else f"{ctx.muni_name.get(c, c)} ({c})")
    c4.slider(t("finance_lead_share", lang), 0, 50, key="fin_lead_share", format="%d %%")
    st.selectbox(t("finance_benefit_site", lang), ["—", *sites["name"].tolist()], key="fin_site")
    try:
        result = finance_result(settings, ctx, sites, inputs)
    except KlyngestedError as err:
        st.error(md(err.message(lang)))
        return None
    if result is None:
        st.warning(t("finance_no_munis", lang))
        return None
    table = result.table
    show_table(pd.DataFrame({
        t("municipality", lang): [f"{n} ({c})" for n, c in zip(table["kommune"], table["kommunekode"], strict=True)],
        t("share", lang): [percent(100 * v, 2, lang) for v in table["share"]],
        t("amount", lang): [kroner(v, lang) for v in table["amount_kr"]],
    }).set_index(t("municipality", lang)), t("tab_finance", lang))
    st.markdown(t("finance_sum", lang, total=number(table["amount_kr"].sum(), 0, lang)))
    st.caption(md(f"{result.formula_da} · {settings.engine.label()} · {ctx.data_label}"))
    st.download_button(t("download_csv", lang), partial(to_csv_bytes, table[["kommunekode", "kommune", "share", "amount_kr"]],
                       [*provenance, f"Fordeling: {result.formula_da}"]),
                       file_name=f"{safe_filename('klyngested_medfinansiering')}.csv", mime="text/csv", key="fin_csv")
    return table
