"""Session state: everything the app keeps between reruns, declared once and typed.

`AppState` is a typed view of ``st.session_state``: each `Kept` attribute is one key with its
type and default, so no part of the app reads a key nobody declared. Widget values live under
their widget keys (``state["fin_total"]``); those a hidden section must not lose are listed in
`KEPT_WIDGETS` with their defaults (Streamlit drops a widget's value in a run that does not
draw it, and only the visible section is drawn).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Generic, TypeVar

import streamlit as st

from geo.data.clusters import load_clusters
from geo.data.loading import UserFiles
from geo.data.sites import MAX_SITES, Site, clean_name, clean_sites, unique_name
from geo.decide.finance import KEYS
from geo.decide.weights import CRITERION_IDS, equal_weights
from geo.format import kroner
from geo.reach import indicators
from geo.settings import K17_CODES
from geo.text import md

T = TypeVar("T")

#: The clusters the portfolio tab starts with (those the region has offices or plans for).
DEFAULT_CLUSTERS = ("byggeri", "food", "energy", "digital")

#: Indicator column -> (more is better, target or None, included): the ranking's indicator settings.
Rules = dict[str, tuple[bool, float | None, bool]]


class Kept(Generic[T]):
    """One session-state key with its type and a factory for its default."""

    def __init__(self, default: Callable[[], T]) -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, objtype: type | None = None) -> T:
        return st.session_state[self.name]

    def __set__(self, obj: object, value: T) -> None:
        st.session_state[self.name] = value


def default_rules() -> Rules:
    """Every scored indicator included, with its natural direction and no target."""
    return {s.column: (s.higher_is_better, None, s.scored) for s in indicators.indicator_specs()}


class AppState:
    """Typed access to the session; item access (``state["w_value"]``) reaches widget keys.

    No instance attributes (``__slots__``): setting an undeclared name raises instead of
    landing on this object, which every session shares.
    """

    __slots__ = ()

    sites: Kept[list[Site]] = Kept(list)
    weights: Kept[dict[str, float]] = Kept(equal_weights)
    rules: Kept[Rules] = Kept(default_rules)
    rules_version: Kept[int] = Kept(int)
    last_click: Kept[tuple[dict | None, dict | None] | None] = Kept(lambda: None)
    editor_version: Kept[int] = Kept(int)
    files: Kept[UserFiles | None] = Kept(lambda: None)
    files_key: Kept[str] = Kept(lambda: "default")
    messages: Kept[list[tuple[str, str]]] = Kept(list)
    case_texts: Kept[dict[str, str]] = Kept(dict)
    case_site: Kept[str | None] = Kept(lambda: None)
    scenario_name: Kept[str] = Kept(lambda: "K17-møde")
    suggestion: Kept[dict | None] = Kept(lambda: None)
    query_loaded: Kept[bool] = Kept(bool)
    exports: Kept[dict | None] = Kept(lambda: None)
    pending_diff: Kept[Any] = Kept(lambda: None)
    script_ms: Kept[float] = Kept(float)
    #: The data source the sidebar switches to on the next run (after a refresh).
    pending_source: Kept[str | None] = Kept(lambda: None)
    #: (data signature, criterion surfaces, one-per-municipality) of the surface last shown.
    surface_shown: Kept[tuple | None] = Kept(lambda: None)
    #: The placed cluster portfolio (offices, report) for one data state.
    portfolio: Kept[dict | None] = Kept(lambda: None)
    portfolio_overview: Kept[Any] = Kept(lambda: None)
    #: A form callback's Danish message, shown once beside the form.
    form_error: Kept[str | None] = Kept(lambda: None)

    def __getitem__(self, key: str) -> Any:
        return st.session_state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        st.session_state[key] = value

    def __contains__(self, key: str) -> bool:
        return key in st.session_state

    def get(self, key: str, default: Any = None) -> Any:
        return st.session_state.get(key, default)

    def pop(self, key: str, default: Any = None) -> Any:
        return st.session_state.pop(key, default)


def kept_keys() -> dict[str, Kept]:
    """The declared keys of `AppState`, by name."""
    return {k: v for k, v in vars(AppState).items() if isinstance(v, Kept)}


state = AppState()

#: Widget keys of sections that may be hidden, with the value a new session starts from.
KEPT_WIDGETS: dict[str, Callable[[], object]] = {
    "locked": lambda: "—",
    "mc_method": lambda: "dirichlet",
    "mc_draws": lambda: 10_000,
    "loso": lambda: False,
    "csv_danish": lambda: True,
    "sg_objective": lambda: "mclp",
    "sg_k": lambda: 2,
    "sg_minutes": lambda: 45,
    "sg_pool": lambda: "towns",
    "sg_fixed": list,
    "sg_one": lambda: False,
    "fin_total": lambda: kroner(1_000_000),
    "fin_key": lambda: "population",
    **{f"fin_mix_{k}": (lambda: 20) for k in KEYS},
    "fin_munis": lambda: list(K17_CODES),
    "fin_lead": lambda: "—",
    "fin_lead_share": lambda: 0,
    "fin_site": lambda: "—",
    "surface_on": lambda: False,
    "surface_one": lambda: False,
    "pf_clusters": lambda: [c for c in DEFAULT_CLUSTERS if c in load_clusters()],
    "pf_objective": lambda: "mclp",
    "pf_offices": lambda: len(DEFAULT_CLUSTERS),
    "pf_minutes": lambda: 45,
    "pf_pool": lambda: "towns",
    "pf_fixed": lambda: "byggeri=Næstved",
    "pf_one": lambda: True,
    "pf_per_town": lambda: 1,
    "pf_floor": lambda: False,
    "pf_total": lambda: kroner(2_000_000),
}


def init_state() -> None:
    """Defaults once per session; then keep hidden sections' widget values through this run."""
    for name, field in kept_keys().items():
        if name not in st.session_state:
            st.session_state[name] = field.default()
    keep_widget_values()


def keep_widget_values() -> None:
    """Keep the values of widgets this run may not draw (hidden sections'), or set their defaults."""
    kept = {**KEPT_WIDGETS, **{f"w_{cid}": partial(_weight, cid) for cid in CRITERION_IDS},
            **{f"case_{cid}": partial(_case_text, cid) for cid in CRITERION_IDS}}
    for key, default in kept.items():
        # re-setting a widget's own value turns it into session data Streamlit keeps
        st.session_state[key] = st.session_state[key] if key in st.session_state else default()


def _weight(cid: str) -> float:
    return float(state.weights[cid])


def _case_text(cid: str) -> str:
    return state.case_texts.get(cid, "")


def restore_choice(key: str, options: list, fallback: object) -> None:
    """Drop a kept choice that is no longer offered (a site deleted, a municipality removed)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback


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


@dataclass(frozen=True, eq=False)
class Outside:
    """What the page outside a fragment (the sections, the forms that add sites) shows from the
    session: the sites (and their edits), pending messages, and the suggestion and portfolio on
    the map (held, and compared by identity: each is replaced, never changed in place). When it
    differs after a fragment ran, the whole app runs again."""

    sites: tuple[object, ...]
    editor_version: int
    messages: int
    suggestion: object
    portfolio: object

    def differs(self, other: Outside) -> bool:
        return ((self.sites, self.editor_version, self.messages) != (other.sites, other.editor_version, other.messages)
                or self.suggestion is not other.suggestion or self.portfolio is not other.portfolio)


def outside_key() -> Outside:
    """The session's `Outside` now."""
    return Outside(tuple(state.sites), state.editor_version, len(state.messages), state.suggestion, state.portfolio)
