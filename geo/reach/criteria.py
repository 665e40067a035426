"""The five criteria of K17's paper (6 May 2021) that every indicator serves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    """One criterion of the K17 paper."""

    id: str
    name_da: str
    name_en: str
    paper_da: str


CRITERIA: dict[str, Criterion] = {
    c.id: c
    for c in (
        Criterion(
            "value",
            "Værdi for lokale virksomheder",
            "Value for local companies",
            "Klynger er til for virksomhederne … synliggøre hvad værdien er for virksomhederne af en given lokalisering",
        ),
        Criterion(
            "attract",
            "Tiltrækning og fastholdelse",
            "Attracting and retaining companies",
            "hvordan der målrettet vil blive arbejdet for tiltrækning og fastholdelse af lokale virksomheder",
        ),
        Criterion(
            "knowledge",
            "Kobling til viden- og uddannelsesinstitutioner",
            "Link to knowledge and education institutions",
            "styrker sammenhængen mellem lokale viden- og uddannelsesinstitutioner og virksomhederne",
        ),
        Criterion(
            "network",
            "Netværksfacilitering",
            "Network facilitation",
            "hvordan de faciliterer netværk for lokale virksomheder … netværksmøder, konferencer, seminarer",
        ),
        Criterion(
            "research",
            "Udbytte af offentlig forskning",
            "Public research payoff",
            "at samfundet får større udbytte af de offentlige investeringer i forskning",
        ),
    )
}
