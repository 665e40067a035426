"""The portfolio in the exports: Excel sheet, PDF pages, map layer, and the versioned scenario file."""

from __future__ import annotations

import io
import json

import pandas as pd
import pypdf
import pytest
from openpyxl import Workbook, load_workbook

from geo.data.sites import Site
from geo.decide.portfolio import PortfolioOptions, compare_alone, solve_portfolio
from geo.decide.portfolio_fair import municipality_reach, robustness
from geo.errors import InputFileError
from geo.report.portfolio import PortfolioReport, add_portfolio_sheet, portfolio_to_pdf
from geo.report.scenario import SCHEMA_VERSION, Scenario, scenario_from_dict, scenario_from_json
from geo.style import CLUSTER_COLOURS, cluster_colour
from layers.portfolio import initials, office_markers, portfolio_rings
from tests.test_portfolio import small_problem


@pytest.fixture(scope="module")
def report() -> PortfolioReport:
    problem = small_problem()
    opt = PortfolioOptions(minutes_limit=4, one_per_municipality=True)
    placed = solve_portfolio(problem, opt)
    _, cost = compare_alone(problem, opt, placed)
    rob = robustness(problem, opt, placed, draws=50, seed=0)
    return PortfolioReport(placed.offices, placed.method_da, cost, rob.sentences,
                           municipality_reach(problem, placed, 4, ("Aby", "Bby", "Cby")))


def empty_book() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def test_excel_sheet_has_offices_method_and_reach(report):
    book = load_workbook(io.BytesIO(add_portfolio_sheet(empty_book(), report)))
    ws = book["Portefølje"]
    assert [ws.cell(row=1, column=j).value for j in (1, 2, 5)] == ["Klynge", "By", "Klyngeansatte dækket"]
    assert [ws.cell(row=r, column=2).value for r in (2, 3, 4)] == ["T2", "T1", "T4"]
    assert [ws.cell(row=r, column=5).value for r in (2, 3, 4)] == [90, 80, 45]
    assert ws.cell(row=2, column=9).value.startswith("Byggeri i T2 er med i ")
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("optimalitetsgab" in t for t in texts) and "Aby" in [c.value for c in ws["B"]]
    again = load_workbook(io.BytesIO(add_portfolio_sheet(add_portfolio_sheet(empty_book(), report), report)))
    assert again.sheetnames.count("Portefølje") == 1


def test_pdf_has_overview_and_one_page_per_office(report):
    pdf = pypdf.PdfReader(io.BytesIO(portfolio_to_pdf(report)))
    assert len(pdf.pages) == 1 + 3
    assert "Klyngeportefølje" in pdf.pages[0].extract_text()
    assert "Energi i T4" in pdf.pages[3].extract_text()


def test_map_layer_colours_and_labels_per_cluster():
    offices = [{"cluster_name": "Byggeri og anlæg", "town": "Næstved", "lat": 55.23, "lon": 11.76, "colour": cluster_colour(0),
                "employees": 1200.0},
               {"cluster_name": "Energi", "town": "Kalundborg", "lat": 55.68, "lon": 11.09, "colour": cluster_colour(7),
                "employees": 300.0}]
    ring = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [11.76, 55.23]}, "properties": {}}
    markers = office_markers(offices)
    assert [(m.lat, m.lon) for m in markers] == [(55.23, 11.76), (55.68, 11.09)]
    assert 'aria-label="Byggeri og anlæg i Næstved"' in markers[0].html and ">BOA<" in markers[0].html
    assert cluster_colour(7) == CLUSTER_COLOURS[0] and initials("Energi") == "E"
    assert "1.200 klyngeansatte" in markers[0].tooltip
    rings = portfolio_rings(offices, [ring, None])["features"]  # an office without an outline draws none
    assert len(rings) == 1 and rings[0]["properties"]["colour"] == cluster_colour(0) and rings[0]["properties"]["fill"]


def test_scenario_v2_keeps_portfolio_and_v1_still_loads():
    pf = {"clusters": ["byggeri", "energy"], "offices": 2, "fixed": [["byggeri", "Næstved"]], "one_per_municipality": True,
          "per_town": 1, "floor": False, "minutes": 45, "objective": "mclp"}
    sc = Scenario(sites=[Site("Næstved", 55.2301, 11.7605)], portfolio=pf)
    back = scenario_from_json(sc.to_json())
    assert SCHEMA_VERSION == 2 and back.portfolio == pf
    old = json.loads(sc.to_json())
    old["schema_version"] = 1
    del old["portfolio"]
    assert scenario_from_dict(old).portfolio is None


@pytest.mark.parametrize("bad", [{"clusters": "byggeri"}, {"objective": "max"}, {"fixed": [["a"]]}, {"x": 1},
                                 {"clusters": ["../etc"]}, {"offices": 2.5}])
def test_scenario_bad_portfolio_gives_danish_error(bad):
    obj = json.loads(Scenario(sites=[Site("A", 55.2, 11.7)]).to_json())
    obj["portfolio"] = bad
    with pytest.raises(InputFileError, match="portfolio"):
        scenario_from_dict(obj)


def test_office_table_in_the_app_is_danish_and_text() -> None:
    from ui.portfolio import _offices_da  # the app's table, without running Streamlit

    offices = pd.DataFrame([{"cluster_name": "[Klik](http://x.example)", "town": "Næstved", "kommunekode": "0370",
                             "kommune": "Næstved", "employees_covered": 21077, "share_covered": 0.5968,
                             "mean_minutes": 46.63, "fixed": True}])
    shown = _offices_da(PortfolioReport(offices, "metode", "pris"), "da")
    row = shown.iloc[0]
    assert shown.index[0] == "[Klik](http://x.example)"  # md_table escapes it when the app shows it
    assert row["Klyngeansatte dækket"] == "21.077"
    assert row["Andel af klyngen"].replace("\xa0", " ") == "59,7 %"
    assert row["Gns. minutter"] == "46,6" and row["Fast kontor"] == "ja"
