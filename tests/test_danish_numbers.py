"""Every output speaks Danish numbers through the one formatter (geo.format): CSV cells, Excel
number formats, the PDF's text, the HTML map's text and the CLI's stdout."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pypdf
import pytest

from geo.format import excel_format
from geo.report.csv import danish_header, to_csv_bytes
from geo.report.formats import render
from tests.report_support import report_data

ROOT = Path(__file__).resolve().parents[1]
#: An English decimal ("20.0", "55.2299"): a point followed by other than exactly three digits.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.])\d+\.(?:\d{1,2}|\d{4,})(?![\d.])")
#: Every number format the workbook may use: the ones geo.format gives.
EXCEL_FORMATS = {excel_format(d, p) for d in range(6) for p in (False, True)}


@pytest.fixture(scope="module")
def data():
    return report_data(n_sites=2, case=False)


def test_csv_cells_have_decimal_commas_and_the_spec_decimals() -> None:
    table = pd.DataFrame({"site": ["A"], "workplaces_45": [2586.0], "share_k17_45": [20.0],
                          "employees_45": [12345.6], "nearest_station_km": [3.26]})
    text = to_csv_bytes(table, ["Kilde"]).decode("utf-8-sig")
    row = pd.read_csv(io.StringIO(text.split("\n\n")[0]), sep=";", dtype=str).iloc[0]
    # a count has no ",0" and no thousands dot (Danish Excel reads "2586" as a number); one decimal for % and km
    assert row[danish_header("workplaces_45")] == "2586"
    assert row[danish_header("employees_45")] == "12346"
    assert row[danish_header("share_k17_45")] == "20,0"
    assert row[danish_header("nearest_station_km")] == "3,3"


def test_excel_cells_carry_the_formatters_number_formats(data) -> None:
    book = openpyxl.load_workbook(io.BytesIO(render(data, "xlsx")))
    sheet = book["Indikatorer"]
    heads = {str(c.value): c.column for c in sheet[2] if c.value}
    count = sheet.cell(row=3, column=heads[next(h for h in heads if h.startswith("Klyngearbejdssteder inden for 45"))])
    km = sheet.cell(row=3, column=heads[next(h for h in heads if h.startswith("Afstand til nærmeste togstation"))])
    assert count.value == data.table["workplaces_45"].iloc[0] and count.number_format == "#,##0"  # Danish Excel: 2.586
    assert km.number_format == "#,##0.0"  # Danish Excel: 12,3
    odd = [(ws.title, c.coordinate, c.number_format) for ws in book.worksheets for r in ws.iter_rows() for c in r
           if isinstance(c.value, float) and c.number_format not in EXCEL_FORMATS]
    assert odd == []


def test_pdf_text_has_danish_numbers(data) -> None:
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(render(data, "pdf"))).pages)
    text = text.replace("\u00a0", " ")
    first = data.table.iloc[0]
    workplaces = int(first["workplaces_45"])
    assert workplaces >= 1000  # the check below needs a thousands separator
    assert f"{workplaces:,}".replace(",", ".") in text  # "2.586", never "2586" or "2586,0"
    assert f"{workplaces},0" not in text
    assert f"{first['share_k17_45']:.1f} %".replace(".", ",") in text  # "20,0 %"
    # industry codes ("71.1") and licence versions ("CC BY 4.0") are names, not numbers
    numbers = "\n".join(line for line in text.splitlines() if "Branchekoder" not in line and "CC BY" not in line)
    assert not ENGLISH_DECIMAL.findall(numbers), ENGLISH_DECIMAL.findall(numbers)[:5]


def test_html_map_text_has_thousands_dots(data) -> None:
    page = render(data, "html").decode("utf-8")
    munis = data.layers.municipalities
    population = int(munis["population"].max())
    assert population >= 1000
    assert f"Befolkning: {population:,}".replace(",", ".") in page
    assert f"Befolkning: {population}" not in page


def test_cli_prints_danish_csv_by_default_and_codes_when_international() -> None:
    def run(*extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "geo", "split", "--total", "1000001", "--key", "equal", *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.lstrip("\ufeff").split("\n\n")[0]

    danish = pd.read_csv(io.StringIO(run()), sep=";", dtype=str)
    # 1.000.001 kr. over 17 municipalities: 1/17 = 0,058824; 58.823,6 kr. each, whole kroner by largest remainder
    assert danish["Andel (brøk)"].tolist() == ["0,058824"] * 17
    assert set(danish["Beløb (kr.)"]) == {"58823", "58824"}
    international = pd.read_csv(io.StringIO(run("--international")), dtype=str)
    assert international["share"].tolist() == ["0.058824"] * 17 and "amount_kr" in international
