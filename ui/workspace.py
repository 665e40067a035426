"""The map with the user's sites (and suggestions), and the panel to add, rename and delete sites."""

from __future__ import annotations

import json
import math
from functools import partial

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.data.sites import Site, check_lonlat, clean_name, read_sites_csv
from geo.errors import KlyngestedError
from geo.format import number
from geo.i18n import t
from geo.report.webmap.legend import legend_html
from geo.report.webmap.sites import site_markers, suggestion_markers
from geo.settings import THRESHOLDS_MIN
from geo.text import html_table, md
from layers.dynamic import feature_collection_text, group_js
from layers.portfolio import office_markers, portfolio_rings
from ui.data import cached_catchment, cached_map_data, cached_site_rings, cached_town_points
from ui.mapview import cached_static_map, show_map
from ui.runlog import timed
from ui.sidebar import Settings
from ui.state import Outside, add_site, apply_site_edits, flash, outside_key, state

MAP_HEIGHT = 700


def map_panel(settings: Settings, sites: gpd.GeoDataFrame, height: int = MAP_HEIGHT) -> None:
    """The map: static layers once per data state, sites and suggestions as the dynamic group."""
    lang = settings.lang
    static = cached_map_data(settings.data_key, settings.codes, settings.layers)
    rings = feature_collection_text([cached_site_rings(settings.method, p.x, p.y, name)
                                for name, p in zip(sites["name"], sites.geometry, strict=True)])
    groups = [group_js(0, rings, site_markers(sites))]
    suggestion = state.suggestion
    chosen = suggestion["chosen"] if suggestion is not None and suggestion.get("data_key") == settings.data_key else []
    portfolio = portfolio_group(settings, 2)
    if chosen or portfolio:  # groups are numbered in the layer control's order: sites, suggestions, portfolio
        groups.append(group_js(1, None, suggestion_markers(chosen)))
    if portfolio:
        groups.append(portfolio)
    show_map(cached_static_map(settings.data_key, settings.codes, settings.tiles, static), groups, key="map",
             height=height, on_change=None if settings.presentation else partial(_on_map_click, lang))
    st.html(legend_html(THRESHOLDS_MIN, static.workplaces["title"], static.workplace_count, static.attributions))


def portfolio_group(settings: Settings, index: int) -> str | None:
    """The portfolio's map layer (Leaflet code for dynamic group ``index``) when one is placed
    for the current data, else None."""
    pf = state.portfolio
    if not pf or pf.get("data_key") != settings.data_key:
        return None
    rings = []
    for o in pf["offices"]:
        shapes = [s for s in cached_catchment(settings.method, o["x"], o["y"]) if s["properties"]["minutes"] == pf["minutes"]]
        rings.append(shapes[0] if shapes else None)
    return group_js(index, json.dumps(portfolio_rings(pf["offices"], rings)), office_markers(pf["offices"]))


NEAR_M = 150  #: a click this close to a site is a click on that site


def _new_click() -> dict | None:
    """The position of this click, on the map or on a marker (an institution, a station, a site)."""
    result = state.get("map") or {}
    clicks = (result.get("last_clicked"), result.get("last_object_clicked"))
    previous = state.last_click if isinstance(state.last_click, tuple) else (None, None)
    state.last_click = clicks
    new = [c for c, p in zip(clicks, previous, strict=True) if c and c != p and "lat" in c and "lng" in c]
    return new[0] if new else None


def _site_near(lat: float, lon: float) -> Site | None:
    """The user's site within NEAR_M metres of the point, if any (equirectangular distance)."""
    for site in state.sites:
        dy = (site.lat - lat) * 111_195
        dx = (site.lon - lon) * 111_195 * math.cos(math.radians(lat))
        if math.hypot(dx, dy) <= NEAR_M:
            return site
    return None


def _on_map_click(lang: str) -> None:
    """A click on the map or on a marker adds a site before the rerun starts (one rerun per
    click); a click on an existing site says so instead of adding a copy."""
    click = _new_click()
    if click is None:
        return
    near = _site_near(click["lat"], click["lng"])
    if near is not None:
        flash("warning", t("site_exists", lang, name=near.name))
        return
    try:
        check_lonlat(click["lat"], click["lng"])
    except KlyngestedError:
        flash("warning", t("clicked_outside", lang))
        return
    site = add_site(Site(t("site_default_name", lang, n=len(state.sites) + 1), round(click["lat"], 5), round(click["lng"], 5)))
    if site is not None:
        flash("success", t("site_added", lang, name=site.name))


def _add_typed(lang: str) -> None:
    """Add the site typed in the coordinates form (a callback: the run that follows shows it)."""
    lat, lon = state["coord_lat"], state["coord_lon"]
    try:
        check_lonlat(lat, lon)
    except KlyngestedError as err:
        state.form_error = err.message(lang)
        return
    add_site(Site(clean_name(state["coord_name"], t("site_default_name", lang, n=len(state.sites) + 1)), lat, lon))


def _add_town(towns: gpd.GeoDataFrame) -> None:
    """Add the town picked in the town form (a callback)."""
    point = towns.loc[towns["name"] == state["town_pick"]].geometry.iloc[0]
    add_site(Site(state["town_pick"], round(point.y, 5), round(point.x, 5)))


def _add_file(lang: str) -> None:
    """Add the sites of the uploaded CSV file (a callback); a bad file leaves the sites as they were."""
    try:
        new_sites, notes = read_sites_csv(state["sites_upload"].getvalue())
    except KlyngestedError as err:
        state.form_error = err.message(lang)
        return
    for site in new_sites:
        add_site(site)
    for note in notes:
        flash("warning", note)


def _clear_sites() -> None:
    """Remove every site (a callback)."""
    state.sites = []
    state.editor_version += 1


def show_site_list(sites: list[Site], lang: str) -> None:
    """The sites as a text table: name, number on the map, coordinates (short headers: the list
    fits the side column at 1280 px)."""
    frame = pd.DataFrame({t("map_number", lang): [str(i) for i in range(1, len(sites) + 1)],
                          t("lat_short", lang): [number(s.lat, 4, lang) for s in sites],
                          t("lon_short", lang): [number(s.lon, 4, lang) for s in sites]},
                         index=pd.Index([s.name for s in sites], name=t("site_name", lang)))
    st.html(f'<div class="ks-site-list">{html_table(frame, t("sites_section", lang))}</div>')


def _form_error() -> None:
    """The message a form's callback left, shown once where the form is."""
    if state.form_error:
        st.error(md(state.form_error))
        state.form_error = None


@st.fragment
@timed("add_forms")
def add_sites_forms(settings: Settings, outside: Outside) -> None:
    """Three lazy tabs: only the open tab's form is drawn (the others held the map's first paint
    back), and switching tabs runs this fragment alone.

    Adding happens in the buttons' callbacks, before the fragment runs; the site changes what
    the rest of the page shows (``outside``, as the whole app last ran), so the whole app then
    runs once to show it.
    """
    lang = settings.lang
    tab_coords, tab_town, tab_file = st.tabs([t("add_coords", lang), t("add_town", lang), t("upload_sites", lang)],
                                             key="add_how", on_change="rerun")
    if tab_coords.open:
        with tab_coords, st.form("add_coords", clear_on_submit=True):
            st.text_input(t("site_name", lang), key="coord_name")
            c1, c2 = st.columns(2)
            c1.number_input(t("lat", lang), value=55.4, format="%.5f", step=0.01, key="coord_lat")
            c2.number_input(t("lon", lang), value=11.8, format="%.5f", step=0.01, key="coord_lon")
            st.form_submit_button(t("add", lang), key="coord_add", on_click=_add_typed, args=(lang,))
    if tab_town.open:
        towns = cached_town_points(settings.data_key, settings.layers)
        with tab_town, st.form("add_town"):
            names = towns["name"].tolist()
            st.selectbox(t("town", lang), names, index=names.index("Næstved") if "Næstved" in names else 0, key="town_pick")
            st.form_submit_button(t("add", lang), key="town_add", on_click=_add_town, args=(towns,))
    if tab_file.open:
        with tab_file:
            upload = st.file_uploader(t("upload_sites", lang), type=["csv", "txt"], key="sites_upload")
            if upload is not None:
                st.button(t("add", lang), key="add_file_sites", on_click=_add_file, args=(lang,))
    _form_error()
    if outside_key().differs(outside):
        st.rerun(scope="app")


def sites_panel(settings: Settings) -> None:
    """Add a site by coordinates, by town or from a CSV (`add_sites_forms`); the site list;
    rename or delete in the table editor, drawn while its expander is open."""
    lang = settings.lang
    st.subheader(t("sites_section", lang))
    add_sites_forms(settings, outside_key())
    if not state.sites:
        st.info(t("no_sites", lang))
        return
    show_site_list(state.sites, lang)
    edit = st.expander(t("sites_edit", lang), key="sites_edit_open", on_change="rerun")
    if edit.open:  # drawn only while open: the data grid's code held the map's first paint back ~0.6 s
        with edit:
            editor_key = f"sites_editor_{state.editor_version}"
            st.data_editor(  # the number and the name: the coordinates are in the list above
                pd.DataFrame({"nr": [str(i) for i in range(1, len(state.sites) + 1)], "navn": [s.name for s in state.sites]}),
                key=editor_key,
                num_rows="delete",
                disabled=["nr"],
                hide_index=True,
                width="stretch",
                column_config={"nr": st.column_config.TextColumn(t("map_number", lang), width="small"),
                               "navn": st.column_config.TextColumn(t("site_name", lang), required=True)},
                on_change=apply_site_edits,
                args=(editor_key,),
            )
            st.caption(t("sites_table_help", lang))
    st.button(t("clear_sites", lang), key="clear_sites", on_click=_clear_sites)
