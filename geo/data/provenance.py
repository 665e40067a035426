"""Provenance: where a layer or a number came from. Every layer and export carries one."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Quality = Literal["real", "approximate", "synthetic"]

QUALITY_DA: dict[str, str] = {
    "real": "reelle data",
    "approximate": "omtrentlig placering",
    "synthetic": "Demodata (syntetisk)",
}


@dataclass(frozen=True)
class Provenance:
    """Source, date, method and quality of one layer."""

    layer: str
    source: str
    date: str
    method: str
    quality: Quality
    url: str = ""

    def label(self) -> str:
        """One-line Danish label, e.g. for a map attribution or an export footer."""
        return f"{self.layer}: {self.source} ({self.date}) – {self.method} – {QUALITY_DA[self.quality]}"

    def short(self) -> str:
        """Compact Danish label for a map attribution: layer and quality."""
        return f"{self.layer}: {QUALITY_DA[self.quality]}"

    def as_dict(self) -> dict[str, str]:
        """Plain dictionary for JSON and spreadsheet exports."""
        return asdict(self)
