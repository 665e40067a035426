"""The page around the app: language, Streamlit's own texts, contrast and the projector layout.

Streamlit 1.67 writes `<html lang="en">` and English chrome texts; `page_chrome()` adds one
small script (ui/chrome.js, run by `st.html(unsafe_allow_javascript=True)`; no user input goes
into it) that sets the document's and the map frame's `lang` and puts those texts in Danish,
and the CSS for WCAG contrast, tables and the presentation (projector) layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.i18n import choose
from geo.text import html_list, html_table

_SCRIPT = Path(__file__).with_name("chrome.js").read_text(encoding="utf-8")

#: Focus ring and text contrast for every view (captions are 3.8:1 grey by default; WCAG 1.4.3 needs 4.5:1).
BASE_CSS = """
:focus-visible {outline: 3px solid #D55E00 !important; outline-offset: 2px;}
[data-testid="stCaptionContainer"] {opacity: 1 !important;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {color: #4a4a4a !important;}
[data-testid="stWidgetLabel"] p, [data-testid="stTooltipHoverTarget"] {color: #1f1f1f;}
.ks-table-wrap {overflow-x: auto; max-width: 100%;}
.ks-table {border-collapse: collapse; font-size: 0.95rem; color: #1f1f1f; margin-bottom: 0.5rem;}
.ks-table th, .ks-table td {border-bottom: 1px solid #c8c8c8; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top;}
.ks-table thead th {border-bottom: 2px solid #6b6b6b; font-weight: 600;}
.ks-table tbody th {font-weight: 600; min-width: 11rem;}
.ks-site-list .ks-table-wrap {max-height: 19rem; overflow-y: auto;}
.ks-site-list .ks-table {font-size: 0.9rem; width: 100%;}
.ks-site-list .ks-table th, .ks-site-list .ks-table td {padding: 0.25rem 0.35rem;}
.ks-site-list .ks-table tbody th {min-width: 0;}
.ks-site-list .ks-table td {white-space: nowrap;}
.ks-list {margin: 0 0 0.5rem 0; padding-left: 1.3rem;}
.ks-list li {margin: 0.15rem 0;}
"""

#: Projector layout: no sidebar, toolbar or header; the map and the site cards fill the first screen.
PRESENTATION_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
[data-testid="stMainBlockContainer"], .block-container {padding: 0.6rem 1.2rem 1rem 1.2rem !important; max-width: 100% !important;}
h1 {font-size: 1.5rem !important; padding: 0 !important; line-height: 1.3 !important; margin: 0 0 0.15rem 0 !important;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.4rem;}
.ks-cards {display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem;}
.ks-cards:has(> .ks-card:only-child) {grid-template-columns: 1fr;}
.ks-card {border: 2px solid #222; border-radius: 8px; padding: 0.35rem 0.6rem; background: #fff; color: #111;}
.ks-card h2 {font-size: 1.1rem; margin: 0 0 0.15rem 0; padding: 0; line-height: 1.25;}
.ks-card .ks-no {display: inline-block; width: 1.6rem; height: 1.6rem; border-radius: 50%; background: #000; color: #fff;
  border: 3px solid #F0E442; text-align: center; line-height: 1.15rem; font-size: 0.95rem; margin-right: 0.3rem;}
.ks-card ul {list-style: none; margin: 0; padding: 0;}
.ks-card li {display: flex; align-items: baseline; gap: 0.45rem; margin: 0; padding: 0;}
.ks-card .ks-v {font-size: 1.2rem; font-weight: 700; min-width: 4.2rem; text-align: right; white-space: nowrap;}
.ks-card .ks-l {font-size: 0.78rem; line-height: 1.1;}
.ks-card p {font-size: 0.8rem; font-weight: 600; margin: 0.2rem 0 0 0; line-height: 1.2;}
"""


def page_chrome(lang: str, presentation: bool) -> None:
    """Language, Danish chrome texts, contrast, and the projector layout in presentation mode."""
    css = BASE_CSS + (PRESENTATION_CSS if presentation else "")
    st.html(f"<style>{css}</style>")
    st.html(f"<script>{_SCRIPT.replace('__LANG__', choose({'da': 'da', 'en': 'en'}, lang))}</script>", unsafe_allow_javascript=True)


def show_table(frame: pd.DataFrame, label: str) -> None:
    """A table of formatted text as one HTML element (`geo.text.html_table`); ``label`` names it."""
    st.html(html_table(frame, label))


def show_list(items: Sequence[str], strong: bool = False) -> None:
    """Sentences as one HTML bullet list (`geo.text.html_list`), bold when ``strong``."""
    st.html(html_list(items, strong))
