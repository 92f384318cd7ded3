"""How well grids tile their counties: gaps, overlaps and parts outside, in m².

Areas are planar (lon/lat) sums converted to m² at the county's latitude. A planar
partition adds up exactly in planar area, whereas geodesic areas of polygons split
along straight lon/lat edges do not (a 5 km edge bends by ~0.5 m on the sphere),
and generic unions of many polygons add noise of their own.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from geo.grids import staffing
from geo.grids.staffing import StaffCounts

M2_PER_DEG2 = 111_320.0 ** 2


# Where grid polygons come from: the grids table, or the proposal of an edit set being
# previewed (a temporary table filled by geo.grid_proposal). Constant SQL, never user input.
SOURCES = {
    "grids": "SELECT id::text AS key, id, code, county_adcode, geom FROM grids",
    "proposal": "SELECT key, id, code, county_adcode, geom FROM grid_proposal "
                "WHERE geom IS NOT NULL",
}


def m2_per_deg2(session: Session, county_adcode: str) -> float:
    """Square metres per square degree of planar lon/lat area at this county's latitude."""
    k = session.execute(text("""
        SELECT cos(radians(ST_Y(ST_Centroid(geom)))) FROM admin_areas
        WHERE level = 'county' AND adcode = :a
    """), {"a": county_adcode}).scalar_one()
    return M2_PER_DEG2 * k


def counties_coverage(session: Session, counties: list[str], *, source: str = "grids",
                      min_feature_m2: float = 1.0) -> list[dict]:
    """Per county: area, gap, overlap and outside m², with gap and overlap polygons as features.

    One union per county (generic GEOS unary union) and one difference with the county;
    overlap polygons are computed pairwise only where the union shows an overlap. Pieces
    smaller than `min_feature_m2` are floating-point noise and are not listed.
    """
    grids = SOURCES[source]
    rows = session.execute(text(f"""
        WITH c AS (SELECT adcode, geom, :m2 * cos(radians(ST_Y(ST_Centroid(geom)))) AS f
                   FROM admin_areas WHERE level = 'county' AND adcode = ANY(:counties)),
        s AS (SELECT county_adcode, ST_UnaryUnion(ST_Collect(geom)) AS u,
                     sum(ST_Area(geom)) AS total, count(*) AS n
              FROM ({grids}) g WHERE county_adcode = ANY(:counties) GROUP BY county_adcode),
        d AS (SELECT c.adcode, c.f, ST_Area(c.geom) AS area, coalesce(s.n, 0) AS n,
                     coalesce(ST_Area(s.u), 0) AS union_area, coalesce(s.total, 0) AS total,
                     CASE WHEN s.u IS NULL THEN c.geom ELSE ST_Difference(c.geom, s.u) END AS gap
              FROM c LEFT JOIN s ON s.county_adcode = c.adcode)
        SELECT d.adcode, d.n AS grids, d.area * d.f AS area_m2, ST_Area(d.gap) * d.f AS gap_m2,
               greatest(d.total - d.union_area, 0) * d.f AS overlap_m2,
               greatest(d.union_area - d.area + ST_Area(d.gap), 0) * d.f AS outside_m2,
               (SELECT coalesce(json_agg(json_build_object(
                    'type', 'Feature', 'geometry', ST_AsGeoJSON(p.geom, 7)::json,
                    'properties', json_build_object(
                        'kind', 'gap', 'county_adcode', d.adcode,
                        'area_m2', round((ST_Area(p.geom) * d.f)::numeric, 1)))
                    ORDER BY ST_Area(p.geom) DESC), '[]'::json)
                FROM ST_Dump(d.gap) p WHERE ST_Area(p.geom) * d.f >= :min) AS gaps
        FROM d ORDER BY d.adcode
    """), {"counties": list(counties), "m2": M2_PER_DEG2, "min": min_feature_m2}).mappings().all()
    out = [dict(r) | {"overlaps": []} for r in rows]
    overlapping = [r["adcode"] for r in out if r["overlap_m2"] >= min_feature_m2]
    if overlapping:
        for r, features in zip(out, _overlap_features(session, overlapping, grids,
                                                      min_feature_m2, [r["adcode"] for r in out])):
            r["overlaps"] = features
    return out


def robust(session: Session, sql: str, fast: str, safe: str, params: dict) -> list:
    """Rows of `sql` with `{test}` as the fast GEOS predicate, else with the safe overlay.

    GEOS 3.11 (PostGIS 3.3) evaluates polygon relates with a topology graph that throws
    "side location conflict" on valid shapes whose edges nearly coincide; overlays
    (OverlayNG) snap instead. The fast form runs in a savepoint, so a throw costs a retry.
    """
    try:
        with session.begin_nested():
            return session.execute(text(sql.replace("{test}", fast)), params).all()
    except DBAPIError as exc:
        if "TopologyException" not in str(exc.orig):
            raise
    return session.execute(text(sql.replace("{test}", safe)), params).all()


def _overlap_features(session: Session, overlapping: list[str], grids: str,
                      min_feature_m2: float, order: list[str]) -> list[list]:
    """Pairwise overlap polygons of the grids of these counties, per county in `order`."""
    rows = robust(session, f"""
        WITH g AS (SELECT * FROM ({grids}) s WHERE county_adcode = ANY(:counties)),
        f AS (SELECT adcode, :m2 * cos(radians(ST_Y(ST_Centroid(geom)))) AS f FROM admin_areas
              WHERE level = 'county' AND adcode = ANY(:counties)),
        pairs AS (SELECT a.county_adcode, a.key AS a_key, a.id AS a_id, a.code AS a_code,
                         b.key AS b_key, b.id AS b_id, b.code AS b_code,
                         ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS geom
                  FROM g a JOIN g b ON b.county_adcode = a.county_adcode AND a.key < b.key
                                   AND a.geom && b.geom
                  -- interiors meet in an area: a third of the cost of intersecting every
                  -- pair of neighbours, which mostly only share a border
                  WHERE {{test}})
        SELECT pairs.county_adcode, json_build_object(
                   'type', 'Feature', 'geometry', ST_AsGeoJSON(p.geom, 7)::json,
                   'properties', json_build_object(
                       'kind', 'overlap', 'county_adcode', pairs.county_adcode,
                       'grids', json_build_array(coalesce(a_id::text, a_key),
                                                 coalesce(b_id::text, b_key)),
                       'grid_ids', json_build_array(a_id, b_id),
                       'codes', json_build_array(a_code, b_code),
                       'area_m2', round((ST_Area(p.geom) * f.f)::numeric, 1))) AS feature
        FROM pairs JOIN f ON f.adcode = pairs.county_adcode, ST_Dump(pairs.geom) p
        WHERE ST_Area(p.geom) * f.f >= :min
        ORDER BY pairs.county_adcode, ST_Area(p.geom) DESC
    """, "ST_Relate(a.geom, b.geom, '2********')", "ST_DWithin(a.geom, b.geom, 0)",
                  {"counties": overlapping, "m2": M2_PER_DEG2, "min": min_feature_m2})
    by_county: dict[str, list] = {}
    for county, feature in rows:
        by_county.setdefault(county, []).append(feature)
    return [by_county.get(a, []) for a in order]


def summary(rows: list[dict]) -> dict:
    """Totals over counties in km² (planar at each county's latitude) and % covered."""
    area = sum(r["area_m2"] for r in rows)
    gap = sum(r["gap_m2"] for r in rows)
    return {"area_km2": area / 1e6, "covered_km2": (area - gap) / 1e6,
            "covered_pct": 100.0 * (area - gap) / area if area else 0.0,
            "gap_km2": gap / 1e6, "overlap_km2": sum(r["overlap_m2"] for r in rows) / 1e6,
            "outside_km2": sum(r["outside_m2"] for r in rows) / 1e6,
            "grids": sum(r["grids"] for r in rows)}


def feature_collection(features: list) -> dict:
    return {"type": "FeatureCollection", "features": features}


def coverage(session: Session, adcode: str, *, staff: StaffCounts,
             min_feature_m2: float = 1.0) -> dict:
    """Coverage of a county, city or the province by its grids, with gaps and overlaps.

    `staff` counts each grid's staff (dispatch.officers.service.staff_per_grid).
    """
    from geo.areas import service as areas

    area = areas.find_area(session, adcode)
    counties = areas.county_adcodes(session, adcode)
    rows = counties_coverage(session, counties, min_feature_m2=min_feature_m2)
    staffed = staffing.staff_of(session, staff, staffing.county_grid_ids(session, counties))
    counts = session.execute(text("""
        SELECT count(*) AS employers_outside_grids FROM employers
        WHERE county_adcode = ANY(:c) AND grid_id IS NULL
    """), {"c": counties}).mappings().one()
    counts = {**counts, "grids_without_staff": sum(1 for n in staffed.values() if n == 0)}
    return {"area": area, **summary(rows),
            "gaps": feature_collection([f for r in rows for f in r["gaps"]]),
            "overlaps": feature_collection([f for r in rows for f in r["overlaps"]]),
            **counts,
            "counties": [{"adcode": r["adcode"], "grids": r["grids"],
                          "area_km2": r["area_m2"] / 1e6, "gap_m2": r["gap_m2"],
                          "overlap_m2": r["overlap_m2"], "outside_m2": r["outside_m2"],
                          "covered_pct": 100.0 * (1 - r["gap_m2"] / r["area_m2"])}
                         for r in rows]}
