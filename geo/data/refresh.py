"""``python -m geo refresh``: fetch the official sources and write a new local snapshot.

Layers are fetched one by one (with a progress bar on stderr). Each layer that succeeds
replaces its counterpart of the current snapshot (or the embedded default); each that fails
keeps its last good data and prints ONE Danish line naming the source and what to do.
Before fetching, every source's host is probed with a short connect timeout, so a machine
without network fails fast. Exit code 0 when every requested source succeeded, else 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
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
from geo.data.sources._http import (
    ENV_CACHE_DIR,
    ENV_CONTACT,
    HttpClient,
    endpoint,
    get_secret,
    probe,
)
from geo.data.sources.embedded import load_default
from geo.data.sources.osm_roads import add_roads_arguments, build_roads_command
from geo.errors import KlyngestedError, SourceError
from geo.settings import K17_CODES

LAYERS = ("boundaries", "population", "companies", "institutions", "stations", "roads")
#: `roads` builds the drive graph (data/roads.npz); it runs only when asked for with --only.
DEFAULT_LAYERS = ("boundaries", "population", "companies", "institutions", "stations")
DEFAULT_REGION = "1085"
PROBE_TIMEOUT_S = 3.0

SOURCES_HELP = f"""\
kilder (lag: kilde – nøgle – uden nøgle):
  boundaries    Datafordeleren GraphQL DAGI_Kommuneinddeling ({dagi.DEFAULT_URL})
                nøgle: {dagi.ENV_KEY}; uden nøgle: OpenStreetMap admin_level=7 via Overpass
                (omtrentlige grænser, mærket som sådan)
  population    Danmarks Statistik, Statistikbanken API FOLK1A, seneste kvartal
                ({statbank.DEFAULT_URL}/data) – ingen nøgle
  companies     CVR system-til-system Elasticsearch, produktionsenheder
                ({cvr_es.DEFAULT_URL}/cvr-permanent/produktionsenhed/_search)
                nøgler: {cvr_es.ENV_USER} og {cvr_es.ENV_PASSWORD}; uden nøgler: brug en
                CVR-eksport (.xlsx/.csv) med 'indicators --companies'
                geokodning: Dataforsyningen GSearch ({geocode.GSEARCH_URL})
                nøgle: {geocode.ENV_TOKEN}; uden nøgle: OpenStreetMap Nominatim (1 opslag/s),
                til sidst postnummer/by (mærket 'postcode'/'town')
  institutions  OpenStreetMap via Overpass ({osm.DEFAULT_URL}) + data/institutions.csv
  stations      OpenStreetMap via Overpass + data/stations.csv – ingen nøgle
  roads         vejnet fra OpenStreetMap (--pbf FIL eller Overpass) til --roads-out;
                kun med --only roads

miljøvariabler:
  {dagi.ENV_KEY}, {cvr_es.ENV_USER}, {cvr_es.ENV_PASSWORD}, {geocode.ENV_TOKEN}
                nøgler (kan også komme fra Streamlit secrets i appen); vises aldrig i
                beskeder, logfiler, cache eller snapshots
  KLYNGESTED_SNAPSHOT_DIR  snapshotmappe (standard ~/.local/share/klyngested/snapshots)
  {ENV_CACHE_DIR}     HTTP-cache (standard ~/.cache/klyngested/http)
  {ENV_CONTACT}       kontakt i User-Agent (fx e-mail; Nominatims brugsregler)
  KLYNGESTED_<KILDE>_URL   andet endpoint (DAGI, CVR, GSEARCH, NOMINATIM, STATBANK, OVERPASS),
                fx til test

afslutningskode: 0 alt hentet; 2 mindst én kilde fejlede (én dansk linje pr. kilde; de
sidste gode data beholdes).
"""


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


def add_refresh_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``refresh`` subcommand to an argparse subparsers object."""

    parser = subparsers.add_parser(
        "refresh", help="hent data fra de officielle kilder og gem en ny snapshot",
        description="Henter kommunegrænser, befolkning, arbejdssteder, institutioner og "
                    "stationer fra de officielle kilder og gemmer dem som en ny, versioneret "
                    "snapshot, der virker offline.",
        epilog=SOURCES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", default=",".join(DEFAULT_LAYERS),
                        help=f"kommaliste af lag: {','.join(LAYERS)} "
                             "(standard: alle undtagen roads)")
    parser.add_argument("--snapshot-dir", default=None,
                        help="snapshotmappe (ellers KLYNGESTED_SNAPSHOT_DIR eller standard)")
    parser.add_argument("--region", default=DEFAULT_REGION,
                        help="regionskode, fx 1085 (Region Sjælland); 'alle' for hele landet")
    parser.add_argument("--codes", default=None,
                        help="branchekoder for CVR-udtrækket, fx '62,7112' (standard: alle)")
    parser.add_argument("--postcodes", default=None,
                        help="postnummerområder (GeoJSON) til placering af uplacerede adresser")
    parser.add_argument("--no-cache", action="store_true",
                        help="læs ikke fra HTTP-cachen (svar gemmes stadig)")
    parser.add_argument("--no-progress", action="store_true", help="ingen statuslinje")
    add_roads_arguments(parser)
    parser.set_defaults(func=run_refresh)
    return parser


def parse_only(text: str) -> tuple[str, ...]:
    """'boundaries, stations' -> ('boundaries', 'stations') in run order; SourceError if unknown."""
    names = [t.strip().lower() for t in text.replace(";", ",").split(",") if t.strip()]
    bad = [n for n in names if n not in LAYERS]
    if bad or not names:
        raise SourceError(f"Ukendt lag i --only: {', '.join(bad) or '(tom)'}. Gyldige: "
                          f"{', '.join(LAYERS)}.", f"Unknown layer in --only: {bad}.")
    return tuple(n for n in LAYERS if n in names)


def _base_state(root: str | None) -> _State:
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


def build_steps(args: argparse.Namespace, state: _State, client: HttpClient,
                secrets: Mapping[str, Any] | None = None) -> list[Step]:
    """The steps for the requested layers, in dependency order."""
    only = parse_only(args.only)
    region = None if str(args.region).lower() in ("alle", "all", "") else str(args.region)
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
        postcodes = read_postcode_areas(args.postcodes) if args.postcodes else None
        placer = Placer(postcodes, state.frames["towns"])
        prefixes = None
        if args.codes:

            prefixes = parse_codes(args.codes)
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

        out = build_roads_command(args)
        state.notes.append(f"Vejnet gemt: {out}")

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
        "roads": ("OpenStreetMap (vejnet)", () if args.pbf else (overpass_url,), roads),
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
    """What a refresh did: the new snapshot (if any), one Danish line per failure, and notes."""

    snapshot: Path | None
    updated: tuple[str, ...]
    failures: tuple[str, ...]
    notes: tuple[str, ...]


def refresh(args: argparse.Namespace, secrets: Mapping[str, Any] | None = None,
            client: HttpClient | None = None,
            on_step: Callable[[int, int, str], None] | None = None) -> RefreshResult:
    """Fetch the requested layers and write a new snapshot; the last good one stays on failure.

    `on_step(done, total, layer)` reports progress (the CLI draws a tqdm bar, the app a
    Streamlit progress bar). Raises SourceError for an unknown layer name.
    """

    client = client or HttpClient(use_cache=not getattr(args, "no_cache", False))
    parse_only(args.only)
    remove_stale_tmp(args.snapshot_dir)  # what a killed refresh left behind
    state = _base_state(args.snapshot_dir)
    steps = build_steps(args, state, client, secrets)
    down = _probe_all(steps)
    failures: list[str] = []
    for done, step in enumerate(steps):
        if on_step:
            on_step(done, len(steps), step.layer)
        hosts = list(dict.fromkeys(urlsplit(u).netloc for u in step.urls
                                   if urlsplit(u).netloc in down))
        if hosts:
            failures.append(f"{step.layer}: {step.source_da} kan ikke nås "
                            f"({', '.join(hosts)}) – "
                            "intet netværk eller tjenesten er nede. De sidste gode data beholdes.")
        else:
            try:
                step.run()
            except KlyngestedError as err:
                failures.append(f"{step.layer}: {client.redact(err.message_da)}")
            except OSError as err:
                failures.append(f"{step.layer}: {step.source_da} – fil- eller netværksfejl "
                                f"({client.redact(str(err))}). De sidste gode data beholdes.")
    if on_step:
        on_step(len(steps), len(steps), "")
    snapshot_layers = state.changed - {"roads"}
    path: Path | None = None
    if snapshot_layers:
        try:
            path = write_snapshot(state.frames, state.provenance, args.snapshot_dir,
                                  notes=tuple(state.notes))
        except KlyngestedError as err:
            failures.append(f"snapshot: {err.message_da}")
    return RefreshResult(
        snapshot=path,
        updated=tuple(sorted(snapshot_layers)) if path else (),
        failures=tuple(failures),
        notes=tuple(client.redact(n) for n in state.notes),
    )


def run_refresh(args: argparse.Namespace, secrets: Mapping[str, Any] | None = None,
                client: HttpClient | None = None) -> int:
    """CLI: run the refresh with a progress bar; one Danish line per failed source; 0 or 2."""
    try:
        parse_only(args.only)
    except SourceError as err:
        sys.stderr.write(f"klyngested: {err.message_da}\n")
        return 2
    progress = _progress(len(parse_only(args.only)), disabled=getattr(args, "no_progress", False))

    def on_step(done: int, total: int, layer: str) -> None:
        progress.set_description(layer)
        if done:
            progress.update(1)

    result = refresh(args, secrets, client, on_step)
    progress.close()
    if result.snapshot is not None:
        sys.stderr.write(f"klyngested: snapshot gemt: {result.snapshot} "
                         f"(opdateret: {', '.join(result.updated)})\n")
    for line in (*result.notes, *result.failures):
        sys.stderr.write(f"klyngested: {line}\n")
    return 2 if result.failures else 0


class _NoProgress:
    def set_description(self, _: str) -> None:
        pass

    def update(self, _: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, disabled: bool) -> Any:
    """A tqdm bar on stderr; a no-op when disabled, not a terminal, or tqdm is missing."""
    if disabled or total == 0 or not sys.stderr.isatty():
        return _NoProgress()
    try:
        from tqdm import tqdm  # optional: CLI progress bar only
    except ImportError:  # pragma: no cover - tqdm is in requirements
        return _NoProgress()
    return tqdm(total=total, unit="lag", file=sys.stderr, leave=False)
