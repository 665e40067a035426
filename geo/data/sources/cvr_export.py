"""Workplaces from a CVR company-search export (Virk datacvr: .xlsx or .csv).

Addresses carry no coordinates; a `Placer` puts each row at its postcode area or town.
Rows that cannot be placed are left out of the layer but counted in the returned notes.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data.addresses import Placer
from geo.data.clusters import split_code
from geo.data.employment import MONTHS_DA, employment_line
from geo.data.provenance import Provenance
from geo.data.schema import LOCATION_QUALITY_DA, WORKPLACES
from geo.data.sources.filedate import data_date
from geo.data.sources.geofile import (
    PathOrBuffer,
    check_zip,
    is_zip,
    read_bytes,
    source_name_and_date,
)
from geo.data.spatial import assign_municipality
from geo.errors import InputFileError
from geo.settings import CRS_METRIC

SOURCE = "Erhvervsstyrelsen, CVR (virksomhedssøgning på datacvr.virk.dk, eksport)"
#: Most data rows read from one export (all Danish production units are ~0.8 million; a
#: cluster's export is far smaller). Longer files are refused with a Danish message.
MAX_ROWS = 500_000
#: Largest export file read (bytes).
MAX_BYTES = 200 * 1024 * 1024
#: Rows searched for the header line.
HEADER_SCAN_ROWS = 50
#: Parts every Office Open XML package has; a zip without them is not opened by openpyxl.
OOXML_PARTS = frozenset({"[Content_Types].xml", "_rels/.rels"})

#: Field -> accepted header spellings (compared after `_header_key`).
HEADERS: dict[str, tuple[str, ...]] = {
    "cvr": ("cvr-nummer/reg-nummer", "cvr-nummer", "cvr nummer", "cvrnummer", "cvr-nr", "cvr nr",
            "cvr"),
    "pnr": ("p-nummer", "p nummer", "pnummer", "p-nr", "p nr", "pnr"),
    "name": ("navn", "virksomhedsnavn", "produktionsenhedsnavn", "name"),
    "address": ("adresse", "address"),
    "postcode": ("postnr", "postnummer", "post nr"),
    "city": ("by", "postdistrikt", "city"),
    "employees": ("årsværk", "aarsvaerk", "antal årsværk", "antal ansatte", "ansatte"),
    "industry": ("hovedbranche", "branche", "branchekode"),
    "employees_month": ("årsværk (måned)", "årsværk måned", "antal årsværk (måned)",
                        "månedsbeskæftigelse", "månedsbeskæftigelse årsværk",
                        "månedsbeskæftigelse (årsværk)", "ansatte (måned)",
                        "antal ansatte (måned)", "månedsbeskæftigelse ansatte"),
    "employees_period": ("beskæftigelsesperiode", "beskæftigelse periode", "beskæftigelsesmåned",
                         "periode (måned)", "måned", "opgørelsesmåned"),
}
#: Danish column names used in error messages.
HEADER_DA = {
    "cvr": "CVR-nummer/REG-nummer (eller P-nummer)",
    "name": "Navn",
    "postcode": "Postnr.",
    "city": "By",
    "employees": "Årsværk",
    "industry": "Hovedbranche",
}
REQUIRED = ("cvr", "name", "postcode", "city", "employees", "industry")
_LOOKUP = {spelling: field for field, spellings in HEADERS.items() for spelling in spellings}
_BAND = re.compile(r"^(\d+)\s*[-–]\s*(\d+)$")
_OPEN_BAND = re.compile(r"^(?:over\s+|mindst\s+)?(\d+)\s*\+?$|^(\d+)\s*(?:\+|og derover)$", re.I)


def _header_key(value: object) -> str:
    return " ".join(str(value or "").strip().casefold().rstrip(".:").split())


def _fmt(n: int) -> str:
    """Danish thousands separator: 12345 -> '12.345'."""
    return f"{n:,}".replace(",", ".")


def _bad_file(detail_da: str, detail_en: str) -> InputFileError:
    return InputFileError(
        f"CVR-eksporten kunne ikke læses: {detail_da}",
        f"The CVR export could not be read: {detail_en}",
    )


def _too_many_rows() -> InputFileError:
    return InputFileError(
        f"CVR-eksporten har mere end {_fmt(MAX_ROWS)} rækker; højst {_fmt(MAX_ROWS)} kan "
        "indlæses. Afgræns søgningen på datacvr.virk.dk (fx branche eller kommune) og eksportér igen.",
        f"The CVR export has more than {MAX_ROWS} rows; at most {MAX_ROWS} can be read.",
    )


def _capped(rows, cap: int = MAX_ROWS + HEADER_SCAN_ROWS) -> tuple[list, bool]:
    """At most `cap` rows and whether there were more."""
    out = list(itertools.islice(rows, cap + 1))
    return out[:cap], len(out) > cap


def _xlsx_sheets(data: bytes) -> list[tuple[list[tuple], bool]]:

    try:
        check_zip(data, "regneark", "workbook")
    except InputFileError as exc:
        raise _bad_file(exc.message_da, exc.message_en) from exc
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # check_zip has opened it already
        names = set(archive.namelist())
    if not OOXML_PARTS <= names:  # any other zip (a zipped Shapefile, a VRT, …) is not a workbook
        raise _bad_file("zip-filen er ikke et Excel-ark (.xlsx).", "the zip file is not an .xlsx workbook.")
    import openpyxl  # optional: loaded when a workbook is read (not for the app's first page)

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [_capped(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
        finally:
            workbook.close()
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl/lxml/zipfile raise many unrelated types on bad input
        raise _bad_file(
            f"regnearket er beskadiget eller ikke et Excel-ark (.xlsx) ({type(exc).__name__}).",
            f"the workbook is corrupt or not an .xlsx file ({type(exc).__name__}: {exc}).",
        ) from exc


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text": UTF-16 with BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _bad_file("filen ligner UTF-16-tekst, men er beskadiget.",
                            "the file looks like UTF-16 text but is corrupt.") from exc
    if b"\x00" in data[:4096]:
        raise _bad_file("filen er hverken et regneark (.xlsx) eller en CSV-fil.",
                        "the file is neither a spreadsheet (.xlsx) nor a CSV file.")
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls > max(2, len(text[:20000]) // 200):
        raise _bad_file("filen er hverken et regneark (.xlsx) eller en CSV-fil.",
                        "the file is neither a spreadsheet (.xlsx) nor a CSV file.")
    return text


def _csv_tables(data: bytes) -> list[tuple[list[list[str]], bool]]:
    """Rows of the CSV read with the delimiter (';', ',' or tab) that best finds the header."""
    text = _decode(data).replace("\x00", "")
    try:
        best, best_found = ";", -1
        for delimiter in (";", ",", "\t"):
            head = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter),
                                         HEADER_SCAN_ROWS))
            found = len(_find_header(head)[1])
            if found > best_found:
                best, best_found = delimiter, found
        return [_capped(csv.reader(io.StringIO(text), delimiter=best))]
    except csv.Error as exc:
        raise _bad_file(f"CSV-filen er beskadiget ({exc}).", f"the CSV file is corrupt ({exc}).") \
            from exc


def _find_header(rows: list) -> tuple[int, dict[str, int]]:
    """Index of the header row (first 50 rows) and field -> column position; (-1, {}) if none."""
    best: tuple[int, dict[str, int]] = (-1, {})
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row or ()):
            field = _LOOKUP.get(_header_key(cell))
            if field and field not in found:
                found[field] = j
        if len(found) > len(best[1]):
            best = (i, found)
        if len(found) >= len(REQUIRED):
            break
    return best if len(best[1]) >= 2 else (-1, {})


def _read_table(data: bytes) -> tuple[list, dict[str, int]]:
    """Rows below the header and the column positions, from the best sheet or delimiter."""
    if is_zip(data):
        tables = _xlsx_sheets(data)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _bad_file("det gamle Excel-format (.xls) understøttes ikke; gem som .xlsx/.csv.",
                        "the old Excel format (.xls) is not supported; save as .xlsx or .csv.")
    else:
        tables = _csv_tables(data)
    best: tuple[int, dict[str, int], list, bool] = (-1, {}, [], False)
    for rows, truncated in tables:
        index, columns = _find_header(rows)
        if len(columns) > len(best[1]):
            best = (index, columns, rows, truncated)
    index, columns, rows, truncated = best
    if truncated or len(rows) - index - 1 > MAX_ROWS:
        raise _too_many_rows()
    expected = ", ".join(HEADER_DA[f] for f in REQUIRED)
    if index < 0:
        raise _bad_file(
            f"ingen overskriftsrække fundet. Forventede kolonner: {expected}.",
            "no header row found. Expected columns: CVR-nummer/REG-nummer, Navn, Postnr., By, "
            "Årsværk, Hovedbranche.",
        )
    missing = [f for f in REQUIRED if f not in columns and not (f == "cvr" and "pnr" in columns)
               and not (f == "employees" and "employees_month" in columns)]
    if missing:
        names = ", ".join(HEADER_DA[f] for f in missing)
        raise InputFileError(
            f"CVR-eksporten mangler kolonnerne: {names}.",
            f"The CVR export lacks the columns: {', '.join(missing)}.",
        )
    return rows[index + 1:], columns


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = " ".join(str(value).split())
    return text or None


def parse_id(value: object) -> str | None:
    """CVR or P-number as a digit string ('DK 1234 5678' and 12345678.0 accepted)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = (_text(value) or "").upper().removeprefix("DK").replace(" ", "")
    return text if text.isascii() and text.isdigit() else None


def parse_industry(value: object) -> tuple[str | None, str | None]:
    """'410000 Opførelse af bygninger' / '41.00.00' / 'F 43.22' / 410000 -> (digits, text or None)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return None, None
        code = str(int(value))
        return (code.zfill(6), None) if len(code) in (5, 6) else (None, None)
    text = _text(value)
    if text is None:
        return None, None
    code, rest = split_code(text)
    return (code, rest or None) if code else (None, text)


def parse_employees(value: object) -> tuple[float, str | None]:
    """Årsværk: number -> float; '20-49' -> (34.5, '20-49'); '-' or blank -> NaN."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        return (number, None) if math.isfinite(number) and number >= 0 else (np.nan, None)
    text = (_text(value) or "").replace("\u2013", "-")
    if text in ("", "-"):
        return np.nan, None
    band = _BAND.match(text)
    if band:
        low, high = int(band[1]), int(band[2])
        return (low + high) / 2, f"{low}-{high}"
    open_band = _OPEN_BAND.match(text)
    if open_band and not text.isdigit():
        return float(open_band[1] or open_band[2]), text
    if "," in text or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return np.nan, None
    return (number, None) if math.isfinite(number) and number >= 0 else (np.nan, None)


def parse_period(value: object) -> str | None:
    """A month as 'YYYY-MM': '2026-09', '09-2026', '9/2026', 'september 2026', a date -> '2026-09'."""
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"
    text = (_text(value) or "").casefold()
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.]\d{1,2})?", text) \
        or re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text)
    if match:
        year, month = (match[1], match[2]) if len(match[1]) == 4 else (match[2], match[1])
        return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None
    named = re.fullmatch(r"([a-zæøå]+)\.?\s+(\d{4})", text)
    if named:
        months = [i for i, m in enumerate(MONTHS_DA, start=1) if m.startswith(named[1][:3])]
        return f"{named[2]}-{months[0]:02d}" if months else None
    return None


def _employment(cell: Callable[[str], object]) -> tuple[float, str | None, str | None]:
    """(employees, band, period): the monthly column when it holds a value, else 'Årsværk'."""
    monthly, band = parse_employees(cell("employees_month"))
    if not np.isnan(monthly):
        return monthly, band, parse_period(cell("employees_period"))
    employees, band = parse_employees(cell("employees"))
    return employees, band, None


def parse_postcode(value: object) -> str | None:
    """4-digit postcode string; 800 -> '0800'; 'DK-2800' -> '2800'."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)).zfill(4) if 0 < value < 10000 else None
    match = re.search(r"(?<!\d)(\d{3,4})(?!\d)", _text(value) or "", re.ASCII)
    return match[1].zfill(4) if match else None


def _records(rows: list, columns: dict[str, int]) -> pd.DataFrame:
    def cell(row: tuple, field: str) -> object:
        j = columns.get(field)
        return row[j] if j is not None and j < len(row) else None

    out = []
    for row in rows:
        if not row or all(_text(v) is None for v in row):
            continue
        code, text = parse_industry(cell(row, "industry"))
        employees, band, period = _employment(lambda field, row=row: cell(row, field))
        out.append({
            "cvr": parse_id(cell(row, "cvr")),
            "pnr": parse_id(cell(row, "pnr")),
            "name": _text(cell(row, "name")),
            "industry_code": code,
            "industry_text": text,
            "employees": employees,
            "employees_band": band,
            "employees_period": period,
            "employees_open": band is not None and band.endswith("+"),
            "address": _text(cell(row, "address")),
            "postcode": parse_postcode(cell(row, "postcode")),
            "city": _text(cell(row, "city")),
        })
    frame = pd.DataFrame(out, columns=[
        "cvr", "pnr", "name", "industry_code", "industry_text", "employees", "employees_band",
        "employees_period", "employees_open", "address", "postcode", "city",
    ])
    frame = frame.astype({c: object for c in frame.columns if c not in ("employees", "employees_open")})
    return frame.astype({"employees": "float64", "employees_open": bool})


def read_cvr_export(
    path_or_buffer: PathOrBuffer,
    placer: Placer,
    municipalities: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, Provenance, tuple[str, ...]]:
    """Read a CVR export into a workplaces layer (EPSG:25832), its provenance and Danish notes.

    `municipalities` (kommunekode + polygons), if given, sets `kommunekode` by
    point-in-polygon; otherwise it is None.

    Raises
    ------
    InputFileError
        Empty, corrupt, not a spreadsheet, required columns missing (named in Danish), over
        `MAX_BYTES`, more than `MAX_ROWS` rows, or a zip (.xlsx) that would unpack too large.
    """
    data = read_bytes(path_or_buffer, MAX_BYTES)
    rows, columns = _read_table(data)
    df = _records(rows, columns)
    unit = "produktionsenheder" if "pnr" in columns else "virksomheder"
    if df.empty:
        raise InputFileError(f"CVR-eksporten indeholder ingen {unit}, kun overskrifter.",
                             "The CVR export contains no rows below the header.")
    file_name, _ = source_name_and_date(path_or_buffer)
    when = data_date(path_or_buffer, data=data)
    notes = [f"{_fmt(len(df))} {unit} læst fra {file_name}."]

    no_id = df["cvr"].isna() & df["pnr"].isna()
    if no_id.any():
        notes.append(f"{_fmt(int(no_id.sum()))} rækker uden CVR- eller P-nummer er sprunget over.")
        df = df[~no_id]
    key = df["pnr"].where(df["pnr"].notna(), "cvr:" + df["cvr"].astype(str))
    dup = key.duplicated(keep="first")
    if dup.any():
        label = "P-nummer" if "pnr" in columns else "CVR-nummer"
        notes.append(f"{_fmt(int(dup.sum()))} dubletter (samme {label}) fjernet; "
                     "første forekomst er beholdt.")
        df = df[~dup]
    df = df.reset_index(drop=True)
    total = len(df)

    unknown = int(df["employees"].isna().sum())
    if unknown:
        notes.append(f"{_fmt(unknown)} af {_fmt(total)} {unit} har ukendt antal årsværk "
                     "('-' eller tomt).")
    banded = int(df["employees_band"].notna().sum())
    if banded:
        notes.append(f"{_fmt(banded)} {unit} har årsværk som interval; midtpunktet er brugt.")
    no_code = int(df["industry_code"].isna().sum())
    if no_code:
        notes.append(f"{_fmt(no_code)} {unit} har ingen gyldig branchekode (fx 43.22.00 eller F 43.22) og indgår ikke i klyngens tal.")

    points, quality = placer.place(df["postcode"], df["city"])
    placed = quality.notna().to_numpy()
    counts = quality.value_counts()
    parts = [f"{_fmt(int(counts[q]))} ved {LOCATION_QUALITY_DA[q]}" for q in ("postcode", "town")
             if q in counts]
    notes.append("Placering: " + ("; ".join(parts) if parts else "ingen placeret") + ".")
    unplaced = total - int(placed.sum())
    if unplaced:
        notes.append(f"{_fmt(unplaced)} af {_fmt(total)} {unit} kunne ikke placeres "
                     "(ukendt postnummer og by) og indgår ikke.")

    gdf = gpd.GeoDataFrame(df[placed], geometry=points[placed].values, crs=CRS_METRIC)
    gdf["location_quality"] = quality[placed].to_numpy()
    if municipalities is not None and len(gdf):
        gdf["kommunekode"] = assign_municipality(gdf, municipalities)
        outside = int(gdf["kommunekode"].isna().sum())
        if outside:
            notes.append(f"{_fmt(outside)} placerede {unit} ligger uden for kommunegrænserne.")
    else:
        gdf["kommunekode"] = pd.Series(None, index=gdf.index, dtype=object)
    order = [*WORKPLACES.columns, "address", "postcode", "city", "industry_text",
             "employees_band", "employees_period", "employees_open", "geometry"]
    gdf = gdf[order].reset_index(drop=True)
    prov = Provenance(
        layer=WORKPLACES.name_da,
        source=f"{SOURCE}, {file_name}",
        date=when,
        method="Adresser uden koordinater placeret omtrentligt: repræsentativt punkt i "
               "postnummerområdet, ellers byens midtpunkt; " + employment_line(gdf, "CVR-eksport"),
        quality="approximate",
        url="https://datacvr.virk.dk",
    )
    return gdf, prov, tuple(notes)
