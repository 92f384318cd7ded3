"""An edit set's proposed grids of a county, in a temporary table, checked rule by rule in PostGIS.

`grid_proposal` holds every grid of the county: unchanged ones ('keep') as they are,
changed ones with the shape as drawn (`drawn`) and as it would be committed (`geom`:
made valid for analysis, snapped to neighbours' vertices, clipped to the county, slivers
given to a neighbour). It lives until the transaction ends and is never a write to the
database's data. Areas are m² in the county's local plane (geo.coverage).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.text import Text
from geo.grids.edits.changes import Change, problem
from geo.grids.settings import PlanningSettings

METRES_PER_DEGREE = 111_320.0
CHANGED = "('create', 'update')"
NOISE_M2 = 1.0  # pieces below this are floating-point residue: left alone, not reported
# ST_IsValidDetail's reasons (GEOS, English) that the catalogs translate; others stay as sent.
VALIDITY_REASONS = {
    "Self-intersection": "self_intersection", "Ring Self-intersection": "ring_self_intersection",
    "Too few points in geometry component": "too_few_points",
    "Interior is disconnected": "interior_disconnected",
    "Hole lies outside shell": "hole_outside_shell", "Nested holes": "nested_holes",
    "Nested shells": "nested_shells", "Duplicate Rings": "duplicate_rings",
    "Invalid Coordinate": "invalid_coordinate", "Ring is not closed": "ring_not_closed",
}


def validity_reason(reason: str | None) -> Text | str | None:
    """GEOS's reason a shape is invalid, as catalog text when it is a known one."""
    slug = VALIDITY_REASONS.get((reason or "").strip())
    return Text(f"geos.{slug}") if slug else reason


def build(session: Session, county: str, changes: list[Change]) -> None:
    """Fill `grid_proposal` with the county's grids and the changes applied over them."""
    # A temporary table has no statistics: its costs look huge, and JIT compiling the plan
    # took ~1 s on every preview of a large edit set, for queries that run in milliseconds.
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("DROP TABLE IF EXISTS grid_proposal"))
    session.execute(text("""
        CREATE TEMP TABLE grid_proposal (
            key text PRIMARY KEY, id integer, code text, name text,
            county_adcode text NOT NULL, op text NOT NULL, version integer,
            old_geom geometry, drawn geometry, geom geometry,
            usable boolean NOT NULL DEFAULT true
        ) ON COMMIT DROP
    """))
    # Shapes already stored are trusted for analysis only once made valid: an invalid
    # stored grid must not make GEOS fail in the middle of a preview.
    session.execute(text("""
        INSERT INTO grid_proposal (key, id, code, name, county_adcode, op, version, old_geom, geom)
        SELECT id::text, id, code, name, county_adcode, 'keep', version, geom,
               CASE WHEN ST_IsValid(geom) THEN geom
                    ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) END
        FROM grids WHERE county_adcode = :county
    """), {"county": county})
    edits = [c for c in changes if c.op != "create"]
    if edits:
        session.execute(text("""
            UPDATE grid_proposal p SET op = c.op, name = coalesce(c.name, p.name), geom = NULL,
                   drawn = ST_SetSRID(ST_GeomFromWKB(decode(c.wkb, 'hex')), 4326),
                   usable = c.op = 'update' AND c.wkb IS NOT NULL
            FROM unnest(CAST(:keys AS text[]), CAST(:ops AS text[]), CAST(:names AS text[]),
                        CAST(:wkbs AS text[])) AS c(key, op, name, wkb)
            WHERE p.key = c.key
        """), {"keys": [c.key for c in edits], "ops": [c.op for c in edits],
               "names": [c.name for c in edits], "wkbs": [c.wkb for c in edits]})
    creates = [c for c in changes if c.op == "create"]
    if creates:
        session.execute(text("""
            INSERT INTO grid_proposal (key, id, code, name, county_adcode, op, drawn, usable)
            SELECT c.key, c.id, c.code, c.name, :county, 'create',
                   ST_SetSRID(ST_GeomFromWKB(decode(c.wkb, 'hex')), 4326), c.wkb IS NOT NULL
            FROM unnest(CAST(:keys AS text[]), CAST(:ids AS integer[]), CAST(:codes AS text[]),
                        CAST(:names AS text[]), CAST(:wkbs AS text[]))
                 AS c(key, id, code, name, wkb)
        """), {"county": county, "keys": [c.key for c in creates],
               "ids": [c.restore_id for c in creates], "codes": [c.code for c in creates],
               "names": [c.name for c in creates], "wkbs": [c.wkb for c in creates]})
    session.execute(text("CREATE INDEX ON grid_proposal USING gist (geom)"))
    session.execute(text("ANALYZE grid_proposal"))


# GEOS 3.11 (PostGIS 3.3) evaluates ST_Intersects / ST_Within / ST_Relate of two polygons
# with a topology graph that throws ("side location conflict") on valid shapes whose edges
# nearly coincide, as imported or shifted shapes do. Polygon pairs are therefore tested with
# ST_DWithin(a, b, 0) (PostGIS's own distance code) and measured with overlays (OverlayNG,
# which snaps rather than throws); points in polygons are safe.


def _rows(session: Session, sql: str, **params) -> list:
    return session.execute(text(sql), params).mappings().all()


def check(session: Session, county: str, changes: list[Change], settings: PlanningSettings,
          m2: float) -> tuple[list[dict], list[dict]]:
    """Apply every rule to the changed grids; returns (errors, warnings) with the places."""
    grid = {c.key: c.grid for c in changes}
    errors: list[dict] = []
    warnings: list[dict] = []
    p = {"county": county, "m2": m2}

    for r in _rows(session, """
        SELECT key, d.reason, ST_AsGeoJSON(d.location, 7)::json AS location,
               ST_AsGeoJSON(ST_CollectionExtract(ST_MakeValid(drawn), 3), 7)::json AS repair
        FROM grid_proposal, ST_IsValidDetail(drawn) d
        WHERE drawn IS NOT NULL AND NOT d.valid ORDER BY key"""):
        errors.append(problem(grid[r["key"]], "self_intersection",
                              Text("problem.grid.invalid_shape",
                                   reason=validity_reason(r["reason"])), r["location"],
                              repair=r["repair"]))
    session.execute(text("""
        UPDATE grid_proposal SET geom = CASE WHEN ST_IsValid(drawn) THEN ST_Multi(drawn)
            ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(drawn), 3)) END
        WHERE drawn IS NOT NULL AND usable"""))
    for r in _rows(session, """
        UPDATE grid_proposal SET usable = false, geom = NULL
        WHERE usable AND op IN ('create', 'update') AND ST_IsEmpty(geom) RETURNING key"""):
        errors.append(problem(grid[r["key"]], "empty", Text("problem.grid.no_area")))

    for r in _rows(session, """
        WITH h AS (SELECT geom FROM admin_areas WHERE level = 'province' AND adcode = '410000')
        UPDATE grid_proposal p SET usable = false
        FROM h WHERE p.usable AND p.op IN ('create', 'update')
          AND NOT ST_DWithin(p.geom, h.geom, 0)
        RETURNING p.key, ST_DWithin(ST_FlipCoordinates(p.geom), h.geom, 0) AS swapped,
                  ST_AsGeoJSON(ST_PointOnSurface(p.geom), 7)::json AS at,
                  ST_XMin(p.geom) AS x, ST_YMin(p.geom) AS y"""):
        key = "problem.grid.outside_henan_swapped" if r["swapped"] else \
            "problem.grid.outside_henan"
        errors.append(problem(grid[r["key"]], "outside_henan", Text(key, x=r["x"], y=r["y"]),
                              r["at"], swapped=r["swapped"]))

    # A shape that cannot be used would show up again as a gap: say it once.
    with_gaps = session.execute(text(f"""SELECT NOT EXISTS (SELECT 1 FROM grid_proposal
        WHERE op IN {CHANGED} AND NOT usable)""")).scalar_one()

    def measure() -> tuple[list, list, list]:
        return (_outside_rows(session, p), _overlap_rows(session, p),
                _gap_rows(session, p) if with_gaps else [])

    pieces = measure()
    if any(r["area"] >= NOISE_M2 for rows in pieces for r in rows):
        # Snap only a shape that does not fit: one that fits (a revert, an exact import)
        # is committed exactly as sent.
        _snap_to_neighbours(session, county, settings.snap_tolerance_m / METRES_PER_DEGREE)
        pieces = measure()
    errors += _outside_county(session, grid, settings, p, warnings, pieces[0])
    errors += _overlaps(session, grid, settings, warnings, pieces[1])
    errors += _gaps(session, grid, settings, warnings, pieces[2])

    session.execute(text(f"""
        UPDATE grid_proposal SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
        WHERE op IN {CHANGED} AND usable AND NOT ST_IsValid(geom)"""))
    for r in _rows(session, f"""
        SELECT key, ST_Area(geom) * :m2 AS area, ST_NumGeometries(geom) AS parts,
               ST_AsGeoJSON(geom, 7)::json AS shape
        FROM grid_proposal WHERE op IN {CHANGED} AND usable ORDER BY key""", **p):
        if r["area"] < settings.min_grid_area_m2:
            errors.append(problem(grid[r["key"]], "too_small",
                                  Text("problem.grid.too_small", area=r["area"],
                                       min=settings.min_grid_area_m2), r["shape"],
                                  area_m2=round(r["area"], 1)))
        if r["parts"] > 1:
            warnings.append(problem(grid[r["key"]], "multipart",
                                    Text("problem.grid.multipart", parts=r["parts"]),
                                    r["shape"], severity="warning", parts=r["parts"]))
    return errors, warnings


def _snap_to_neighbours(session: Session, county: str, tolerance: float) -> None:
    """Move drawn vertices within the tolerance onto the county border and unchanged neighbours.

    Shapes drawn in a browser come back rounded (6 decimals in our GeoJSON); snapping makes
    shared borders identical again. A snap that would make the shape invalid is not applied.
    """
    session.execute(text(f"""
        UPDATE grid_proposal p SET geom = CASE WHEN ST_IsValid(s.snapped)
                                             THEN ST_Multi(ST_CollectionExtract(s.snapped, 3))
                                             ELSE p.geom END
        FROM (SELECT q.key, ST_Snap(q.geom, ref.geom, :tol) AS snapped
              FROM grid_proposal q CROSS JOIN LATERAL (
                  SELECT ST_Collect(r.geom) AS geom FROM (
                      SELECT k.geom FROM grid_proposal k
                      WHERE k.op = 'keep' AND ST_DWithin(k.geom, q.geom, :tol)
                      UNION ALL
                      SELECT ST_ClipByBox2D(c.geom, ST_Expand(ST_Envelope(q.geom), :tol))
                      FROM admin_areas c WHERE c.level = 'county' AND c.adcode = :county) r) ref
              WHERE q.op IN {CHANGED} AND q.usable AND ref.geom IS NOT NULL) s
        WHERE p.key = s.key
    """), {"county": county, "tol": tolerance})


def _outside_rows(session, p) -> list:
    return _rows(session, f"""
        WITH c AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :county)
        SELECT q.key, ST_Area(d.geom) * :m2 AS area, ST_AsGeoJSON(d.geom, 7)::json AS shape
        FROM grid_proposal q, c, ST_Dump(ST_Difference(q.geom, c.geom)) d
        WHERE q.op IN {CHANGED} AND q.usable AND ST_Dimension(d.geom) = 2
        ORDER BY q.key, ST_Area(d.geom) DESC""", **p)


def _outside_county(session, grid, settings, p, warnings, rows) -> list[dict]:
    """Parts outside the county: errors above the tolerance, clipped below it."""
    errors = []
    small: dict[str, list] = {}
    for r in rows:
        if r["area"] > settings.outside_tolerance_m2:
            errors.append(problem(grid[r["key"]], "outside_county",
                                  Text("problem.grid.outside_county", area=r["area"],
                                       county=p["county"],
                                       tolerance=settings.outside_tolerance_m2),
                                  r["shape"], area_m2=round(r["area"], 1)))
        elif r["area"] >= NOISE_M2:
            small.setdefault(r["key"], []).append(r)
    for key, pieces in small.items():
        warnings.append(_sliver_warning(grid[key], pieces, "problem.grid.sliver_outside"))
    clip = sorted({r["key"] for r in rows if r["area"] >= NOISE_M2})
    for r in _rows(session, """
        WITH c AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :county)
        UPDATE grid_proposal q
        SET geom = ST_Multi(ST_CollectionExtract(ST_Intersection(q.geom, c.geom), 3))
        FROM c WHERE q.key = ANY(:keys)
        RETURNING q.key, ST_IsEmpty(q.geom) AS empty""", keys=clip, **p):
        if r["empty"]:
            session.execute(text("UPDATE grid_proposal SET usable = false, geom = NULL "
                                 "WHERE key = :k"), {"k": r["key"]})
    return errors


def _overlap_rows(session, p) -> list:
    return _rows(session, f"""
        SELECT a.key, b.key AS other, b.id AS other_id, b.code AS other_code,
               ST_Area(d.geom) * :m2 AS area, ST_AsGeoJSON(d.geom, 7)::json AS shape,
               ST_AsBinary(d.geom) AS piece
        FROM grid_proposal a
        JOIN grid_proposal b ON b.key <> a.key AND b.geom IS NOT NULL AND b.usable
                            AND (b.op = 'keep' OR a.key < b.key) AND ST_DWithin(a.geom, b.geom, 0)
        CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) d
        WHERE a.op IN {CHANGED} AND a.usable
        ORDER BY a.key, ST_Area(d.geom) DESC""", **p)


def _overlaps(session, grid, settings, warnings, rows) -> list[dict]:
    """Overlaps of changed grids with any other: errors above the tolerance, cut away below."""
    errors, small = [], {}
    for r in rows:
        other = r["other_id"] if r["other_id"] is not None else r["other_code"]
        if r["area"] > settings.overlap_tolerance_m2:
            errors.append(problem(grid[r["key"]], "overlap",
                                  Text("problem.grid.overlap", area=r["area"],
                                       other=r["other_code"],
                                       tolerance=settings.overlap_tolerance_m2), r["shape"],
                                  other_grid=other, area_m2=round(r["area"], 1)))
        elif r["area"] >= NOISE_M2:
            small.setdefault(r["key"], []).append(r)
    for key, pieces in small.items():
        session.execute(text("""
            UPDATE grid_proposal SET geom = ST_Multi(ST_CollectionExtract(
                ST_Difference(geom, ST_Collect(ARRAY(
                    SELECT ST_GeomFromWKB(w, 4326) FROM unnest(CAST(:pieces AS bytea[])) w))), 3))
            WHERE key = :k"""), {"k": key, "pieces": [bytes(x["piece"]) for x in pieces]})
        warnings.append(_sliver_warning(grid[key], pieces, "problem.grid.sliver_overlap"))
    return errors


def _gap_rows(session, p) -> list:
    return _rows(session, f"""
        WITH c AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :county),
        r AS (SELECT ST_UnaryUnion(ST_Collect(g)) AS geom FROM (
                  SELECT old_geom AS g FROM grid_proposal WHERE op IN ('update', 'delete')
                  UNION ALL SELECT geom FROM grid_proposal WHERE op IN {CHANGED} AND usable) s),
        rc AS (SELECT ST_Intersection(r.geom, c.geom) AS geom FROM r, c),
        cover AS (SELECT ST_UnaryUnion(ST_Collect(q.geom)) AS geom FROM grid_proposal q, rc
                  WHERE q.geom IS NOT NULL AND ST_DWithin(q.geom, rc.geom, 0)),
        pieces AS (SELECT row_number() OVER () AS n, d.geom
                   FROM rc, cover, ST_Dump(CASE WHEN cover.geom IS NULL THEN rc.geom
                                                ELSE ST_Difference(rc.geom, cover.geom) END) d
                   WHERE ST_Dimension(d.geom) = 2)
        SELECT pieces.n, ST_Area(pieces.geom) * :m2 AS area,
               ST_AsGeoJSON(pieces.geom, 7)::json AS shape, ST_AsBinary(pieces.geom) AS piece,
               (SELECT q.key FROM grid_proposal q
                WHERE q.op IN {CHANGED} AND q.usable AND ST_DWithin(q.geom, pieces.geom, 1e-6)
                ORDER BY ST_Length(ST_CollectionExtract(
                             ST_Intersection(ST_Boundary(pieces.geom), q.geom), 2)) DESC,
                         ST_Distance(q.geom, pieces.geom), q.key
                LIMIT 1) AS neighbour,
               (SELECT q.key FROM grid_proposal q
                WHERE q.op IN ('update', 'delete') AND ST_DWithin(q.old_geom, pieces.geom, 0)
                ORDER BY ST_Area(ST_Intersection(q.old_geom, pieces.geom)) DESC, q.key
                LIMIT 1) AS origin
        FROM pieces ORDER BY area DESC""", **p)


def _gaps(session, grid, settings, warnings, rows) -> list[dict]:
    """Holes the edit leaves: errors above the tolerance, given to a changed neighbour below."""
    errors, small = [], {}
    for r in rows:
        if r["area"] > settings.gap_tolerance_m2:
            # Name the grid that held the place before, else the changed one beside it.
            errors.append(problem(grid.get(r["origin"] or r["neighbour"]), "gap",
                                  Text("problem.grid.gap", area=r["area"],
                                       tolerance=settings.gap_tolerance_m2), r["shape"],
                                  area_m2=round(r["area"], 1)))
        elif r["area"] >= NOISE_M2 and r["neighbour"] is not None:
            small.setdefault(r["neighbour"], []).append(r)
    for key, pieces in small.items():
        session.execute(text("""
            UPDATE grid_proposal SET geom = ST_Multi(ST_CollectionExtract(ST_UnaryUnion(
                ST_Collect(geom, ST_Collect(ARRAY(
                    SELECT ST_GeomFromWKB(w, 4326) FROM unnest(CAST(:pieces AS bytea[])) w)))), 3))
            WHERE key = :k"""), {"k": key, "pieces": [bytes(x["piece"]) for x in pieces]})
        warnings.append(_sliver_warning(grid[key], pieces, "problem.grid.sliver_gap"))
    return errors


def _sliver_warning(grid, pieces: list, key: str) -> dict:
    total = sum(x["area"] for x in pieces)
    return problem(grid, "sliver_snapped", Text(key, n=len(pieces), area=total),
                   {"type": "GeometryCollection", "geometries": [x["shape"] for x in pieces]},
                   severity="warning", area_m2=round(total, 1))
