"""Reports on proposed grid edit sets (auto-partition, file import): balance, shape, preview.

A proposal is never written: it is a list of changes in the edit-set format of
geo.grid_edits plus a report of what the county's grids would look like after it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.areas.service import find_area
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.grids.coverage import M2_PER_DEG2
from geo.grids.edits import service as grid_edits
from geo.grids.settings import PlanningSettings
from geo.grids.staffing import StaffCounts

BALANCE_TARGET_PCT = 15.0  # every grid within ±15 % of the mean employer count (issue 3)


@dataclass
class County:
    adcode: str
    name: str
    geom: shapely.Geometry


@dataclass
class ExistingGrid:
    id: int
    code: str
    name: str
    version: int
    geom: shapely.Geometry


def require_county(session: Session, adcode: str) -> County:
    """The county-level area with this adcode: 404 if unknown, 400 for a city or the province."""
    row = session.execute(text("""
        SELECT adcode, name, ST_AsBinary(geom) FROM admin_areas
        WHERE level = 'county' AND adcode = :a
    """), {"a": adcode}).first()
    if row is None:
        area = find_area(session, adcode)  # 404 when the adcode is unknown
        raise InvalidInput(Text("error.planning.not_county", adcode=adcode, name=area["name"],
                                level=Text("level_" + area["level"])), {"parameter": "adcode"})
    return County(row[0], row[1], shapely.from_wkb(bytes(row[2])))


def existing_grids(session: Session, county: str) -> list[ExistingGrid]:
    """The county's grids as they are now, by code."""
    rows = session.execute(text("""
        SELECT id, code, name, version, ST_AsBinary(geom) FROM grids
        WHERE county_adcode = :c ORDER BY code
    """), {"c": county}).all()
    return [ExistingGrid(i, c, n, v, shapely.from_wkb(bytes(g))) for i, c, n, v, g in rows]


def geojson(geom: shapely.Geometry) -> dict:
    """A GeoJSON geometry (lists, as a client sends it) with every coordinate's exact double."""
    return json.loads(json.dumps(shapely.geometry.mapping(geom)))


def assess(session: Session, county: str, grids: list[tuple[str, shapely.Geometry]],
           target_pct: float = BALANCE_TARGET_PCT) -> dict:
    """Balance, compactness and tiling of a county's grids as a proposal would leave them.

    Employers are counted in PostGIS the way a commit assigns them (point in polygon);
    Polsby-Popper = 4πA/P² on the spheroid; gaps and overlaps use geo.coverage's planar method.
    """
    if not grids:
        return {"grids": [], "balance": None, "compactness": None, "tiling": None}
    codes = [c for c, _ in grids]
    rows = session.execute(text("""
        WITH p AS (SELECT n, code, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) AS geom
                   FROM unnest(CAST(:codes AS text[]), CAST(:wkbs AS bytea[]))
                        WITH ORDINALITY AS u(code, wkb, n))
        SELECT p.code, ST_Area(p.geom::geography) AS area_m2,
               ST_Perimeter(p.geom::geography) AS perimeter_m,
               ST_NumGeometries(p.geom) AS parts,
               (SELECT count(*) FROM employers e
                WHERE e.county_adcode = :county AND ST_Intersects(p.geom, e.geom)) AS employers
        FROM p ORDER BY p.n
    """), {"codes": codes, "wkbs": [shapely.to_wkb(g) for _, g in grids],
           "county": county}).mappings().all()
    counts = [r["employers"] for r in rows]
    mean = sum(counts) / len(counts)
    per_grid = []
    for r in rows:
        pp = 4 * 3.141592653589793 * r["area_m2"] / r["perimeter_m"] ** 2 \
            if r["perimeter_m"] else 0.0
        dev = (r["employers"] - mean) / mean * 100 if mean else 0.0
        per_grid.append({"code": r["code"], "employers": r["employers"],
                         "deviation_pct": round(dev, 1), "area_km2": round(r["area_m2"] / 1e6, 3),
                         "polsby_popper": round(pp, 3), "parts": r["parts"]})
    worst = max((abs(g["deviation_pct"]) for g in per_grid), default=0.0)
    pps = [g["polsby_popper"] for g in per_grid]
    return {
        "grids": per_grid,
        "balance": {"min": min(counts), "max": max(counts), "mean": round(mean, 2),
                    "max_deviation_pct": round(worst, 1), "target_pct": target_pct,
                    "within_target": worst <= target_pct},
        "compactness": {"polsby_popper_mean": round(sum(pps) / len(pps), 3),
                        "polsby_popper_min": min(pps)},
        "multipart": [g["code"] for g in per_grid if g["parts"] > 1],
        "tiling": tiling(session, county, [g for _, g in grids]),
    }


def tiling(session: Session, county: str, geoms: list[shapely.Geometry]) -> dict:
    """Gap, overlap and outside area (m²) of these polygons against the county, planar method."""
    row = session.execute(text("""
        WITH c AS (SELECT geom, cos(radians(ST_Y(ST_Centroid(geom)))) AS k
                   FROM admin_areas WHERE level = 'county' AND adcode = :county),
        p AS (SELECT n, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) AS geom
              FROM unnest(CAST(:wkbs AS bytea[])) WITH ORDINALITY AS u(wkb, n)),
        s AS (SELECT sum(ST_Area(geom)) AS area FROM p),
        o AS (SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0) AS area
              FROM p a JOIN p b ON a.n < b.n AND ST_Intersects(a.geom, b.geom)),
        x AS (SELECT coalesce(sum(ST_Area(ST_Difference(p.geom, c.geom))), 0) AS area
              FROM p, c)
        SELECT (ST_Area(c.geom) - s.area + o.area - x.area) * :m2 * c.k AS gap_m2,
               o.area * :m2 * c.k AS overlap_m2, x.area * :m2 * c.k AS outside_m2
        FROM c, s, o, x
    """), {"county": county, "wkbs": [shapely.to_wkb(g) for g in geoms],
           "m2": M2_PER_DEG2}).mappings().one()
    return {k: round(float(v), 4) for k, v in row.items()}


def with_preview(session: Session, county: str, changes: list[dict], *,
                 staff: StaffCounts, settings: PlanningSettings | None = None) -> dict:
    """geo.grids.edits.service.preview of the changes (none when there are no changes)."""
    if not changes:
        return {"preview": None, "preview_status": "no_changes"}
    result = grid_edits.preview(session, county=county, changes=changes,
                                settings=settings or PlanningSettings(), staff=staff)
    return {"preview": result, "preview_status": "ok"}
