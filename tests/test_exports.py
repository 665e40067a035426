"""Meeting exports read back: Excel (openpyxl), GeoPackage (pyogrio) and standalone HTML."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
import pyogrio
import pytest

from geo.errors import InputFileError
from geo.report.excel import to_xlsx_bytes
from geo.report.formats import render
from geo.report.gpkg import write_gpkg
from tests.report_support import HOSTILE, report_data


@pytest.fixture(scope="module")
def data():
    return report_data()


@pytest.fixture(scope="module")
def workbook(data):
    return openpyxl.load_workbook(io.BytesIO(render(data, "xlsx")))


def test_excel_sheets_present_in_order(workbook):
    assert workbook.sheetnames == ["Indikatorer", "Kommuner", "Rangering", "Medfinansiering", "Vægte og parametre",
                                   "Lead-kommunens begrundelse", "Kilder og metode"]


def test_excel_optional_sheets_absent_without_ranking_and_finance():
    wb = openpyxl.load_workbook(io.BytesIO(render(report_data(ranked=False, finance=False), "xlsx")))
    assert "Rangering" not in wb.sheetnames and "Medfinansiering" not in wb.sheetnames
    assert "Kilder og metode" in wb.sheetnames


def test_excel_indicators_are_numbers_with_formats(workbook, data):
    ws = workbook["Indikatorer"]
    headers = [c.value for c in ws[2]]
    assert ws.freeze_panes == "B3"
    col = headers.index("Klyngearbejdssteder inden for 45 min (antal)") + 1
    cell = ws.cell(row=3, column=col)
    assert isinstance(cell.value, int) and cell.value == int(data.table["workplaces_45"].iloc[0])
    assert cell.number_format == "#,##0"
    km = ws.cell(row=3, column=headers.index("Afstand til nærmeste togstation (km)") + 1)
    assert isinstance(km.value, (int, float)) and km.number_format == "#,##0.0"
    groups = [c.value for c in ws[1] if c.value]
    assert "Værdi for lokale virksomheder" in groups and "Udbytte af offentlig forskning" in groups
    assert ws.cell(row=3, column=1).value == "Næstved"


def test_excel_neutralises_formulas(workbook):
    ws = workbook["Indikatorer"]
    names = [ws.cell(row=r, column=1).value for r in range(3, 7)]
    assert "'=cmd|' /C calc'!A0" in names
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))), (sheet.title, v)
    case = workbook["Lead-kommunens begrundelse"]
    assert case.cell(row=2, column=4).value.startswith("'=HYPERLINK")


def test_excel_ranking_contributions_and_robustness(workbook, data):
    ws = workbook["Rangering"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["Rang", "Lokalitet", "Point i alt (0–100)"]
    assert any(h and h.startswith("Bidrag: ") for h in head)
    first = [c.value for c in ws[2]]
    assert first[0] == 1 and isinstance(first[2], float)
    assert abs(sum(first[3:8]) - first[2]) < 1e-6
    assert "vægtkombinationer" in first[-1]


def test_excel_municipalities_finance_and_weights(workbook, data):
    kom = workbook["Kommuner"]
    assert kom.max_row - 1 == len(data.breakdown)
    assert isinstance(kom.cell(row=2, column=5).value, int)
    fin = workbook["Medfinansiering"]
    head = [c.value for c in fin[1]]
    amounts = [fin.cell(row=r, column=head.index("Beløb (kr. pr. år)") + 1).value for r in range(2, fin.max_row + 1)]
    numbers = [a for a in amounts if isinstance(a, int)]
    assert numbers[-1] == 1_000_000 and sum(numbers[:-1]) == 1_000_000  # rows plus the total row
    w = workbook["Vægte og parametre"]
    assert w.cell(row=2, column=1).value == "Værdi for lokale virksomheder" and w.cell(row=2, column=2).value == 30.0


def test_excel_sources_sheet_names_demodata_method_and_thresholds(workbook):
    text = "\n".join(str(v) for row in workbook["Kilder og metode"].iter_rows(values_only=True) for v in row if v)
    assert "Demodata" in text and "omtrentlig placering" in text and "reelle data" in text
    assert "Rejsetidsmetode" in text and "estimat" in text
    assert "15, 30, 45, 60" in text


def test_to_xlsx_bytes_keeps_cli_signature(data):
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(data.table, ["=1+1 kilde", "kilde B"])))
    assert wb.sheetnames == ["Indikatorer", "Kilder og metode"]
    assert wb["Kilder og metode"]["A2"].value == "'=1+1 kilde"


def test_geopackage_layers_crs_and_counts(data, tmp_path):
    path = tmp_path / "k.gpkg"
    path.write_bytes(render(data, "gpkg"))
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"sites", "catchments", "workplaces_reached", "municipalities", "provenance"}
    assert layers["provenance"] is None and layers["sites"] == "Point"
    sites = pyogrio.read_dataframe(path, layer="sites")
    assert sites.crs.to_epsg() == 25832 and len(sites) == 4
    assert list(sites["workplaces_45"]) == list(data.table["workplaces_45"])
    catch = pyogrio.read_dataframe(path, layer="catchments")
    assert len(catch) == 4 * 4 and sorted(set(catch["minutes"])) == [15, 30, 45, 60]
    munis = pyogrio.read_dataframe(path, layer="municipalities")
    assert len(munis) == len(data.layers.municipalities) and munis.crs.to_epsg() == 25832
    first = data.breakdown[data.breakdown["site"] == "Næstved"]["workplaces"].sum()
    assert munis["s1_workplaces_45"].sum() == first
    reached = pyogrio.read_dataframe(path, layer="workplaces_reached")
    assert len(reached) > 0 and reached["minutes"].max() <= 60
    prov = pyogrio.read_dataframe(path, layer="provenance")
    assert "Demodata (syntetisk)" in set(prov["quality_da"])


def test_geopackage_two_sites_give_eight_catchments(tmp_path):
    path = tmp_path / "two.gpkg"
    write_gpkg(report_data(n_sites=2, ranked=False, finance=False), path)
    assert len(pyogrio.read_dataframe(path, layer="catchments")) == 8
    assert len(pyogrio.read_dataframe(path, layer="sites")) == 2


def test_html_inlines_leaflet_and_escapes_names(data):
    text = render(data, "html").decode("utf-8")
    assert "L.map(" in text
    assert not re.search(r"<script[^>]+src=[\"']?https?:", text)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", text)
    assert "cdn.jsdelivr" not in text and "/app/static/leaflet" not in text
    assert re.search(r"<style>\s*/\* required styles \*/|\.leaflet-pane", text)  # Leaflet CSS inline
    assert HOSTILE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "Næstved" in text and "Demodata" in text and "Kilder og metode" in text


def test_render_rejects_unknown_format(data):
    with pytest.raises(InputFileError, match="Ukendt filformat: docx"):
        render(data, "docx")


def test_report_data_ranking_columns(data):
    assert {"site", "rank", "score"} <= set(data.ranking.columns)
    assert all(f"contrib_{c}" in data.ranking for c in ("value", "attract", "knowledge", "network", "research"))
    assert set(data.robustness) == set(data.table["site"])
    assert isinstance(data.table, pd.DataFrame) and len(data.table) == 4


def test_html_escapes_scenario_name():
    data = report_data(ranked=False, finance=False)
    data.scenario_name = "<script>alert(2)</script>"
    text = render(data, "html").decode("utf-8")
    assert "<script>alert(2)" not in text and "&lt;script&gt;alert(2)" in text


def test_render_without_sites_is_a_danish_error(data):
    from dataclasses import replace

    from geo.errors import KlyngestedError

    empty = replace(data, sites=data.sites.iloc[0:0], table=data.table.iloc[0:0])
    with pytest.raises(KlyngestedError, match="ingen lokaliteter"):
        render(empty, "pdf")
