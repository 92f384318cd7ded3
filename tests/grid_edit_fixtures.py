"""Shapes for grid edit tests, built in PostGIS from the demo grids, and a county restorer."""
from __future__ import annotations

import json
from contextlib import contextmanager

from sqlalchemy import text

from geo.core.db import unit_of_work

FULL = 15  # GeoJSON digits: the exact doubles, as a client that kept them would send


def neighbours(db, county: str) -> tuple[int, int]:
    """Two grids of the county sharing a stretch of border (lowest ids first)."""
    return tuple(db.execute(text("""
        SELECT a.id, b.id FROM grids a JOIN grids b
          ON b.county_adcode = a.county_adcode AND a.id < b.id AND ST_Intersects(a.geom, b.geom)
        WHERE a.county_adcode = :c AND ST_Relate(a.geom, b.geom, '****1****')
        ORDER BY a.id, b.id LIMIT 1"""), {"c": county}).one())


def grid(db, grid_id: int) -> dict:
    return dict(db.execute(text(f"""
        SELECT id, version, code, name, county_adcode, ST_AsGeoJSON(geom, {FULL})::json AS geometry
        FROM grids WHERE id = :id"""), {"id": grid_id}).mappings().one())


def moved_border(db, a: int, b: int, radius_deg: float = 0.005,
                 inner_deg: float | None = None) -> dict:
    """Grid `a` grown into `b` by a half-disc on their shared border; `b` shrunk by the same.

    With `inner_deg`, `b` gives up a slightly different disc: the two shapes then leave a
    sliver (inner < radius: overlap; inner > radius: gap) of about π·r·|r - inner| deg².
    """
    inner = radius_deg if inner_deg is None else inner_deg
    row = db.execute(text(f"""
        WITH g AS (SELECT (SELECT geom FROM grids WHERE id = :a) AS ga,
                          (SELECT geom FROM grids WHERE id = :b) AS gb),
        p AS (SELECT ga, gb, ST_LineInterpolatePoint(ST_GeometryN(ST_LineMerge(ST_CollectionExtract(
                        ST_Intersection(ga, gb), 2)), 1), 0.5) AS at FROM g),
        piece AS (SELECT ga, gb, at, ST_Intersection(gb, ST_Buffer(at, :r, 64)) AS grow,
                         ST_Intersection(gb, ST_Buffer(at, :inner, 64)) AS give FROM p)
        SELECT ST_AsGeoJSON(ST_Multi(ST_Union(ga, grow)), {FULL})::json AS a_geometry,
               ST_AsGeoJSON(ST_Multi(ST_Difference(gb, give)), {FULL})::json AS b_geometry,
               ST_AsGeoJSON(grow, {FULL})::json AS piece, ST_X(at) AS x, ST_Y(at) AS y
        FROM piece"""), {"a": a, "b": b, "r": radius_deg, "inner": inner}).mappings().one()
    ga, gb = grid(db, a), grid(db, b)
    return {"a": {"op": "update", "id": a, "version": ga["version"], "geometry": row["a_geometry"]},
            "b": {"op": "update", "id": b, "version": gb["version"], "geometry": row["b_geometry"]},
            "piece": row["piece"], "at": (row["x"], row["y"])}


def area_m2(db, geometry: dict) -> float:
    """Planar area at the geometry's latitude, as geo.coverage measures it."""
    return db.execute(text("""
        SELECT ST_Area(g) * 111320 ^ 2 * cos(radians(ST_Y(ST_Centroid(g))))
        FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON(CAST(:g AS text)), 4326) AS g) s
    """), {"g": json.dumps(geometry)}).scalar_one()


def county_state(db, county: str) -> dict:
    """Everything a grid edit may change in a county, comparable with ==."""
    return {
        "grids": [tuple(r) for r in db.execute(text("""
            SELECT id, code, name, version, ST_AsEWKB(geom) FROM grids
            WHERE county_adcode = :c ORDER BY id"""), {"c": county})],
        "employers": [tuple(r) for r in db.execute(text(
            "SELECT id, grid_id FROM employers WHERE county_adcode = :c ORDER BY id"),
            {"c": county})],
        "officers": [tuple(r) for r in db.execute(text(
            "SELECT id, grid_id FROM officers WHERE county_adcode = :c ORDER BY id"),
            {"c": county})],
        "history": db.execute(text("SELECT count(*) FROM grid_history WHERE county_adcode = :c"),
                              {"c": county}).scalar_one(),
    }


@contextmanager
def restored(sessions, county: str):
    """Run committed edits in a county, then put its grids, employers and staff back."""
    with unit_of_work(sessions) as s:
        saved = {
            "grids": s.execute(text("""
                SELECT id, code, name, county_adcode, geom, version, created_at, updated_at
                FROM grids WHERE county_adcode = :c"""), {"c": county}).mappings().all(),
            "employers": s.execute(text(
                "SELECT id, grid_id FROM employers WHERE county_adcode = :c"), {"c": county}).all(),
            "officers": s.execute(text(
                "SELECT id, grid_id FROM officers WHERE county_adcode = :c"), {"c": county}).all(),
            "history": s.execute(text("SELECT coalesce(max(id), 0) FROM grid_history")
                                 ).scalar_one(),
        }
    try:
        yield
    finally:
        with unit_of_work(sessions) as s:
            ids = [g["id"] for g in saved["grids"]]
            s.execute(text("DELETE FROM grids WHERE county_adcode = :c AND NOT id = ANY(:ids)"),
                      {"c": county, "ids": ids})
            for g in saved["grids"]:
                s.execute(text("""
                    INSERT INTO grids (id, code, name, county_adcode, geom, version, created_at,
                                       updated_at)
                    VALUES (:id, :code, :name, :county_adcode, :geom, :version, :created_at,
                            :updated_at)
                    ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
                        geom = excluded.geom, version = excluded.version,
                        updated_at = excluded.updated_at"""), dict(g))
            for table in ("employers", "officers"):
                for i, gid in saved[table]:
                    s.execute(text(f"UPDATE {table} SET grid_id = :g WHERE id = :i"),
                              {"g": gid, "i": i})
            s.execute(text("DELETE FROM grid_history WHERE county_adcode = :c AND id > :h"),
                      {"c": county, "h": saved["history"]})
