"""The five criteria of K17's paper (6 May 2021) that every indicator serves."""

from __future__ import annotations

from dataclasses import dataclass

from geo.i18n import t


@dataclass(frozen=True)
class Criterion:
    """One criterion of the K17 paper: its id and the paper's own (Danish) words."""

    id: str
    paper_da: str

    def name(self, lang: str = "da") -> str:
        """The criterion's name in ``lang`` (catalogue key ``crit_<id>``)."""
        return t(f"crit_{self.id}", lang)


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion("value", "Klynger er til for virksomhederne … synliggøre hvad værdien er for virksomhederne "
                           "af en given lokalisering"),
        Criterion("attract", "hvordan der målrettet vil blive arbejdet for tiltrækning og fastholdelse af lokale "
                             "virksomheder"),
        Criterion("knowledge", "styrker sammenhængen mellem lokale viden- og uddannelsesinstitutioner og "
                               "virksomhederne"),
        Criterion("network", "hvordan de faciliterer netværk for lokale virksomheder … netværksmøder, konferencer, "
                             "seminarer"),
        Criterion("research", "at samfundet får større udbytte af de offentlige investeringer i forskning"),
    )
}
