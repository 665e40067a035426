"""Location-allocation: HiGHS results equal a brute-force optimum on small instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmarks.__main__ import main as bench_main
from geo.decide.baselines import classic_mclp, classic_pmedian
from geo.decide.inputs import AllocationError, aggregate_demand, evaluate, travel_matrix
from geo.decide.mclp import mclp
from geo.decide.mclp_model import MclpModel
from geo.decide.pmedian import pmedian
from geo.decide.pmedian_model import PMedianModel
from geo.decide.result import compare_sites
from geo.decide.solver import solve
from geo.reach.catchment import StraightLineEstimate


def instance(seed: int, nc: int = 10, nd: int = 50, holes: float = 0.1):
    rng = np.random.default_rng(seed)
    c = rng.uniform(0, 60, (nc, 2))
    d = rng.uniform(0, 60, (nd, 2))
    minutes = np.hypot(c[:, None, 0] - d[None, :, 0], c[:, None, 1] - d[None, :, 1])
    minutes[rng.random(minutes.shape) < holes] = np.inf
    w = rng.integers(1, 40, nd).astype(float)
    muni = [f"0{250 + j // 2}" for j in range(nc)]  # two candidates per municipality
    return minutes, w, muni


def allowed(sets, fixed=(), muni=None):
    for s in sets:
        if not set(fixed) <= set(s):
            continue
        if muni is not None and len({muni[j] for j in s}) < len(s):
            continue
        yield s


def brute_pmedian(minutes, w, k, fixed=(), muni=None):
    best = np.inf
    for s in allowed(itertools.combinations(range(len(minutes)), k), fixed, muni):
        cost = (w * minutes[list(s)].min(axis=0)).sum()
        best = min(best, cost)
    return best


def brute_mclp(minutes, w, k, t, fixed=(), muni=None):
    return max(evaluate(minutes, w, s, t)[0]
               for s in allowed(itertools.combinations(range(len(minutes)), k), fixed, muni))


@pytest.mark.parametrize("seed", range(4))
def test_mclp_equals_brute_force_and_the_classic_model(seed):
    minutes, w, muni = instance(seed)
    for k, fixed, m in ((3, (), None), (3, (7,), None), (3, (1,), muni)):
        res = mclp(minutes, w, k, 20.0, fixed=fixed, municipality=m)
        chosen, classic, _ = classic_mclp(minutes, w, k, 20.0, fixed=fixed, municipality=m)
        assert classic == pytest.approx(brute_mclp(minutes, w, k, 20.0, fixed, m))
        assert set(fixed) <= set(chosen) and len(chosen) == k
        if m is not None:
            assert len({m[j] for j in chosen}) == k
        assert res.proven_optimal and res.gap <= 1e-6 and res.bound >= res.objective
        assert res.objective == pytest.approx(brute_mclp(minutes, w, k, 20.0, fixed, m))
        assert set(fixed) <= set(res.chosen) and len(res.chosen) == k
        if m is not None:
            assert len({m[j] for j in res.chosen}) == k
        assert res.covered_share == pytest.approx(res.objective / w.sum())
        assert "MCLP" in res.method_da and "optimalitetsgab" in res.details
        assert "Der findes ikke et bedre sæt med" in res.method_da and "Lagrange" not in res.method_da


@pytest.mark.parametrize("seed", range(4))
def test_pmedian_equals_brute_force_and_the_classic_model(seed):
    minutes, w, muni = instance(seed, holes=0.0)
    for k, fixed, m in ((3, (), None), (3, (7,), None), (2, (0,), muni)):
        want = brute_pmedian(minutes, w, k, fixed, m)
        res = pmedian(minutes, w, k, fixed=fixed, municipality=m)
        _, classic, _ = classic_pmedian(minutes, w, k, fixed=fixed, municipality=m)
        assert res.objective == pytest.approx(want, rel=1e-7) and classic == pytest.approx(want, rel=1e-7)
        assert res.proven_optimal and res.gap <= 1e-6 and res.bound <= res.objective * (1 + 1e-12)
        assert set(fixed) <= set(res.chosen) and len(res.chosen) == k
        if m is not None:
            assert len({m[j] for j in res.chosen}) == k


def test_pmedian_with_unreachable_pairs():
    minutes, w, _ = instance(11, holes=0.15)
    want = brute_pmedian(minutes, w, 3)
    assert np.isfinite(want)
    assert pmedian(minutes, w, 3).objective == pytest.approx(want)
    minutes[:, 0] = np.inf  # a demand point nobody reaches is left out with a note
    res = pmedian(minutes, w, 3)
    assert res.notes and "kan ikke nås" in res.notes[0]


def test_errors_in_danish():
    minutes, w, muni = instance(1)
    with pytest.raises(AllocationError, match="mellem"):
        mclp(minutes, w, 0, 10, fixed=(1,))
    with pytest.raises(AllocationError, match="ikke blandt kandidaterne"):
        pmedian(minutes, w, 2, fixed=(99,))
    with pytest.raises(AllocationError, match="samme kommune"):
        mclp(minutes, w, 3, 10, fixed=(0, 1), municipality=muni)
    with pytest.raises(AllocationError, match="én række pr. kandidat"):
        mclp(minutes[:, :3], w, 2, 10)


def test_spopt_reference_agrees():
    pytest.importorskip("spopt")
    from geo.decide.baselines import spopt_mclp, spopt_pmedian

    minutes, w, _ = instance(3, nc=8, nd=40, holes=0.0)
    assert spopt_mclp(minutes, w, 2, 20.0)[1] == pytest.approx(mclp(minutes, w, 2, 20.0).objective)
    assert spopt_pmedian(minutes, w, 2, fixed=(5,))[1] == pytest.approx(pmedian(minutes, w, 2, fixed=(5,)).objective)


def test_inputs_helpers_and_comparison():
    engine = StraightLineEstimate()
    cand = np.array([[0.0, 0.0], [30_000.0, 0.0]])
    dem = np.array([[1000.0, 0.0], [29_000.0, 0.0], [100_000.0, 0.0]])
    m = travel_matrix(engine, cand, dem)
    assert m.shape == (2, 3) and m[0, 0] == pytest.approx(1.3, rel=1e-5)
    xy, wt = aggregate_demand(np.array([[10.0, 10.0], [900.0, 900.0], [1500.0, 10.0], [1600.0, 10.0]]),
                              np.array([1.0, 3.0, 2.0, 0.0]), cell_m=1000.0)
    assert wt.tolist() == [4.0, 2.0] and xy[0].tolist() == pytest.approx([677.5, 677.5])
    w = np.array([10.0, 30.0, 5.0])
    best = mclp(m, w, 1, 10.0)
    assert best.chosen == (1,)
    # like with like: Vest alone covers 10 of the 45 employees (22,2 %), the suggested one site (Øst) 30 (66,7 %)
    rows = compare_sites(m[:1], w, best, ["Vest"], 10.0)
    assert rows[0]["sentence"] == ("Jeres lokalitet Vest dækker 22,2 % af klyngens ansatte inden for 10 min; forslaget "
                                   "med 1 sted dækker 66,7 % – 44,4 procentpoint flere end jeres.")
    assert rows[0]["diff_pp"] == pytest.approx(-44.444, abs=1e-3)
    # two user sites against a one-site suggestion: their best one (Øst) is compared
    both = compare_sites(m, w, best, ["Vest", "Øst"], 10.0)
    assert len(both) == 1 and both[0]["sentence"].startswith("Jeres bedste 1 af 2 lokaliteter (Øst) dækker 66,7 %")
    assert both[0]["sentence"].endswith("– lige så mange.")
    # fewer user sites than the suggestion: asked to compare the same number
    two = mclp(m, w, 2, 10.0)
    assert compare_sites(m[:1], w, two, ["Vest"], 10.0)[0]["sentence"].endswith(
        "Sæt antal steder til 1 for at sammenligne lige for lige.")


def test_benchmark_smoke(capsys):
    assert bench_main(["optimize", "--candidates", "30", "--demand", "300", "--k", "2",
                       "--spopt-sizes", "6x30", "--spopt-cap", "60", "--time-limit", "20"]) == 0
    out = capsys.readouterr().out
    assert "p-median" in out and "spopt classic MCLP" in out and "optimality gap" in out


def _cover_rows(minutes, w, t):
    from scipy import sparse

    a = minutes <= t  # candidates × demand
    keep = a.any(axis=0)
    return sparse.csr_matrix(a[:, keep].T.astype(float)), w[keep]


@pytest.mark.parametrize("seed", range(6))
def test_lagrangian_bounds_bracket_brute_force(seed):
    """Bound and incumbent alone (no residual solve): MCLP bound >= optimum >= incumbent; p-median the reverse."""
    from concurrent.futures import ThreadPoolExecutor

    minutes, w, muni = instance(seed, nc=12, nd=80, holes=0.0)
    codes = np.unique(muni, return_inverse=True)[1]
    for mu, m in ((None, None), (codes, muni)):
        A, wk = _cover_rows(minutes, w, 20.0)
        got = solve(MclpModel(A, wk, 3, mu), finish=False)
        best = brute_mclp(minutes, w, 3, 20.0, (), m)
        assert got.bound >= best - 1e-9 >= got.value - 2e-9
        assert len(got.sel) == 3 and (mu is None or len({mu[j] for j in got.sel}) == 3)
        assert got.proven == (got.bound - got.value <= 1e-6 * got.bound + 1e-9)
        with ThreadPoolExecutor(1) as pool:
            got = solve(PMedianModel(minutes, w, np.full(minutes.shape[1], 1e12), 3, mu, 1e12, pool), finish=False)
        best = brute_pmedian(minutes, w, 3, (), m)
        assert -got.bound <= best * (1 + 1e-9) and best <= -got.value * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_lagrangian_path_exact_on_medium_instances(seed):
    """Larger than brute force likes: p-median against the classic full MIP, MCLP against brute force."""
    minutes, w, muni = instance(100 + seed, nc=40, nd=400, holes=0.05)
    for k, fixed, m in ((4, (), None), (4, (3,), None), (3, (0,), muni)):
        lag = pmedian(minutes, w, k, fixed=fixed, municipality=m)
        _, classic, _ = classic_pmedian(minutes, w, k, fixed=fixed, municipality=m)
        assert lag.objective == pytest.approx(classic, rel=1e-7)
        assert lag.proven_optimal and lag.gap <= 1e-6 and "Lagrange-relaksation" in lag.details
        assert set(fixed) <= set(lag.chosen) and len(lag.chosen) == k
        if m is not None:
            assert len({m[j] for j in lag.chosen}) == k
    small, ws, ms = minutes[:16], w, muni[:16]
    for k, fixed, m in ((4, (), None), (4, (5,), None), (3, (2,), ms)):
        res = mclp(small, ws, k, 15.0, fixed=fixed, municipality=m)
        assert res.objective == pytest.approx(brute_mclp(small, ws, k, 15.0, fixed, m))
        assert res.proven_optimal and res.gap <= 1e-6
        assert set(fixed) <= set(res.chosen) and len(res.chosen) == k
        if m is not None:
            assert len({m[j] for j in res.chosen}) == k


def test_gap_is_reported_honestly_under_a_time_limit():
    """Stopped early, the result says so: a gap within [0, 1] between objective and bound, a note; objective is the true cost."""
    minutes, w, _ = instance(7, nc=120, nd=2000, holes=0.0)
    for res, obj in ((mclp(minutes, w, 6, 12.0, time_limit=1e-3), "mclp"),
                     (pmedian(minutes, w, 6, time_limit=1e-3), "pmedian")):
        assert 0.0 <= res.gap <= 1.0 and "optimalitetsgab" in res.details
        assert res.gap == pytest.approx(abs(res.bound - res.objective) / max(res.bound, res.objective))
        assert (res.bound >= res.objective) if obj == "mclp" else (res.bound <= res.objective)
        if not res.proven_optimal:
            assert res.gap > 1e-6 and any("Ikke bevist optimal" in n for n in res.notes)
        if obj == "mclp":
            assert res.objective == pytest.approx(evaluate(minutes, w, res.chosen, 12.0)[0])
        else:
            assert res.objective == pytest.approx(float((w * minutes[list(res.chosen)].min(axis=0)).sum()))


def test_a_run_out_of_time_is_labelled_not_proven():
    """With a limit already spent at every check (deterministic: no clock reading decides anything), both models
    stop after the first bound and say so: not proven, a finite gap between 0 and 1, the note, the true objective."""
    minutes, w, _ = instance(7, nc=120, nd=2000, holes=0.0)
    for res, kind in ((mclp(minutes, w, 6, 12.0, time_limit=1e-9), "mclp"),
                      (pmedian(minutes, w, 6, time_limit=1e-9), "pmedian")):
        assert not res.proven_optimal and 1e-6 < res.gap < 1.0 and np.isfinite(res.bound)
        assert any("Ikke bevist optimal" in n for n in res.notes) and "tidsgrænsen" in res.details
        assert len(res.chosen) == 6
        if kind == "mclp":
            assert res.bound > res.objective == pytest.approx(evaluate(minutes, w, res.chosen, 12.0)[0])
        else:
            assert res.bound < res.objective == pytest.approx(float((w * minutes[list(res.chosen)].min(axis=0)).sum()))
    full = mclp(minutes, w, 6, 12.0)  # without a limit the same instance is proven optimal
    assert full.proven_optimal and full.objective >= mclp(minutes, w, 6, 12.0, time_limit=1e-9).objective


def test_highs_writes_nothing_to_stdout():
    """HiGHS runs quietly without redirecting stdout: a fresh process solving a MIP prints nothing."""
    import subprocess
    import sys

    code = ("import numpy as np; from geo.decide.baselines import classic_pmedian; "
            "print(classic_pmedian(np.array([[1.0, 5.0], [4.0, 1.0]]), np.array([1.0, 2.0]), 1)[0], end='')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "(1,)"  # candidate 1: 4·1 + 1·2 = 6 < 1·1 + 5·2 = 11
