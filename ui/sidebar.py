"""Sidebar: language, data source and refresh, cluster and codes, travel-time method, mode."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo.data.bundle import Layers
from geo.data.clusters import format_codes, load_clusters, parse_codes
from geo.data.loading import UserFiles, find_folder_files, folder_from_env
from geo.data.refresh import refresh
from geo.data.snapshot import current_snapshot, read_manifest, snapshot_dates
from geo.errors import KlyngestedError
from geo.i18n import LANGUAGES, t
from geo.reach.catchment import CatchmentEngine
from geo.text import md
from ui.data import cached_layers, engine_for, try_load
from ui.state import flash, state


@dataclass(frozen=True)
class Settings:
    """What the sidebar decided for this run."""

    lang: str
    data_key: str
    layers: Layers
    #: The data snapshot the numbers come from ("standard" for the embedded demodata) and its date.
    snapshot_id: str
    snapshot_date: str
    cluster_id: str
    cluster_label: str
    codes: tuple[str, ...] | None
    method: str
    engine: CatchmentEngine
    tiles: bool
    presentation: bool


def secrets() -> dict[str, str]:
    """Keys from Streamlit secrets, if a secrets file exists; never shown or logged."""
    try:
        return {k: str(v) for k, v in st.secrets.items() if isinstance(v, (str, int))}
    except Exception:  # no secrets.toml (or an unreadable one) is normal: keys then come from the environment
        return {}


def _refresh_data(lang: str) -> None:
    """Run 'Opdater data' with a progress bar; the last good snapshot survives any failure."""
    bar = st.progress(0.0, text=t("refresh_running", lang))

    def on_step(done: int, total: int, layer: str) -> None:
        bar.progress(done / max(total, 1), text=t("refresh_step", lang, layer=layer) if layer else t("refresh_done", lang))

    try:
        result = refresh(secrets=secrets(), on_step=on_step)
    except KlyngestedError as err:
        st.error(md(err.message(lang)))
        return
    for layer, line in result.per_layer:
        flash("success" if line == "ok" else "warning",
              f"{layer}: {t('refresh_layer_ok', lang)}" if line == "ok" else f"{layer}: {line}")
    if result.snapshot is not None:
        flash("success", t("refresh_saved", lang, layers=", ".join(result.updated)))
        state.pending_source = "snapshot"  # the radio exists already: switch on the rerun
    st.rerun()


def default_source(has_folder: bool, has_snapshot: bool) -> str:
    """Real data when there is some: the data folder, else the newest snapshot, else the demo."""
    return "folder" if has_folder else ("snapshot" if has_snapshot else "default")


@dataclass(frozen=True)
class DataSource:
    """The chosen data state: its cache key, layers, and the snapshot id and date a scenario records."""

    key: str
    layers: Layers
    snapshot_id: str
    snapshot_date: str


def _snapshot_date(snapshot: Path) -> str:
    """The day a snapshot was written (from its manifest)."""
    try:
        return str(read_manifest(snapshot).get("created", ""))[:10]
    except KlyngestedError:
        return ""


def _data_source(lang: str, frozen: bool) -> DataSource:
    folder = folder_from_env()
    snapshot = current_snapshot()
    options = ["default"] + (["snapshot"] if snapshot else []) + (["folder"] if folder else []) + ["upload"]
    labels = {
        "default": t("source_default", lang),
        "snapshot": t("source_snapshot", lang, id=snapshot.name if snapshot else ""),
        "folder": t("source_folder", lang, path=folder) if folder else "",
        "upload": t("source_upload", lang),
    }
    if state.pending_source is not None:
        state["source"], state.pending_source = state.pending_source, None
    if state.get("source") not in options:
        if state.get("source"):  # e.g. a shared link made on a server with a data folder
            st.warning(t("source_unavailable", lang, source=md(state["source"])))
        state["source"] = default_source(folder is not None, snapshot is not None)
    source = st.radio(t("data_source", lang), options, format_func=lambda o: md(labels[o]), key="source", disabled=frozen)
    if source == "upload" and not frozen:
        with st.form("uploads"):
            up_b = st.file_uploader(t("upload_boundaries", lang), type=["geojson", "json", "gpkg", "zip"])
            up_c = st.file_uploader(t("upload_companies", lang), type=["xlsx", "csv"])
            up_p = st.file_uploader(t("upload_postcodes", lang), type=["geojson", "json", "gpkg"])
            if st.form_submit_button(t("apply_files", lang)):
                blobs = [u.getvalue() if u else None for u in (up_b, up_c, up_p)]
                key = "upload-" + hashlib.sha256(repr(blobs).encode()).hexdigest()[:16]
                candidate = UserFiles(*blobs)
                if try_load(key, candidate, labels["upload"], lang) is not None:
                    state.files, state.files_key = candidate, key
    if st.button(t("refresh_button", lang), key="refresh", help=t("refresh_help", lang), disabled=frozen):
        _refresh_data(lang)
    if source == "snapshot" and snapshot:
        dates = snapshot_dates(snapshot)
        st.caption(t("snapshot_dates", lang) + md("; ".join(f"{k}: {v or '–'}" for k, v in dates.items())))

    key, files, snap, snap_id = "default", None, None, "standard"
    if source == "folder" and folder:
        key, files, snap_id = f"folder-{folder}", find_folder_files(folder), "mappe"
    elif source == "upload" and state.files is not None:
        key, files, snap_id = state.files_key, state.files, state.files_key
    elif source == "snapshot" and snapshot:
        key, snap, snap_id = f"snapshot-{snapshot.name}", str(snapshot), snapshot.name
    layers = try_load(key, files, labels.get(source, source), lang, snap)
    if layers is None:
        return DataSource("default", cached_layers("default", None), "standard", "")
    return DataSource(key, layers, snap_id, _snapshot_date(snapshot) if snap and snapshot else "")


def _cluster(lang: str, frozen: bool) -> tuple[str, str, tuple[str, ...] | None]:
    clusters = load_clusters()
    choices = ["byggeri", *[c for c in clusters if c != "byggeri"], "__all__", "__custom__"]
    labels = {cid: c.label(lang) for cid, c in clusters.items()}
    labels |= {"__all__": t("all_industries", lang), "__custom__": t("custom_codes", lang)}
    cluster_id = st.selectbox(t("cluster", lang), choices, format_func=labels.get, key="cluster", disabled=frozen)
    codes: tuple[str, ...] | None = None
    if cluster_id == "__custom__":
        text = st.text_input(t("codes", lang), value="41, 42, 43", key="custom_codes", disabled=frozen)
        try:
            codes = tuple(parse_codes(text))
        except KlyngestedError as err:
            st.error(md(err.message(lang)))
            codes = clusters["byggeri"].codes
    elif cluster_id != "__all__":
        codes = clusters[cluster_id].codes
        st.caption(f"{t('codes', lang)}: {format_codes(codes)}")
    return cluster_id, labels[cluster_id], codes


def sidebar() -> Settings:
    """Draw the sidebar and return the settings for this run."""
    with st.sidebar:
        lang = st.selectbox("Sprog / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
        presentation = st.toggle(t("presentation", lang), key="presentation", help=t("presentation_help", lang))
        if presentation:
            st.caption(t("presentation_frozen", lang))
        st.header(t("data_section", lang))
        data = _data_source(lang, presentation)
        st.header(t("cluster_section", lang))
        cluster_id, cluster_label, codes = _cluster(lang, presentation)
        st.header(t("method_section", lang))
        method = st.radio(t("method", lang), ["estimate", "network"], format_func=lambda m: t(f"method_{m}", lang),
                          key="method", horizontal=True, disabled=presentation)
        engine = engine_for(method)
        st.caption(t("method_line", lang, method=md(engine.describe())))
        tiles = st.toggle(t("tiles", lang), value=False, key="tiles")
    return Settings(lang, data.key, data.layers, data.snapshot_id, data.snapshot_date, cluster_id, cluster_label, codes, method, engine, tiles, presentation)
