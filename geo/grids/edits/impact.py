"""What an edit set would change: employers and staff per grid, shape, balance and coverage.

Reads `grid_proposal` (geo.grid_proposal) and the live tables; writes nothing. Employers
are placed in PostGIS exactly as the commit will place them (geo.employers.assign_to_grids:
the containing grid with the lowest id), so the preview and the commit agree.
"""
from __future__ import annotations

import math

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.grids import coverage, staffing
from geo.grids.edits.proposal import METRES_PER_DEGREE
from geo.grids.staffing import StaffCounts

# Employers a change can move: inside a changed grid's new shape, or now in a changed grid.
MOVES_SQL = """
    WITH changed AS (SELECT key, id, geom FROM grid_proposal WHERE op <> 'keep'),
    cand AS (SELECT e.id FROM changed c
             JOIN employers e ON e.county_adcode = :county AND ST_Intersects(c.geom, e.geom)
             WHERE c.geom IS NOT NULL
             UNION
             SELECT e.id FROM employers e
             WHERE e.county_adcode = :county
               AND e.grid_id = ANY(ARRAY(SELECT id FROM changed WHERE id IS NOT NULL))),
    placed AS (
        SELECT e.id, e.name, e.credit_code, e.grid_id::text AS before,
               (SELECT q.key FROM grid_proposal q
                WHERE q.geom IS NOT NULL AND ST_Intersects(q.geom, e.geom)
                ORDER BY q.id NULLS LAST, q.key LIMIT 1) AS after
        FROM employers e JOIN cand USING (id))
    SELECT id, name, credit_code, before, after FROM placed
    WHERE before IS DISTINCT FROM after ORDER BY id
"""


def _shape_sql(column: str) -> str:
    """Area (m²) and Polsby-Popper compactness 4πA/P² in the county's local plane."""
    return f"""ST_Area({column}) * :m2 AS area_m2_{column},
               ST_Perimeter(ST_Scale({column}, :k, 1)) * {METRES_PER_DEGREE}
                   AS perimeter_{column}"""


def _compactness(area_m2: float | None, perimeter_m: float | None) -> float | None:
    if not area_m2 or not perimeter_m:
        return None
    return round(4 * math.pi * area_m2 / perimeter_m ** 2, 4)


def _per_staff(employers: int | None, staff: int) -> float | None:
    return round(employers / staff, 1) if staff and employers is not None else None


def _deviation(n: int, mean: float) -> float | None:
    return round(100.0 * (n - mean) / mean, 1) if mean else None


def impact(session: Session, county: str, *, m2: float, list_cap: int,
           min_feature_m2: float, staff: StaffCounts) -> dict:
    """The impact of the proposal in `grid_proposal` on the county; `staff` counts each
    grid's staff (dispatch.officers.service.staff_per_grid)."""
    k = m2 / coverage.M2_PER_DEG2
    p = {"county": county, "m2": m2, "k": k}
    grids = session.execute(text(f"""
        SELECT key, id, code, name, op, {_shape_sql('old_geom')}, {_shape_sql('geom')}
        FROM grid_proposal ORDER BY code, key
    """), p).mappings().all()
    before = dict(session.execute(text("""
        SELECT grid_id::text, count(*) FROM employers
        WHERE county_adcode = :county AND grid_id IS NOT NULL GROUP BY grid_id
    """), p).all())
    outside_before = session.execute(text(
        "SELECT count(*) FROM employers WHERE county_adcode = :county AND grid_id IS NULL"),
        p).scalar_one()
    staff = {str(g): n for g, n in staff(
        session, staffing.county_grid_ids(session, [county])).items() if n}
    moves = session.execute(text(MOVES_SQL), p).mappings().all()

    after = {g["key"]: before.get(g["key"], 0) for g in grids if g["op"] != "delete"}
    outside_after = outside_before
    for m in moves:
        if m["before"] is None:
            outside_after -= 1
        elif m["before"] in after:
            after[m["before"]] -= 1
        if m["after"] is None:
            outside_after += 1
        elif m["after"] in after:
            after[m["after"]] += 1
    code = {g["key"]: g["code"] for g in grids}
    label = {g["key"]: g["id"] if g["id"] is not None else g["code"] for g in grids}

    changed = []
    for g in grids:
        if g["op"] == "keep":
            continue
        n_before = before.get(g["key"], 0) if g["op"] != "create" else None
        n_after = after.get(g["key"]) if g["op"] != "delete" else None
        s = staff.get(g["key"], 0)
        changed.append({
            "grid": label[g["key"]], "id": g["id"], "code": g["code"], "name": g["name"],
            "op": g["op"], "employers_before": n_before, "employers_after": n_after,
            "staff": s, "employers_per_staff_before": _per_staff(n_before, s),
            "employers_per_staff_after": _per_staff(n_after, s),
            "area_km2_before": _km2(g["area_m2_old_geom"]),
            "area_km2_after": _km2(g["area_m2_geom"]),
            "compactness_before": _compactness(g["area_m2_old_geom"], g["perimeter_old_geom"]),
            "compactness_after": _compactness(g["area_m2_geom"], g["perimeter_geom"]),
        })

    kept_before = [g for g in grids if g["op"] != "create"]
    kept_after = [g for g in grids if g["op"] != "delete"]
    mean_before = sum(before.get(g["key"], 0) for g in kept_before) / len(kept_before) \
        if kept_before else 0.0
    mean_after = sum(after.values()) / len(after) if after else 0.0
    balance = [{
        "grid": label[g["key"]], "code": g["code"],
        "employers_before": before.get(g["key"], 0) if g["op"] != "create" else None,
        "employers_after": after.get(g["key"]) if g["op"] != "delete" else None,
        "deviation_pct_before": _deviation(before.get(g["key"], 0), mean_before)
        if g["op"] != "create" else None,
        "deviation_pct_after": _deviation(after[g["key"]], mean_after)
        if g["op"] != "delete" else None,
    } for g in grids]
    cov_before, = coverage.counties_coverage(session, [county], source="grids",
                                             min_feature_m2=min_feature_m2)
    cov_after, = coverage.counties_coverage(session, [county], source="proposal",
                                            min_feature_m2=min_feature_m2)
    deleted_staff = sum(staff.get(g["key"], 0) for g in grids if g["op"] == "delete")
    return {
        "grids": changed,
        "employers_moved": {
            "count": len(moves), "truncated": len(moves) > list_cap,
            "items": [{"id": m["id"], "name": m["name"], "credit_code": m["credit_code"],
                       "from_grid": label.get(m["before"]) if m["before"] else None,
                       "from_code": code.get(m["before"]),
                       "to_grid": label.get(m["after"]) if m["after"] else None,
                       "to_code": code.get(m["after"])} for m in moves[:list_cap]]},
        "county": {
            "adcode": county, "grids_before": len(kept_before), "grids_after": len(kept_after),
            "mean_employers_before": round(mean_before, 2),
            "mean_employers_after": round(mean_after, 2),
            "max_abs_deviation_pct_before": _max_abs(b["deviation_pct_before"] for b in balance),
            "max_abs_deviation_pct_after": _max_abs(b["deviation_pct_after"] for b in balance),
            "balance": balance,
            "employers_outside_grids_before": outside_before,
            "employers_outside_grids_after": outside_after,
            "staff_losing_grid": deleted_staff,
            "grids_without_staff_before": sum(1 for g in kept_before if not staff.get(g["key"])),
            "grids_without_staff_after": sum(1 for g in kept_after if not staff.get(g["key"])),
            "coverage_before": _coverage(cov_before), "coverage_after": _coverage(cov_after),
        },
    }


def _km2(area_m2: float | None) -> float | None:
    return round(area_m2 / 1e6, 4) if area_m2 is not None else None


def _max_abs(values) -> float | None:
    found = [abs(v) for v in values if v is not None]
    return max(found) if found else None


def _coverage(row: dict) -> dict:
    s = coverage.summary([row])
    return {"area_km2": s["area_km2"], "covered_km2": s["covered_km2"],
            "covered_pct": s["covered_pct"], "gap_m2": row["gap_m2"],
            "overlap_m2": row["overlap_m2"], "outside_m2": row["outside_m2"],
            "gaps": coverage.feature_collection(row["gaps"]),
            "overlaps": coverage.feature_collection(row["overlaps"])}
