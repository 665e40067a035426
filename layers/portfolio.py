"""The cluster portfolio on the map: one marker per office, coloured by cluster, over its catchment."""

from __future__ import annotations

import folium

from geo.report.webmap.geojson import esc


def initials(name: str) -> str:
    """Up to three letters naming a cluster on its marker ("Byggeri og anlæg" -> "BOA")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:3]).upper() or "?"


def portfolio_layer(offices: list[dict], catchments: list[dict | None]) -> folium.FeatureGroup:
    """Offices (``cluster_name, town, lat, lon, colour, employees``) and one catchment outline each.

    Parameters
    ----------
    offices : list of dict
        One per office, in the portfolio's order.
    catchments : list of dict or None
        Per office, its T-minute outline as a GeoJSON feature (EPSG:4326), or None.
    """
    group = folium.FeatureGroup(name="Klyngeportefølje")
    for office, ring in zip(offices, catchments, strict=True):
        if ring is None:
            continue
        colour = office["colour"]
        folium.GeoJson(ring, style_function=lambda f, c=colour: {"color": c, "weight": 3, "fill": True,
                                                                 "fillOpacity": 0.08, "fillColor": c},
                       tooltip=f"{esc(office['cluster_name'])} i {esc(office['town'])}: opland").add_to(group)
    for office in offices:
        label = f"{office['cluster_name']} i {office['town']}"
        folium.Marker(
            location=(office["lat"], office["lon"]),
            tooltip=f"<b>{esc(label)}</b><br>{office['employees']:,.0f} klyngeansatte dækket".replace(",", "."),
            icon=folium.DivIcon(icon_size=(44, 26), icon_anchor=(22, 13), html=(
                f'<div class="klyngested-office" role="img" aria-label="{esc(label)}" style="width:44px;height:26px;'
                f'background:{office["colour"]};color:#000;border:2px solid #000;border-radius:4px;'
                f'font:bold 13px/22px sans-serif;text-align:center;box-sizing:border-box">{esc(initials(office["cluster_name"]))}</div>')),
        ).add_to(group)
    return group
