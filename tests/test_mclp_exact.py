"""MCLP: the aggregated and reduced models keep the optimum; the float32 scores keep the proof.

Demand points with the same covering candidates are collapsed into one group (weights
summed), candidates are excluded or forced open by the Lagrangian bound, and large
matrices are scored in float32: on small random instances every path must still find
the brute-force optimum and say it is proven (gap 0).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from geo.decide import mclp_model, solver
from geo.decide.inputs import evaluate
from geo.decide.matroid import best_set
from geo.decide.mclp import mclp
from geo.decide.mclp_model import MclpModel, group_rows
from geo.decide.solver import solve


def clustered(seed: int, nc: int = 14, nd: int = 120):
    """Candidates and demand in a 60 × 60 km square; demand in few places, so many points share their coverers."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(0, 60, (nc, 2))
    spots = rng.uniform(0, 60, (12, 2))
    d = spots[rng.integers(0, 12, nd)] + rng.normal(0, 1.0, (nd, 2))
    minutes = np.hypot(c[:, None, 0] - d[None, :, 0], c[:, None, 1] - d[None, :, 1])
    return minutes, rng.integers(1, 30, nd).astype(float)


def brute(minutes, w, k, t):
    return max(evaluate(minutes, w, s, t)[0] for s in itertools.combinations(range(len(minutes)), k))


def test_group_rows_collapses_identical_coverage_and_sums_weights():
    A = sparse.csr_matrix(np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float))
    G, w = group_rows(A, np.array([1.0, 5.0, 2.0, 4.0, 3.0]))
    rows = {tuple(G[i].toarray().ravel().astype(int)): w[i] for i in range(G.shape[0])}
    assert rows == {(1, 0, 1): 6.0, (0, 1, 0): 4.0}  # the empty row (weight 5) cannot be covered and is dropped


@pytest.mark.parametrize("seed", range(5))
def test_aggregated_model_has_the_brute_force_optimum(seed):
    minutes, w = clustered(seed)
    a = minutes <= 12.0
    raw = sparse.csr_matrix(a.T.astype(float))
    A, wg = group_rows(raw, w)
    assert A.shape[0] < a.any(axis=0).sum()  # the instance does aggregate
    for k in (2, 3, 4):
        best = brute(minutes, w, k, 12.0)
        got = solve(MclpModel(A, wg, k, None))
        assert got.proven and got.value == pytest.approx(best) and got.bound == pytest.approx(best)
        assert evaluate(minutes, w, got.sel, 12.0)[0] == pytest.approx(best)
        res = mclp(minutes, w, k, 12.0)
        assert res.proven_optimal and res.gap == 0.0 and res.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(3))
def test_reduced_models_value_sets_like_the_full_one(seed):
    """``fix`` (forced open) and ``take`` (candidates kept) value every set as the full model does."""
    minutes, w = clustered(seed)
    A, wg = group_rows(sparse.csr_matrix((minutes <= 12.0).T.astype(float)), w)
    full = MclpModel(A, wg, 4, None)
    keep = np.arange(2, 12)
    reduced = full.fix(np.array([0, 1])).take(keep)
    assert reduced.r == 2
    for pair in itertools.combinations(range(len(keep)), 2):
        assert reduced.value(pair) == pytest.approx(full.value([0, 1, *keep[list(pair)]]))


@pytest.mark.parametrize("seed", range(4))
def test_float32_scores_still_prove_the_optimum(seed, monkeypatch):
    """With every matrix scored in float32, the bound carries its rounding error and the proof still closes."""
    monkeypatch.setattr(mclp_model, "FLOAT32_NNZ_ABOVE", 0)
    minutes, w = clustered(10 + seed, nc=16, nd=300)
    w = w + np.random.default_rng(seed).random(w.size)  # non-integral weights: no rounding of the bound
    model = MclpModel(*group_rows(sparse.csr_matrix((minutes <= 15.0).T.astype(float)), w), 3, None)
    assert model.At32 is not None and model.relax(0.5 * model.w).err > 0
    for k in (3, 4):
        res = mclp(minutes, w, k, 15.0)
        assert res.proven_optimal and res.gap <= 1e-6
        assert res.objective == pytest.approx(brute(minutes, w, k, 15.0), rel=1e-12)
        assert res.bound >= res.objective


@pytest.mark.parametrize("seed", range(6))
def test_branching_proves_the_brute_force_optimum(seed, monkeypatch):
    """With a weak first bound (one short round) and no enumeration, the residual is branched on down to
    single sites: the optimum, with municipalities and a fixed office, must still be found and proven."""
    monkeypatch.setattr(solver, "enumerable", lambda n, r, m: False)
    monkeypatch.setattr(solver, "FIRST_ROUND", 2)
    monkeypatch.setattr(solver, "MAX_ROUNDS", 1)
    minutes, w = clustered(20 + seed, nc=16, nd=300)
    mu = [str(i % 6) for i in range(16)] if seed % 2 else None
    fixed = (0,) if seed % 3 == 0 else ()
    branched = []
    for k in (3, 4):
        res = mclp(minutes, w, k, 12.0, fixed=fixed, municipality=mu)
        best = max(evaluate(minutes, w, s, 12.0)[0] for s in itertools.combinations(range(16), k)
                   if (mu is None or len({mu[j] for j in s}) == k) and set(fixed) <= set(s))
        assert res.proven_optimal and res.gap == 0.0 and res.objective == pytest.approx(best)
        branched.append("forgrenet" in res.details)
    assert any(branched)


@pytest.mark.parametrize("seed", range(3))
def test_inherited_multipliers_bound_the_fixed_model(seed):
    """Multipliers carried into ``fix`` (rows regrouped) stay in ``[0, w]`` and still bound its best set."""
    minutes, w = clustered(seed)
    full = MclpModel(*group_rows(sparse.csr_matrix((minutes <= 12.0).T.astype(float)), w), 4, None)
    lam = np.random.default_rng(seed).random(full.m) * full.w
    child = full.fix(np.array([3]))
    carried = child.inherit(lam)
    assert np.all(carried >= 0) and np.all(carried <= child.w + 1e-9)
    rel = child.relax(carried)
    bound = rel.base + rel.score[best_set(rel.score, child.r, None)].sum()
    best = max(child.value(s) for s in itertools.combinations(range(child.n), child.r))
    assert bound >= best - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_a_branch_is_bounded_before_it_is_built(seed):
    """``forced(λ, c)`` is the relaxation of ``fix([c])`` at the multipliers it inherits, and bounds its best set."""
    minutes, w = clustered(seed)
    full = MclpModel(*group_rows(sparse.csr_matrix((minutes <= 12.0).T.astype(float)), w), 3, None)
    lam = np.random.default_rng(seed).random(full.m) * full.w
    others = np.arange(1, full.n)
    ahead = full.forced(lam, 0)
    child = full.fix(np.array([0]))
    built = child.relax(child.inherit(lam))
    assert ahead.base == pytest.approx(built.base)
    assert np.allclose(ahead.score[others], built.score[others])
    bound = solver._ahead(full, lam, 0, others)
    assert bound >= max(full.value([0, *s]) for s in itertools.combinations(others.tolist(), 2)) - 1e-9


@pytest.mark.parametrize("collide", [False, True])
def test_regroup_matches_grouping_by_pattern(collide, monkeypatch):
    """Groups equal a dictionary grouping of the demand patterns, also when the first keys all collide."""
    if collide:
        keys = mclp_model._keys
        monkeypatch.setattr(mclp_model, "_keys", lambda p, seed: np.zeros(p.shape[1]) if seed == 0 else keys(p, seed))
    rng = np.random.default_rng(3)
    dense = rng.random((400, 6)) < 0.3
    w = rng.integers(1, 9, 400).astype(float)
    Gt, wg, inv = mclp_model.regroup(sparse.csr_matrix(dense.T.astype(float)), w)
    G = Gt.T.tocsr()
    G.sort_indices()
    expected: dict[tuple[int, ...], float] = {}
    for row, wi in zip(dense, w):
        if row.any():
            expected[tuple(np.nonzero(row)[0])] = expected.get(tuple(np.nonzero(row)[0]), 0.0) + wi
    assert {tuple(G[g].indices): wg[g] for g in range(G.shape[0])} == expected
    assert all(inv[i] == -1 if not dense[i].any() else tuple(G[inv[i]].indices) == tuple(np.nonzero(dense[i])[0])
               for i in range(400))


@pytest.mark.parametrize("seed", range(4))
def test_regroup_drops_demand_and_keeps_distinct_patterns_apart(seed):
    """Dropped and uncoverable demand is left out; every group's members share one pattern, and no two groups do."""
    rng = np.random.default_rng(seed)
    dense = rng.random((8, 200)) < 0.25
    w = rng.integers(1, 9, 200).astype(float)
    drop = rng.random(200) < 0.2
    Gt, wg, inv = mclp_model.regroup(sparse.csr_matrix(dense.astype(float)), w, drop)
    G = Gt.toarray().astype(bool)
    assert np.all((inv == -1) == (drop | ~dense.any(axis=0)))
    assert all(np.array_equal(G[:, inv[i]], dense[:, i]) for i in range(200) if inv[i] >= 0)
    assert len({tuple(col) for col in G.T}) == G.shape[1]
    assert np.allclose(wg, np.bincount(inv[inv >= 0], weights=w[inv >= 0], minlength=G.shape[1]))


@pytest.mark.parametrize("seed", range(4))
def test_fork_values_sets_like_the_full_model(seed):
    """``fork(opened, rows)`` (built from the rows of ``At``) values every set as the full model with ``opened`` added."""
    minutes, w = clustered(seed)
    full = MclpModel(*group_rows(sparse.csr_matrix((minutes <= 12.0).T.astype(float)), w), 4, None)
    rows = np.random.default_rng(seed).permutation(np.arange(1, full.n))[:9]
    child = full.fork(np.array([0]), rows)
    assert child.r == 3 and child.m <= full.m
    for s in itertools.combinations(range(len(rows)), 3):
        assert child.value(s) == pytest.approx(full.value([0, *rows[list(s)]]))
