"""The one place that picks Danish or English: a string catalogue (Danish by default, English
selectable) for the code's own texts, and `choose` for texts that come in pairs from data
(cluster names, error messages). No other module compares ``lang`` itself."""

from __future__ import annotations

import json
from collections.abc import Mapping
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


def choose(variants: Mapping[str, str], lang: str = "da") -> str:
    """The variant for ``lang`` of a text given per language (``{"da": …, "en": …}``); falls back to Danish."""
    return variants.get(lang) or variants["da"]

