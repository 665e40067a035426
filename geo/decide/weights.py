"""Criterion weights that always total 100 %, indicator directions and which indicators feed a criterion.

Weights are plain ``dict[str, float]`` keyed by criterion id (``geo.reach.criteria.CRITERIA``),
in percent with one decimal. Rounding uses the largest-remainder method on whole tenths,
so the tenths always add up to exactly 1000 (100,0 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from geo.errors import KlyngestedError
from geo.reach.criteria import CRITERIA
from geo.reach.indicators import IndicatorSpec, indicator_specs

#: Criterion ids in the paper's order.
CRITERION_IDS: tuple[str, ...] = tuple(CRITERIA)
TOTAL = 100.0
#: Highest weight of one criterion, in percent (weights are percentages).
MAX_WEIGHT = TOTAL
DECIMALS = 1


class WeightsError(KlyngestedError):
    """Weights, directions or indicator choices that cannot be used."""


def largest_remainder(values: Sequence[float], total: int) -> np.ndarray:
    """Round non-negative ``values`` to integers that sum exactly to ``total``.

    Parameters
    ----------
    values : sequence of float
        Non-negative quotas (any scale; rescaled to ``total``).
    total : int
        The integer sum to reach.

    Returns
    -------
    ndarray of int64
        Floors of the quotas plus one for the largest remainders; ties go to the
        larger quota, then to the earlier position (deterministic).
    """
    q = np.asarray(values, dtype=float)
    if q.size == 0:
        if total:
            raise WeightsError("Der er intet at fordele beløbet på.", "Nothing to split the total over.")
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise WeightsError("Andele skal være endelige og ikke-negative.", "Shares must be finite and non-negative.")
    s = q.sum()
    if s <= 0:
        raise WeightsError("Mindst én andel skal være større end 0.", "At least one share must be positive.")
    quota = q * (total / s)
    base = np.floor(quota).astype(np.int64)
    # guard against floating error making floor(quota) overshoot
    while base.sum() > total:
        base[int(np.argmax(base))] -= 1
    left = int(total - base.sum())
    rem = quota - base
    order = np.lexsort((np.arange(q.size), -quota, -np.round(rem, 12)))
    base[order[:left]] += 1
    return base


def _tenths(value: float) -> int:
    return round(value * 10**DECIMALS)


def _to_percent(units: Iterable[int]) -> list[float]:
    return [round(u / 10**DECIMALS, DECIMALS) for u in units]


def _check(weights: Mapping[str, float]) -> None:
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise WeightsError(f"Ukendte kriterier: {', '.join(sorted(unknown))}.", f"Unknown criteria: {sorted(unknown)}.")
    for k, v in weights.items():
        if not np.isfinite(v) or not 0 <= v <= MAX_WEIGHT:
            raise WeightsError(f"Vægten for {CRITERIA[k].name()} skal være et tal mellem 0 og 100 (procent).",
                               f"The weight of {k} must be a number from 0 to 100 (percent).")


def equal_weights(criteria: Sequence[str] = CRITERION_IDS) -> dict[str, float]:
    """Equal weights over ``criteria`` totalling 100 % (e.g. 33,4 / 33,3 / 33,3)."""
    units = largest_remainder([1.0] * len(criteria), _tenths(TOTAL))
    return dict(zip(criteria, _to_percent(units), strict=True))


def normalise(weights: Mapping[str, float]) -> dict[str, float]:
    """Rescale weights to total 100 % with one decimal (largest remainder).

    Missing criteria are added with weight 0. Raises `WeightsError` when all are 0.
    """
    _check(weights)
    full = {c: float(weights.get(c, 0.0)) for c in CRITERION_IDS}
    if sum(full.values()) <= 0:
        raise WeightsError("Mindst ét kriterium skal have en vægt over 0 %.", "At least one weight must be positive.")
    units = largest_remainder(list(full.values()), _tenths(TOTAL))
    return dict(zip(full, _to_percent(units), strict=True))


def rebalance(
    weights: Mapping[str, float],
    changed: str,
    new_value: float,
    locked: str | Iterable[str] | None = None,
) -> dict[str, float]:
    """Set one weight (a slider) and rescale the unlocked others so the total stays 100 %.

    Parameters
    ----------
    weights : mapping
        Current weights (need not total 100; they are normalised first).
    changed : str
        The criterion whose slider moved.
    new_value : float
        Its new weight in percent; clipped to what the locked weights leave.
    locked : str or iterable of str, optional
        Criteria that keep their weight.

    Returns
    -------
    dict
        Weights in percent with one decimal; the tenths sum to exactly 1000. The others
        keep their proportions; if they were all 0 they share the rest equally. With no
        free criterion left, ``changed`` takes whatever the locked ones leave.
    """
    if changed not in CRITERIA:
        raise WeightsError(f"Ukendt kriterium: {changed}.", f"Unknown criterion: {changed}.")
    if not np.isfinite(new_value):
        raise WeightsError("Vægten skal være et tal.", "The weight must be a number.")
    lock = {locked} if isinstance(locked, str) else set(locked or ())
    lock.discard(changed)
    unknown = lock - set(CRITERIA)
    if unknown:
        raise WeightsError(f"Ukendte kriterier: {', '.join(sorted(unknown))}.", f"Unknown criteria: {sorted(unknown)}.")
    current = normalise(weights) if sum(weights.values()) > 0 else equal_weights()
    units = {c: _tenths(v) for c, v in current.items()}
    budget = _tenths(TOTAL) - sum(units[c] for c in lock)
    free = [c for c in CRITERION_IDS if c != changed and c not in lock]
    target = min(max(_tenths(new_value), 0), budget) if free else budget
    units[changed] = target
    rest = budget - target
    if free:
        basis = [float(units[c]) for c in free]
        if sum(basis) <= 0:
            basis = [1.0] * len(free)
        units.update(zip(free, (int(u) for u in largest_remainder(basis, rest)) if rest else [0] * len(free),
                         strict=True))
    return dict(zip(CRITERION_IDS, _to_percent(units[c] for c in CRITERION_IDS), strict=True))


def parse_weights(text: str) -> dict[str, float]:
    """Parse ``"value=30,attract=20"`` (decimal comma or point) and normalise to 100 %."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        key, sep, val = part.partition("=")
        try:
            out[key.strip()] = float(val.strip().replace(" ", "")) if sep else float("nan")
        except ValueError:
            out[key.strip()] = float("nan")
        if not np.isfinite(out[key.strip()]):
            raise WeightsError(f"Kan ikke læse vægten '{part}'; skriv fx value=30.",
                               f"Cannot read weight '{part}'; write e.g. value=30.")
    return normalise(out)


def default_directions(specs: Sequence[IndicatorSpec] | None = None) -> dict[str, bool]:
    """Column -> True when more is better (from `IndicatorSpec.higher_is_better`)."""
    return {s.column: s.higher_is_better for s in (specs if specs is not None else indicator_specs())}


def default_feeds(specs: Sequence[IndicatorSpec] | None = None) -> dict[str, tuple[str, ...]]:
    """Criterion -> the indicator columns that feed it (every scored spec with that criterion)."""
    specs = specs if specs is not None else indicator_specs()
    return {c: tuple(s.column for s in specs if s.criterion == c and s.scored) for c in CRITERION_IDS}


def select_feeds(
    chosen: Mapping[str, Iterable[str]], specs: Sequence[IndicatorSpec] | None = None
) -> dict[str, tuple[str, ...]]:
    """Feeds with the user's subset for some criteria; the rest keep the default.

    Raises `WeightsError` for an indicator that does not belong to the criterion.
    """
    feeds = default_feeds(specs)
    for crit, cols in chosen.items():
        if crit not in feeds:
            raise WeightsError(f"Ukendt kriterium: {crit}.", f"Unknown criterion: {crit}.")
        cols = tuple(cols)
        wrong = [c for c in cols if c not in feeds[crit]]
        if wrong:
            raise WeightsError(
                f"Indikatoren {', '.join(wrong)} hører ikke til kriteriet {CRITERIA[crit].name()}.",
                f"Indicator {wrong} does not belong to criterion {crit}.",
            )
        feeds[crit] = tuple(c for c in feeds[crit] if c in cols)
    return feeds
