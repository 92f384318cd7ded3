"""Grid edit sets: validate and preview a set of grid changes, commit it atomically.

A change is {"op":"create","code","name","geometry"} | {"op":"update","id","version",
"geometry","name"?} | {"op":"delete","id","version"}; geometries are GeoJSON (WGS 84).
A shared boundary belongs to two grids, so grids change only as a set: the set is checked
as a whole (geo.grid_proposal) against the county and its other grids.
"""
from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.accounts import audit
from geo.core.config import Settings
from geo.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Unprocessable
from geo.core.text import Text
from geo.employers.service import assign_to_grids
from geo.grids import coverage, staffing
from geo.grids.edits.changes import Change, problem, read_changes
from geo.grids.edits.impact import impact as compute_impact
from geo.grids.edits.proposal import build, check
from geo.grids.settings import PlanningSettings
from geo.grids.staffing import GridStaff, StaffCounts

__all__ = ["PlanningSettings", "preview", "commit", "submit", "submit_json", "evaluate",
           "require_county"]
EDIT_LOCK = 41_003  # pg_advisory_xact_lock(EDIT_LOCK, <county adcode>): one commit per county
MAX_VERTICES = Settings.model_fields["max_edit_vertices"].default


def _too_many_vertices(counted: str | Text, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(Text("error.grid_edit.too_many_vertices", counted=counted, limit=limit),
                           {"parameter": "changes", "max_vertices": limit})


def check_json_size(raw: Any, limit: int = MAX_VERTICES) -> None:
    """413 when the changes as sent hold more than `limit` positions, before they are parsed.

    Walks the JSON arrays, stopping as soon as the limit is passed; any array counts
    towards twice the limit too, so deep or empty nesting cannot make the walk long.
    """
    if not isinstance(raw, list):
        return  # read_changes says what is wrong with it
    stack = [c.get("geometry") for c in raw if isinstance(c, dict)]
    positions = arrays = 0
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            arrays += 1
            if value and isinstance(value[0], (int, float)):
                positions += 1
            else:
                stack.extend(value)
            if positions > limit or arrays > 2 * limit:
                raise _too_many_vertices(Text("word.more_than", n=limit), limit)


def check_size(changes: list[Change], limit: int = MAX_VERTICES) -> None:
    """413 when the shapes of read changes hold more than `limit` vertices in all."""
    wkbs = [c.wkb for c in changes if c.wkb is not None]
    counted = int(shapely.get_num_coordinates(shapely.from_wkb(wkbs)).sum()) if wkbs else 0
    if counted > limit:
        raise _too_many_vertices(f"{counted:,}", limit)


def require_county(session: Session, county: Any) -> str:
    """The adcode of a county-level area, or 400/404 saying why not."""
    if not isinstance(county, str) or not county.isdigit() or len(county) != 6:
        raise InvalidInput(Text("error.grid_edit.county_adcode"), {"parameter": "county"})
    levels = set(session.execute(text("SELECT level FROM admin_areas WHERE adcode = :a"),
                                 {"a": county}).scalars())
    if not levels:
        raise NotFound(Text("error.area.not_found", adcode=county), {"adcode": county})
    if "county" not in levels:
        raise InvalidInput(Text("error.grid_edit.not_county", county=county,
                                level=Text("level_" + levels.pop())), {"parameter": "county"})
    return county


def _current(session: Session, county: str, changes: list[Change], lock: bool) -> list[dict]:
    """Check the grids named by updates and deletes: 404 unknown, 409 stale, problem elsewhere."""
    ids = [c.id for c in changes if c.op != "create"]
    rows = {r["id"]: r for r in session.execute(text(
        "SELECT id, version, county_adcode, code FROM grids WHERE id = ANY(:ids) ORDER BY id"
        + (" FOR UPDATE" if lock else "")), {"ids": ids}).mappings()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(Text("error.grid.not_found", ids=", ".join(map(str, missing))),
                       {"grids": missing})
    stale = [{"grid": c.id, "code": rows[c.id]["code"], "version_sent": c.version,
              "version_current": rows[c.id]["version"]}
             for c in changes if c.op != "create" and rows[c.id]["version"] != c.version]
    if stale:
        s = stale[0]
        raise Conflict(Text("error.grid_edit.stale", code=s["code"], grid=s["grid"],
                            sent=s["version_sent"], current=s["version_current"]),
                       {"grid": s["grid"], "stale": stale})
    return [problem(c.id, "other_county",
                    Text("problem.grid.other_county_id", code=rows[c.id]["code"], id=c.id,
                         other=rows[c.id]["county_adcode"], county=county))
            for c in changes if c.op != "create" and rows[c.id]["county_adcode"] != county]


def _duplicate_codes(session: Session, changes: list[Change]) -> list[dict]:
    """Create codes already used by a grid that this set does not delete."""
    codes = [c.code for c in changes if c.op == "create"]
    deleted = [c.id for c in changes if c.op == "delete"]
    taken = session.execute(text("""
        SELECT code, id FROM grids WHERE code = ANY(:codes) AND NOT id = ANY(:deleted)
    """), {"codes": codes, "deleted": deleted}).all() if codes else []
    return [problem(code, "duplicate_code",
                    Text("problem.grid.duplicate_code", code=code, grid=gid))
            for code, gid in taken]


def evaluate(session: Session, county: str, changes: list[Change], found: list[dict],
             settings: PlanningSettings, *, staff: StaffCounts, lock: bool = False,
             max_vertices: int = MAX_VERTICES) -> dict:
    """Check already-read changes and compute their impact; leaves `grid_proposal` filled.

    `staff` counts each grid's staff for the impact (dispatch.officers.service.staff_per_grid).
    """
    check_size(changes, max_vertices)  # before any overlay, whose cost grows with them
    errors = list(found) + _current(session, county, changes, lock) \
        + _duplicate_codes(session, changes)
    elsewhere = {e["grid"] for e in errors if e["kind"] == "other_county"}
    usable = [c for c in changes if c.op == "create" or c.id not in elsewhere]
    m2 = coverage.m2_per_deg2(session, county)
    build(session, county, usable)
    rule_errors, warnings = check(session, county, usable, settings, m2)
    errors += rule_errors
    order = {c.grid: c.index for c in changes}
    errors.sort(key=lambda e: (order.get(e["grid"], len(order)), e["kind"]))
    return {"valid": not errors, "problems": errors, "warnings": warnings,
            "impact": compute_impact(session, county, m2=m2, list_cap=settings.employer_list_cap,
                                     min_feature_m2=settings.coverage_min_feature_m2,
                                     staff=staff)}


def preview(session: Session, *, county: str, changes: list[dict],
            settings: PlanningSettings, staff: StaffCounts,
            max_vertices: int = MAX_VERTICES) -> dict:
    """Validate an edit set and compute its impact; writes nothing.

    Returns {"valid", "problems" (errors), "warnings", "impact"}; each problem is
    {"grid", "kind", "message", "geometry", "severity", ...}. Raises 400 for a malformed
    change, 404 for an unknown grid, 409 for a stale version.
    """
    county = require_county(session, county)
    check_json_size(changes, max_vertices)
    parsed, found = read_changes(changes)
    return evaluate(session, county, parsed, found, settings, staff=staff,
                    max_vertices=max_vertices)


def commit(session: Session, *, county: str, changes: list[dict], reason: str | None,
           actor: str | None, settings: PlanningSettings, staff: StaffCounts,
           ip: str | None = None, max_vertices: int = MAX_VERTICES,
           follow: GridStaff | None = None) -> dict:
    """Validate and apply an edit set in the caller's transaction (the caller commits).

    Raises Unprocessable (details.problems) when invalid, Conflict naming the grid when a
    version is stale. Returns the preview plus {"committed": True, "versions": {id: v}}.
    """
    county = require_county(session, county)
    check_json_size(changes, max_vertices)
    parsed, found = read_changes(changes)
    return commit_changes(session, county, parsed, found, reason=reason, actor=actor,
                          settings=settings, staff=staff, ip=ip, max_vertices=max_vertices,
                          follow=follow)


def submit(session: Session, *, county: str, changes: list[Change], found: list[dict] = (),
           dry_run: bool, reason: str | None, actor: str | None, settings: PlanningSettings,
           staff: StaffCounts, ip: str | None = None, max_vertices: int = MAX_VERTICES,
           follow: GridStaff | None = None) -> dict:
    """Preview (dry run: 422 if invalid) or commit already-read changes; the API's one entry."""
    county = require_county(session, county)
    if not dry_run:
        return commit_changes(session, county, changes, list(found), reason=reason, actor=actor,
                              settings=settings, staff=staff, ip=ip, max_vertices=max_vertices,
                              follow=follow)
    result = evaluate(session, county, changes, list(found), settings, staff=staff,
                      max_vertices=max_vertices)
    if not result["valid"]:
        raise _invalid(result)
    return result | {"committed": False, "versions": {}}


def submit_json(session: Session, *, county: Any, changes: Any, dry_run: bool,
                reason: str | None, actor: str | None, settings: PlanningSettings,
                staff: StaffCounts, ip: str | None = None,
                max_vertices: int = MAX_VERTICES, follow: GridStaff | None = None) -> dict:
    """`submit` for changes as sent in JSON (POST /api/v1/grid-edits)."""
    county = require_county(session, county)
    check_json_size(changes, max_vertices)
    parsed, found = read_changes(changes)
    return submit(session, county=county, changes=parsed, found=found, dry_run=dry_run,
                  reason=reason, actor=actor, settings=settings, staff=staff, ip=ip,
                  max_vertices=max_vertices, follow=follow)


def _invalid(result: dict) -> Unprocessable:
    first = result["problems"][0]["message"]
    return Unprocessable(Text("error.grid_edit.invalid", n=len(result["problems"]), first=first),
                         {"problems": result["problems"], "warnings": result["warnings"],
                          "impact": result["impact"]})


def commit_changes(session: Session, county: str, changes: list[Change], found: list[dict], *,
                   reason: str | None, actor: str | None, settings: PlanningSettings,
                   staff: StaffCounts, ip: str | None = None,
                   max_vertices: int = MAX_VERTICES, follow: GridStaff | None = None) -> dict:
    """Commit already-read changes: lock the county, re-check under the lock, write, re-assign.

    With `follow`, the staff of every changed or deleted grid follow the grid that now holds
    most of its old territory; `staff_moved` in the answer tells the planner who moved."""
    # Every commit of the county waits here, so the checks below see the latest grids
    # (also neighbours that this set does not name) and cannot be overtaken.
    session.execute(text("SELECT pg_advisory_xact_lock(:k, :county)"),
                    {"k": EDIT_LOCK, "county": int(county)})
    check_size(changes, max_vertices)  # before waiting for the county's lock
    result = evaluate(session, county, changes, found, settings, staff=staff, lock=True,
                      max_vertices=max_vertices)
    if not result["valid"]:
        raise _invalid(result)
    touched = [c.id for c in changes if c.op in ("update", "delete")]
    members = follow.members(session, touched) if follow is not None and touched else {}
    versions = _write(session, county, changes, reason=reason, actor=actor, ip=ip)
    assign_to_grids(session, county, grid_ids=[int(i) for i in versions])
    moved: list[dict] = []
    if members:
        after = staffing.successors(session, county, list(members))
        moves = [(person, grid, after.get(grid)) for grid, people in sorted(members.items())
                 for person in people if after.get(grid) != grid]
        moved = follow.move(session, moves, actor=actor, reason=reason) if moves else []
    return result | {"committed": True, "versions": versions, "staff_moved": moved}


def _write(session: Session, county: str, changes: list[Change], *, reason: str | None,
           actor: str | None, ip: str | None) -> dict[str, int]:
    """Deletes, updates, then creates (a deleted code may be reused), each with history."""
    p = {"county": county, "actor": actor, "reason": reason}
    versions: dict[str, int] = {}
    for op in ("delete", "update"):
        sent = [c for c in changes if c.op == op]
        if not sent:
            continue
        ids, vs = [c.id for c in sent], [c.version for c in sent]
        write = (
            "DELETE FROM grids g USING sent s WHERE g.id = s.id AND g.version = s.version "
            "RETURNING g.id, g.version + 1 AS version, g.code, g.name, NULL::geometry AS geom"
            if op == "delete" else
            "UPDATE grids g SET geom = p.geom, name = p.name, version = g.version + 1, "
            "updated_at = now() FROM sent s, grid_proposal p "
            "WHERE g.id = s.id AND g.version = s.version AND p.key = g.id::text "
            "RETURNING g.id, g.version, g.code, g.name, g.geom")
        rows = session.execute(text(f"""
            WITH sent AS (SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:vs AS integer[]))
                          AS s(id, version)),
            done AS ({write})
            INSERT INTO grid_history (grid_id, county_adcode, version, op, code, name,
                                      geom_before, geom_after, changed_by, reason)
            SELECT d.id, :county, d.version, :op, d.code, d.name, p.old_geom, d.geom,
                   :actor, :reason
            FROM done d JOIN grid_proposal p ON p.key = d.id::text
            RETURNING grid_id, version, code, name,
                      ST_Area(geom_before) AS before_deg2, ST_Area(geom_after) AS after_deg2
        """), p | {"ids": ids, "vs": vs, "op": op}).mappings().all()
        if len(rows) != len(sent):  # the lock makes this unreachable; a guard, not a check
            raise Conflict(Text("error.grid_edit.changed_while_saving"),
                           {"grids": sorted(set(ids) - {r["grid_id"] for r in rows})})
        _audit(session, op, rows, versions, reason, actor, ip)
    if any(c.op == "create" for c in changes):
        rows = session.execute(text("""
            WITH made AS (
                INSERT INTO grids (id, code, name, county_adcode, geom)
                SELECT coalesce(p.id, nextval(pg_get_serial_sequence('grids', 'id'))),
                       p.code, p.name, :county, p.geom
                FROM grid_proposal p WHERE p.op = 'create' ORDER BY p.key
                RETURNING id, version, code, name, geom)
            INSERT INTO grid_history (grid_id, county_adcode, version, op, code, name,
                                      geom_before, geom_after, changed_by, reason)
            SELECT id, :county, version, 'create', code, name, NULL, geom, :actor, :reason
            FROM made
            RETURNING grid_id, version, code, name, NULL::float AS before_deg2,
                      ST_Area(geom_after) AS after_deg2
        """), p).mappings().all()
        _audit(session, "create", rows, versions, reason, actor, ip)
    return versions


def _audit(session, op, rows, versions, reason, actor, ip) -> None:
    for r in rows:
        versions[str(r["grid_id"])] = r["version"]
        audit.record(session, actor=actor, action=f"grid_{op}", entity="grid",
                     entity_id=r["grid_id"],
                     before=None if op == "create" else {"version": r["version"] - 1,
                                                         "area_deg2": r["before_deg2"]},
                     after={"version": r["version"], "code": r["code"], "name": r["name"],
                            "area_deg2": r["after_deg2"], "reason": reason}, ip=ip)
