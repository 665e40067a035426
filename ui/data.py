"""Cached loading and computation shared by all sessions (st.cache_resource / st.cache_data).

Keys are plain strings and tuples; heavy objects pass through underscore arguments so
Streamlit does not hash them. The two caches asked once per site in every run (indicator rows,
catchment outlines) are `cachetools` caches keyed on plain tuples (`per_site`): a Streamlit
cache hit costs about 1.3 ms (it hashes every argument and inspects the function's signature),
40 hits a run at 20 sites.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TypeVar

import cachetools
import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.crs import to_crs
from geo.data.bundle import Layers
from geo.data.clusters import matches
from geo.data.loading import UserFiles, load_layers
from geo.data.sites import Site, sites_frame
from geo.decide.fairness import fairness_table
from geo.errors import KlyngestedError
from geo.i18n import t
from geo.reach import indicators
from geo.reach.catchment import CatchmentEngine
from geo.reach.engines import select_engine
from geo.report.webmap.basemap import MapData, map_data
from geo.report.webmap.sites import catchment_shapes, ring_features
from geo.settings import CRS_DISPLAY, THRESHOLDS_MIN
from geo.text import md

#: Data states kept in memory at once (default, snapshot, folder and a few uploads): every
#: upload makes a new data key, so the caches keyed on it are bounded in entries and age.
DATA_STATES = 8
#: Seconds a cached data state (and everything computed from it) is kept unused at most.
DATA_TTL = 2 * 3600

@st.cache_resource(show_spinner=False, max_entries=DATA_STATES, ttl=DATA_TTL)
def cached_layers(key: str, _files: UserFiles | None, snapshot: str | None = None) -> Layers:
    """Layers per data key; files are hashed into the key, not passed through the hasher."""
    return load_layers(_files, snapshot=snapshot)


def try_load(key: str, files: UserFiles | None, what: str, lang: str, snapshot: str | None = None) -> Layers | None:
    """Load layers, or show a Danish message and return None; the user's sites are untouched."""
    try:
        return cached_layers(key, files, snapshot)
    except KlyngestedError as err:
        st.error(f"{t('error_prefix', lang)}: {md(err.message(lang))}")
    except Exception as err:  # a bad file must never take the app down
        st.error(t("unexpected_error", lang, what=md(what), reason=type(err).__name__))
    return None


@st.cache_resource(show_spinner=False)
def engine_for(method: str) -> CatchmentEngine:
    """One engine per method, shared by all sessions (the road graph is loaded once)."""
    return select_engine(method)[0]


@st.cache_resource(show_spinner=False, max_entries=2 * DATA_STATES, ttl=DATA_TTL)
def cached_context(data_key: str, codes: tuple[str, ...] | None, method: str, _layers: Layers) -> indicators.IndicatorContext:
    return indicators.prepare(_layers, engine_for(method), codes)


F = TypeVar("F", bound=Callable)


#: Every `per_site` cache with its lock, for `clear_per_site`.
_PER_SITE: list[tuple[cachetools.TTLCache, threading.Lock]] = []


def per_site(entries: int, key: Callable[..., tuple] = cachetools.keys.hashkey) -> Callable[[F], F]:
    """A cache shared by all sessions for a result computed once per site: at most ``entries``,
    each kept `DATA_TTL` seconds at most; ``key`` picks the arguments that identify a result.
    Results are shared, not copied: callers only read them."""
    cache, lock = cachetools.TTLCache(entries, DATA_TTL), threading.Lock()
    _PER_SITE.append((cache, lock))
    return cachetools.cached(cache, key=key, lock=lock)


def clear_per_site() -> None:
    """Forget every per-site result (indicator rows, outlines): for benchmarks and tests."""
    for cache, lock in _PER_SITE:
        with lock:
            cache.clear()


def _row_key(data_key: str, codes: tuple[str, ...] | None, method: str, name: str, x: float, y: float,
             ctx: indicators.IndicatorContext) -> tuple:
    return cachetools.keys.hashkey(data_key, codes, method, name, x, y)  # ctx follows from the first three


@per_site(2000, key=_row_key)
def cached_row(data_key: str, codes: tuple[str, ...] | None, method: str, name: str, x: float, y: float,
               ctx: indicators.IndicatorContext) -> tuple[dict, pd.DataFrame]:
    """One site's indicators: recomputed only when that site, the data, codes or method change."""
    return indicators.site_row(ctx, name, (x, y))


@per_site(500)
def cached_site_rings(method: str, x: float, y: float, name: str) -> str:
    """One site's labelled outlines as the JSON text of a list of GeoJSON features (for
    `layers.dynamic.feature_collection_text`): serialised once, not on every run."""
    return json.dumps(ring_features(name, cached_catchment(method, x, y), method))


@per_site(500)
def cached_catchment(method: str, x: float, y: float) -> list[dict]:
    """Display outlines of one site's catchments, per method (shared, read-only GeoJSON)."""
    return catchment_shapes(engine_for(method), (x, y), THRESHOLDS_MIN)


@st.cache_resource(show_spinner=False, max_entries=2 * DATA_STATES, ttl=DATA_TTL)
def cached_map_data(data_key: str, codes: tuple[str, ...] | None, _layers: Layers) -> MapData:
    """Display-ready static layers, prepared once per data state and cluster."""
    return map_data(_layers, _layers.workplaces[matches(_layers.workplaces["industry_code"], codes)])


def indicator_table(data_key: str, codes: tuple[str, ...] | None, method: str, sites: gpd.GeoDataFrame,
                    ctx: indicators.IndicatorContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator table and per-municipality breakdown, from the per-site cache."""
    rows, parts = [], []
    for site in sites.itertuples():
        row, part = cached_row(data_key, codes, method, site.name, site.geometry.x, site.geometry.y, ctx)
        rows.append(row)
        parts.append(part)
    table = indicators.assemble(rows, sites)
    return table, (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame())


@st.cache_resource(show_spinner=False, max_entries=200, ttl=DATA_TTL)
def cached_sites_frame(data_key: str, sites: tuple[Site, ...], _layers: Layers) -> gpd.GeoDataFrame:
    """The session's sites with their lead municipality (point-in-polygon), per data state."""
    return sites_frame(list(sites), _layers.municipalities)


@st.cache_resource(show_spinner=False, max_entries=DATA_STATES, ttl=DATA_TTL)
def cached_town_points(data_key: str, _layers: Layers) -> gpd.GeoDataFrame:
    """Towns for the 'add a town' form (EPSG:4326, by name), per data state."""
    return to_crs(_layers.towns, CRS_DISPLAY).sort_values("name")


@st.cache_data(show_spinner=False, max_entries=DATA_STATES, ttl=DATA_TTL)
def cached_town_candidates(data_key: str, _layers: Layers) -> pd.DataFrame:
    """K17 towns as location-allocation candidates, per data state."""
    from geo.decide.suggest import town_candidates  # optional: loads with the suggestion tab

    return town_candidates(_layers)


@st.cache_data(show_spinner=False, max_entries=500, ttl=DATA_TTL)
def cached_fairness(data_key: str, codes: tuple[str, ...] | None, method: str, x: float, y: float,
                    _ctx: indicators.IndicatorContext) -> pd.DataFrame:
    """Per-municipality fairness of one site, per data state, cluster and method."""
    return fairness_table(_ctx, (x, y))
