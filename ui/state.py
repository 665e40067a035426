"""Session state: the user's work (sites, weights, texts) survives every rerun and every error."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.data.sites import MAX_SITES, Site, clean_name, clean_sites, unique_name
from geo.decide.weights import equal_weights
from geo.text import md

state = st.session_state

DEFAULTS: dict[str, object] = {
    "sites": [],
    "last_click": None,
    "editor_version": 0,
    "files": None,
    "files_key": "default",
    "messages": [],
    "locked": "—",
    "case_texts": {},
    "scenario_name": "K17-møde",
    "suggestion": None,
    "query_loaded": False,
}


def init_state() -> None:
    """Set defaults once per session, including one slider value per criterion."""
    for key, value in DEFAULTS.items():
        state.setdefault(key, value.copy() if isinstance(value, (list, dict)) else value)
    if "weights" not in state:
        set_weights(equal_weights())


def set_weights(weights: dict[str, float]) -> None:
    """Store weights and mirror them into the slider widgets' state."""
    state.weights = dict(weights)
    for cid, value in weights.items():
        state[f"w_{cid}"] = float(value)


def flash(kind: str, text: str) -> None:
    """A message to show once on the next run (after st.rerun)."""
    state.messages.append((kind, text))


def show_messages() -> None:
    for kind, text in state.messages:
        st.toast(md(text), icon=":material/check_circle:" if kind == "success" else ":material/warning:")
    state.messages = []


def add_site(site: Site) -> Site | None:
    """Append a site with a clean name unique in the session ("Næstved (2)"), and return it;
    None (and a Danish warning) when the session already holds MAX_SITES."""
    if len(state.sites) >= MAX_SITES:
        flash("warning", f"Højst {MAX_SITES} lokaliteter pr. scenarie; {clean_name(site.name, '')} blev ikke tilføjet.")
        return None
    (site,) = clean_sites([site], taken={s.name for s in state.sites})
    state.sites = [*state.sites, site]
    state.editor_version += 1
    state.suggestion = None
    return site


def apply_site_edits(editor_key: str) -> None:
    """Apply renames and deletions from the sites table to the session's site list."""
    delta = state[editor_key]
    sites = list(state.sites)
    for index, change in delta.get("edited_rows", {}).items():
        name = clean_name(change.get("navn"), "")
        if name:
            others = {s.name for i, s in enumerate(sites) if i != int(index)}
            sites[int(index)] = replace(sites[int(index)], name=unique_name(name, others))
    deleted = set(delta.get("deleted_rows", []))
    state.sites = [s for i, s in enumerate(sites) if i not in deleted]
    state.editor_version += 1
