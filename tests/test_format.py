"""The one number formatter: Danish separators from babel's da_DK, units, amounts typed by people."""

from __future__ import annotations

import math

import pytest

from geo.errors import InputFileError
from geo.format import (
    NBSP,
    d3_locale,
    indicator,
    kroner,
    number,
    parse_amount,
    percent,
    plain,
    quantity,
)
from geo.reach.indicators import indicator_specs


def test_danish_thousands_and_decimals() -> None:
    assert number(1_234_567.891, 1) == "1.234.567,9"
    assert number(2586.0) == "2.586"  # a count: no ',0'
    assert number(-2586) == "-2.586"
    assert number(math.nan) == number(None) == "–"
    assert number(1234.5, 1, "en") == "1,234.5"


def test_percent_kroner_and_units() -> None:
    assert percent(20.0) == f"20,0{NBSP}%"
    assert kroner(1_000_000) == f"1.000.000{NBSP}kr."
    assert quantity(12.34, "km", 1) == f"12,3{NBSP}km"
    assert quantity(45, "antal") == "45"
    specs = {s.column: s for s in indicator_specs()}
    assert indicator(specs["employees_45"], 2586.0) == "2.586"
    assert indicator(specs["share_k17_45"], 33.66) == f"33,7{NBSP}%"
    assert indicator(specs["nearest_station_km"], 0.04, unit=False) == "0,0"


def test_plain_for_machine_cells() -> None:
    assert plain(2586.5, 1) == "2586,5"  # no thousands separator: Danish Excel reads it as a number
    assert plain(2586.0, None) == "2586" and plain(0.125, None) == "0,125"
    assert plain(2586.5, 1, "en") == "2586.5"
    assert plain(math.nan) == ""


@pytest.mark.parametrize(("typed", "kroner_"), [("1.000.000", 1_000_000), ("1 000 000 kr.", 1_000_000), ("250000", 250_000)])
def test_amounts_typed_the_danish_way(typed: str, kroner_: int) -> None:
    assert parse_amount(typed) == kroner_


@pytest.mark.parametrize("typed", ["en million", "12,5", "-5"])
def test_bad_amounts_are_one_danish_message(typed: str) -> None:
    with pytest.raises(InputFileError, match="Beløbet"):
        parse_amount(typed)


def test_chart_locale_matches_the_formatter() -> None:
    locale = d3_locale()
    assert (locale["decimal"], locale["thousands"]) == (",", ".")
