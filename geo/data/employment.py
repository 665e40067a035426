"""Employment figures of CVR units: interval codes, periods and the line that states them.

CVR publishes employment per unit in three blocks, newest first: monthly
(``nyesteErstMaanedsbeskaeftigelse``: ``aar``, ``maaned``), quarterly
(``nyesteKvartalsbeskaeftigelse``: ``aar``, ``kvartal``) and yearly
(``nyesteAarsbeskaeftigelse``: ``aar``). Each carries ``antalAarsvaerk``/``antalAnsatte`` or
interval codes such as ``ANTAL_20_49``; the open top band is ``ANTAL_1000_`` (older data:
``ANTAL_1000_999999``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december")
#: Blocks in the order they are tried, with the label used in `basis`.
BLOCKS = (("måned", "nyesteErstMaanedsbeskaeftigelse"),
          ("kvartal", "nyesteKvartalsbeskaeftigelse"),
          ("år", "nyesteAarsbeskaeftigelse"))
_BAND = re.compile(r"ANTAL_(\d+)_(\d*)", re.IGNORECASE)
#: An upper bound this large means "no upper bound" (the older spelling of the open band).
_OPEN_TOP = 999_999


class Employment(NamedTuple):
    """One unit's employment: value, band text, basis ('måned:antalAarsvaerk'), period, open top."""

    value: float
    band: str | None
    basis: str | None
    period: str | None
    open_top: bool


UNKNOWN = Employment(np.nan, None, None, None, False)


def parse_band(code: object) -> tuple[float, str | None, bool]:
    """Interval code -> (value, band text, open top).

    'ANTAL_20_49' -> (34.5, '20-49', False); 'ANTAL_1000_' and 'ANTAL_1000_999999' ->
    (1000.0, '1000+', True): an open band counts as its lower bound; unknown -> (NaN, None, False).
    """
    match = _BAND.search(str(code or ""))
    if not match:
        return np.nan, None, False
    low = int(match[1])
    if not match[2] or int(match[2]) >= _OPEN_TOP:
        return float(low), f"{low}+", True
    high = int(match[2])
    return (low + high) / 2, f"{low}-{high}", False


def block_period(label: str, block: Mapping[str, Any]) -> str | None:
    """'2026-09' (month), '2019-K3' (quarter) or '2018' (year); None without a valid year."""
    year = block.get("aar")
    if not isinstance(year, int) or isinstance(year, bool):
        return None
    if label == "måned" and isinstance(block.get("maaned"), int) and 1 <= block["maaned"] <= 12:
        return f"{year}-{block['maaned']:02d}"
    if label == "kvartal" and isinstance(block.get("kvartal"), int):
        return f"{year}-K{block['kvartal']}"
    return str(year)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def from_metadata(meta: Mapping[str, Any]) -> Employment:
    """The newest employment of a CVR unit: monthly, else quarterly, else yearly.

    Within a block a number (årsværk, then employees) wins over an interval code.
    """
    for label, key in BLOCKS:
        block = meta.get(key)
        if not isinstance(block, Mapping):
            continue
        period = block_period(label, block)
        for field in ("antalAarsvaerk", "antalAnsatte"):
            if _number(block.get(field)):
                return Employment(float(block[field]), None, f"{label}:{field}", period, False)
        for field in ("intervalKodeAntalAarsvaerk", "intervalKodeAntalAnsatte"):
            value, band, open_top = parse_band(block.get(field))
            if band is not None:
                return Employment(value, band, f"{label}:{field}", period, open_top)
    return UNKNOWN


def period_text(period: str | None) -> str:
    """'2026-09' -> 'september 2026'; '2019-K3' -> '3. kvartal 2019'; '2018' -> '2018'."""
    text = str(period or "")
    month = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if month and 1 <= int(month[2]) <= 12:
        return f"{MONTHS_DA[int(month[2]) - 1]} {month[1]}"
    quarter = re.fullmatch(r"(\d{4})-K(\d)", text)
    if quarter:
        return f"{quarter[2]}. kvartal {quarter[1]}"
    return text or "periode ukendt"


def main_period(frame: pd.DataFrame) -> str | None:
    """The most common employment period of the units (None when no unit has one)."""
    if "employees_period" not in frame:
        return None
    periods = frame["employees_period"].dropna().astype(str)
    return str(periods.value_counts().index[0]) if len(periods) else None


def employment_label(workplaces: pd.DataFrame, quality: str, date: str = "") -> str:
    """Short label of the employment figures in use: 'CVR, september 2026'.

    Synthetic workplaces say 'Demodata' with their calibration month; a CVR export without a
    period column says 'periode ikke angivet'.
    """
    if quality == "synthetic":
        return f"Demodata ({period_text(date[:7])})" if date else "Demodata"
    period = main_period(workplaces)
    return f"CVR, {period_text(period)}" if period else "CVR, periode ikke angivet"


def employment_line(frame: pd.DataFrame, source: str = "CVR") -> str:
    """'beskæftigelse: CVR, september 2026' – the most common period, with the older ones counted.

    Units without a period (e.g. a CVR export without a period column) are 'periode ikke
    angivet'; open top bands ('1000+') are counted as their lower bound and said so.
    """
    main = main_period(frame)
    if main is None:
        text = f"beskæftigelse: {source}, periode ikke angivet"
    else:
        text = f"beskæftigelse: {source}, {period_text(main)}"
        older = int((frame["employees_period"].dropna().astype(str) < main).sum())
        if older:
            text += f" ({older} enheder med ældre tal, nyeste pr. enhed brugt)"
    open_top = int(frame["employees_open"].fillna(False).astype(bool).sum()) \
        if "employees_open" in frame else 0
    if open_top:
        text += f"; {open_top} i åbent interval (fx 1000+) talt som nedre grænse"
    return text
