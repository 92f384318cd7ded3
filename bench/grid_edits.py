"""Grid edits: employer re-assignment after an edit, and coverage of a 500-grid county.

1. A county with 20,000 employers and 200 grids; a planner moves the border between two
   grids (both updated in one edit set). Ours: geo.employers.assign_to_grids(grid_ids=…)
   in PostGIS (what a commit runs), and the whole commit (checks, impact, writes,
   re-assignment). Peer: geopandas `sjoin` of the county's employers with its grids,
   read from the same database (the usual Python way to re-derive the assignment).
2. A county cut into 500 grids, three of them removed and one grown (gaps and overlaps).
   Ours: geo.coverage.counties_coverage (areas, gap and overlap polygons as GeoJSON).
   Peer: shapely `union_all` + `difference` on the same polygons, already in memory and
   also including reading them from PostGIS. Areas must agree to 1 m².
Run: .venv/bin/python -m bench.grid_edits
"""
from __future__ import annotations

import io
import json
import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import text

from dispatch.officers.service import staff_per_grid
from geo import demo
from geo.areas import boundaries
from geo.core import migrate
from geo.core.db import make_engine, make_sessionmaker, unit_of_work
from geo.core.embedded import Cluster
from geo.employers.service import assign_to_grids
from geo.grids import coverage
from geo.grids.edits import service as grid_edits
from geo.grids.settings import PlanningSettings

REPEAT = 5


def median_ms(fn, repeat: int = REPEAT) -> float:
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def counties_by_size(session) -> list[demo.County]:
    """Single-polygon counties, largest first."""
    order = session.execute(text("""
        SELECT adcode FROM admin_areas WHERE level = 'county' AND ST_NumGeometries(geom) = 1
        ORDER BY area_km2 DESC LIMIT 2""")).scalars().all()
    found = {c.adcode: c for c in demo.read_counties(session)}
    return [found[a] for a in order]


def load_employers(session, county: demo.County, x, y, rng) -> None:
    codes = demo.unique_codes(county.adcode, len(x), rng)
    rows = "".join(f"{c}\t单位{i}\tSRID=4326;POINT({a:.7f} {b:.7f})\tsurvey\tpoint\t"
                   f"{county.adcode}\n" for i, (c, a, b) in enumerate(zip(codes, x, y)))
    cur = session.connection().connection.dbapi_connection.cursor()
    cur.copy_expert("COPY employers (credit_code, name, geom, location_source, "
                    "location_precision, county_adcode) FROM STDIN", io.StringIO(rows))


def moved_border(session, county: str) -> tuple[list[dict], tuple[int, int]]:
    """An edit set moving the border of the two busiest neighbouring grids by a ~1 km half-disc."""
    row = session.execute(text("""
        WITH pair AS (
            SELECT a.id AS a, b.id AS b, a.version AS va, b.version AS vb, a.geom AS ga,
                   b.geom AS gb FROM grids a JOIN grids b
              ON b.county_adcode = a.county_adcode AND a.id < b.id AND ST_Intersects(a.geom, b.geom)
            WHERE a.county_adcode = :c AND ST_Relate(a.geom, b.geom, '****1****')
            ORDER BY (SELECT count(*) FROM employers e WHERE e.grid_id IN (a.id, b.id)) DESC
            LIMIT 1),
        p AS (SELECT *, ST_Intersection(gb, ST_Buffer(ST_LineInterpolatePoint(ST_GeometryN(
                  ST_LineMerge(ST_CollectionExtract(ST_Intersection(ga, gb), 2)), 1), 0.5),
                  0.01, 64)) AS piece FROM pair)
        SELECT a, b, va, vb, ST_AsGeoJSON(ST_Multi(ST_Union(ga, piece)), 15)::json AS geom_a,
               ST_AsGeoJSON(ST_Multi(ST_Difference(gb, piece)), 15)::json AS geom_b FROM p
    """), {"c": county}).mappings().one()
    return ([{"op": "update", "id": row["a"], "version": row["va"], "geometry": row["geom_a"]},
             {"op": "update", "id": row["b"], "version": row["vb"], "geometry": row["geom_b"]}],
            (row["a"], row["b"]))


def reassign_bench(sessions, engine, county: demo.County) -> tuple[float, float, float, int]:
    changes, ids = moved_border(sessions(), county.adcode)
    settings = PlanningSettings()

    def commit():
        with sessions() as s:
            grid_edits.commit(s, county=county.adcode, changes=changes, reason="bench",
                              actor="bench", settings=settings, staff=staff_per_grid)
            s.rollback()

    moved, took = [], []

    def reassign_only():
        with sessions() as s:
            for c in changes:
                s.execute(text("UPDATE grids SET geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON("
                               "CAST(:g AS text)), 4326)) WHERE id = :id"),
                          {"g": json.dumps(c["geometry"]), "id": c["id"]})
            t = time.perf_counter()
            moved.append(assign_to_grids(s, county.adcode, grid_ids=list(ids)))
            took.append((time.perf_counter() - t) * 1000)
            s.rollback()

    sql_e = text("SELECT id, geom FROM employers WHERE county_adcode = :c")
    sql_g = text("SELECT id AS grid, geom FROM grids WHERE county_adcode = :c")

    def peer():
        with engine.connect() as con:
            employers = gpd.read_postgis(sql_e, con, params={"c": county.adcode})
            grids = gpd.read_postgis(sql_g, con, params={"c": county.adcode})
        return gpd.sjoin(employers, grids, predicate="intersects", how="left") \
            .groupby("id")["grid"].min()

    commit_ms = median_ms(commit)
    median_ms(reassign_only)
    peer_ms = median_ms(peer)
    return statistics.median(took[1:]), commit_ms, peer_ms, moved[-1]


def coverage_bench(sessions, county: demo.County, rng) -> dict:
    """Coverage of a 500-grid county, clean and then with gaps and overlaps: ms and m² apart."""
    x, y = demo.sample_points(county, 5000, rng)
    with unit_of_work(sessions) as s:
        demo.seed_grids(s, {county.adcode: (x, y)}, employers_per_grid=10, rng=rng)
    out = {"clean": _coverage_case(sessions, county)}
    with unit_of_work(sessions) as s:
        s.execute(text("""
            DELETE FROM grids WHERE id IN (SELECT id FROM grids WHERE county_adcode = :c
                                           ORDER BY id LIMIT 3 OFFSET 100)"""),
                  {"c": county.adcode})
        s.execute(text("""
            UPDATE grids SET geom = ST_Multi(ST_Buffer(geom, 0.004))
            WHERE id = (SELECT id FROM grids WHERE county_adcode = :c ORDER BY id
                        LIMIT 1 OFFSET 300)"""), {"c": county.adcode})
    out["broken"] = _coverage_case(sessions, county)
    return out


def _coverage_case(sessions, county: demo.County) -> dict:
    def fetch():
        with sessions() as s:
            grids = [shapely.from_wkb(bytes(g)) for g in s.execute(text(
                "SELECT ST_AsBinary(geom) FROM grids WHERE county_adcode = :c"),
                {"c": county.adcode}).scalars()]
            shape = shapely.from_wkb(bytes(s.execute(text(
                "SELECT ST_AsBinary(geom) FROM admin_areas WHERE level = 'county' AND adcode = :c"),
                {"c": county.adcode}).scalar_one()))
        return grids, shape

    grids, shape = fetch()
    result = {}

    def ours():
        with sessions() as s:
            result["row"] = coverage.counties_coverage(s, [county.adcode])[0]

    def peer():
        u = shapely.union_all(grids)
        result["gap"] = shape.difference(u)
        result["union"] = u

    def peer_with_fetch():
        g, c = fetch()
        c.difference(shapely.union_all(g))

    ours_ms, peer_ms, fetch_ms = median_ms(ours), median_ms(peer), median_ms(peer_with_fetch)
    with sessions() as s:
        m2 = coverage.m2_per_deg2(s, county.adcode)
    row = result["row"]
    gap_peer = result["gap"].area * m2
    overlap_peer = (sum(g.area for g in grids) - result["union"].area) * m2
    diff = max(abs(row["gap_m2"] - gap_peer), abs(row["overlap_m2"] - overlap_peer))
    print(f"coverage of {len(grids)} grids: ours {ours_ms:.1f} ms, shapely union_all + "
          f"difference {peer_ms:.1f} ms ({fetch_ms:.1f} ms with reading the polygons); gap ours "
          f"{row['gap_m2']:.2f} m², shapely {gap_peer:.2f} m²; overlap ours "
          f"{row['overlap_m2']:.2f} m², shapely {overlap_peer:.2f} m²; {len(row['gaps'])} gap "
          f"and {len(row['overlaps'])} overlap polygons")
    return {"ours": ours_ms, "peer": peer_ms, "peer_read": fetch_ms, "diff": diff,
            "grids": len(grids)}


def main() -> None:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
    try:
        url = cluster.ensure_running()
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        rng = np.random.default_rng(2026)
        with unit_of_work(sessions) as s:
            boundaries.load(s)
            big, second = counties_by_size(s)
            x, y = demo.sample_points(big, 20_000, rng)
            load_employers(s, big, x, y, rng)
            demo.seed_grids(s, {big.adcode: (x, y)}, employers_per_grid=100, rng=rng)
            assign_to_grids(s, big.adcode)
            s.execute(text("ANALYZE"))
            grids = s.execute(text("SELECT count(*) FROM grids WHERE county_adcode = :c"),
                              {"c": big.adcode}).scalar_one()
        reassign_ms, commit_ms, peer_ms, moved = reassign_bench(sessions, engine, big)
        print(f"re-assign after an edit, county {big.adcode}: 20000 employers, {grids} grids, "
              f"{moved} employers changed grid: ours {reassign_ms:.1f} ms (whole commit with "
              f"checks and impact {commit_ms:.0f} ms), geopandas read + sjoin {peer_ms:.0f} ms")
        cov = coverage_bench(sessions, second, rng)
        clean, broken = cov["clean"], cov["broken"]
        print(f"grid edits: re-assign after an edit ours {reassign_ms:.1f} ms vs sjoin "
              f"{peer_ms:.0f} ms, ratio {reassign_ms / peer_ms:.3f}, commit {commit_ms:.0f} ms "
              f"(target < 1000 ms); coverage of {clean['grids']} grids ours {clean['ours']:.1f} ms "
              f"vs shapely {clean['peer']:.1f} ms, ratio {clean['ours'] / clean['peer']:.2f} "
              f"({clean['ours'] / clean['peer_read']:.2f} with reading), with gaps and overlaps "
              f"{broken['ours'] / broken['peer']:.2f} "
              f"({broken['ours'] / broken['peer_read']:.2f}); "
              f"areas differ by ≤ {max(clean['diff'], broken['diff']):.3f} m² "
              f"(lower is better; targets ≤ 1.0 and ≤ 1 m²)")
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
