"""The sections below the map, as lazy tabs in one fragment: the tab the user looks at runs, and
with it the tabs opened since the whole app last ran (`Section.kept`: going back to one is the
browser's own switch); a tab switch or a choice inside a section reruns the sections alone, not
the map.

A new section plugs in with one `Section` line in `SECTIONS`. Each section gets the run's
inputs (`Run`); results several sections share come from `ui.results`, cached on their inputs.
A section that changes what the rest of the page shows (sites, a suggestion or portfolio on the
map, a loaded scenario, a message) makes the whole app run again (`outside_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.i18n import t
from geo.reach.indicators import IndicatorContext
from ui.data import indicator_table
from ui.meeting import sync_query_params
from ui.runlog import timed
from ui.sidebar import Settings
from ui.state import Outside, keep_widget_values, outside_key


@dataclass(frozen=True)
class Run:
    """What one script run knows: settings, the sites, the indicator context, provenance lines."""

    settings: Settings
    sites: gpd.GeoDataFrame
    ctx: IndicatorContext
    provenance: list[str]
    #: `outside_key` when the whole app last ran.
    outside: Outside
    #: Ids of the tabs opened since the whole app last ran (fragment runs share this run's object).
    opened: set[str] = field(default_factory=set, compare=False)

    @cached_property
    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Indicator table and per-municipality breakdown (from the per-site cache), on first use."""
        s = self.settings
        return indicator_table(s.data_key, s.codes, s.method, self.sites, self.ctx)

    @property
    def table(self) -> pd.DataFrame:
        return self.tables[0]

    @property
    def breakdown(self) -> pd.DataFrame:
        return self.tables[1]


# Section modules load when their tab first opens (altair, matplotlib and the report writers
# are not needed for the first paint of the map).

def _indicators(run: Run) -> None:
    from ui.indicators import indicators_view  # optional: loads when the first tab is drawn

    indicators_view(run.settings, run.table, run.breakdown, run.provenance)


def _ranking(run: Run) -> None:
    from ui.ranking import ranking_view  # optional: altair loads when the tab opens

    ranking_view(run.settings, run.table)


def _suggest(run: Run) -> None:
    from ui.decide import suggest_view  # optional: matplotlib loads when the tab opens

    suggest_view(run.settings, run.ctx, run.sites)


def _fairness(run: Run) -> None:
    from ui.decide import fairness_view  # optional: matplotlib loads when the tab opens

    fairness_view(run.settings, run.ctx, run.sites)


def _finance(run: Run) -> None:
    from ui.decide import finance_view  # optional: matplotlib loads when the tab opens

    finance_view(run.settings, run.ctx, run.sites, run.provenance)


def _meeting(run: Run) -> None:
    from ui.meeting import case_view, exports_view  # optional: loads when the tab opens

    case_view(run.settings, run.table)
    exports_view(run.settings, run.ctx, run.sites, run.table, run.breakdown, run.provenance)


def _surface(run: Run) -> None:
    from ui.surface import surface_view  # optional: h3 and the surface shapes load when the tab opens

    surface_view(run.settings, run.ctx, run.table if len(run.sites) else None)


def _portfolio(run: Run) -> None:
    from ui.portfolio import portfolio_view  # optional: the portfolio model loads when the tab opens

    portfolio_view(run.settings, run.sites)


@dataclass(frozen=True)
class Section:
    """One tab: its id (label ``tab_<id>`` in geo.i18n) and what it draws."""

    id: str
    show: Callable[[Run], object]
    needs_sites: bool = True
    #: Stays drawn in its hidden tab once opened, until the whole app runs again, so going back
    #: to it shows it at once (the browser switches tabs itself). Off for the sections that show
    #: the weights: a weight change runs the ranking alone and would leave them behind.
    kept: bool = True


SECTIONS: tuple[Section, ...] = (
    Section("indicators", _indicators),
    Section("ranking", _ranking),
    Section("suggest", _suggest, needs_sites=False),
    Section("fairness", _fairness),
    Section("finance", _finance),
    Section("meeting", _meeting, kept=False),
    Section("surface", _surface, needs_sites=False, kept=False),
    Section("portfolio", _portfolio, needs_sites=False),
)


@st.fragment
@timed("sections")
def sections_view(run: Run) -> None:
    """Tabs that rerun the fragment on a switch. The open tab runs, and with it the kept tabs
    opened since the whole app last ran (`Section.kept`); the code of any other tab does not run."""
    keep_widget_values()
    lang = run.settings.lang
    tabs = st.tabs([t(f"tab_{s.id}", lang) for s in SECTIONS], key="section", on_change="rerun")
    for tab, section in zip(tabs, SECTIONS, strict=True):
        if tab.open:
            run.opened.add(section.id)
        elif not (section.kept and section.id in run.opened):
            continue
        with tab:
            if section.needs_sites and not len(run.sites):
                st.info(t("no_sites", lang))
            else:
                section.show(run)
    if outside_key().differs(run.outside):  # a section added a site, placed offices, loaded a scenario …
        st.rerun(scope="app")
    sync_query_params(run.settings)  # weights chosen here belong in the shareable link
