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

_CODE = re.compile(r"^\d{2}(\.?\d{1,2}){0,2}$")


@dataclass(frozen=True)
class Cluster:
    """One cluster: id, names, organisation and its industry-code prefixes."""

    id: str
    name_da: str
    name_en: str
    organisation: str
    codes: tuple[str, ...]
    verified: bool
    verification: str

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


def parse_codes(text: str) -> list[str]:
    """Parse '41, 42; 71.1 81.3' into digit prefixes ['41', '42', '711', '813'].

    Accepts DB07 and DB25 notation, with or without dots; rejects anything else.
    """
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise ClusterError("Angiv mindst én branchekode (fx 41, 42, 71.1).", "Give at least one industry code.")
    bad = [t for t in tokens if not _CODE.match(t)]
    if bad:
        raise ClusterError(
            f"Ugyldige branchekoder: {', '.join(bad)}. Brug 2-6 cifre, evt. med punktum (fx 43 eller 71.1).",
            f"Invalid industry codes: {', '.join(bad)}.",
        )
    return list(dict.fromkeys(t.replace(".", "") for t in tokens))


def format_codes(prefixes: tuple[str, ...] | list[str]) -> str:
    """Digit prefixes back to dotted notation: '711' -> '71.1'."""
    return ", ".join(p[:2] + ("." + p[2:4] if len(p) > 2 else "") + ("." + p[4:] if len(p) > 4 else "") for p in prefixes)


def matches(industry_codes: pd.Series, prefixes: tuple[str, ...] | list[str] | None) -> np.ndarray:
    """Boolean mask of codes starting with any prefix; all True when prefixes is None."""
    if prefixes is None:
        return np.ones(len(industry_codes), dtype=bool)
    digits = industry_codes.fillna("").astype(str).str.replace(".", "", regex=False)
    return digits.str.startswith(tuple(prefixes)).to_numpy()
