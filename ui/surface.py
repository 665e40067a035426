"""The "Kort over egnethed" tab: the weighted score on every K17 hexagon, the best areas,
a click on a cell shows its numbers, and any cell or top area becomes a site in one click."""

from __future__ import annotations

import h3
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.data.bundle import Layers
from geo.data.sites import Site
from geo.decide import suitability
from geo.format import number
from geo.reach import indicators
from geo.reach.criteria import CRITERIA
from geo.reach.surface import RESOLUTION, cached_cells
from geo.report.gpkg import surface_to_gpkg
from geo.report.safety import safe_filename
from geo.text import md
from layers.surface import surface_legend_html, surface_map, surface_shapes
from ui.chrome import show_table
from ui.sidebar import Settings
from ui.state import add_site, flash, state


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_surface(data_key: str, codes: tuple[str, ...] | None, method: str,
                   _ctx: indicators.IndicatorContext, _layers: Layers) -> tuple[suitability.Surface, dict]:
    """Criterion surfaces and map shapes, once per data state, cluster and method (disk-cached cells)."""
    cells, _ = cached_cells(_ctx, _layers.municipalities, RESOLUTION, workers=2 if method == "network" else 1)
    return suitability.criterion_surfaces(cells), surface_shapes(cells)


def _add(name: str, lat: float, lon: float) -> None:
    if add_site(Site(name, float(lat), float(lon))):
        flash("success", f"{name} er tilføjet som lokalitet.")


def surface_view(settings: Settings, ctx: indicators.IndicatorContext, table: pd.DataFrame | None) -> None:
    """The surface under the current weights (from the Rangering tab): map, top areas, cell details."""
    st.caption("Hele K17 vist som sekskanter (H3, ca. 5 km² hver). Hver celle har de samme indikatorer som en "
               "lokalitet, vægtet med vægtene fra fanen Rangering; en ændret vægt farver kun kortet om.")
    if not st.toggle("Vis kort over egnethed", key="surface_on"):
        state.pop("surface_shown", None)
        return
    with st.spinner("Beregner indikatorer for alle celler (første gang for dette datasæt, klynge og metode) …"):
        surface, shapes = cached_surface(settings.data_key, settings.codes, settings.method, ctx, settings.layers)
    weights = dict(state.weights)
    total = suitability.totals(surface, weights)
    one = st.checkbox("Højst ét af de bedste områder pr. kommune", key="surface_one")
    state["surface_shown"] = (_signature(settings), surface, one)
    top = suitability.top_areas(surface, total, settings.layers.towns, 5, one)
    out = st_folium(surface_map(shapes, total, top, tiles=settings.tiles), key="surface_map", height=520,
                    use_container_width=True, returned_objects=["last_clicked"])
    st.markdown(surface_legend_html(suitability.MEANING_DA), unsafe_allow_html=True)
    st.markdown("**Bedste områder** (lokale maksima under de valgte vægte)")
    for row in top.itertuples():
        c1, c2 = st.columns([4, 1])
        c1.markdown(md(f"{row.label} – {number(row.score, 1)} point"))
        c2.button("Tilføj som lokalitet", key=f"surface_add_{row.cell}", on_click=_add,
                  args=(f"Område {row.rank} ved {row.town}", row.lat, row.lon))
    _clicked_cell(surface, total, (out or {}).get("last_clicked"))
    if table is not None and len(table):
        on = suitability.sites_on_surface(surface, table, weights)
        st.markdown("**Dine lokaliteter på samme skala:** " + md("; ".join(
            f"{s} {number(v, 1)} point" for s, v in zip(on["site"], on["score"], strict=True))))
    st.caption(md(f"{settings.engine.label()} · {ctx.data_label} · " + " ".join(surface.notes)))
    if st.button("Forbered GeoPackage med alle celler", key="surface_gpkg"):
        cells = suitability.cell_table(surface, weights, top)
        st.download_button("Hent GeoPackage", surface_to_gpkg(cells, top, [suitability.MEANING_DA, *settings.layers.provenance_lines()]),
                           file_name=f"{safe_filename('klyngested_egnethed')}.gpkg", mime="application/geopackage+sqlite3",
                           key="surface_gpkg_download")


def _signature(settings: Settings) -> tuple:
    return settings.data_key, settings.codes, settings.method


def surface_for_report(settings: Settings) -> suitability.WeightedSurface | None:
    """The surface shown in this session under the current weights, for the board pack; None when
    it is off or was made for other data, cluster or method (the report never computes one)."""
    shown = state.get("surface_shown")
    if shown is None or shown[0] != _signature(settings):
        return None
    _, surface, one = shown
    return suitability.weighted(surface, state.weights, settings.layers.towns, 5, one)


def _clicked_cell(surface: suitability.Surface, total, click: dict | None) -> None:
    """The numbers of the clicked cell and a button to make it a site."""
    if not click:
        st.info("Klik på en celle for at se dens tal.")
        return
    cell = h3.latlng_to_cell(click["lat"], click["lng"], RESOLUTION)
    match = surface.cells.index[surface.cells["cell"] == cell]
    if not len(match):
        st.info("Klikket ligger uden for cellerne.")
        return
    i = int(match[0])
    row = surface.cells.loc[i]
    st.markdown(f"**Celle {md(str(cell))}** i {md(str(row['kommune']))}: {number(total[i], 1)} point")
    shown = pd.DataFrame({
        "Indikator": [f"{s.label()} ({s.unit_label()})" for s in indicators.indicator_specs()],
        "Kriterium": [CRITERIA[s.criterion].name() for s in indicators.indicator_specs()],
        "Værdi": [indicators.format_indicator(row, s, unit=False) for s in indicators.indicator_specs()],
    }).set_index("Indikator")
    show_table(shown, "Cellens indikatorer")
    st.button("Tilføj som lokalitet", key="surface_add_clicked", on_click=_add,
              args=(f"Celle i {row['kommune']}", row["lat"], row["lon"]))
