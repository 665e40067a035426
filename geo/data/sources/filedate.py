"""The date of the data in a file, from the file itself – never from the clock.

In order: date attributes of the features (DAGI ``virkningFra``/``registreringFra``, FOT
``AENDR_DATO`` …), a date or year in the file name (``kommuner_fot2014.geojson`` -> 2014), the
file's own metadata (an .xlsx's ``dcterms:modified``), and last the file system's modification
date, which is labelled as such (a copied file carries the day it was copied).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

from geo.data.sources.geofile import PathOrBuffer

#: Feature attributes that carry the data's date (compared case-insensitively).
DATE_COLUMNS = ("virkningfra", "registreringfra", "virkningstid", "aendr_dato", "aendringsdato",
                "opdateret", "dato", "datafordeleropdateringstid")
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NAME_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_XLSX_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})")
MTIME_LABEL = " (filens ændringsdato)"


def _attribute_date(frame: pd.DataFrame | None) -> str | None:
    if frame is None:
        return None
    for column in frame.columns:
        if str(column).casefold() in DATE_COLUMNS:
            dates = pd.to_datetime(frame[column], errors="coerce", utc=True).dropna()
            if len(dates):
                return dates.max().date().isoformat()
    return None


def _name_date(name: str) -> str | None:
    match = _NAME_DATE.search(name)
    if match:
        return "-".join(match.groups())
    years = [y for y in _NAME_YEAR.findall(name) if int(y) <= date.today().year]
    return years[-1] if years else None


def _xlsx_date(data: bytes | None) -> str | None:
    if not data or not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > 1_000_000:
                return None
            match = _XLSX_MODIFIED.search(archive.read(info))
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    return match[1].decode() if match else None


def data_date(path_or_buffer: PathOrBuffer, frame: pd.DataFrame | None = None,
              data: bytes | None = None) -> str:
    """The data's date (YYYY-MM-DD or YYYY) as told by the file; 'ukendt' when nothing does.

    Parameters
    ----------
    path_or_buffer : the file (its name is read; a buffer's ``name`` if it has one).
    frame : the features read from it (date attributes are looked for).
    data : the file's bytes, for embedded metadata (.xlsx).
    """
    name = (Path(path_or_buffer).name if isinstance(path_or_buffer, (str, os.PathLike))
            else str(getattr(path_or_buffer, "name", "") or ""))
    found = _attribute_date(frame) or _name_date(name) or _xlsx_date(data)
    if found:
        return found
    if isinstance(path_or_buffer, (str, os.PathLike)):
        try:
            return date.fromtimestamp(Path(path_or_buffer).stat().st_mtime).isoformat() + MTIME_LABEL
        except OSError:
            return "ukendt"
    return "ukendt"
