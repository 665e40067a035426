"""The result of a location-allocation solve, and how user sites compare with it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

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
        What was solved and how far from the best possible it may be, in plain Danish.
    covered_share : float
        Share of the total demand weight within ``minutes_limit`` of a chosen site.
    mean_minutes : float
        Demand-weighted mean minutes to the nearest chosen site (reachable demand only).
    notes : tuple of str
        Danish notes (demand left out, gap not closed, …).
    details : str
        How the solver got there (relaxation, fixing, MIP) and the optimality gap, for the log.
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
    details: str = ""


def gap_sentence(gap: float, proven: bool, k: int) -> str:
    """The distance to the best possible set in one plain Danish sentence."""
    if proven:
        return f"Der findes ikke et bedre sæt med {k} steder."
    return f"Forslaget er højst {number(100 * gap, 1)} % fra det bedst mulige sæt med {k} steder."


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
    method = f"{method_da}. {gap_sentence(gap, solved.proven, len(chosen))}"
    details = f"{solved.how}; optimalitetsgab {number(100 * gap, 3)} %"
    return AllocationResult(tuple(sorted(int(j) for j in chosen)), float(objective), float(bound), gap,
                            solved.proven, solved.iterations, clock.elapsed(), method, share, mean, tuple(out), details)


MAX_SUBSETS = 5_000  #: user sets larger than this many k-subsets are reduced greedily


def _best_user_set(d: np.ndarray, weights: np.ndarray, k: int, minutes_limit: float) -> list[int]:
    """The user's k sites covering the most demand (all of them when there are at most k)."""
    n = d.shape[0]
    if n <= k:
        return list(range(n))
    if math.comb(n, k) <= MAX_SUBSETS:
        return list(max(combinations(range(n), k), key=lambda s: evaluate(d, weights, s, minutes_limit)[0]))
    chosen: list[int] = []
    for _ in range(k):
        rest = [j for j in range(n) if j not in chosen]
        chosen.append(max(rest, key=lambda j: evaluate(d, weights, [*chosen, j], minutes_limit)[0]))
    return sorted(chosen)


def compare_sites(minutes: np.ndarray, weights: np.ndarray, suggestion: AllocationResult, names: Sequence[str],
                  minutes_limit: float) -> list[dict]:
    """The user's sites as a set against the suggested set of the same size (like with like).

    With more user sites than the suggestion has, their best k are compared; with fewer, the
    sentence says so and asks for the same number.

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
        One row: ``site`` (the user set, names joined), ``covered, covered_share, mean_minutes``,
        ``diff_pp`` = (user share − suggested share) in percentage points, and ``sentence``.
    """
    d = np.asarray(minutes, dtype=float).reshape(len(names), -1)
    k = len(suggestion.chosen)
    best = _best_user_set(d, weights, k, minutes_limit)
    cov, share, mean = evaluate(d, weights, best, minutes_limit)
    diff = 100.0 * (share - suggestion.covered_share)
    label = ", ".join(names[j] for j in best)
    who = f"Jeres {len(best)} lokaliteter ({label})" if len(best) > 1 else f"Jeres lokalitet {label}"
    if len(names) > k:
        who = f"Jeres bedste {k} af {len(names)} lokaliteter ({label})"
    head = (f"{who} dækker {number(100 * share, 1)} % af klyngens ansatte inden for {number(minutes_limit, 0)} min; "
            f"forslaget med {k} {'sted' if k == 1 else 'steder'} dækker {number(100 * suggestion.covered_share, 1)} %")
    if len(best) < k:
        tail = f". Sæt antal steder til {len(best)} for at sammenligne lige for lige."
    elif abs(diff) < 0.05:
        tail = " – lige så mange."
    else:
        tail = f" – {number(abs(diff), 1)} procentpoint {'flere' if diff < 0 else 'færre'} end jeres."
    return [{"site": label, "covered": cov, "covered_share": share, "mean_minutes": mean, "diff_pp": diff,
             "sentence": head + tail}]
