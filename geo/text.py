"""User text as plain text: invisible and control characters removed, Markdown made inert.

Names and texts chosen by others (site, municipality, company, scenario and file names) reach
Streamlit's Markdown renderer in headings, sentences, toasts and labels, HTML in the app's
tables and lists, and matplotlib's text engine in figures and the PDF. `plain` removes what no reader can
see (format and control characters, lone surrogates), `md` escapes a text so that Markdown,
HTML, LaTeX and autolinks in it are shown literally, and `html_table` and `html_list` write a table or list whose
every cell or item is escaped text.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Sequence

import pandas as pd

#: Unicode categories removed: format characters (zero-width spaces and joiners, the bidi
#: embeddings/overrides/isolates U+202A–U+202E and U+2066–U+2069, U+FEFF, soft hyphen)
#: and lone surrogates (which cannot be written as UTF-8 and crash matplotlib's PDF fonts).
_REMOVED = frozenset({"Cf", "Cs"})
#: Line breaks and tabs survive `plain`; every other control character becomes a space.
_KEPT_CONTROLS = frozenset("\n\t")
#: Every ASCII punctuation character; CommonMark shows each literally when backslash-escaped.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Where GFM would turn plain text into a link (``http://``, ``www.``, ``name@host``). Those
#: links are found after escapes are resolved, so a word joiner (U+2060) is put in between.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?=@)")
_WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """`text` without invisible format characters, lone surrogates and control characters.

    Control characters other than line feed and tab become spaces; format characters
    (category Cf: U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF, …) and lone
    surrogates are dropped. The result is NFC-normalised, so names that look the same
    compare equal.

    Parameters
    ----------
    text
        Any value; ``None`` gives ``""``.

    Returns
    -------
    str
        The visible text.
    """
    raw = "" if text is None else str(text)
    out = []
    for ch in raw:
        category = unicodedata.category(ch)
        if category in _REMOVED:
            continue
        out.append(" " if category == "Cc" and ch not in _KEPT_CONTROLS else ch)
    return unicodedata.normalize("NFC", "".join(out))


def md(text: object) -> str:
    r"""`text` escaped for Streamlit Markdown: shown exactly as written, one line.

    Links, images, emphasis, headings, code, LaTeX (``$``), Streamlit's ``:colour[...]``
    directives and raw HTML are backslash-escaped; bare URLs, ``www.`` and e-mail
    addresses get an invisible word joiner so they are not made into links; line
    breaks become spaces.

    Parameters
    ----------
    text
        Any value (a name, a file name, a message with user text in it).

    Returns
    -------
    str
        Markdown source that renders as the literal text.

    Examples
    --------
    >>> md("**fed** <b>")
    '\\*\\*fed\\*\\* \\<b\\>'
    """
    flat = " ".join(plain(text).split())
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_WORD_JOINER, flat))


def _cell(value: object, tag: str) -> str:
    """One escaped cell: text through `plain`, a missing value as "–"."""
    text = "–" if value is None or (isinstance(value, float) and math.isnan(value)) else plain(value)
    return f"<{tag}>{html.escape(text)}</{tag}>"


def html_table(frame: pd.DataFrame, label: str) -> str:
    """`frame` as an HTML table (row labels from the index) in a scrollable, focusable region.

    Every header, row label and cell goes through `plain` and `html.escape`, so names show as
    written and nothing in them is markup. One HTML element is far lighter for the browser
    than ``st.table``, which renders each cell as Markdown. Written out here rather than by
    pandas' ``to_html``: 3.5 against 14 ms for the 20-site indicator table (~600 cells), and
    the table is drawn on every rerun.

    Parameters
    ----------
    frame
        The table as it is shown (text cells already formatted).
    label
        The region's accessible name (what the table shows).

    Returns
    -------
    str
        HTML for ``st.html``.
    """
    head = "".join(_cell(c, "th") for c in (frame.index.name or "", *frame.columns))
    body = "".join("<tr>" + _cell(name, "th") + "".join(_cell(v, "td") for v in row) + "</tr>"
                   for name, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True))
    return (f'<div class="ks-table-wrap" role="region" tabindex="0" aria-label="{html.escape(plain(label))}">'
            f'<table class="ks-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def html_list(items: Sequence[object], strong: bool = False) -> str:
    """`items` as an HTML bullet list, each item escaped text (bold when ``strong``).

    One HTML element for sentences the app redraws often: as a Markdown list (Streamlit's
    Markdown renderer), the 20 robustness sentences made a weight change about 50 ms slower in
    the browser (median of 20 moves, idle VM).

    Parameters
    ----------
    items
        The sentences, as they are shown; each goes through `plain` and `html.escape`.
    strong
        Every item in bold.

    Returns
    -------
    str
        HTML for ``st.html``.
    """
    tag = "strong" if strong else "span"
    return '<ul class="ks-list">' + "".join(f"<li>{_cell(item, tag)}</li>" for item in items) + "</ul>"
