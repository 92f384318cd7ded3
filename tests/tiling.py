"""An independent check of how grids tile their counties, for tests: pairwise overlaps and
plain differences (geo.grids.coverage computes the same figures from one union per county)."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.grids.coverage import M2_PER_DEG2


def tiling_errors(session: Session, county_adcode: str | None = None) -> list[dict]:
    """Per county: uncovered area, overlapping area and grid area outside the county (m²)."""
    rows = session.execute(text("""
        WITH c AS (SELECT adcode, geom, cos(radians(ST_Y(ST_Centroid(geom)))) AS k
                   FROM admin_areas WHERE level = 'county'
                     AND (CAST(:county AS text) IS NULL OR adcode = :county)),
        s AS (SELECT county_adcode, sum(ST_Area(geom)) AS area FROM grids
              WHERE county_adcode IN (SELECT adcode FROM c) GROUP BY county_adcode),
        o AS (SELECT a.county_adcode, sum(ST_Area(ST_Intersection(a.geom, b.geom))) AS area
              FROM grids a JOIN grids b ON b.county_adcode = a.county_adcode AND a.id < b.id
                                       AND ST_Intersects(a.geom, b.geom)
              WHERE a.county_adcode IN (SELECT adcode FROM c) GROUP BY a.county_adcode),
        x AS (SELECT g.county_adcode, sum(ST_Area(ST_Difference(g.geom, c.geom))) AS area
              FROM grids g JOIN c ON c.adcode = g.county_adcode GROUP BY g.county_adcode)
        SELECT c.adcode,
               (ST_Area(c.geom) - coalesce(s.area, 0) + coalesce(o.area, 0)
                - coalesce(x.area, 0)) * :m2 * c.k AS gap_m2,
               coalesce(o.area, 0) * :m2 * c.k AS overlap_m2,
               coalesce(x.area, 0) * :m2 * c.k AS outside_m2
        FROM c LEFT JOIN s ON s.county_adcode = c.adcode LEFT JOIN o ON o.county_adcode = c.adcode
        LEFT JOIN x ON x.county_adcode = c.adcode
        ORDER BY c.adcode
    """), {"county": county_adcode, "m2": M2_PER_DEG2}).mappings().all()
    return [dict(r) for r in rows]
