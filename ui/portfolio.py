"""Tab "Klynger": the cluster demand overview and the joint placement of several clusters' offices."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.crs import to_crs
from geo.data.clusters import load_clusters
from geo.decide.fairness import finance_keys
from geo.decide.portfolio import PortfolioOptions, compare_alone, solve_portfolio
from geo.decide.portfolio_data import ClusterSpec, build_problem, floor_points, overview
from geo.decide.portfolio_fair import municipality_reach, portfolio_split, robustness
from geo.decide.suggest import site_candidates
from geo.errors import KlyngestedError
from geo.format import kroner, number, parse_amount, percent
from geo.i18n import t
from geo.reach import indicators
from geo.report.excel import to_xlsx_bytes
from geo.report.portfolio import OFFICE_HEAD, PortfolioReport, add_portfolio_sheet, portfolio_to_pdf
from geo.settings import CRS_DISPLAY, CRS_METRIC
from geo.style import cluster_colour
from geo.text import md
from ui.chrome import show_table
from ui.data import cached_town_candidates
from ui.sidebar import Settings
from ui.state import state

ROBUSTNESS_DRAWS = 2_000


def _specs(ids: list[str]) -> list[ClusterSpec]:
    known = load_clusters()
    return [ClusterSpec(c.id, c.name_da, c.codes, c.organisation, c.verified) for c in (known[i] for i in ids)]


def _overview(settings: Settings, ids: list[str]) -> None:
    known = load_clusters()
    if st.button(t("pf_overview_button", settings.lang), key="pf_overview"):
        offices = {c.id: c.office_in_region for c in known.values() if c.office_in_region}
        with st.spinner(t("suggest_running", settings.lang)):
            table = overview(settings.layers, settings.engine, _specs(ids), offices)
        state.portfolio_overview = table
    table = state.get("portfolio_overview")
    if table is not None:
        st.dataframe(table, hide_index=True, use_container_width=True)
        st.caption(md(" · ".join(f"{c.organisation}: {c.website}" for c in known.values()
                                 if c.id in set(table["cluster"]) and c.website)))


def _options(settings: Settings, ids: list[str]) -> tuple[PortfolioOptions, str]:
    lang = settings.lang
    c1, c2, c3 = st.columns(3)
    objective = c1.radio(t("objective", lang), ["mclp", "pmedian"], key="pf_objective", format_func=lambda o: t(f"obj_{o}", lang))
    low, high = len(ids) or 1, 3 * max(len(ids), 1)
    state["pf_offices"] = min(max(int(state["pf_offices"]), low), high)  # the cluster choice may have changed
    offices = c2.number_input(t("pf_offices", lang), low, high, key="pf_offices")
    minutes = c3.select_slider(t("minutes_limit", lang), [30, 45, 60], key="pf_minutes")
    pool = st.radio(t("candidates", lang), ["towns", "sites"], horizontal=True, key="pf_pool", format_func=lambda p: t(f"cand_{p}", lang))
    fixed_text = st.text_input(t("pf_fixed", lang), key="pf_fixed")
    fixed = tuple(tuple(p.split("=", 1)) for p in (x.strip() for x in fixed_text.split(",")) if "=" in p)
    d1, d2, d3 = st.columns(3)
    one = d1.checkbox(t("one_per_municipality", lang), key="pf_one")
    per_town = d2.number_input(t("pf_per_town", lang), 1, 5, key="pf_per_town")
    floor = d3.checkbox(t("pf_floor", lang), key="pf_floor")
    opt = PortfolioOptions(int(offices), objective, float(minutes), tuple((a.strip(), b.strip()) for a, b in fixed), one,
                           int(per_town), floor, time_limit=30.0)
    return opt, pool


def _solve(settings: Settings, ids: list[str], opt: PortfolioOptions, candidates: pd.DataFrame, total: int) -> None:
    problem = build_problem(settings.layers, settings.engine, _specs(ids), candidates)
    placed = solve_portfolio(problem, opt)
    _, cost = compare_alone(problem, opt, placed)
    rob = robustness(problem, opt, placed, draws=ROBUSTNESS_DRAWS, seed=0)
    _, _, names = floor_points(settings.layers)
    reach = municipality_reach(problem, placed, opt.minutes_limit, names)
    keys = []
    for r in placed.offices.itertuples():
        ctx = indicators.prepare(settings.layers, settings.engine, load_clusters()[r.cluster].codes)
        keys.append((f"{r.cluster_name} i {r.town}", finance_keys(ctx, (r.x, r.y), problem.floor_codes)))
    split, formula = portfolio_split(total, keys, "population")
    pts = to_crs(gpd.GeoSeries(gpd.points_from_xy(placed.offices["x"], placed.offices["y"]), crs=CRS_METRIC), CRS_DISPLAY)
    state.portfolio = {
        "data_key": settings.data_key, "minutes": opt.minutes_limit,
        "offices": [{"cluster_name": r.cluster_name, "town": r.town, "x": r.x, "y": r.y, "lat": p.y, "lon": p.x,
                     "colour": cluster_colour(i), "employees": r.employees_covered}
                    for i, (r, p) in enumerate(zip(placed.offices.itertuples(), pts, strict=True))],
        "report": PortfolioReport(placed.offices, placed.method_da, cost, rob.sentences, reach, split, formula),
        "robustness_method": rob.method_da,
    }


def portfolio_view(settings: Settings, sites: gpd.GeoDataFrame) -> None:
    """The "Klynger" tab."""
    lang = settings.lang
    known = load_clusters()
    st.caption(t("pf_intro", lang))
    state["pf_clusters"] = [c for c in state["pf_clusters"] if c in known]
    ids = st.multiselect(t("pf_clusters", lang), list(known), format_func=lambda i: known[i].label(lang), key="pf_clusters")
    _overview(settings, ids)
    opt, pool = _options(settings, ids)
    total_text = st.text_input(t("pf_total", lang), key="pf_total")
    if st.button(t("pf_button", lang), key="pf_run", type="primary", disabled=not ids):
        candidates = site_candidates(sites) if pool == "sites" and len(sites) else cached_town_candidates(settings.data_key, settings.layers)
        try:
            total = parse_amount(total_text, lang)
            with st.spinner(t("suggest_running", lang)):
                _solve(settings, ids, opt, candidates, total)
        except KlyngestedError as err:
            st.error(md(err.message(lang)))
            return
        st.rerun()
    pf = state.get("portfolio")
    if pf and pf.get("data_key") == settings.data_key:
        _show(pf, lang)


def _show(pf: dict, lang: str) -> None:
    report: PortfolioReport = pf["report"]
    st.markdown("### " + t("pf_result", lang))
    show_table(_offices_da(report, lang), t("tab_portfolio", lang))
    st.markdown(md(report.cost_da))
    st.caption(md(f"{report.method_da} · {pf['robustness_method']}"))
    st.dataframe(report.reach, hide_index=True, use_container_width=True)
    if report.split is not None:
        st.dataframe(report.split, hide_index=True, use_container_width=True)
        st.caption(md(f"{report.split_formula} ({kroner(int(report.split['amount_kr'].sum()), lang)})"))
    book = add_portfolio_sheet(to_xlsx_bytes(report.offices.drop(columns=["x", "y"]), [report.method_da]), report)
    c1, c2 = st.columns(2)
    c1.download_button(t("pf_excel", lang), book, "klyngeportefolje.xlsx", key="pf_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c2.download_button(t("pf_pdf", lang), portfolio_to_pdf(report), "klyngeportefolje.pdf", key="pf_pdf", mime="application/pdf")


def _offices_da(report: PortfolioReport, lang: str) -> pd.DataFrame:
    """The office table as shown: the workbook's Danish headers, numbers through the Danish formatter."""
    rows = pd.DataFrame(report.office_rows(), columns=OFFICE_HEAD)
    rows[OFFICE_HEAD[4]] = [number(v, 0, lang) for v in rows[OFFICE_HEAD[4]]]
    rows[OFFICE_HEAD[5]] = [percent(100 * v, 1, lang) for v in rows[OFFICE_HEAD[5]]]
    rows[OFFICE_HEAD[6]] = [number(v, 1, lang) for v in rows[OFFICE_HEAD[6]]]
    return rows.set_index(OFFICE_HEAD[0])
