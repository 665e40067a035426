"""One string catalogue for the UI: Danish by default, English selectable."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = {"da": "Dansk", "en": "English"}
_DIR = Path(__file__).with_name("locales")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language."""
    return json.loads((_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def t(key: str, lang: str = "da", **values: object) -> str:
    """The string for `key` in `lang`, formatted with `values`; falls back to Danish."""
    text = catalogue(lang).get(key) or catalogue("da")[key]
    return text.format(**values) if values else text


def number(value: float, decimals: int = 0, lang: str = "da") -> str:
    """Number with Danish ('12.345,6') or English ('12,345.6') separators."""
    if value != value:  # NaN
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
