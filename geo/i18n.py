"""One string catalogue for the UI: Danish by default, English selectable."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from geo.format import number  # noqa: F401  the one formatter (babel, da_DK), re-exported for callers

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
