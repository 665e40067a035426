"""The static web map of a data state, drawn with folium: municipalities, workplaces,
institutions, stations, sites with catchments, legend and Leaflet served offline.

Shared by the app's interactive map (ui/, with the app-only layers in layers/) and the
standalone HTML export (`geo.report.html`), so both draw the same map from one code path.
"""
