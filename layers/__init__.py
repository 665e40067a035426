"""Folium layer builders. Everything arrives in EPSG:25832 and is drawn in EPSG:4326."""
