"""The result of a location-allocation solve, and how user sites compare with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from geo.decide.inputs import evaluate
from geo.decide.solver import Clock, Solved, relative_gap
from geo.format import number


@dataclass(frozen=True)
class AllocationResult:
    """A suggested set of sites and how sure it is.

    Attributes
    ----------
    chosen : tuple of int
        Candidate indices, sorted (fixed offices included).
    objective : float
        Covered demand weight (MCLP) or demand-weighted minutes (p-median).
    bound : float
        Proven bound on the objective of any valid set: upper (MCLP) or lower (p-median).
    gap : float
        ``|bound − objective| / max(|bound|, |objective|)``; 0 = proven optimal.
    proven_optimal : bool
        True when the gap is within the tolerance asked for.
    iterations : int
        Subgradient iterations and pricing passes.
    seconds : float
        Wall time, building and solving.
    method_da : str
        What was solved and how, in Danish.
    covered_share : float
        Share of the total demand weight within ``minutes_limit`` of a chosen site.
    mean_minutes : float
        Demand-weighted mean minutes to the nearest chosen site (reachable demand only).
    notes : tuple of str
        Danish notes (demand left out, gap not closed, …).
    """

    chosen: tuple[int, ...]
    objective: float
    bound: float
    gap: float
    proven_optimal: bool
    iterations: int
    seconds: float
    method_da: str
    covered_share: float
    mean_minutes: float
    notes: tuple[str, ...] = field(default=())


def build_result(chosen: Sequence[int], objective: float, bound: float, solved: Solved, clock: Clock,
                 minutes: np.ndarray, weights: np.ndarray, minutes_limit: float | None, method_da: str,
                 not_proven_da: str, notes: Sequence[str] = ()) -> AllocationResult:
    """Assemble the result; the gap and the "not proven" note are worded the same for every model.

    Parameters
    ----------
    chosen : sequence of int
        The set, fixed offices included.
    objective, bound : float
        Its objective and the proven bound, in the objective's units.
    solved : Solved
        What the skeleton returned.
    clock : Clock
        Started before the model was built.
    minutes, weights, minutes_limit
        For the covered share and mean minutes of the set.
    method_da : str
        The model's description; the gap is appended.
    not_proven_da : str
        Sentence for an open gap, with ``{gap}`` and ``{bound}`` placeholders.
    notes : sequence of str
        Notes so far.
    """
    gap = relative_gap(objective, bound)
    _, share, mean = evaluate(minutes, weights, chosen, minutes_limit)
    out = list(notes)
    if not solved.proven:
        out.append(not_proven_da.format(gap=number(100 * gap, 2), bound=number(bound, 0)))
    method = f"{method_da}; {solved.how}; optimalitetsgab {number(100 * gap, 3)} %"
    return AllocationResult(tuple(sorted(int(j) for j in chosen)), float(objective), float(bound), gap,
                            solved.proven, solved.iterations, clock.elapsed(), method, share, mean, tuple(out))


def compare_sites(minutes: np.ndarray, weights: np.ndarray, suggestion: AllocationResult, names: Sequence[str],
                  minutes_limit: float) -> list[dict]:
    """How each user site (one candidate row each) does against the suggested set.

    Parameters
    ----------
    minutes : ndarray
        User sites × demand minutes (same demand points as the suggestion).
    weights : ndarray
        Demand weights.
    suggestion : AllocationResult
        The suggested set.
    names : sequence of str
        User site names.
    minutes_limit : float
        Coverage threshold.

    Returns
    -------
    list of dict
        ``site, covered, covered_share, mean_minutes, diff_pct, sentence`` with
        ``diff_pct`` = (site covered − suggested covered) / suggested covered × 100.
    """
    d = np.asarray(minutes, dtype=float).reshape(len(names), -1)
    sug = suggestion.covered_share
    out = []
    for j, name in enumerate(names):
        cov, share, mean = evaluate(d, weights, [j], minutes_limit)
        diff = 100.0 * (share - sug) / sug if sug > 0 else 0.0
        if abs(diff) < 0.5:
            text = f"Lokalitet {name} dækker lige så mange ansatte som det foreslåede sæt"
        else:
            word = "færre" if diff < 0 else "flere"
            text = f"Lokalitet {name} dækker {number(abs(diff), 0)} % {word} ansatte end det foreslåede sæt"
        text += f" inden for {number(minutes_limit, 0)} min."
        out.append({"site": name, "covered": cov, "covered_share": share, "mean_minutes": mean,
                    "diff_pct": diff, "sentence": text})
    return out
