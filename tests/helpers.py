"""Tiny hand-made layers with known geometry, for tests whose answers are checked by hand."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
from shapely import Point, box
from streamlit.testing.v1 import AppTest

from geo.data.bundle import Layers
from geo.data.provenance import Provenance
from geo.i18n import t
from geo.settings import CRS_METRIC

X0, Y0 = 680_000.0, 6_130_000.0  # a site near Næstved, EPSG:25832


def prov(layer: str, quality: str = "synthetic") -> Provenance:
    return Provenance(layer, "testdata", "2026-11-26", "håndlavet", quality)  # type: ignore[arg-type]


def tiny_layers() -> Layers:
    """Two municipalities side by side (0370 west, 0320 east of X0+30 km) and points at known distances.

    Workplaces lie due east of the site at 5, 20, 25, 40 and 100 km; codes 410000, 432100,
    620100, 410000, 410000; employees 10, NaN, 7, 3, 50.
    """
    munis = gpd.GeoDataFrame(
        {"kommunekode": ["0370", "0320"], "navn": ["Næstved", "Faxe"], "population": [84574.0, 37344.0]},
        geometry=[box(X0 - 30_000, Y0 - 30_000, X0 + 30_000, Y0 + 30_000), box(X0 + 30_000, Y0 - 30_000, X0 + 200_000, Y0 + 30_000)],
        crs=CRS_METRIC,
    )
    dx = np.array([5, 20, 25, 40, 100]) * 1000.0
    workplaces = gpd.GeoDataFrame(
        {
            "cvr": ["1", "2", "3", "4", "5"],
            "pnr": [None] * 5,
            "name": ["A", "B <script>", "C", "D", "=E"],
            "industry_code": ["410000", "432100", "620100", "410000", "410000"],
            "employees": [10.0, np.nan, 7.0, 3.0, 50.0],
            "kommunekode": ["0370", "0370", "0370", "0320", "0320"],
            "location_quality": ["synthetic"] * 5,
        },
        geometry=[Point(X0 + d, Y0) for d in dx],
        crs=CRS_METRIC,
    )
    institutions = gpd.GeoDataFrame(
        {
            "name": ["Uni", "Skole"],
            "kind": ["university", "vocational_school"],
            "kommunekode": ["0370", "0320"],
            "location_quality": ["town", "town"],
            "source": ["test", "test"],
        },
        geometry=[Point(X0, Y0 + 3000), Point(X0 + 40_000, Y0)],
        crs=CRS_METRIC,
    )
    stations = gpd.GeoDataFrame(
        {"name": ["St"], "kommunekode": ["0370"], "location_quality": ["exact"], "source": ["test"]},
        geometry=[Point(X0 - 4000, Y0 + 3000)],
        crs=CRS_METRIC,
    )
    towns = gpd.GeoDataFrame({"name": ["By"], "population": [1000]}, geometry=[Point(X0, Y0)], crs=CRS_METRIC)
    return Layers(
        municipalities=munis,
        workplaces=workplaces,
        institutions=institutions,
        stations=stations,
        towns=towns,
        provenance={n: prov(n) for n in ("municipalities", "workplaces", "institutions", "stations", "towns")},
    )


def open_section(at: AppTest, section: str) -> None:
    """Switch the app under AppTest to a tab below the map (only the open tab runs) and run it."""
    at.session_state["section"] = t(f"tab_{section}", "da")
    at.run()


def add_town(at: AppTest, town: str) -> None:
    """Add a site through the app's town form under AppTest (opening its tab: only the open
    tab's form is drawn) and run the app."""
    if "add_how" not in at.session_state or at.session_state["add_how"] != t("add_town", "da"):
        at.session_state["add_how"] = t("add_town", "da")
        at.run()
    at.selectbox(key="town_pick").set_value(town)
    at.button(key="town_add").click()
    at.run()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """An Excel workbook with `rows` on its first sheet, as bytes (a stand-in for an uploaded file)."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def shown_tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables the app shows (`ui.chrome.show_table`), read back from their HTML as text:
    header cells as columns (the first names the row labels), each row's ``th`` as its label.
    The site list beside the map is left out: these are the sections' tables."""
    tables = []
    for element in at.html:
        if 'class="ks-table-wrap"' not in element.body or 'class="ks-site-list"' in element.body:
            continue
        table = ET.fromstring(element.body).find("table")
        head = ["".join(th.itertext()) for th in table.find("thead").iter("th")]
        rows = table.find("tbody").findall("tr")
        labels = ["".join(r.find("th").itertext()) for r in rows]
        cells = [["".join(td.itertext()) for td in r.findall("td")] for r in rows]
        tables.append(pd.DataFrame(cells, index=pd.Index(labels, name=head[0] or None), columns=head[1:]))
    return tables
