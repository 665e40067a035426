"""The export registry: one entry per meeting file format, each turning a `ReportData` into bytes.

PDF board pack, Excel workbook, GeoPackage for QGIS and the standalone HTML map (drawn with
the same folium code as the app's map, `geo.report.webmap`).
"""

from __future__ import annotations

from collections.abc import Callable

from geo.errors import InputFileError
from geo.report.bundle import ReportData
from geo.report.excel import report_to_xlsx
from geo.report.gpkg import report_to_gpkg
from geo.report.html import report_to_html
from geo.report.pdf import report_to_pdf

Exporter = Callable[[ReportData], bytes]

#: Format name -> exporter.
EXPORTERS: dict[str, Exporter] = {"pdf": report_to_pdf, "xlsx": report_to_xlsx, "gpkg": report_to_gpkg,
                                  "html": report_to_html}

#: File extension -> format name.
FORMATS: dict[str, str] = {".pdf": "pdf", ".xlsx": "xlsx", ".gpkg": "gpkg", ".html": "html", ".htm": "html"}


def render(data: ReportData, fmt: str) -> bytes:
    """Bytes of one export.

    Parameters
    ----------
    data : ReportData
        The report bundle.
    fmt : str
        A format name ('pdf', 'xlsx', 'gpkg', 'html') or a file extension ('.pdf').

    Raises
    ------
    InputFileError
        When there is nothing to export or the format is unknown (Danish message).
    """
    name = FORMATS.get(fmt.lower(), fmt.lower().lstrip("."))
    if data.sites.empty or data.table.empty:
        raise InputFileError("Der er ingen lokaliteter at eksportere.", "There are no sites to export.")
    if name not in EXPORTERS:
        raise InputFileError(f"Ukendt filformat: {fmt}. Brug {', '.join(sorted(FORMATS))}.",
                             f"Unknown export format {fmt!r}.")
    return EXPORTERS[name](data)
