"""Versioned local snapshots of the layers, written atomically, for offline meetings.

Layout under the snapshot root (``~/.local/share/klyngested/snapshots`` or
``$KLYNGESTED_SNAPSHOT_DIR``)::

    <root>/20260904T101530Z/municipalities.parquet   one GeoParquet per layer
    <root>/20260904T101530Z/manifest.json            schema version, created, provenance,
                                                     row counts, notes, sha256 per file
    <root>/current                                   text file naming the current snapshot

A snapshot is first written to ``<root>/.tmp-…``; only when every file and the manifest are
written and fsynced is the folder renamed into place (``os.replace``), and then the
``current`` pointer is replaced the same way. A failure at any point (an exception in a
layer write, a full disk) removes the temporary folder and leaves every earlier snapshot and
the pointer byte-identical. Keys are never written: provenance holds URLs without secrets.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.data.bundle import LAYER_SCHEMAS, Layers
from geo.data.provenance import QUALITY_DA, Provenance
from geo.data.sources.embedded import load_default
from geo.errors import KlyngestedError

SCHEMA_VERSION = 1
ENV_SNAPSHOT_DIR = "KLYNGESTED_SNAPSHOT_DIR"
DEFAULT_SNAPSHOT_DIR = Path("~/.local/share/klyngested/snapshots")
MANIFEST = "manifest.json"
CURRENT = "current"
LAYER_FORMAT = "geoparquet"
#: The only shape of a snapshot id (what `_new_id` makes): a UTC stamp, maybe "-n".
SNAPSHOT_ID = re.compile(r"^\d{8}T\d{6}Z(?:-\d{1,4})?$")
#: A temporary folder or pointer file older than this is left from a killed refresh.
STALE_TMP_S = 3600.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PROVENANCE_FIELDS = frozenset(f.name for f in fields(Provenance))


class SnapshotError(KlyngestedError):
    """A snapshot could not be written, found, verified or read."""


def snapshot_root(root: str | os.PathLike | None = None) -> Path:
    """The snapshot folder: the argument, $KLYNGESTED_SNAPSHOT_DIR, or the default."""
    if root is not None:
        return Path(root).expanduser()
    value = os.environ.get(ENV_SNAPSHOT_DIR, "").strip()
    return Path(value).expanduser() if value else DEFAULT_SNAPSHOT_DIR.expanduser()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write one layer as GeoParquet (the single place a layer file is written; tests patch it)."""
    gdf.to_parquet(path, index=False)


def _new_id(root: Path) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = stamp, 1
    while (root / candidate).exists():
        n += 1
        candidate = f"{stamp}-{n}"
    return candidate


def _write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _disk_error(exc: OSError, root: Path) -> SnapshotError:
    if exc.errno == errno.ENOSPC:
        return SnapshotError(
            f"Snapshot kunne ikke gemmes: disken er fuld ({root}). Den forrige snapshot er "
            "uændret og bruges stadig. Frigør plads, og prøv igen.",
            f"Snapshot not written: disk full ({root}); the previous snapshot is unchanged.",
        )
    return SnapshotError(
        f"Snapshot kunne ikke gemmes i {root} ({exc.strerror or exc}). Den forrige snapshot er "
        "uændret og bruges stadig.",
        f"Snapshot not written in {root}: {exc}; the previous snapshot is unchanged.",
    )


def write_snapshot(
    layers: Mapping[str, gpd.GeoDataFrame],
    provenance: Mapping[str, Provenance],
    root: str | os.PathLike | None = None,
    notes: tuple[str, ...] = (),
    extra: Mapping[str, Any] | None = None,
    make_current: bool = True,
) -> Path:
    """Write a new snapshot atomically and (by default) make it current; returns its folder.

    Raises
    ------
    SnapshotError
        Disk full or any other write failure; earlier snapshots are untouched.
    """
    base = snapshot_root(root)
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_error(exc, base) from exc
    remove_stale_tmp(base)
    snap_id = _new_id(base)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{snap_id}-", dir=base))
    try:
        files: dict[str, dict[str, Any]] = {}
        for name, gdf in layers.items():
            if name not in LAYER_SCHEMAS:
                raise ValueError(f"unknown layer {name!r}")
            path = tmp / f"{name}.parquet"
            write_layer(gdf, path)
            _fsync(path)
            files[name] = {"file": path.name, "sha256": _sha256(path), "rows": len(gdf),
                           "format": LAYER_FORMAT}
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "id": snap_id,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "layers": files,
            "provenance": {k: asdict(v) for k, v in provenance.items()},
            "notes": list(notes),
            **({"extra": dict(extra)} if extra else {}),
        }
        _write_text_atomic(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        final = base / snap_id
        os.replace(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _disk_error(exc, base) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if make_current:
        try:
            _write_text_atomic(base / CURRENT, snap_id + "\n")
        except OSError as exc:
            raise _disk_error(exc, base) from exc
    return final


def remove_stale_tmp(root: str | os.PathLike | None = None, max_age_s: float = STALE_TMP_S) -> list[str]:
    """Remove what a killed refresh left: ``.tmp-*`` folders and ``.current.*`` files.

    Only entries untouched for `max_age_s` go (a refresh writes its temporary folder in
    seconds, after all fetching), so a refresh running in parallel keeps its own. Returns
    the names removed.
    """
    base = snapshot_root(root)
    removed: list[str] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    cutoff = time.time() - max_age_s
    for entry in entries:
        if not entry.name.startswith((".tmp-", f".{CURRENT}.")):
            continue
        try:
            if entry.lstat().st_mtime > cutoff:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue  # another process removed it, or no permission: not our business now
        removed.append(entry.name)
    return removed


def list_snapshots(root: str | os.PathLike | None = None) -> list[str]:
    """Ids of complete snapshots (with a manifest), oldest first."""
    base = snapshot_root(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir()
                  if is_snapshot_id(p.name) and p.is_dir() and (p / MANIFEST).is_file())


def is_snapshot_id(value: object) -> bool:
    """True for text shaped like a snapshot id (a UTC stamp): no path can take this shape."""
    return isinstance(value, str) and SNAPSHOT_ID.fullmatch(value) is not None


def snapshot_by_id(snap_id: object, root: str | os.PathLike | None = None) -> Path:
    """The folder of a snapshot named by its id only, as listed in the snapshot root.

    This is how a scenario file (written by anyone) names its data: a path, ``..`` or any
    other text that is not an id of `list_snapshots` is refused.

    Raises
    ------
    SnapshotError
        Not an id, or no such snapshot in the root.
    """
    if not is_snapshot_id(snap_id):
        shown = str(snap_id)[:40].encode("unicode_escape").decode("ascii")
        raise SnapshotError(f"'{shown}' er ikke et snapshot-id (fx 20260904T101530Z); en "
                            "snapshot kan kun vælges ved sit id, ikke ved en sti.",
                            f"'{shown}' is not a snapshot id.")
    if snap_id not in list_snapshots(root):
        raise SnapshotError(f"Snapshot {snap_id} findes ikke i {snapshot_root(root)}. Kør "
                            "'python -m geo refresh' eller vælg en anden snapshot.",
                            f"No snapshot {snap_id}.")
    return snapshot_root(root) / str(snap_id)


def current_snapshot(root: str | os.PathLike | None = None) -> Path | None:
    """Folder of the current snapshot, or None if there is none."""
    base = snapshot_root(root)
    try:
        snap_id = (base / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = base / snap_id
    return path if is_snapshot_id(snap_id) and (path / MANIFEST).is_file() else None


def resolve(dir_or_id: str | os.PathLike | None = None,
            root: str | os.PathLike | None = None) -> Path:
    """A snapshot folder from a folder path, an id, a root (its current snapshot) or None.

    For the operator's own choices (CLI ``--data``, the app's snapshot root); a scenario's
    snapshot goes through `snapshot_by_id`.
    """
    if dir_or_id is not None:
        path = Path(dir_or_id).expanduser()
        if (path / MANIFEST).is_file():
            return path
        if (path / CURRENT).is_file():
            found = current_snapshot(path)
            if found is not None:
                return found
        if is_snapshot_id(str(dir_or_id)) and str(dir_or_id) in list_snapshots(root):
            return snapshot_root(root) / str(dir_or_id)
        raise SnapshotError(f"Snapshot findes ikke: {dir_or_id}. Kør 'python -m geo refresh' "
                            "eller angiv en mappe med manifest.json.",
                            f"No snapshot at {dir_or_id}.")
    found = current_snapshot(root)
    if found is None:
        raise SnapshotError(f"Der er ingen gemt snapshot i {snapshot_root(root)}. Kør "
                            "'python -m geo refresh'.", "No current snapshot.")
    return found


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a snapshot folder, checked for its schema version and shape."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SnapshotError(f"Snapshot {folder.name}: manifest.json kan ikke læses.",
                            f"Snapshot {folder.name}: unreadable manifest ({exc}).") from exc
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, a 5,000-digit number
        raise _bad_manifest(folder, "ikke gyldig JSON") from exc
    if not isinstance(manifest, dict):
        raise _bad_manifest(folder, "den skal være et JSON-objekt")
    if manifest.get("schema_version") != SCHEMA_VERSION:
        shown = str(manifest.get("schema_version"))[:20]
        raise SnapshotError(
            f"Snapshot {folder.name} har skemaversion {shown}, "
            f"forventet {SCHEMA_VERSION}. Kør 'python -m geo refresh' for en ny snapshot.",
            f"Snapshot {folder.name}: schema version mismatch.",
        )
    _check_manifest(manifest, folder)
    return manifest


def _bad_manifest(folder: Path, detail: str) -> SnapshotError:
    return SnapshotError(f"Snapshot {folder.name}: manifest.json har en uventet opbygning ({detail}). "
                         "Kør 'python -m geo refresh' eller vælg en anden snapshot.",
                         f"Snapshot {folder.name}: malformed manifest ({detail}).")


def _check_manifest(manifest: dict[str, Any], folder: Path) -> None:
    """Every field's type; layer files must be plain names inside the snapshot folder."""
    for key in ("id", "created"):
        if not isinstance(manifest.get(key, ""), str):
            raise _bad_manifest(folder, f"'{key}' skal være tekst")
    notes = manifest.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise _bad_manifest(folder, "'notes' skal være en liste af tekster")
    layers = manifest.get("layers", {})
    if not isinstance(layers, dict):
        raise _bad_manifest(folder, "'layers' skal være et objekt")
    inside = folder.resolve()
    for name, entry in layers.items():
        if name not in LAYER_SCHEMAS:
            raise _bad_manifest(folder, f"ukendt lag '{str(name)[:40]}'")
        if not (isinstance(entry, dict) and isinstance(entry.get("file"), str)
                and isinstance(entry.get("sha256"), str) and _SHA256.fullmatch(entry["sha256"])):
            raise _bad_manifest(folder, f"laget '{name}' skal have 'file' og 'sha256'")
        target = (folder / entry["file"]).resolve()
        if target.parent != inside or not target.is_relative_to(inside):
            raise _bad_manifest(folder, f"filen for '{name}' ligger uden for snapshotmappen")
    provenance = manifest.get("provenance", {})
    if not isinstance(provenance, dict) or not all(_is_provenance(v) for v in provenance.values()):
        raise _bad_manifest(folder, "'provenance' skal være et objekt med kilde, dato, metode og kvalitet")


def _is_provenance(value: object) -> bool:
    if not isinstance(value, dict) or not set(value) <= _PROVENANCE_FIELDS:
        return False
    required = _PROVENANCE_FIELDS - {"url"}
    return (required <= set(value) and all(isinstance(v, str) for v in value.values())
            and value["quality"] in QUALITY_DA)


def read_snapshot_layers(
    dir_or_id: str | os.PathLike | None = None, root: str | os.PathLike | None = None
) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, Provenance], dict[str, Any]]:
    """Layers present in a snapshot (checksums verified), their provenance and the manifest."""
    folder = resolve(dir_or_id, root)
    manifest = read_manifest(folder)
    frames: dict[str, gpd.GeoDataFrame] = {}
    for name, entry in (manifest.get("layers") or {}).items():
        path = folder / entry["file"]  # inside the folder: checked by read_manifest
        if not path.is_file():
            raise SnapshotError(f"Snapshot {folder.name}: filen {entry['file']} mangler.",
                                f"Snapshot {folder.name}: {entry['file']} missing.")
        if _sha256(path) != entry["sha256"]:
            raise SnapshotError(
                f"Snapshot {folder.name}: filen {entry['file']} er ændret eller beskadiget "
                "(kontrolsum passer ikke). Kør 'python -m geo refresh' eller vælg en ældre "
                "snapshot.", f"Snapshot {folder.name}: checksum mismatch for {entry['file']}.")
        try:
            frames[name] = gpd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise SnapshotError(f"Snapshot {folder.name}: {entry['file']} kan ikke læses ({exc}).",
                                f"Snapshot {folder.name}: cannot read {entry['file']}.") from exc
    provenance = {k: Provenance(**v) for k, v in (manifest.get("provenance") or {}).items()
                  if k in LAYER_SCHEMAS}
    return frames, provenance, manifest


def load_snapshot(dir_or_id: str | os.PathLike | None = None,
                  root: str | os.PathLike | None = None) -> Layers:
    """A validated Layers from a snapshot; missing layers come from the embedded default.

    Raises
    ------
    SnapshotError
        Not found, wrong schema version, checksum mismatch, unreadable file.
    InputFileError
        A layer breaks its column contract (via `Layers` validation).
    """

    frames, provenance, manifest = read_snapshot_layers(dir_or_id, root)
    default = load_default()
    created = str(manifest.get("created", ""))[:10]
    report = [f"Snapshot {manifest.get('id')} ({created})."]
    kwargs: dict[str, Any] = {}
    prov: dict[str, Provenance] = {}
    layer_notes: dict[str, tuple[str, ...]] = {}
    for name in LAYER_SCHEMAS:
        if name in frames and name in provenance:
            kwargs[name] = frames[name]
            prov[name] = provenance[name]
        else:
            kwargs[name] = getattr(default, name)
            base = default.provenance[name]
            prov[name] = replace(base, method=f"{base.method} (ikke i snapshot "
                                 f"{manifest.get('id')}; standarddata bruges)")
            layer_notes[name] = (f"{base.layer}: ikke i snapshot – standarddata bruges.",
                                 *default.layer_notes.get(name, ()))
    report.extend(str(n) for n in manifest.get("notes", []))
    return Layers(**kwargs, provenance=prov, report=tuple(report), layer_notes=layer_notes)


def snapshot_dates(dir_or_id: str | os.PathLike | None = None,
                   root: str | os.PathLike | None = None) -> dict[str, str]:
    """Layer -> date of its data, from the manifest (for the app's 'data per layer' view)."""
    manifest = read_manifest(resolve(dir_or_id, root))
    return {k: v.get("date", "") for k, v in (manifest.get("provenance") or {}).items()}
