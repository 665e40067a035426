"""Fetch the official sources and write a new local snapshot (``refresh(...)``).

The CLI (``python -m geo refresh``, geo/cli/refresh.py) and the app's *Opdater data* button
both call `refresh` with plain arguments. Layers are fetched one by one. Each layer that succeeds
replaces its counterpart of the current snapshot (or the embedded default); each that fails
keeps its last good data and prints ONE Danish line naming the source and what to do.
Before fetching, every source's host is probed with a short connect timeout, so a machine
without network fails fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from geo.data.addresses import Placer, read_postcode_areas
from geo.data.clusters import parse_codes
from geo.data.provenance import Provenance
from geo.data.snapshot import read_snapshot_layers, remove_stale_tmp, write_snapshot
from geo.data.sources import cvr_es, dagi, geocode, osm, statbank
from geo.data.sources._http import HttpClient, endpoint, get_secret, probe
from geo.data.sources.embedded import load_default
from geo.errors import KlyngestedError, SourceError
from geo.settings import K17_CODES, ROADS_DENMARK_BBOX_LONLAT, ROADS_FILE, ROADS_REGION_BBOX_LONLAT

LAYERS = ("boundaries", "population", "companies", "institutions", "stations", "roads")
#: `roads` builds the drive graph (data/roads.npz); it runs only when asked for with --only.
DEFAULT_LAYERS = ("boundaries", "population", "companies", "institutions", "stations")
DEFAULT_REGION = "1085"
PROBE_TIMEOUT_S = 3.0

@dataclass
class Step:
    """One layer to refresh: where it talks to (for the probe) and how to run it."""

    layer: str
    source_da: str
    urls: tuple[str, ...]
    run: Callable[[], None]


class _State:
    """Frames, provenance and notes being assembled into the new snapshot."""

    def __init__(self, frames: dict[str, gpd.GeoDataFrame], provenance: dict[str, Provenance]):
        self.frames = frames
        self.provenance = provenance
        self.notes: list[str] = []
        self.changed: set[str] = set()
        self.population: dict[str, int] | None = None
        self.population_prov: Provenance | None = None

    def set(self, name: str, gdf: gpd.GeoDataFrame, prov: Provenance,
            notes: tuple[str, ...] = ()) -> None:
        self.frames[name] = gdf
        self.provenance[name] = prov
        self.notes.extend(notes)
        self.changed.add(name)


def parse_only(layers: str | Iterable[str] | None) -> tuple[str, ...]:
    """'boundaries, stations' (or a list) -> ('boundaries', 'stations') in run order.

    None means the default layers. Raises SourceError for an unknown or empty list.
    """
    if layers is None:
        return DEFAULT_LAYERS
    text = layers if isinstance(layers, str) else ",".join(layers)
    names = [t.strip().lower() for t in text.replace(";", ",").split(",") if t.strip()]
    bad = [n for n in names if n not in LAYERS]
    if bad or not names:
        raise SourceError(f"Ukendt lag i --only: {', '.join(bad) or '(tom)'}. Gyldige: "
                          f"{', '.join(LAYERS)}.", f"Unknown layer in --only: {bad}.")
    return tuple(n for n in LAYERS if n in names)


def _base_state(root: Path | None) -> _State:
    """The current snapshot's layers if readable, else the embedded default."""

    default = load_default()
    frames = {n: getattr(default, n) for n in ("municipalities", "workplaces", "institutions",
                                               "stations", "towns")}
    provenance = dict(default.provenance)
    try:
        snap_frames, snap_prov, _ = read_snapshot_layers(None, root)
        for name, gdf in snap_frames.items():
            if name in snap_prov:
                frames[name] = gdf
                provenance[name] = snap_prov[name]
    except KlyngestedError:
        pass
    return _State(frames, provenance)


def _region_codes(state: _State, region: str | None) -> tuple[str, ...] | None:
    if region is None:
        return None
    munis = state.frames["municipalities"]
    if "regionskode" in munis and munis["regionskode"].notna().any():
        codes = tuple(munis.loc[munis["regionskode"] == region.zfill(4), "kommunekode"])
        if codes:
            return codes
    if region.zfill(4) == DEFAULT_REGION:
        return K17_CODES
    raise SourceError(f"Regionskode {region} kræver kommunegrænser med region (hent først "
                      f"'boundaries' med {dagi.ENV_KEY}), eller brug --region 1085.",
                      f"Region {region} needs DAGI boundaries with regions.")


def _with_population(prov: Provenance, pop: Provenance | None) -> Provenance:
    if pop is None:
        return prov
    return replace(prov, source=f"{prov.source}; befolkning: {pop.source}",
                   method=f"{prov.method} Befolkning: {pop.method}")


@dataclass(frozen=True)
class Request:
    """What to refresh, as plain values (see `refresh`)."""

    layers: tuple[str, ...] = DEFAULT_LAYERS
    region: str | None = DEFAULT_REGION
    pbf: Path | None = None
    postcodes: Path | None = None
    codes: str | None = None
    snapshot_dir: Path | None = None
    roads_out: Path = ROADS_FILE

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The road graph's extent: Region Sjælland with a margin, or Denmark for 'alle'."""
        return ROADS_REGION_BBOX_LONLAT if self.region == DEFAULT_REGION else ROADS_DENMARK_BBOX_LONLAT


def normalise_region(region: str | None) -> str | None:
    """'1085' -> '1085'; None, '', 'alle', 'all' -> None (the whole country)."""
    text = str(region or "").strip().lower()
    return None if text in ("alle", "all", "") else text.zfill(4)


def build_steps(request: Request, state: _State, client: HttpClient,
                secrets: Mapping[str, Any] | None = None) -> list[Step]:
    """The steps for the requested layers, in dependency order."""
    only, region = request.layers, request.region
    overpass_url = endpoint("overpass", osm.DEFAULT_URL)
    steps: list[Step] = []

    def population() -> None:
        pop, prov = statbank.fetch_population(client)
        state.population, state.population_prov = pop, prov
        munis = state.frames["municipalities"].copy()
        munis["population"] = munis["kommunekode"].map(pop).astype("float64")
        missing = int(munis["population"].isna().sum())
        notes = (f"Befolkning: {prov.source}, {len(pop)} kommuner"
                 + (f"; {missing} kommuner i laget uden tal." if missing else "."),)
        base = state.provenance["municipalities"]
        base = replace(base, source=base.source.split("; befolkning:")[0],
                       method=base.method.split(" Befolkning:")[0])
        state.set("municipalities", munis, _with_population(base, prov), notes)

    def boundaries() -> None:
        pop = state.population or {
            k: int(v) for k, v in zip(state.frames["municipalities"]["kommunekode"],
                                      state.frames["municipalities"]["population"])
            if pd.notna(v)}
        codes = K17_CODES if region == DEFAULT_REGION else None
        gdf, prov, notes = dagi.fetch_municipalities(client, region=region, only_codes=codes,
                                                     population=pop, secrets=secrets)
        state.set("municipalities", gdf, _with_population(prov, state.population_prov), notes)

    def companies() -> None:
        codes = _region_codes(state, region)
        postcodes = read_postcode_areas(request.postcodes) if request.postcodes else None
        placer = Placer(postcodes, state.frames["towns"])
        prefixes = parse_codes(request.codes) if request.codes else None
        gdf, prov, notes = cvr_es.fetch_workplaces(client, placer, codes, prefixes, secrets)
        state.set("workplaces", gdf, prov, notes)

    def institutions() -> None:
        codes = _region_codes(state, region)
        gdf, prov, notes = osm.fetch_institutions(client, state.frames["municipalities"], codes)
        state.set("institutions", gdf, prov, notes)

    def stations() -> None:
        codes = _region_codes(state, region)
        gdf, prov, notes = osm.fetch_stations(client, state.frames["municipalities"], codes)
        state.set("stations", gdf, prov, notes)

    def roads() -> None:
        from geo.data.sources.osm_roads import build_roads  # optional: loads scipy

        graph = build_roads(request.pbf, request.bbox, request.roads_out)
        state.notes.append(f"Vejnet: {graph.n_nodes} knuder, {graph.n_edges} kanter gemt i "
                           f"{request.roads_out}")

    has_dagi_key = bool(get_secret(dagi.ENV_KEY, secrets))
    has_cvr = cvr_es.credentials(secrets) is not None
    has_token = bool(get_secret(geocode.ENV_TOKEN, secrets))
    table: dict[str, tuple[str, tuple[str, ...], Callable[[], None]]] = {
        "population": (statbank.SOURCE_DA, (endpoint("statbank", statbank.DEFAULT_URL),),
                       population),
        "boundaries": (dagi.SOURCE_DA if has_dagi_key
                       else "OpenStreetMap/Overpass (kommunegrænser)",
                       (endpoint("dagi", dagi.DEFAULT_URL) if has_dagi_key else overpass_url,),
                       boundaries),
        "companies": (cvr_es.SOURCE_DA,
                      (endpoint("cvr", cvr_es.DEFAULT_URL),
                       endpoint("gsearch", geocode.GSEARCH_URL) if has_token
                       else endpoint("nominatim", geocode.NOMINATIM_URL)) if has_cvr else (),
                      companies),
        "institutions": ("OpenStreetMap/Overpass (institutioner)", (overpass_url,), institutions),
        "stations": ("OpenStreetMap/Overpass (stationer)", (overpass_url,), stations),
        "roads": ("OpenStreetMap (vejnet)", () if request.pbf else (overpass_url,), roads),
    }
    for name in ("population", "boundaries", "companies", "institutions", "stations", "roads"):
        if name in only:
            source, urls, run = table[name]
            steps.append(Step(name, source, urls, run))
    return steps


def _probe_all(steps: list[Step]) -> dict[str, str]:
    """Host -> Danish reason for every host that cannot be reached quickly."""
    down: dict[str, str] = {}
    checked: set[str] = set()
    for step in steps:
        for url in step.urls:
            host = urlsplit(url).netloc
            if host in checked:
                continue
            checked.add(host)
            if not probe(url, PROBE_TIMEOUT_S):
                down[host] = host
    return down


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: the new snapshot (if any), one Danish line per layer, and notes."""

    snapshot: Path | None
    updated: tuple[str, ...]
    failures: tuple[str, ...]
    notes: tuple[str, ...]
    #: (layer, 'ok' or the Danish failure line), in run order.
    per_layer: tuple[tuple[str, str], ...] = ()


def refresh(
    layers: str | Iterable[str] | None = None,
    region: str | None = DEFAULT_REGION,
    pbf: str | Path | None = None,
    postcodes: str | Path | None = None,
    codes: str | None = None,
    *,
    snapshot_dir: str | Path | None = None,
    roads_out: str | Path | None = None,
    use_cache: bool = True,
    secrets: Mapping[str, Any] | None = None,
    client: HttpClient | None = None,
    on_step: Callable[[int, int, str], None] | None = None,
) -> RefreshResult:
    """Fetch the requested layers and write a new snapshot; the last good one stays on failure.

    Parameters
    ----------
    layers : names from `LAYERS` (list or comma text); None = `DEFAULT_LAYERS`.
    region : region code ('1085' = Region Sjælland) or 'alle' for the whole country.
    pbf : OSM file for the road graph (``roads``); without it Overpass is used.
    postcodes : postcode areas (GeoJSON) to place CVR addresses that cannot be geocoded.
    codes : industry codes for the CVR extract, e.g. '62, 71.12' (None = all).
    snapshot_dir, roads_out : where the snapshot and the road graph are written.
    use_cache : read answers from the HTTP cache (they are stored either way).
    secrets : keys, e.g. from Streamlit secrets (the environment is read too).
    client : an HTTP client (tests); on_step : ``on_step(done, total, layer)`` for progress.

    Raises
    ------
    SourceError
        An unknown layer name or region.
    """
    request = Request(parse_only(layers), normalise_region(region),
                      Path(pbf) if pbf else None, Path(postcodes) if postcodes else None,
                      codes, Path(snapshot_dir) if snapshot_dir else None,
                      Path(roads_out) if roads_out else ROADS_FILE)
    client = client or HttpClient(use_cache=use_cache)
    remove_stale_tmp(request.snapshot_dir)  # what a killed refresh left behind
    state = _base_state(request.snapshot_dir)
    steps = build_steps(request, state, client, secrets)
    down = _probe_all(steps)
    per_layer = [(step.layer, _run_step(step, down, client, on_step, done, len(steps)))
                 for done, step in enumerate(steps)]
    if on_step:
        on_step(len(steps), len(steps), "")
    failures = [f"{layer}: {line}" for layer, line in per_layer if line != "ok"]
    snapshot_layers = state.changed - {"roads"}
    path: Path | None = None
    if snapshot_layers:
        try:
            path = write_snapshot(state.frames, state.provenance, request.snapshot_dir,
                                  notes=tuple(state.notes))
        except KlyngestedError as err:
            failures.append(f"snapshot: {err.message_da}")
    return RefreshResult(
        snapshot=path,
        updated=tuple(sorted(snapshot_layers)) if path else (),
        failures=tuple(failures),
        notes=tuple(client.redact(n) for n in state.notes),
        per_layer=tuple(per_layer),
    )


def _run_step(step: Step, down: dict[str, str], client: HttpClient,
              on_step: Callable[[int, int, str], None] | None, done: int, total: int) -> str:
    """Run one step; 'ok' or one redacted Danish line saying why it failed."""
    if on_step:
        on_step(done, total, step.layer)
    hosts = list(dict.fromkeys(urlsplit(u).netloc for u in step.urls
                               if urlsplit(u).netloc in down))
    if hosts:
        return (f"{step.source_da} kan ikke nås ({', '.join(hosts)}) – intet netværk eller "
                "tjenesten er nede. De sidste gode data beholdes.")
    try:
        step.run()
    except KlyngestedError as err:
        return client.redact(err.message_da)
    except OSError as err:
        return (f"{step.source_da} – fil- eller netværksfejl ({client.redact(str(err))}). "
                "De sidste gode data beholdes.")
    return "ok"
