"""Neutralise spreadsheet formulas (OWASP CSV injection) and sanitise file names."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP:
#: '=', '+', '-', '@', tab, carriage return), plus their full-width forms, which some
#: spreadsheet versions normalise to the ASCII ones.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Unicode categories a spreadsheet may skip or show as nothing before the first character:
#: control (Cc) and format characters (Cf: bidi controls, zero-width, BOM).
_IGNORABLE = ("Cc", "Cf")
#: File names Windows refuses whatever the extension.
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Leading white space (any Unicode space, line breaks), control characters and invisible
    format characters – bidi marks and overrides (U+200E, U+202E …), zero-width spaces and
    joiners, the byte-order mark U+FEFF – do not hide the trigger character, nor do its
    full-width and small compatibility forms.
    """
    if isinstance(value, str) and _starts_formula(value):
        return "'" + value
    return value


def _starts_formula(text: str) -> bool:
    for ch in text:
        if ch in _FORMULA_START or unicodedata.normalize("NFKC", ch) in _FORMULA_START:
            return True
        if not (ch.isspace() or unicodedata.category(ch) in _IGNORABLE):
            return False
    return False


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and header neutralised; numbers stay numbers."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def safe_filename(name: str, default: str = "klyngested") -> str:
    """ASCII-safe file name stem: letters, digits, '-' and '_' only, at most 80 characters.

    No path parts, dots, control characters or leading '-' (read as an option by shells);
    Windows device names (CON, NUL, COM1 …) get a trailing '_'.
    """
    text = str(name or "").replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = text.replace("Æ", "Ae").replace("Ø", "Oe").replace("Å", "Aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_.-")[:80].rstrip("_-")
    if stem.upper() in _RESERVED:
        stem += "_"
    return stem or default
