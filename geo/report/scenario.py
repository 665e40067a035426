"""Saved scenarios: sites, cluster and codes, weights, thresholds, method, snapshot, case texts.

A scenario is JSON with a ``schema_version``. Loading validates every field and refuses
malformed or hostile files with a Danish `InputFileError` (wrong types, missing keys, files
over 5 MB, more than 200 sites, NaN/Infinity, deep nesting). A compact form of the sites
and weights travels in a shareable URL query (`to_query_params` / `from_query_params`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.data.sites import MAX_SITES, Site, clean_name, clean_sites, in_denmark
from geo.data.snapshot import read_manifest, resolve
from geo.decide.weights import MAX_WEIGHT
from geo.errors import InputFileError
from geo.reach.criteria import CRITERIA
from geo.settings import THRESHOLDS_MIN

SCHEMA_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 200
MAX_TEXT = 20_000
MAX_THRESHOLDS = 8
METHODS = ("estimate", "network")
#: Where the data came from: the embedded demo, a refreshed snapshot, the data folder, uploads.
DATA_SOURCES = ("default", "snapshot", "folder", "upload")
REQUIRED = ("schema_version", "sites", "method", "thresholds")
#: Longest number literal read from a scenario file (characters; '55.2345678901' is 13).
MAX_NUMBER_CHARS = 40
#: Longest query value read (characters); longer values are cut before parsing.
MAX_QUERY = 40_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"^\d{2,6}$")
_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")


@dataclass
class Scenario:
    """Everything needed to reproduce an analysis, as saved to JSON."""

    sites: list[Site]
    name: str = "Scenarie"
    created: str = ""
    cluster_id: str | None = None
    codes: tuple[str, ...] | None = None
    weights: dict[str, float] | None = None
    thresholds: tuple[int, ...] = THRESHOLDS_MIN
    method: str = "estimate"
    snapshot_id: str = "standard"
    snapshot_date: str = ""
    #: Layer -> date of its data when the scenario was made (to tell what changed).
    layer_dates: dict[str, str] = field(default_factory=dict)
    #: Criterion id -> the lead municipality's free text.
    case_texts: dict[str, str] = field(default_factory=dict)
    case_site: str | None = None
    #: The data mode the scenario was made in (one of DATA_SOURCES; '' = not recorded).
    data_source: str = ""

    def __post_init__(self) -> None:
        if not self.created:
            self.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary with ``schema_version`` first."""
        return {
            "schema_version": SCHEMA_VERSION,
            "name": self.name,
            "created": self.created,
            "sites": [{"name": s.name, "lat": round(float(s.lat), 6), "lon": round(float(s.lon), 6)} for s in self.sites],
            "cluster_id": self.cluster_id,
            "codes": list(self.codes) if self.codes is not None else None,
            "weights": dict(self.weights) if self.weights is not None else None,
            "thresholds": list(self.thresholds),
            "method": self.method,
            "snapshot_id": self.snapshot_id,
            "snapshot_date": self.snapshot_date,
            "layer_dates": dict(self.layer_dates),
            "case_texts": dict(self.case_texts),
            "case_site": self.case_site,
            "data_source": self.data_source,
        }

    def to_json(self) -> str:
        """Pretty UTF-8 JSON (Danish letters kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


# ---- save / load ----------------------------------------------------------------------------


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write the scenario as JSON (validated first, so a saved file always loads)."""
    text = scenario.to_json()
    scenario_from_dict(json.loads(text))
    Path(path).write_text(text + "\n", encoding="utf-8")


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file; Danish `InputFileError` on any problem."""
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"Scenariefilen findes ikke: {p}", f"No such scenario file: {p}")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise _too_big(size)
    return scenario_from_json(p.read_bytes())


def scenario_from_json(data: bytes | str) -> Scenario:
    """Parse and validate scenario JSON text or bytes (e.g. an upload)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise _too_big(len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError("Scenariefilen er ikke UTF-8-tekst.", "The scenario file is not UTF-8 text.") from None
    if not text.strip():
        raise InputFileError("Scenariefilen er tom.", "The scenario file is empty.")
    try:
        obj = json.loads(text, parse_constant=_reject_constant, parse_int=_bounded_int, parse_float=_bounded_float)
    except json.JSONDecodeError as err:
        raise InputFileError(f"Scenariefilen er ikke gyldig JSON (linje {err.lineno}, kolonne {err.colno}).",
                             f"Invalid JSON at line {err.lineno}.") from None
    except RecursionError:
        raise InputFileError("Scenariefilen er for dybt indlejret til at være et scenarie.",
                             "The scenario file is nested too deeply.") from None
    except ValueError:  # any other conversion limit of the parser
        raise InputFileError("Scenariefilen indeholder et tal, der ikke kan læses.",
                             "The scenario file holds an unreadable number.") from None
    return scenario_from_dict(obj)


def scenario_from_dict(obj: object) -> Scenario:
    """Validate a decoded JSON object into a `Scenario`."""
    if not isinstance(obj, dict):
        raise InputFileError("Scenariefilen skal indeholde et JSON-objekt ({…}).", "The file must hold a JSON object.")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise InputFileError(f"Scenariefilen mangler feltet/felterne: {', '.join(missing)}.",
                             f"The scenario lacks: {', '.join(missing)}.")
    version = obj["schema_version"]
    if not _is_int(version):
        raise InputFileError("Feltet 'schema_version' skal være et helt tal.", "schema_version must be an integer.")
    if version != SCHEMA_VERSION:
        raise InputFileError(
            f"Scenariet har skemaversion {version}; denne version af Klyngested læser version {SCHEMA_VERSION}.",
            f"Scenario schema version {version}; expected {SCHEMA_VERSION}.")
    sites = _sites(obj["sites"])
    method = obj["method"]
    if method not in METHODS:
        raise InputFileError(f"Feltet 'method' skal være 'estimate' eller 'network', ikke {_show(method)}.",
                             "method must be 'estimate' or 'network'.")
    return Scenario(
        sites=sites,
        name=_text(obj.get("name", "Scenarie"), "name", MAX_NAME) or "Scenarie",
        created=_text(obj.get("created", ""), "created", 40),
        cluster_id=_cluster_id(obj.get("cluster_id")),
        codes=_codes(obj.get("codes")),
        weights=_weights(obj.get("weights")),
        thresholds=_thresholds(obj["thresholds"]),
        method=method,
        snapshot_id=_text(obj.get("snapshot_id", "standard"), "snapshot_id", 100) or "standard",
        snapshot_date=_text(obj.get("snapshot_date", ""), "snapshot_date", 40),
        layer_dates=_str_map(obj.get("layer_dates", {}), "layer_dates", None, 100),
        case_texts=_str_map(obj.get("case_texts", {}), "case_texts", set(CRITERIA), MAX_TEXT),
        case_site=_text(obj["case_site"], "case_site", MAX_NAME) if obj.get("case_site") is not None else None,
        data_source=obj.get("data_source") if obj.get("data_source") in DATA_SOURCES else "",
    )


# ---- snapshot ---------------------------------------------------------------------------------


def snapshot_info(data: str | os.PathLike | None = None) -> tuple[str, str]:
    """(id, date) of the data in use: a snapshot's manifest, or ('standard', '') for the embedded data."""
    if data is None:
        return "standard", ""

    manifest = read_manifest(resolve(data))
    return str(manifest.get("id", Path(str(data)).name)), str(manifest.get("created", ""))[:10]


def layer_dates(layers: Any) -> dict[str, str]:
    """Layer -> date of its data (from provenance), stored in a scenario to tell what changed."""
    return {name: str(p.date) for name, p in layers.provenance.items()}


def diff_snapshot(
    scenario: Scenario,
    current_snapshot_id: str,
    current_date: str,
    current_layer_dates: Mapping[str, str] | None = None,
) -> list[str]:
    """Danish warnings when the scenario was made on another data snapshot (empty when same)."""
    same_id = scenario.snapshot_id == current_snapshot_id
    same_date = not scenario.snapshot_date or not current_date or scenario.snapshot_date == current_date
    out: list[str] = []
    if not (same_id and same_date):
        then = scenario.snapshot_id + (f" ({scenario.snapshot_date})" if scenario.snapshot_date else "")
        now = current_snapshot_id + (f" ({current_date})" if current_date else "")
        out.append(f"Scenariet blev lavet på datasnapshot {then}, men nu bruges {now}. "
                   "Tallene kan afvige fra dem, der blev vist, da scenariet blev gemt.")
    if current_layer_dates is not None and scenario.layer_dates:
        for layer, old in scenario.layer_dates.items():
            new = current_layer_dates.get(layer)
            if new is None:
                out.append(f"Laget '{layer}' findes ikke i de nuværende data.")
            elif new != old:
                out.append(f"Laget '{layer}' er ændret: data fra {old} → {new}.")
    return out


# ---- shareable link -------------------------------------------------------------------------


def to_query_params(scenario: Scenario) -> dict[str, str]:
    """Compact URL query: s=Navn~lat~lon|…, w=value:30,…, c=cluster, m=method, d=data source."""
    params = {"s": "|".join(f"{_url_name(s.name)}~{_num(s.lat, 5)}~{_num(s.lon, 5)}" for s in scenario.sites)}
    if scenario.weights:
        params["w"] = ",".join(f"{k}:{_num(v, 1)}" for k, v in scenario.weights.items())
    if scenario.cluster_id:
        params["c"] = scenario.cluster_id
    if scenario.method != "estimate":
        params["m"] = scenario.method
    if scenario.data_source:
        params["d"] = scenario.data_source
    return params


def from_query_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Partial scenario from a URL query; never raises.

    Returns only the keys found among ``sites`` (list of Site), ``weights``, ``cluster_id``,
    ``method`` and ``data_source``, plus ``notes``: Danish lines about anything ignored.
    """
    out: dict[str, Any] = {}
    notes: list[str] = []

    def value(key: str) -> str | None:
        v = params.get(key) if hasattr(params, "get") else None
        if isinstance(v, (list, tuple)):
            v = v[-1] if v else None
        return str(v)[:MAX_QUERY] if isinstance(v, (str, int, float)) else None

    s = value("s")
    if s:
        sites: list[Site] = []
        bad = 0
        for part in s.split("|"):
            if len(sites) >= MAX_SITES:
                notes.append(f"Linket har flere end {MAX_SITES} lokaliteter; resten er udeladt.")
                break
            bits = part.split("~")
            try:
                name = clean_name(bits[0], f"Lokalitet {len(sites) + 1}")
                lat, lon = float(bits[1].replace(",", ".")), float(bits[2].replace(",", "."))
            except (IndexError, ValueError):
                bad += 1
                continue
            if len(bits) != 3 or not (math.isfinite(lat) and math.isfinite(lon)) or not in_denmark(lat, lon):
                bad += 1
                continue
            sites.append(Site(name, lat, lon))
        if bad:
            notes.append(f"{bad} lokalitet(er) i linket kunne ikke læses eller lå uden for Danmark og er udeladt.")
        if sites:
            out["sites"] = clean_sites(sites)
    w = value("w")
    if w:
        weights: dict[str, float] = {}
        for part in w.split(","):
            key, _, num = part.partition(":")
            key = key.strip()
            try:
                val = float(num.replace(" ", ""))
            except ValueError:
                continue
            if key in CRITERIA and math.isfinite(val) and 0 <= val <= MAX_WEIGHT:
                weights[key] = val
        if weights and sum(weights.values()) > 0:
            out["weights"] = weights
        else:
            notes.append("Vægtene i linket kunne ikke læses og er ignoreret.")
    c = value("c")
    if c:
        if _ID.match(c):
            out["cluster_id"] = c
        else:
            notes.append("Klyngen i linket kunne ikke læses og er ignoreret.")
    m = value("m")
    if m in METHODS:
        out["method"] = m
    d = value("d")
    if d in DATA_SOURCES:
        out["data_source"] = d
    out["notes"] = notes
    return out


# ---- validation helpers ------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise InputFileError(f"Scenariefilen indeholder {name}, som ikke er et gyldigt tal.",
                         "NaN or Infinity is not allowed.")


def _long_number(text: str) -> InputFileError:
    return InputFileError(f"Scenariefilen indeholder et tal med {len(text)} tegn ({text[:12]}…); "
                          f"højst {MAX_NUMBER_CHARS} tegn er tilladt.", "A number in the scenario file is too long.")


def _bounded_int(text: str) -> int:
    """json's integer hook: refuses absurdly long numbers before converting them."""
    if len(text) > MAX_NUMBER_CHARS:
        raise _long_number(text)
    return int(text)


def _bounded_float(text: str) -> float:
    """json's float hook: the same limit on length as `_bounded_int`."""
    if len(text) > MAX_NUMBER_CHARS:
        raise _long_number(text)
    return float(text)


def _too_big(size: int) -> InputFileError:
    return InputFileError(f"Scenariefilen er for stor ({size / 1024 / 1024:.1f} MB; højst 5 MB).".replace(".", ",", 1),
                          "The scenario file is too large (max 5 MB).")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _show(v: object) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else f"'{v}'"
    return text if len(text) <= 40 else text[:39] + "…"


def _text(v: object, key: str, limit: int) -> str:
    if not isinstance(v, str):
        raise InputFileError(f"Feltet '{key}' skal være tekst.", f"'{key}' must be text.")
    if len(v) > limit:
        raise InputFileError(f"Feltet '{key}' er for langt (højst {limit} tegn).", f"'{key}' is too long.")
    return _CONTROL.sub("", v)


def _sites(v: object) -> list[Site]:
    if not isinstance(v, list):
        raise InputFileError("Feltet 'sites' skal være en liste af lokaliteter.", "'sites' must be a list.")
    if not v:
        raise InputFileError("Scenariet har ingen lokaliteter.", "The scenario has no sites.")
    if len(v) > MAX_SITES:
        raise InputFileError(f"Scenariet har {len(v)} lokaliteter; højst {MAX_SITES} er tilladt.",
                             f"Too many sites ({len(v)} > {MAX_SITES}).")
    out: list[Site] = []
    for i, item in enumerate(v, start=1):
        if not isinstance(item, dict):
            raise InputFileError(f"Lokalitet {i} skal være et objekt med name, lat og lon.", f"Site {i} must be an object.")
        lacking = [k for k in ("name", "lat", "lon") if k not in item]
        if lacking:
            raise InputFileError(f"Lokalitet {i} mangler: {', '.join(lacking)}.", f"Site {i} lacks {lacking}.")
        name = clean_name(_text(item["name"], f"sites[{i}].name", MAX_BYTES), f"Lokalitet {i}")
        for key in ("lat", "lon"):
            if not _is_num(item[key]):
                raise InputFileError(f"Lokalitet {i} ({name}): '{key}' skal være et tal, ikke {_show(item[key])}.",
                                     f"Site {i}: '{key}' must be a number.")
        lat, lon = float(item["lat"]), float(item["lon"])
        if not in_denmark(lat, lon):
            raise InputFileError(f"Lokalitet {i} ({name}) ligger uden for Danmark ({lat:.4f}, {lon:.4f}).",
                                 f"Site {i} is outside Denmark.")
        out.append(Site(name, lat, lon))
    return clean_sites(out)


def _cluster_id(v: object) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not _ID.match(v):
        raise InputFileError("Feltet 'cluster_id' skal være et klynge-id (bogstaver, tal, '_' eller '-').",
                             "cluster_id must be an id.")
    return v


def _codes(v: object) -> tuple[str, ...] | None:
    if v is None:
        return None
    if not isinstance(v, list) or len(v) > 500 or not all(isinstance(c, str) and _CODE.match(c) for c in v):
        raise InputFileError("Feltet 'codes' skal være en liste af branchekoder (2–6 cifre uden punktum).",
                             "codes must be a list of 2-6 digit strings.")
    return tuple(v)


def _weights(v: object) -> dict[str, float] | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise InputFileError("Feltet 'weights' skal være et objekt: kriterium → procent.", "weights must be an object.")
    unknown = [k for k in v if k not in CRITERIA]
    if unknown:
        raise InputFileError(f"Ukendte kriterier i 'weights': {', '.join(map(str, unknown))[:200]}. "
                             f"Kendte: {', '.join(CRITERIA)}.", "Unknown criteria in weights.")
    out = {}
    for k, w in v.items():
        if not _is_num(w) or w < 0 or w > MAX_WEIGHT:
            raise InputFileError(f"Vægten for '{k}' skal være et tal mellem 0 og 100.", f"Weight '{k}' must be 0..100.")
        out[k] = float(w)
    if out and sum(out.values()) <= 0:
        raise InputFileError("Mindst ét kriterium skal have en vægt over 0 %.", "At least one weight must be positive.")
    return out


def _thresholds(v: object) -> tuple[int, ...]:
    if (not isinstance(v, list) or not v or len(v) > MAX_THRESHOLDS
            or not all(_is_int(t) and 1 <= t <= 240 for t in v) or len(set(v)) != len(v)):
        raise InputFileError(f"Feltet 'thresholds' skal være en liste med 1–{MAX_THRESHOLDS} forskellige hele "
                             "minuttal mellem 1 og 240.", "thresholds must be distinct integers 1..240.")
    return tuple(sorted(v))


def _str_map(v: object, key: str, allowed: set[str] | None, limit: int) -> dict[str, str]:
    if not isinstance(v, dict) or len(v) > 100:
        raise InputFileError(f"Feltet '{key}' skal være et objekt med tekster.", f"'{key}' must be an object of texts.")
    out = {}
    for k, text in v.items():
        if allowed is not None and k not in allowed:
            raise InputFileError(f"Ukendt nøgle '{str(k)[:40]}' i '{key}'. Kendte: {', '.join(sorted(allowed))}.",
                                 f"Unknown key in '{key}'.")
        out[str(k)[:100]] = _text(text, f"{key}.{str(k)[:40]}", limit)
    return out


def _url_name(name: str) -> str:
    return re.sub(r"[~|]", "-", name)


def _num(v: float, decimals: int) -> str:
    text = f"{float(v):.{decimals}f}".rstrip("0").rstrip(".")
    return text or "0"
