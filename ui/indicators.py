"""The first tab below the map: the indicator table (sites as columns), its CSV export and the
per-municipality breakdown. Kept apart from `ui.ranking` so the first page loads no chart code."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from geo.i18n import choose, t
from geo.reach import indicators
from geo.report.csv import to_csv_bytes
from geo.report.safety import safe_filename
from ui.chrome import show_table
from ui.sidebar import Settings


def indicators_view(settings: Settings, table: pd.DataFrame, breakdown: pd.DataFrame, provenance: list[str]) -> None:
    """The indicator table (sites as columns), CSV export and the per-municipality breakdown."""
    lang = settings.lang
    show_table(indicators.display_table(table, lang), t("tab_indicators", lang))
    st.caption(choose({"da": indicators.REACHED_DA, "en": indicators.REACHED_EN}, lang))
    danish = st.checkbox(t("csv_danish", lang), key="csv_danish")
    st.download_button(
        t("download_csv", lang),
        data=partial(to_csv_bytes, table, provenance, danish=danish),  # made only when clicked
        file_name=f"{safe_filename('klyngested_indikatorer')}.csv",
        mime="text/csv",
        key="download_csv",
    )
    st.subheader(t("breakdown_section", lang))
    pick = st.selectbox(t("breakdown_site", lang), table["site"].tolist(), key="breakdown_pick")
    show_table(indicators.breakdown_display(breakdown[breakdown["site"] == pick], lang), t("breakdown_section", lang))
