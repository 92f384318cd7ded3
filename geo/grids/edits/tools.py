"""Conveniences that produce grid edit sets: revert, split by a line, merge; and grid history.

Each builds ordinary changes (geo.grid_changes.Change) from shapes computed in PostGIS,
so a split, merge or revert is checked and committed exactly like a drawn edit set.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.config import Settings
from geo.core.errors import InvalidInput, NotFound, PayloadTooLarge, Unprocessable
from geo.core.text import Text
from geo.grids import coverage
from geo.grids.edits.changes import Change, problem

HISTORY_LIMIT = 200


def _grid(session: Session, grid_id: int) -> dict:
    row = session.execute(text("""
        SELECT id, code, name, county_adcode, version FROM grids WHERE id = :id
    """), {"id": grid_id}).mappings().first()
    if row is None:
        raise NotFound(Text("error.grid.not_found", ids=grid_id), {"grid": grid_id})
    return dict(row)


def history(session: Session, grid_id: int, limit: int = HISTORY_LIMIT) -> dict:
    """Every recorded version of a grid, newest first, with its shapes before and after."""
    current = session.execute(text("""
        SELECT id, code, name, county_adcode, version FROM grids WHERE id = :id
    """), {"id": grid_id}).mappings().first()
    county = current["county_adcode"] if current else session.execute(text(
        "SELECT county_adcode FROM grid_history WHERE grid_id = :id LIMIT 1"),
        {"id": grid_id}).scalar()
    if county is None:
        raise NotFound(Text("error.grid.never_existed", id=grid_id), {"grid": grid_id})
    m2 = coverage.m2_per_deg2(session, county)
    rows = session.execute(text("""
        SELECT version, op, code, name, changed_by, changed_at, reason,
               ST_AsGeoJSON(geom_before, 7)::json AS geometry_before,
               ST_AsGeoJSON(geom_after, 7)::json AS geometry_after,
               ST_Area(geom_before) * :m2 / 1e6 AS area_km2_before,
               ST_Area(geom_after) * :m2 / 1e6 AS area_km2_after
        FROM grid_history WHERE grid_id = :id ORDER BY version DESC, id DESC LIMIT :n
    """), {"id": grid_id, "m2": m2, "n": limit}).mappings().all()
    return {"grid": dict(current) if current else None, "deleted": current is None,
            "county_adcode": county,
            "items": [dict(r) | {"changed_at": r["changed_at"].isoformat()} for r in rows]}


def revert_changes(session: Session, grid_id: int, version: Any, current_version: Any = None,
                   with_partners: bool = True) -> tuple[str, list[Change]]:
    """The edit set that brings a grid back to an earlier version (recreating it if deleted).

    A shared border moves two grids at once, so by default the grids changed in the same
    edit sets (one commit = one `changed_at`) go back too, to where they were before them;
    a later edit of such a partner is undone as well. Without partners, only this grid.
    """
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidInput(Text("error.grid_revert.version"), {"parameter": "version"})
    if current_version is not None and (isinstance(current_version, bool)
                                        or not isinstance(current_version, int)):
        raise InvalidInput(Text("error.grid_revert.current_version"),
                           {"parameter": "current_version"})
    current = session.execute(text("SELECT version FROM grids WHERE id = :id"),
                              {"id": grid_id}).scalar()
    rows = session.execute(text("""
        SELECT grid_id, version, op, county_adcode, changed_at FROM grid_history
        WHERE grid_id = :id ORDER BY version"""), {"id": grid_id}).mappings().all()
    if not rows:
        if current is None:
            raise NotFound(Text("error.grid.never_existed", id=grid_id), {"grid": grid_id})
        raise NotFound(Text("error.grid_revert.no_version", id=grid_id, version=version),
                       {"grid": grid_id, "version": version})
    known = {r["version"] for r in rows} | {r["version"] - 1 for r in rows if r["op"] != "create"}
    if version not in known:
        raise NotFound(Text("error.grid_revert.no_version", id=grid_id, version=version),
                       {"grid": grid_id, "version": version})
    if current == version:
        raise Unprocessable(Text("error.grid_revert.already", id=grid_id, version=version),
                            {"grid": grid_id, "version": version})
    county = rows[0]["county_adcode"]
    undo = {r["changed_at"] for r in rows if r["version"] > version}
    since = {grid_id: min(undo)}
    if with_partners:
        while True:  # close over partners and their later edits
            touched = session.execute(text("""
                SELECT grid_id, min(changed_at) AS first FROM grid_history
                WHERE county_adcode = :c AND changed_at = ANY(:sets) GROUP BY grid_id
            """), {"c": county, "sets": sorted(undo)}).all()
            since = {g: min(t, since.get(g, t)) for g, t in touched}
            later = set(session.execute(text("""
                SELECT DISTINCT h.changed_at FROM grid_history h
                JOIN unnest(CAST(:ids AS integer[]), CAST(:ts AS timestamptz[])) s(id, t)
                  ON h.grid_id = s.id AND h.changed_at > s.t
            """), {"ids": list(since), "ts": list(since.values())}).scalars())
            if later <= undo:
                break
            undo |= later
    return county, _back_to(session, since, {grid_id: current_version})


def _back_to(session: Session, since: dict, seen: dict) -> list[Change]:
    """Changes restoring each grid to its shape just before its first undone edit set."""
    states = session.execute(text("""
        SELECT DISTINCT ON (h.grid_id) h.grid_id, h.op, h.code, h.version,
               coalesce((SELECT p.name FROM grid_history p WHERE p.grid_id = h.grid_id
                         AND p.version = h.version - 1), h.name) AS name,
               h.geom_before IS NULL AS absent, encode(ST_AsBinary(h.geom_before), 'hex') AS wkb,
               g.version AS current
        FROM grid_history h
        JOIN unnest(CAST(:ids AS integer[]), CAST(:ts AS timestamptz[])) s(id, t)
          ON h.grid_id = s.id AND h.changed_at = s.t
        LEFT JOIN grids g ON g.id = h.grid_id
        ORDER BY h.grid_id, h.version
    """), {"ids": list(since), "ts": list(since.values())}).mappings().all()
    changes = []
    for s in states:
        version = seen.get(s["grid_id"]) or s["current"]
        if s["absent"]:  # created by an undone edit set: goes away again
            if s["current"] is not None:
                changes.append(Change(index=len(changes), op="delete", id=s["grid_id"],
                                      version=version))
        elif s["current"] is None:
            changes.append(Change(index=len(changes), op="create", code=s["code"],
                                  name=s["name"], wkb=s["wkb"], restore_id=s["grid_id"]))
        else:
            changes.append(Change(index=len(changes), op="update", id=s["grid_id"],
                                  version=version, name=s["name"], wkb=s["wkb"]))
    if not changes:
        raise Unprocessable(Text("error.grid_revert.nothing"), {"grids": list(since)})
    return changes


def next_code(session: Session, county: str) -> str:
    """The next free code <county>-NNN, never reusing one a deleted grid had."""
    n = session.execute(text("""
        SELECT coalesce(max(substring(code FROM '^[0-9]{6}-([0-9]+)$')::int), 0) + 1
        FROM (SELECT code FROM grids WHERE code LIKE :prefix
              UNION ALL SELECT code FROM grid_history WHERE code LIKE :prefix) s
    """), {"prefix": f"{county}-%"}).scalar_one()
    return f"{county}-{n:03d}"


def split_changes(session: Session, grid_id: int, line: Any, version: Any, *,
                  code: str | None = None, name: str | None = None,
                  max_vertices: int = Settings.model_fields["max_edit_vertices"].default) -> tuple[str, list[Change]]:
    """Cut a grid in two along a line: it keeps the larger side, a new grid gets the other."""
    if isinstance(version, bool) or not isinstance(version, int):
        raise InvalidInput(Text("error.grid_split.version"), {"parameter": "version"})
    grid = _grid(session, grid_id)
    if not isinstance(line, dict) or line.get("type") != "LineString" \
            or not isinstance(line.get("coordinates"), list) or len(line["coordinates"]) < 2:
        raise InvalidInput(Text("error.grid_split.line"), {"parameter": "line"})
    if len(line["coordinates"]) > max_vertices:
        raise PayloadTooLarge(Text("error.grid_split.too_many_points",
                                   points=len(line["coordinates"]), max=max_vertices),
                              {"parameter": "line", "max_vertices": max_vertices})
    try:
        points = [(float(x), float(y)) for x, y, *_ in line["coordinates"]]
    except (TypeError, ValueError):
        raise InvalidInput(Text("error.grid_split.coordinates"), {"parameter": "line"}) from None
    wkt = "LINESTRING(" + ", ".join(f"{x!r} {y!r}" for x, y in points) + ")"
    pieces = session.execute(text("""
        WITH g AS (SELECT geom FROM grids WHERE id = :id),
        parts AS (SELECT d.path[1] AS part, d.geom FROM g, ST_Dump(g.geom) d),
        cut AS (SELECT part, (ST_Dump(ST_Split(parts.geom, ST_GeomFromText(:line, 4326)))).geom
                FROM parts)
        SELECT part, count(*) OVER (PARTITION BY part) AS n, ST_Area(geom) AS area,
               encode(ST_AsBinary(geom), 'hex') AS wkb
        FROM cut ORDER BY part, area DESC
    """), {"id": grid_id, "line": wkt}).mappings().all()
    cut_parts = {p["part"] for p in pieces if p["n"] > 1}
    if not cut_parts:
        raise Unprocessable(Text("error.grid_split.misses", code=grid["code"]),
                            {"problems": [problem(grid_id, "split_line_misses",
                                                  Text("problem.grid.split_line_misses"),
                                                  line)]})
    if len(cut_parts) > 1 or max(p["n"] for p in pieces) > 2:
        n = sum(p["n"] for p in pieces if p["n"] > 1)
        raise Unprocessable(Text("error.grid_split.pieces", code=grid["code"], n=n),
                            {"problems": [problem(grid_id, "split_line_crosses_twice",
                                                  Text("problem.grid.split_line_pieces", n=n),
                                                  line)]})
    smaller = [p for p in pieces if p["n"] > 1][1]
    kept = [p["wkb"] for p in pieces if p is not smaller]
    keep_wkb = session.execute(text("""
        SELECT encode(ST_AsBinary(ST_Multi(ST_Collect(ARRAY(
            SELECT ST_GeomFromWKB(decode(w, 'hex'), 4326) FROM unnest(CAST(:w AS text[])) w)))),
            'hex')
    """), {"w": kept}).scalar_one()
    county = grid["county_adcode"]
    new_code = code or next_code(session, county)
    new_name = name or _default_name(session, county, new_code)
    return county, [Change(index=0, op="update", id=grid_id, version=version, wkb=keep_wkb),
                    Change(index=1, op="create", code=new_code, name=new_name,
                           wkb=smaller["wkb"])]


def _default_name(session: Session, county: str, code: str) -> str:
    county_name = session.execute(text(
        "SELECT name FROM admin_areas WHERE level = 'county' AND adcode = :a"),
        {"a": county}).scalar_one()
    number = code.rsplit("-", 1)[-1]
    return f"{county_name}第{int(number)}网格" if number.isdigit() else f"{county_name}{code}网格"


def merge_changes(session: Session, ids: Any, versions: Any, *,
                  name: str | None = None) -> tuple[str, list[Change]]:
    """Merge adjacent grids of one county into the first one; the others are deleted."""
    if not isinstance(ids, list) or len(ids) < 2 or len(set(map(repr, ids))) != len(ids) \
            or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise InvalidInput(Text("error.grid_merge.ids"), {"parameter": "ids"})
    if not isinstance(versions, dict):
        raise InvalidInput(Text("error.grid_merge.versions"), {"parameter": "versions"})
    seen = {}
    for i in ids:
        v = versions.get(str(i))
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidInput(Text("error.grid_merge.version_missing", grid=i),
                               {"parameter": "versions", "grid": i})
        seen[i] = v
    rows = {r["id"]: r for r in session.execute(text("""
        SELECT id, code, county_adcode FROM grids WHERE id = ANY(:ids)
    """), {"ids": ids}).mappings()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(Text("error.grid.not_found", ids=", ".join(map(str, missing))),
                       {"grids": missing})
    county = rows[ids[0]]["county_adcode"]
    elsewhere = [i for i in ids if rows[i]["county_adcode"] != county]
    if elsewhere:
        raise Unprocessable(Text("error.grid_merge.counties"), {"problems": [
            problem(i, "other_county",
                    Text("problem.grid.other_county", code=rows[i]["code"],
                         other=rows[i]["county_adcode"], county=county)) for i in elsewhere]})
    # Adjacent = sharing a stretch of border (they meet in a line), not just a corner. An
    # overlay, not ST_Relate: GEOS 3.11's relate throws on nearly coincident edges.
    edges = session.execute(text("""
        SELECT id_a, id_b FROM (
            SELECT a.id AS id_a, b.id AS id_b, ST_Intersection(a.geom, b.geom) AS meet
            FROM grids a JOIN grids b ON a.id < b.id AND ST_DWithin(a.geom, b.geom, 0)
            WHERE a.id = ANY(:ids) AND b.id = ANY(:ids)) s
        WHERE NOT ST_IsEmpty(meet) AND ST_Dimension(meet) >= 1
    """), {"ids": ids}).all()
    linked, todo = {ids[0]}, [ids[0]]
    while todo:
        here = todo.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == here and y not in linked:
                    linked.add(y)
                    todo.append(y)
    apart = [i for i in ids if i not in linked]
    if apart:
        raise Unprocessable(Text("error.grid_merge.apart",
                                 codes=", ".join(rows[i]["code"] for i in apart),
                                 first=rows[ids[0]]["code"]), {"problems": [
                                problem(i, "not_adjacent", Text("problem.grid.not_adjacent"))
                                for i in apart]})
    wkb = session.execute(text("""
        SELECT encode(ST_AsBinary(ST_Multi(ST_UnaryUnion(ST_Collect(geom)))), 'hex')
        FROM grids WHERE id = ANY(:ids)
    """), {"ids": ids}).scalar_one()
    keep = ids[0]
    return county, [Change(index=0, op="update", id=keep, version=seen[keep], name=name,
                           wkb=wkb)] + [Change(index=n, op="delete", id=i, version=seen[i])
                                        for n, i in enumerate(ids[1:], 1)]
