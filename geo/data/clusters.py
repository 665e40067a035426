"""National business clusters and the industry codes (DB07/DB25 prefixes) each serves."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import ClusterError
from geo.i18n import choose, t
from geo.settings import CLUSTERS_FILE

#: An optional section letter (DB07 A-U, DB25 A-V) before the digits: 'F 43.22', 'F43.22'.
_SECTION = r"(?:[A-Va-v](?![A-Za-z])[\s.:-]*)?"
#: Groups with dots or spaces: '43.22.00', '43 22', '1.11' (leading zero left out), '71.1'.
_SEPARATED = re.compile(rf"^\s*{_SECTION}(\d{{1,2}})[.\s](\d{{1,2}})(?:[.\s](\d{{2}}))?(?![\d.])(.*)$", re.DOTALL)
#: Plain digits: '410000', '4322', '711' (5 digits are ambiguous and refused).
_CONTIGUOUS = re.compile(rf"^\s*{_SECTION}(\d{{2,4}}|\d{{6}})(?![\d.])(.*)$", re.DOTALL)
_STRIP = re.compile(r"^\s*[A-Va-v](?![A-Za-z])|[\s.]")


@dataclass(frozen=True)
class Cluster:
    """One cluster: id, names, organisation (with website), its industry-code prefixes, whether it is a
    national cluster and its known office in Region Sjælland."""

    id: str
    name_da: str
    name_en: str
    organisation: str
    codes: tuple[str, ...]
    verified: bool
    verification: str
    website: str = ""
    national: bool = False
    office_in_region: str = ""

    def name(self, lang: str = "da") -> str:
        """The cluster's name in ``lang`` (the clusters file gives Danish and English)."""
        return choose({"da": self.name_da, "en": self.name_en}, lang)

    def label(self, lang: str = "da") -> str:
        """Name for menus, with a mark when the code list is unverified."""
        mark = "" if self.verified else t("cluster_unverified", lang)
        return f"{self.name(lang)} – {self.organisation}{mark}"


@cache
def load_clusters(path: Path = CLUSTERS_FILE) -> dict[str, Cluster]:
    """Read the clusters file into a dict keyed by cluster id (read once per path; do not mutate)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        c["id"]: Cluster(
            id=c["id"],
            name_da=c["name_da"],
            name_en=c.get("name_en", c["name_da"]),
            organisation=c["organisation"],
            codes=tuple(parse_codes(",".join(c["codes"]))),
            verified=bool(c.get("verified", False)),
            verification=c.get("verification", ""),
            website=c.get("website", ""),
            national=bool(c.get("national", False)),
            office_in_region=c.get("office_in_region", ""),
        )
        for c in raw["clusters"]
    }


def find_cluster(cluster_id: str) -> Cluster:
    """The cluster with this id; a `ClusterError` naming the known ids otherwise."""
    clusters = load_clusters()
    if cluster_id not in clusters:
        raise ClusterError(f"Ukendt klynge '{cluster_id}'. Kendte: {', '.join(clusters)}.",
                           f"Unknown cluster '{cluster_id}'.")
    return clusters[cluster_id]


def cluster_codes(cluster_id: str | None = None, codes: str | Sequence[str] | None = None) -> tuple[str, ...] | None:
    """Industry-code prefixes: own ``codes`` if given, else the cluster's; None means all industries.

    Parameters
    ----------
    cluster_id : str, optional
        An id from data/clusters.json (e.g. ``"byggeri"``).
    codes : str or sequence of str, optional
        Own codes, e.g. ``"41, 42, 71.1"`` or ``["41", "711"]``; they win over ``cluster_id``.

    Returns
    -------
    tuple of str or None
        Digit prefixes such as ``("41", "42", "711")``.
    """
    if codes:
        return tuple(parse_codes(codes if isinstance(codes, str) else ",".join(codes)))
    if cluster_id:
        return find_cluster(cluster_id).codes
    return None


def split_code(text: str) -> tuple[str | None, str]:
    """One industry code at the start of `text` -> (digits, the rest).

    DB07 and DB25 codes with or without a section letter, dots, spaces or the leading zero:
    'F 43.22.00 VVS' -> ('432200', 'VVS'); 'F43.22' -> ('4322', ''); '43 22 00' -> ('432200', '');
    '1.11' -> ('0111', ''); '71.1' -> ('711', ''). No code -> (None, text).
    """
    match = _SEPARATED.match(text)
    if match:
        first, second, third, rest = match.groups()
        if third is None or len(second) == 2:
            return first.zfill(2) + second + (third or ""), rest.strip(" -–:\t\n")
    match = _CONTIGUOUS.match(text)
    if match:
        return match[1], match[2].strip(" -–:\t\n")
    return None, text


def _tokens(text: str) -> list[str]:
    """Split a code list on commas, semicolons and spaces; a lone section letter joins the next."""
    tokens: list[str] = []
    for part in (p for p in re.split(r"[\s,;]+", text.strip()) if p):
        if tokens and re.fullmatch(r"[A-Va-v]", tokens[-1]):
            tokens[-1] = f"{tokens[-1]} {part}"
        else:
            tokens.append(part)
    return tokens


def parse_codes(text: str) -> list[str]:
    """Parse '41, 42; 71.1 F 81.3 0111' into digit prefixes ['41', '42', '711', '813', '0111'].

    Accepts DB07 and DB25 notation with or without a section letter, dots or leading zero
    (see `split_code`); rejects anything else with one Danish message.
    """
    tokens = _tokens(text)
    if not tokens:
        raise ClusterError("Angiv mindst én branchekode (fx 41, 42, 71.1).", "Give at least one industry code.")
    parsed = [split_code(t) for t in tokens]
    bad = [t for t, (code, rest) in zip(tokens, parsed, strict=True) if code is None or rest]
    if bad:
        raise ClusterError(
            f"Ugyldige branchekoder: {', '.join(bad)}. Brug 2-6 cifre, evt. med punktum og "
            "afsnitsbogstav (fx 43, 71.1 eller F 43.22).",
            f"Invalid industry codes: {', '.join(bad)}.",
        )
    return list(dict.fromkeys(code for code, _ in parsed if code))


def format_codes(prefixes: tuple[str, ...] | list[str]) -> str:
    """Digit prefixes back to dotted notation: '711' -> '71.1'."""
    return ", ".join(p[:2] + ("." + p[2:4] if len(p) > 2 else "") + ("." + p[4:] if len(p) > 4 else "") for p in prefixes)


def matches(industry_codes: pd.Series, prefixes: tuple[str, ...] | list[str] | None) -> np.ndarray:
    """Boolean mask of codes starting with any prefix; all True when prefixes is None."""
    if prefixes is None:
        return np.ones(len(industry_codes), dtype=bool)
    digits = industry_codes.fillna("").astype(str).str.replace(_STRIP, "", regex=True)
    return digits.str.startswith(tuple(prefixes)).to_numpy()
