"""Co-financing split in whole kroner that sums exactly to the total, and the fairness table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.decide.finance import KEYS, FinanceError, fairness, parse_key, split
from geo.settings import K17_CODES


def k17() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame({
        "kommunekode": list(K17_CODES)[::-1],  # unsorted on purpose
        "kommune": [f"Kommune {c}" for c in list(K17_CODES)[::-1]],
        "population": rng.integers(10_000, 120_000, 17),
        "workplaces": rng.integers(0, 400, 17),
        "employees": rng.uniform(0, 5000, 17).round(1),
        "benefit": rng.integers(0, 300, 17),
    })


AWKWARD = [0, 1, 16, 17, 18, 999_999, 1_000_001, 7_777_777, 10**12 + 3]
ALL_KEYS = [*KEYS, "mix:population=50,workplaces=30,equal=20", "mix:employees=1,benefit=1"]


@pytest.mark.parametrize("total", AWKWARD)
@pytest.mark.parametrize("key", ALL_KEYS)
def test_split_sums_exactly(total, key):
    s = split(total, k17(), key)
    assert int(s.table["amount_kr"].sum()) == total
    assert s.table["amount_kr"].dtype.kind == "i" and (s.table["amount_kr"] >= 0).all()
    assert s.table["share"].sum() == pytest.approx(1.0)
    assert list(s.table.columns) == ["kommunekode", "kommune", "share", "amount_kr"]
    assert s.table["kommunekode"].tolist() == sorted(K17_CODES)
    # every amount is within one krone of its exact share
    assert (abs(s.table["amount_kr"] - s.table["share"] * total) < 1 + 1e-6 * total).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10**10), st.lists(st.integers(0, 10**6), min_size=1, max_size=30).filter(lambda v: sum(v) > 0))
def test_split_property(total, pops):
    m = pd.DataFrame({"kommunekode": [f"{i:04d}" for i in range(len(pops))],
                      "kommune": [str(i) for i in range(len(pops))], "population": pops})
    assert int(split(total, m, "population").table["amount_kr"].sum()) == total


def test_equal_split_ties_go_to_lowest_code_deterministically():
    # 1.000.001 / 17 = 58.823,59 -> 17 × 58.823 = 999.991, the 10 kroner left go to the 10 lowest codes
    s = split(1_000_001, k17(), "equal")
    expected = [58_824] * 10 + [58_823] * 7
    assert s.table["amount_kr"].tolist() == expected
    assert split(1_000_001, k17().sample(frac=1, random_state=3), "equal").table.equals(s.table)
    assert "største-rest" in s.formula_da


def test_lead_share_and_formula():
    s = split(1_000_000, k17(), "population", lead="0370", lead_share=0.25)
    t = s.table.set_index("kommunekode")
    assert t["amount_kr"].sum() == 1_000_000
    assert t.loc["0370", "amount_kr"] >= 250_000
    assert s.formula_da.startswith("Kommune 0370 betaler først 25 %")
    mix = split(1000, k17(), {"population": 1, "equal": 1})
    assert "50 % efter befolkning + 50 % efter lige store andele" in mix.formula_da


def test_split_errors():
    with pytest.raises(FinanceError, match="helt antal kroner"):
        split(10.5, k17())
    with pytest.raises(FinanceError, match="mindst én kommune"):
        split(10, k17().iloc[:0])
    with pytest.raises(FinanceError, match="Ukendt fordelingsnøgle"):
        parse_key("area")
    zero = k17().assign(workplaces=0)
    with pytest.raises(FinanceError, match="Alle kommuner har 0"):
        split(10, zero, "workplaces")
    with pytest.raises(FinanceError, match="deltager ikke"):
        split(10, k17(), "equal", lead="0101", lead_share=0.5)


def test_fairness_table():
    s = split(1000, k17().iloc[:3], "equal")
    benefit = pd.DataFrame({"kommunekode": [s.table["kommunekode"][0], s.table["kommunekode"][0],
                                            s.table["kommunekode"][1]], "workplaces": [30, 30, 40]})
    f = fairness(s.table, benefit)
    assert f["share_benefit"].tolist() == pytest.approx([0.6, 0.4, 0.0])
    assert f["share_cost"].sum() == pytest.approx(1.0)
    assert f["benefit_to_cost"].iloc[0] == pytest.approx(0.6 / 0.334)
    assert f["left_out"].tolist() == [False, False, True]
