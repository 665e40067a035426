"""Klyngested – Streamlit app. Composition only: analysis lives in geo/, map layers in layers/."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import indicators
from geo.catchment import CatchmentEngine
from geo.engines import select_engine
from geo.clusters import format_codes, load_clusters, matches, parse_codes
from geo.errors import KlyngestedError
from geo.export.csv import to_csv_bytes
from geo.export.safety import safe_filename
from geo.i18n import LANGUAGES, t
from geo.layers import Layers
from geo.loading import UserFiles, find_folder_files, folder_from_env, load_layers
from geo.settings import CRS_DISPLAY, THRESHOLDS_MIN
from geo.sites import Site, check_lonlat, read_sites_csv, sites_frame
from layers.basemap import MapData, base_map, map_data
from layers.legend import legend_html
from layers.sites import catchment_shapes, sites_layer

st.set_page_config(page_title="Klyngested", page_icon="📍", layout="wide")
st.markdown(
    "<style>:focus-visible {outline: 3px solid #D55E00 !important; outline-offset: 2px;}</style>",
    unsafe_allow_html=True,
)


# ---------- cached data (shared across sessions) ----------
@st.cache_resource(show_spinner=False)
def cached_layers(key: str, _files: UserFiles | None) -> Layers:
    """Layers per data key; files are hashed into the key, not passed through the hasher."""
    return load_layers(_files)


@st.cache_resource(show_spinner=False)
def cached_context(data_key: str, codes: tuple[str, ...] | None, method: str, _layers: Layers) -> indicators.IndicatorContext:
    return indicators.prepare(_layers, engine_for(method), codes)


@st.cache_data(show_spinner=False, max_entries=2000)
def cached_row(data_key: str, codes: tuple[str, ...] | None, method: str, name: str, x: float, y: float, _ctx: indicators.IndicatorContext):
    """One site's indicators: recomputed only when that site, the data, codes or method change."""
    return indicators.site_row(_ctx, name, (x, y))


@st.cache_resource(show_spinner=False)
def cached_map_data(data_key: str, codes: tuple[str, ...] | None, _layers: Layers) -> MapData:
    """Display-ready static layers, prepared once per data state and cluster."""
    return map_data(_layers, _layers.workplaces[matches(_layers.workplaces["industry_code"], codes)])


@st.cache_resource(show_spinner=False)
def engine_for(method: str) -> CatchmentEngine:
    """One engine per method, shared by all sessions (the road graph is loaded once)."""
    return select_engine(method)[0]


@st.cache_data(show_spinner=False, max_entries=500)
def cached_catchment(method: str, x: float, y: float):
    """Display outlines of one site's catchments, per method."""
    return catchment_shapes(engine_for(method), (x, y), THRESHOLDS_MIN)


# ---------- session state: the user's work survives every rerun ----------
state = st.session_state
state.setdefault("sites", [])
state.setdefault("last_click", None)
state.setdefault("editor_version", 0)
state.setdefault("files", None)
state.setdefault("files_key", "default")
state.setdefault("messages", [])


def flash(kind: str, text: str) -> None:
    state.messages.append((kind, text))


def add_site(site: Site) -> None:
    state.sites = [*state.sites, site]
    state.editor_version += 1


def apply_site_edits(editor_key: str) -> None:
    """Apply renames and deletions from the sites table to the session's site list."""
    delta = state[editor_key]
    sites = list(state.sites)
    for index, change in delta.get("edited_rows", {}).items():
        name = str(change.get("navn") or "").strip()
        if name:
            sites[int(index)] = replace(sites[int(index)], name=name)
    deleted = set(delta.get("deleted_rows", []))
    state.sites = [s for i, s in enumerate(sites) if i not in deleted]
    state.editor_version += 1


def try_load(key: str, files: UserFiles | None, what: str) -> Layers | None:
    """Load layers, or show a Danish message and return None; the user's sites are untouched."""
    lang = state.get("lang", "da")
    try:
        return cached_layers(key, files)
    except KlyngestedError as err:
        st.error(f"{t('error_prefix', lang)}: {err.message(lang)}")
    except Exception as err:  # a bad file must never take the app down
        st.error(t("unexpected_error", lang, what=what, reason=type(err).__name__))
    return None


with st.sidebar:
    lang = st.selectbox("Sprog / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang")

    st.header(t("data_section", lang))
    folder = folder_from_env()
    options = ["default"] + (["folder"] if folder else []) + ["upload"]
    labels = {
        "default": t("source_default", lang),
        "folder": t("source_folder", lang, path=folder) if folder else "",
        "upload": t("source_upload", lang),
    }
    source = st.radio(t("data_source", lang), options, format_func=labels.get, key="source")
    if source == "upload":
        with st.form("uploads"):
            up_b = st.file_uploader(t("upload_boundaries", lang), type=["geojson", "json", "gpkg", "zip"])
            up_c = st.file_uploader(t("upload_companies", lang), type=["xlsx", "csv"])
            up_p = st.file_uploader(t("upload_postcodes", lang), type=["geojson", "json", "gpkg"])
            if st.form_submit_button(t("apply_files", lang)):
                blobs = [u.getvalue() if u else None for u in (up_b, up_c, up_p)]
                key = "upload-" + hashlib.sha256(repr(blobs).encode()).hexdigest()[:16]
                candidate = UserFiles(*blobs)
                if try_load(key, candidate, labels["upload"]) is not None:
                    state.files, state.files_key = candidate, key

    data_key, files = "default", None
    if source == "folder" and folder:
        data_key, files = f"folder-{folder}", find_folder_files(folder)
    elif source == "upload" and state.files is not None:
        data_key, files = state.files_key, state.files

    layers = try_load(data_key, files, labels.get(source, source))
    if layers is None:
        data_key, layers = "default", cached_layers("default", None)

    st.header(t("cluster_section", lang))
    clusters = load_clusters()
    choices = ["byggeri", *[c for c in clusters if c != "byggeri"], "__all__", "__custom__"]
    cluster_labels = {cid: c.label(lang) for cid, c in clusters.items()}
    cluster_labels |= {"__all__": t("all_industries", lang), "__custom__": t("custom_codes", lang)}
    cluster_id = st.selectbox(t("cluster", lang), choices, format_func=cluster_labels.get, key="cluster")
    codes: tuple[str, ...] | None = None
    if cluster_id == "__custom__":
        text = st.text_input(t("codes", lang), value="41, 42, 43", key="custom_codes")
        try:
            codes = tuple(parse_codes(text))
        except KlyngestedError as err:
            st.error(err.message(lang))
            codes = clusters["byggeri"].codes
    elif cluster_id != "__all__":
        codes = clusters[cluster_id].codes
        st.caption(f"{t('codes', lang)}: {format_codes(codes)}")

    st.header(t("method_section", lang))
    method = st.radio(
        t("method", lang),
        ["estimate", "network"],
        format_func=lambda m: t(f"method_{m}", lang),
        key="method",
        horizontal=True,
    )
    engine = engine_for(method)
    st.caption(t("method_line", lang, method=engine.describe()))
    tiles = st.toggle(t("tiles", lang), value=False, key="tiles")

# ---------- main area ----------
st.title(t("title", lang))
st.write(t("subtitle", lang))
if layers.provenance["workplaces"].quality == "synthetic":
    st.info(t("demodata_banner", lang), icon="ℹ️")
for kind, text in state.messages:
    st.toast(text, icon=":material/check_circle:" if kind == "success" else ":material/warning:")
state.messages = []

sites = sites_frame(state.sites, layers.municipalities)
context = cached_context(data_key, codes, method, layers)

map_col, side_col = st.columns([3, 2], gap="medium")
with map_col:
    st.caption(t("map_hint", lang))
    static = cached_map_data(data_key, codes, layers)
    # a new Map each run (a Map must not be shared between sessions); streamlit-folium hashes
    # its script with stable names, so the browser redraws only when the content changes
    fmap = base_map(static, THRESHOLDS_MIN, tiles=tiles, with_legend=False)
    result = st_folium(
        fmap,
        key="map",
        height=700,
        use_container_width=True,
        returned_objects=["last_clicked"],
        feature_group_to_add=sites_layer(
            sites,
            [cached_catchment(method, p.x, p.y) for p in sites.geometry],
            method,
        ),
        layer_control=folium.LayerControl(collapsed=False),
    )
    st.markdown(legend_html(THRESHOLDS_MIN, static.workplaces["title"], static.workplace_count), unsafe_allow_html=True)
    click = (result or {}).get("last_clicked")
    if click and click != state.last_click:
        state.last_click = click
        try:
            check_lonlat(click["lat"], click["lng"])
            name = t("site_default_name", lang, n=len(state.sites) + 1)
            add_site(Site(name, round(click["lat"], 5), round(click["lng"], 5)))
            flash("success", t("site_added", lang, name=name))
        except KlyngestedError:
            flash("warning", t("clicked_outside", lang))
        st.rerun()

with side_col:
    st.subheader(t("sites_section", lang))
    tab_coords, tab_town, tab_file = st.tabs([t("add_coords", lang), t("add_town", lang), t("upload_sites", lang)])
    with tab_coords, st.form("add_coords", clear_on_submit=True):
        name = st.text_input(t("site_name", lang))
        c1, c2 = st.columns(2)
        lat = c1.number_input(t("lat", lang), value=55.4, format="%.5f", step=0.01)
        lon = c2.number_input(t("lon", lang), value=11.8, format="%.5f", step=0.01)
        if st.form_submit_button(t("add", lang)):
            try:
                check_lonlat(lat, lon)
                add_site(Site(name.strip() or t("site_default_name", lang, n=len(state.sites) + 1), lat, lon))
                st.rerun()
            except KlyngestedError as err:
                st.error(err.message(lang))
    with tab_town:
        towns = layers.towns.to_crs(CRS_DISPLAY).sort_values("name")
        with st.form("add_town"):
            names = towns["name"].tolist()
            town = st.selectbox(t("town", lang), names, index=names.index("Næstved") if "Næstved" in names else 0)
            if st.form_submit_button(t("add", lang)):
                point = towns.loc[towns["name"] == town].geometry.iloc[0]
                add_site(Site(town, round(point.y, 5), round(point.x, 5)))
                st.rerun()
    with tab_file:
        upload = st.file_uploader(t("upload_sites", lang), type=["csv", "txt"], key="sites_upload")
        if upload is not None and st.button(t("add", lang), key="add_file_sites"):
            try:
                new_sites, notes = read_sites_csv(upload.getvalue())
                for site in new_sites:
                    add_site(site)
                for note in notes:
                    flash("warning", note)
                st.rerun()
            except KlyngestedError as err:
                st.error(err.message(lang))

    if not state.sites:
        st.info(t("no_sites", lang))
    else:
        editor_key = f"sites_editor_{state.editor_version}"
        st.data_editor(
            pd.DataFrame([{"navn": s.name, "lat": s.lat, "lon": s.lon} for s in state.sites]),
            key=editor_key,
            num_rows="delete",
            disabled=["lat", "lon"],
            hide_index=True,
            width="stretch",
            column_config={"navn": st.column_config.TextColumn(t("site_name", lang), required=True)},
            on_change=apply_site_edits,
            args=(editor_key,),
        )
        st.caption(t("sites_table_help", lang))
        if st.button(t("clear_sites", lang)):
            state.sites = []
            state.editor_version += 1
            st.rerun()

# ---------- indicators ----------
if state.sites:
    rows, parts = [], []
    for site in sites.itertuples():
        row, part = cached_row(data_key, codes, method, site.name, site.geometry.x, site.geometry.y, context)
        rows.append(row)
        parts.append(part)
    table = indicators.assemble(rows, sites)
    st.subheader(t("indicators_section", lang))
    st.table(indicators.display_table(table, lang))

    danish = st.checkbox(t("csv_danish", lang), value=True, key="csv_danish")
    provenance = [*layers.provenance_lines(), t("method_line", "da", method=engine.describe())]
    st.download_button(
        t("download_csv", lang),
        data=to_csv_bytes(table, provenance, danish=danish),
        file_name=f"{safe_filename('klyngested_indikatorer')}.csv",
        mime="text/csv",
    )

    st.subheader(t("breakdown_section", lang))
    pick = st.selectbox(t("breakdown_site", lang), table["site"].tolist(), key="breakdown_pick")
    part = parts[table["site"].tolist().index(pick)]
    st.table(indicators.breakdown_display(part, lang))

with st.expander(t("provenance_section", lang), expanded=False):
    for line in [*layers.provenance_lines(), *layers.report]:
        st.markdown(f"- {line}")
    st.markdown(f"- {t('method_line', lang, method=engine.describe())}")
