"""CVR employment (monthly before quarterly before yearly, open bands) and industry-code spellings."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from geo.data.addresses import Placer
from geo.data.clusters import matches, parse_codes, split_code
from geo.data.employment import employment_line, from_metadata, parse_band, period_text
from geo.data.sources import cvr_es
from geo.data.sources.cvr_export import parse_industry, parse_period, read_cvr_export
from geo.data.sources.embedded import load_towns
from geo.errors import ClusterError
from tests.helpers import xlsx_bytes

OLD_YEAR = {"aar": 2018, "antalAarsvaerk": 8.0, "intervalKodeAntalAnsatte": "ANTAL_5_9"}
OLD_QUARTER = {"aar": 2019, "kvartal": 3, "antalAarsvaerk": None,
               "intervalKodeAntalAarsvaerk": "ANTAL_5_9"}
MONTH = {"aar": 2026, "maaned": 9, "antalAarsvaerk": 23.0, "antalAnsatte": 25,
         "intervalKodeAntalAarsvaerk": "ANTAL_20_49", "intervalKodeAntalAnsatte": "ANTAL_20_49"}


def test_monthly_employment_wins_over_the_old_blocks() -> None:
    meta = {"nyesteAarsbeskaeftigelse": OLD_YEAR, "nyesteKvartalsbeskaeftigelse": OLD_QUARTER,
            "nyesteErstMaanedsbeskaeftigelse": MONTH}
    work = from_metadata(meta)
    assert (work.value, work.basis, work.period, work.open_top) == (23.0, "måned:antalAarsvaerk", "2026-09", False)


def test_quarter_then_year_when_no_month() -> None:
    quarter = from_metadata({"nyesteAarsbeskaeftigelse": OLD_YEAR, "nyesteKvartalsbeskaeftigelse": OLD_QUARTER})
    assert (quarter.value, quarter.band, quarter.period) == (7.0, "5-9", "2019-K3")
    year = from_metadata({"nyesteAarsbeskaeftigelse": OLD_YEAR})
    assert (year.value, year.period) == (8.0, "2018")
    assert np.isnan(from_metadata({}).value)


@pytest.mark.parametrize(("code", "expected"), [
    ("ANTAL_1000_", (1000.0, "1000+", True)),
    ("ANTAL_1000_999999", (1000.0, "1000+", True)),
    ("ANTAL_20_49", (34.5, "20-49", False)),
    ("antal_2_4", (3.0, "2-4", False)),
])
def test_bands(code: str, expected: tuple) -> None:
    assert parse_band(code) == expected


def test_open_top_band_is_counted_at_least_1000_and_flagged() -> None:
    work = from_metadata({"nyesteErstMaanedsbeskaeftigelse": {"aar": 2026, "maaned": 8,
                                                              "intervalKodeAntalAnsatte": "ANTAL_1000_"}})
    assert work.value >= 1000 and work.open_top and work.band == "1000+"


def test_period_text_and_line() -> None:
    assert period_text("2026-09") == "september 2026"
    assert period_text("2019-K3") == "3. kvartal 2019"
    frame = pd.DataFrame({"employees_period": ["2026-09", "2026-09", "2019-K3", None],
                          "employees_open": [True, False, False, False]})
    line = employment_line(frame)
    assert line.startswith("beskæftigelse: CVR, september 2026")
    assert "1 enheder med ældre tal" in line and "1 i åbent interval" in line
    assert employment_line(pd.DataFrame({"x": [1]}), "CVR-eksport") == "beskæftigelse: CVR-eksport, periode ikke angivet"


@pytest.mark.parametrize(("text", "code"), [
    ("F 43.22", "4322"), ("F43.22", "4322"), ("f 43.22.00", "432200"), ("43.22.00", "432200"),
    ("43 22 00", "432200"), ("432200", "432200"), ("4322", "4322"), ("01.11", "0111"),
    ("1.11", "0111"), ("011100", "011100"), ("71.1", "711"), ("  F - 43.22  ", "4322"),
])
def test_code_spellings(text: str, code: str) -> None:
    assert split_code(text)[0] == code
    assert parse_industry(f"{text} VVS-installation")[0] == code
    if " " not in text.strip().removeprefix("F ").removeprefix("f "):  # in a list, spaces separate codes
        assert parse_codes(text) == [code]


def test_code_list_with_section_letters() -> None:
    assert parse_codes("F 41, F42; 43 M 71.1") == ["41", "42", "43", "711"]
    assert parse_codes("43 22") == ["43", "22"]  # a list: the space separates two codes
    for bad in ("F", "11100", "43.2.00", "Fx 43"):
        with pytest.raises(ClusterError):
            parse_codes(bad)


def test_matches_data_codes_written_with_a_section_letter() -> None:
    codes = pd.Series(["F 43.22.00", "F43.22", "432200", "M 71.12.00", "620100"])
    assert matches(codes, parse_codes("F 43.22, 71.1")).tolist() == [True, True, True, True, False]


@pytest.mark.parametrize(("value", "period"), [
    ("2026-09", "2026-09"), ("09-2026", "2026-09"), ("9/2026", "2026-09"),
    ("september 2026", "2026-09"), ("sep. 2026", "2026-09"), (pd.Timestamp("2026-09-01"), "2026-09"),
    ("2026-13", None), ("snart", None),
])
def test_parse_period(value: object, period: str | None) -> None:
    assert parse_period(value) == period


def test_cvr_export_with_monthly_columns_uses_the_month() -> None:
    data = xlsx_bytes([
        ["CVR-nummer", "Navn", "Postnr.", "By", "Årsværk", "Årsværk (måned)", "Beskæftigelsesperiode", "Hovedbranche"],
        [11111111, "Nyt VVS ApS", 4700, "Næstved", "-", 23, "2026-09", "F 43.22.00 VVS-installation"],
        [22222222, "Gammel Byg A/S", 4000, "Roskilde", 8, None, None, "410000 Opførelse af bygninger"],
        [33333333, "Stor Byg A/S", 4600, "Køge", None, "1000+", "september 2026", "F41.20"],
    ])
    gdf, prov, notes = read_cvr_export(io.BytesIO(data), Placer(None, load_towns()))
    rows = gdf.set_index("cvr")
    assert rows.loc["11111111", "employees"] == 23 and rows.loc["11111111", "employees_period"] == "2026-09"
    assert rows.loc["22222222", "employees"] == 8 and pd.isna(rows.loc["22222222", "employees_period"])
    assert rows.loc["33333333", "employees"] == 1000 and bool(rows.loc["33333333", "employees_open"])
    assert list(rows["industry_code"]) == ["432200", "410000", "4120"]
    assert "beskæftigelse: CVR-eksport, september 2026 (1 enheder med ældre tal" not in prov.method
    assert "beskæftigelse: CVR-eksport, september 2026" in prov.method
    assert "1 i åbent interval" in prov.method
    assert not any("branchekode" in n for n in notes)


def test_company_path_reads_the_monthly_block_too() -> None:
    source = {"Vrvirksomhed": {"cvrNummer": 12345678, "virksomhedMetadata": {
        "nyesteNavn": {"navn": "Firma A/S"}, "nyesteHovedbranche": {"branchekode": 432200},
        "nyesteBeliggenhedsadresse": {"postnummer": 4700, "kommune": {"kommuneKode": 370}},
        "nyesteAarsbeskaeftigelse": OLD_YEAR, "nyesteErstMaanedsbeskaeftigelse": MONTH}}}
    row = cvr_es.record(source, "virksomhed")
    assert (row["employees"], row["employees_period"], row["cvr"]) == (23.0, "2026-09", "12345678")
    assert f"{cvr_es.COMPANY_META}.nyesteErstMaanedsbeskaeftigelse" in cvr_es.SOURCE_FIELDS["virksomhed"]
    assert f"{cvr_es.UNIT_META}.nyesteErstMaanedsbeskaeftigelse" in cvr_es.SOURCE_FIELDS["produktionsenhed"]
