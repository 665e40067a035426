"""Clusters, site input and CSV export: parsing rules and safety, checked by hand."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.data.clusters import format_codes, load_clusters, matches, parse_codes
from geo.data.sites import check_lonlat, read_sites_csv
from geo.errors import ClusterError, CoordinateError, InputFileError
from geo.report.csv import to_csv_bytes
from geo.report.safety import neutralise, safe_filename


def test_construction_cluster_codes_accept_db07_and_dotted_notation() -> None:
    byg = load_clusters()["byggeri"]
    assert byg.codes == ("41", "42", "43", "711", "813")
    codes = pd.Series(["410000", "711200", "71.12.00", "813000", "812100", "620100", None])
    assert matches(codes, byg.codes).tolist() == [True, True, True, True, False, False, False]
    assert format_codes(byg.codes) == "41, 42, 43, 71.1, 81.3"


def test_unverified_clusters_are_marked() -> None:
    clusters = load_clusters()
    assert clusters["byggeri"].verified
    assert "ikke bekræftet" in clusters["food"].label("da")


@pytest.mark.parametrize("text", ["", "abc", "4", "41;x2"])
def test_bad_codes_give_danish_error(text: str) -> None:
    with pytest.raises(ClusterError) as err:
        parse_codes(text)
    assert "branchekode" in str(err.value).lower()


def test_site_csv_semicolon_decimal_comma_swapped_and_metres() -> None:
    text = "navn;lat;lon\nNæstved st.;55,2301;11,7605\nByttet;11,7605;55,2301\nMeter;6123872;675549\nUdland;48,85;2,35\nTom;;\n"
    sites, notes = read_sites_csv(text.encode("cp1252"))
    assert [s.name for s in sites] == ["Næstved st.", "Byttet", "Meter"]
    assert sites[1].lat == pytest.approx(55.2301) and sites[1].lon == pytest.approx(11.7605)
    # Næstved station (55.2301 N, 11.7605 E) is 675549 E, 6123872 N in EPSG:25832
    assert sites[2].lat == pytest.approx(55.2301, abs=1e-4) and sites[2].lon == pytest.approx(11.7605, abs=1e-4)
    assert any("byttet om" in n for n in notes) and any("2 række" in n for n in notes)


def test_site_csv_missing_columns_and_empty() -> None:
    with pytest.raises(InputFileError, match="mangler kolonnerne: lon"):
        read_sites_csv(b"navn,lat\nA,55\n")
    with pytest.raises(InputFileError, match="tom"):
        read_sites_csv(b"")


def test_swapped_single_point_is_explained_in_danish() -> None:
    with pytest.raises(CoordinateError, match="byttet om"):
        check_lonlat(11.76, 55.23)
    with pytest.raises(CoordinateError, match="uden for Danmark"):
        check_lonlat(48.85, 2.35)
    check_lonlat(55.23, 11.76)


def test_csv_export_danish_bom_provenance_and_formula_neutralised() -> None:
    table = pd.DataFrame({"site": ["=HYPERLINK(\"x\")", "+Køge", "Roskilde"], "change": [12.5, -3.25, 0.0]})
    data = to_csv_bytes(table, ["arbejdssteder: Demodata"], danish=True)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    body, sources = text.split("\n\n", 1)
    parsed = pd.read_csv(io.StringIO(body), sep=";", decimal=",")
    assert parsed["Lokalitet"].tolist() == ["'=HYPERLINK(\"x\")", "'+Køge", "Roskilde"]  # Danish header
    assert parsed["change"].tolist() == [12.5, -3.25, 0.0]  # numbers stay numbers, '-' sign kept
    assert body.splitlines()[2].endswith(";-3,25")  # decimal comma, no trailing zeros for an unknown column
    assert sources.startswith("Kilder og metode") and "Demodata" in sources


def test_neutralise_and_safe_filename() -> None:
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("\tx") == "'\tx" and neutralise(5) == 5
    assert safe_filename("../../Næstved <script>.csv") == "Naestved_script_csv"
