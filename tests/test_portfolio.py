"""The cluster portfolio: exact joint placement against brute force, rules, split and robustness."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from geo.decide import solver
from geo.decide.inputs import AllocationError
from geo.decide.portfolio import PortfolioOptions, PortfolioProblem, compare_alone, solve_portfolio
from geo.decide.portfolio_fair import municipality_reach, portfolio_split, robustness
from geo.decide.weights import largest_remainder

# Six towns on a line 10 km apart in three municipalities (two each); travel 1 min per km.
TOWN_X = np.arange(6) * 10.0
MUNI = ["A", "A", "B", "B", "C", "C"]


def small_problem(seed: int | None = None) -> PortfolioProblem:
    """3 clusters × 6 towns. By hand (T = 4 min, each point covered by its own town only): construction (c0) covers 100 from T0 and 90 from T2;
    food (c1) covers 80 from T1 and 40 from T3; energy (c2) covers 50 from T1 and 45 from T4.
    Alone: c0→T0 (100), c1→T1 (80), c2→T1 (50) = 230. One per municipality: c0→T0 uses A, so
    c1 must leave T1 (T3: 40) ... the joint optimum is c0→T2 (90), c1→T1 (80), c2→T4 (45) = 215.
    """
    pts = np.array([0.0, 20.0, 10.0, 30.0, 10.0, 40.0])
    W = np.array([[100, 90, 0, 0, 0, 0],
                  [0, 0, 80, 40, 0, 0],
                  [0, 0, 0, 0, 50, 45]], float)
    if seed is not None:
        rng = np.random.default_rng(seed)
        pts = rng.uniform(0, 50, 12)
        W = rng.integers(0, 60, (3, 12)).astype(float)
    minutes = np.abs(TOWN_X[:, None] - pts[None, :])
    towns = pd.DataFrame({"name": [f"T{i}" for i in range(6)], "kommunekode": MUNI, "kommune": MUNI,
                          "x": TOWN_X * 1000, "y": np.zeros(6)})
    floor = np.abs(TOWN_X[:, None] - np.array([5.0, 25.0, 45.0])[None, :])  # municipality points
    point_muni = np.array(MUNI)[np.clip(np.round(pts / 10), 0, 5).astype(int)]
    return PortfolioProblem(("c0", "c1", "c2"), ("Byggeri", "Fødevarer", "Energi"), towns, minutes, W,
                            point_muni, floor, ("A", "B", "C"))


def brute(problem: PortfolioProblem, opt: PortfolioOptions, n_off: int, joint: bool = True) -> float:
    """Best covered weight over every set of (cluster, town) pairs meeting the rules, by enumeration."""
    nc, nt = problem.weights.shape[0], len(problem.towns)
    within = problem.minutes <= opt.minutes_limit
    reach = problem.floor_minutes <= opt.minutes_limit
    fixed = {(problem.clusters.index(c), problem.towns["name"].tolist().index(t)) for c, t in opt.fixed}
    best = -np.inf
    for combo in itertools.combinations(itertools.product(range(nc), range(nt)), n_off):
        if not fixed <= set(combo) or {c for c, _ in combo} != set(range(nc)):
            continue
        if joint and opt.one_per_municipality and len({MUNI[t] for _, t in combo}) < n_off:
            continue
        if joint and opt.per_town is not None and max(np.bincount([t for _, t in combo])) > opt.per_town:
            continue
        if joint and opt.floor and not reach[[t for _, t in combo]].any(axis=0).all():
            continue
        value = sum(problem.weights[c, within[[t for cc, t in combo if cc == c]].any(axis=0)].sum() for c in range(nc))
        best = max(best, value)
    return best


def test_joint_optimum_differs_from_alone_and_matches_brute_force():
    problem = small_problem()
    opt = PortfolioOptions(minutes_limit=4, one_per_municipality=True)
    joint = solve_portfolio(problem, opt)
    assert joint.objective == 215 == brute(problem, opt, 3)
    assert joint.gap == 0 and joint.proven
    assert dict(zip(joint.offices["cluster"], joint.offices["town"])) == {"c0": "T2", "c1": "T1", "c2": "T4"}
    table, sentence = compare_alone(problem, opt, joint)
    assert table["employees_alone"].sum() == 230 == brute(problem, opt, 3, joint=False)
    assert table.set_index("cluster").loc["c0", "difference"] == -10
    assert "15 dækkede klyngeansatte" in sentence
    assert "optimalitetsgab 0,000 %" in joint.method_da


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_off", [3, 4])
@pytest.mark.parametrize("mip", [False, True])
def test_random_instances_match_brute_force(seed, n_off, mip, monkeypatch):
    if mip:  # the residual problem goes to HiGHS with the side rules as rows, not to enumeration
        monkeypatch.setattr(solver, "enumerable", lambda n, r, m: False)
    problem = small_problem(seed)
    opt = PortfolioOptions(offices=n_off, minutes_limit=12, one_per_municipality=seed % 2 == 0,
                           per_town=1 if seed % 3 == 0 else None, floor=seed % 2 == 1)
    want = brute(problem, opt, n_off)
    if not np.isfinite(want):
        with pytest.raises(AllocationError):
            solve_portfolio(problem, opt)
        return
    got = solve_portfolio(problem, opt)
    assert got.objective == want
    assert len(got.offices) == n_off and set(got.offices["cluster"]) == {"c0", "c1", "c2"}


def test_fixed_office_stays_and_rules_hold():
    problem = small_problem()
    opt = PortfolioOptions(offices=4, minutes_limit=12, one_per_municipality=False, per_town=1, floor=True,
                           fixed=(("c0", "T5"),))
    got = solve_portfolio(problem, opt)
    assert ("c0", "T5") in set(zip(got.offices["cluster"], got.offices["town"]))
    assert got.offices.set_index(["cluster", "town"]).loc[("c0", "T5"), "fixed"]
    assert got.offices["town"].is_unique
    towns = [int(t[1]) for t in got.offices["town"]]
    assert (problem.floor_minutes[towns] <= 12).any(axis=0).all()
    assert got.objective == brute(problem, opt, 4)
    one = solve_portfolio(problem, PortfolioOptions(minutes_limit=12, one_per_municipality=True, fixed=(("c1", "T0"),)))
    assert one.offices["kommunekode"].is_unique
    assert dict(zip(one.offices["cluster"], one.offices["town"]))["c1"] == "T0"


def test_pmedian_matches_brute_force_of_weighted_minutes():
    problem = small_problem()
    opt = PortfolioOptions(objective="pmedian", one_per_municipality=True)
    got = solve_portfolio(problem, opt)
    best = np.inf
    for towns in itertools.product(range(6), repeat=3):
        if len({MUNI[t] for t in towns}) < 3:
            continue
        best = min(best, sum((problem.weights[c] * problem.minutes[t]).sum() for c, t in enumerate(towns)))
    assert got.objective == pytest.approx(best)


@pytest.mark.parametrize(("opt", "words"), [
    (PortfolioOptions(offices=2), "mellem 3"),
    (PortfolioOptions(fixed=(("x", "T0"),)), "ukendt"),
    (PortfolioOptions(fixed=(("c0", "Roskilde"),)), "kandidaterne"),
    (PortfolioOptions(one_per_municipality=True, fixed=(("c0", "T0"), ("c1", "T1"))), "bryder"),
    (PortfolioOptions(offices=3, floor=True, minutes_limit=1), "Reglerne"),
])
def test_bad_input_gives_danish_error(opt, words):
    with pytest.raises(AllocationError, match=words):
        solve_portfolio(small_problem(), opt)


def test_municipality_reach_lists_offices_and_served_employees():
    problem = small_problem()
    opt = PortfolioOptions(minutes_limit=4, one_per_municipality=True)
    got = solve_portfolio(problem, opt)
    table = municipality_reach(problem, got, 4, ("Aby", "Bby", "Cby")).set_index("kommunekode")
    # municipality points at 5, 25, 45; offices c0→T2 (20), c1→T1 (10), c2→T4 (40)
    assert table.loc["A", "offices_30"] == "Byggeri i T2, Fødevarer i T1"
    assert table.loc["C", "offices_30"] == "Byggeri i T2, Energi i T4"
    assert table.loc["A", "kommune"] == "Aby"
    # points: 10 → A (c1 80 at T1 covered), 20 → B (c0 90 at T2), 40 → C (c2 45 at T4); 0 (A, c0 100) is 20 min from T2
    assert table["employees_served"].to_dict() == {"A": 80.0, "B": 90.0, "C": 45.0}


def keys(pop: list[float], emp: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"kommunekode": ["0253", "0259", "0265"], "kommune": ["Greve", "Køge", "Roskilde"],
                         "population": pop, "workplaces": [1, 1, 1], "employees": emp, "benefit": emp})


@pytest.mark.parametrize("total", [1_000_001, 7, 0])
def test_portfolio_split_sums_exactly_and_per_office(total):
    office_keys = [("Byggeri i Næstved", keys([1, 1, 1], [1, 2, 3])), ("Energi i Kalundborg", keys([5, 3, 1], [3, 0, 1])),
                   ("Fødevarer i Holbæk", keys([2, 2, 2], [0, 0, 1]))]
    table, formula = portfolio_split(total, office_keys, "employees")
    assert int(table["amount_kr"].sum()) == total
    assert table[[n for n, _ in office_keys]].sum().tolist() == list(largest_remainder([1, 1, 1], total))
    if total == 1_000_001:  # office parts 333.334/333.334/333.333; Fødevarer goes only to Roskilde (employees 0, 0, 1)
        assert table.set_index("kommunekode").loc["0265", "Fødevarer i Holbæk"] == 333_333
        assert table.set_index("kommunekode").loc["0253", "Byggeri i Næstved"] == 55_556  # 1/6 of 333.334, rounded up
    assert "summeret pr. kommune" in formula


def test_robustness_is_seeded_and_worded():
    problem = small_problem()
    opt = PortfolioOptions(minutes_limit=4, one_per_municipality=True)
    got = solve_portfolio(problem, opt)
    a = robustness(problem, opt, got, draws=500, seed=3)
    b = robustness(problem, opt, got, draws=500, seed=3)
    assert a == b
    assert set(a.share) == {"Byggeri i T2", "Fødevarer i T1", "Energi i T4"}
    assert a.sentences["Fødevarer i T1"].startswith("Fødevarer i T1 er med i ")
    assert a.sentences["Fødevarer i T1"].endswith("af 500 trækninger.")
    # c1's only rival town T3 covers 40 against 80: with priorities ×U(0.5, 1.5) and ±20 % demand it can still lose T1 to c2
    assert 0 < a.share["Energi i T4"] <= 1 and a.share["Fødevarer i T1"] > 0.5
    slow = robustness(problem, replace(opt, per_town=2), got, draws=20, seed=3)
    assert slow.draws == 20 and "fuld løsning" in slow.method_da
    assert slow == robustness(problem, replace(opt, per_town=2), got, draws=20, seed=3)


def test_robustness_assignment_agrees_with_full_solves():
    problem = small_problem(4)
    opt = PortfolioOptions(minutes_limit=12, one_per_municipality=True)
    got = solve_portfolio(problem, opt)
    fast = robustness(problem, opt, got, draws=40, seed=1)
    slow = robustness(problem, replace(opt, offices=3, per_town=2), got, draws=40, seed=1)  # per_town=2 is slack here
    assert "tildelingsproblem" in fast.method_da and "fuld løsning" in slow.method_da
    assert fast.share == slow.share
