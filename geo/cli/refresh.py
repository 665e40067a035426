"""``python -m geo refresh``: parse the options and call `geo.data.refresh.refresh`.

A progress bar on stderr, one Danish line per failed source; exit code 0 when every
requested source succeeded, else 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geo.data.refresh import DEFAULT_LAYERS, DEFAULT_REGION, LAYERS, parse_only, refresh
from geo.data.sources import cvr_es, dagi, geocode, osm, statbank
from geo.data.sources._http import ENV_CACHE_DIR, ENV_CONTACT, HttpClient
from geo.errors import SourceError
from geo.settings import ROADS_FILE

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
    parser.add_argument("--snapshot-dir", type=Path, default=None,
                        help="snapshotmappe (ellers KLYNGESTED_SNAPSHOT_DIR eller standard)")
    parser.add_argument("--region", default=DEFAULT_REGION,
                        help="regionskode, fx 1085 (Region Sjælland); 'alle' for hele landet")
    parser.add_argument("--codes", default=None,
                        help="branchekoder for CVR-udtrækket, fx '62,7112' (standard: alle)")
    parser.add_argument("--postcodes", type=Path, default=None,
                        help="postnummerområder (GeoJSON) til placering af uplacerede adresser")
    parser.add_argument("--pbf", type=Path, default=None,
                        help="OSM-fil til vejnettet (.osm.pbf fra Geofabrik eller .osm); "
                             "ellers Overpass. Med --region alle: hele landet")
    parser.add_argument("--roads-out", type=Path, default=ROADS_FILE,
                        help=f"hvor vejnettet gemmes (standard {ROADS_FILE})")
    parser.add_argument("--no-cache", action="store_true",
                        help="læs ikke fra HTTP-cachen (svar gemmes stadig)")
    parser.add_argument("--no-progress", action="store_true", help="ingen statuslinje")
    parser.set_defaults(func=run_refresh)
    return parser


def run_refresh(args: argparse.Namespace, secrets: Mapping[str, Any] | None = None,
                client: HttpClient | None = None) -> int:
    """Run the refresh with a progress bar; one Danish line per failed source; 0 or 2."""
    try:
        total = len(parse_only(args.only))
    except SourceError as err:
        sys.stderr.write(f"klyngested: {err.message_da}\n")
        return 2
    progress = _progress(total, disabled=args.no_progress)

    def on_step(done: int, _total: int, layer: str) -> None:
        progress.set_description(layer)
        if done:
            progress.update(1)

    result = refresh(args.only, args.region, args.pbf, args.postcodes, args.codes,
                     snapshot_dir=args.snapshot_dir, roads_out=args.roads_out,
                     use_cache=not args.no_cache, secrets=secrets, client=client,
                     on_step=on_step)
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
