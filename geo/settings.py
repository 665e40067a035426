"""Project-wide constants: coordinate systems, thresholds, paths, environment names."""

from __future__ import annotations

from pathlib import Path

#: Metric CRS every computation runs in (ETRS89 / UTM zone 32N).
CRS_METRIC = "EPSG:25832"
#: CRS for display on web maps and for lat/lon input.
CRS_DISPLAY = "EPSG:4326"

#: Drive-time thresholds in minutes for catchment indicators.
THRESHOLDS_MIN: tuple[int, ...] = (15, 30, 45, 60)

#: Straight-line drive-time estimate: road distance = DETOUR_FACTOR * straight line,
#: driven at ESTIMATE_SPEED_KMH. 1.3 is the typical Danish road circuity for regional
#: trips (Boscoe et al. 2012 report 1.2-1.4 for Europe); 60 km/h is a mixed average of
#: motorway, main road and town driving. Both are shown beside every estimated number.
DETOUR_FACTOR = 1.3
ESTIMATE_SPEED_KMH = 60.0

#: Rough bounding box of Denmark (lon/lat), used to reject points outside the country.
DENMARK_BBOX_LONLAT = (7.8, 54.4, 15.3, 57.9)

#: Longest site name (characters) kept on every entry path (form, town, map, table, link,
#: scenario, site list, CLI); longer names are cut. Long enough for "Næstved Erhvervspark,
#: Vestergade 12 (2)", short enough for a heading, a chart axis and a PDF table column.
MAX_SITE_NAME = 80

#: The 17 municipalities of Region Sjælland (K17).
K17_CODES: tuple[str, ...] = (
    "0253", "0259", "0265", "0269", "0306", "0316", "0320", "0326", "0329",
    "0330", "0336", "0340", "0350", "0360", "0370", "0376", "0390",
)

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DIR = DATA_DIR / "default"
CLUSTERS_FILE = DATA_DIR / "clusters.json"
#: The real road graph: written by ``python -m geo refresh --only roads`` (git-ignored), used by
#: the app when present.
ROADS_FILE = DATA_DIR / "roads.npz"
#: Areas a road graph is built for (lon/lat, with a margin): Region Sjælland with Copenhagen
#: (Zealand, Møn, Lolland-Falster), and all of Denmark (``region='alle'``).
ROADS_REGION_BBOX_LONLAT = (10.8, 54.5, 12.75, 56.15)
ROADS_DENMARK_BBOX_LONLAT = (7.9, 54.5, 15.3, 57.8)

#: Environment variable naming a folder of real files for the app to load.
ENV_DATA_DIR = "KLYNGESTED_DATA_DIR"

# Limits for polygon files (boundaries, postcode areas), checked right after parsing and before
# any validity check, repair or dissolve (whose cost grows with vertices and crossings).
# The real DAGI files (FOT2014) have: kommuner 311 features, 41,157 vertices, at most 935 per
# feature; postnumre 805 features, 54,621 vertices, at most 561 per feature.
#: Largest GeoJSON file parsed (bytes): parsed JSON takes about 12x its size in memory.
#: At ~52 bytes per vertex (the real files) 100 MB is twice the vertex cap below.
MAX_GEOJSON_BYTES = 100 * 1024 * 1024
#: Most features in one polygon file (real files: 311 and 805).
MAX_GEO_FEATURES = 50_000
#: Most vertices in one polygon file (real files: 41,157 and 54,621; ~20x headroom).
MAX_GEO_VERTICES = 1_000_000
#: Most vertices in one feature (real files: at most 935).
MAX_GEOMETRY_VERTICES = 250_000
#: Most pairs of non-neighbouring edges whose bounding boxes overlap (real files: 13,133 and
#: 42,632). Validity checks and dissolving cost about this much (5 million: well under a
#: second); 10^6 random edges would give ~10^11.
MAX_EDGE_PAIRS = 5_000_000
#: Most proper crossings between edges (self-intersections and overlaps between features);
#: repairing (make_valid) and dissolving cost grows with them (20,000: about a second).
#: Real files: none.
MAX_EDGE_CROSSINGS = 20_000
