"""Suggestions over the embedded default with both engines: constraints hold, gaps are honest."""

from __future__ import annotations

import pytest

from geo.decide.suggest import SuggestError, suggest, town_candidates
from geo.reach import indicators
from geo.reach.engines import select_engine
from tests.report_support import layers as default_layers

BYGGERI = ("41", "42", "43", "711", "813")


@pytest.fixture(scope="module")
def layers():
    return default_layers()  # the run's one embedded default


@pytest.mark.parametrize("method", ["estimate", "network"])
@pytest.mark.parametrize("objective", ["mclp", "pmedian"])
def test_fixed_office_kept_and_one_per_municipality(layers, method: str, objective: str) -> None:
    engine, _ = select_engine(method)
    ctx = indicators.prepare(layers, engine, BYGGERI)
    candidates = town_candidates(layers)
    result = suggest(ctx, engine, candidates, 3, objective, 30, fixed=("Næstved",), one_per_municipality=True)
    assert len(result.names) == 3 and "Næstved" in result.names
    assert result.chosen["kommunekode"].is_unique
    res = result.result
    assert 0.0 <= res.gap <= 1.0 and res.gap == pytest.approx(abs(res.bound - res.objective) / max(res.bound, res.objective))
    assert res.proven_optimal == (res.gap <= 1e-6)
    assert "optimalitetsgab" in result.result.details and "optimalitetsgab" not in result.result.method_da


def test_every_candidate_lies_in_a_k17_municipality(layers) -> None:
    from geo.settings import K17_CODES

    candidates = town_candidates(layers)
    assert len(candidates) > 30 and candidates["kommunekode"].isin(K17_CODES).all()


def test_more_sites_than_candidates_is_a_danish_error(layers) -> None:
    engine, _ = select_engine("estimate")
    ctx = indicators.prepare(layers, engine, BYGGERI)
    with pytest.raises(SuggestError, match="kandidater"):
        suggest(ctx, engine, town_candidates(layers).head(2), 3)
