"""The cluster portfolio on the map: one marker per office, coloured by cluster, over its catchment."""

from __future__ import annotations

from geo.format import number
from geo.report.webmap.geojson import esc
from geo.report.webmap.sites import LabelMarker


def initials(name: str) -> str:
    """Up to three letters naming a cluster on its marker ("Byggeri og anlæg" -> "BOA")."""
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0] for w in words[:3]).upper() or "?"


def portfolio_rings(offices: list[dict], catchments: list[dict | None]) -> dict:
    """Each office's catchment outline, filled lightly in its cluster's colour, as one FeatureCollection.

    Parameters
    ----------
    offices : list of dict
        One per office (``cluster_name, town, lat, lon, colour, employees``), in the portfolio's order.
    catchments : list of dict or None
        Per office, its T-minute outline as a GeoJSON feature (EPSG:4326), or None.
    """
    features = [
        {**ring, "properties": {"colour": office["colour"], "dash": None, "fill": True,
                                "label": f"{esc(office['cluster_name'])} i {esc(office['town'])}: opland"}}
        for office, ring in zip(offices, catchments, strict=True) if ring is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def office_markers(offices: list[dict]) -> list[LabelMarker]:
    """One labelled box per office with the cluster's initials, its name and the employees covered."""
    markers = []
    for office in offices:
        label = f"{office['cluster_name']} i {office['town']}"
        markers.append(LabelMarker(
            office["lat"], office["lon"], f"<b>{esc(label)}</b><br>{number(office['employees'])} klyngeansatte dækket",
            (44, 26),
            f'<div class="klyngested-office" role="img" aria-label="{esc(label)}" style="width:44px;height:26px;'
            f'background:{office["colour"]};color:#000;border:2px solid #000;border-radius:4px;'
            f'font:bold 13px/22px sans-serif;text-align:center;box-sizing:border-box">{esc(initials(office["cluster_name"]))}</div>'))
    return markers
