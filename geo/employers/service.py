"""Employers: grid assignment, search, detail and field updates of their location."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import crs
from geo.accounts import audit
from geo.areas import service as areas
from geo.core import clock
from geo.core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from geo.core.text import Text
from geo.employers.credit_code import ALPHABET
from geo.employers.models import Employer

SEARCH_COUNT_CAP = 10_000  # beyond this, counting every match costs more than it tells
SHORT_QUERY = 2  # characters: too short for trigrams
SHORT_AREA_COUNTIES = 20  # a short query still matches anywhere in the name inside a city
FIELD_VISIT_PRECISION = "county"  # placed at a county centroid: someone must go and look


def assign_to_grids(session: Session, county_adcode: str | None = None,
                    employer_ids: list[int] | None = None,
                    grid_ids: list[int] | None = None) -> int:
    """Set employers' grid to the grid of their county containing them (PostGIS point-in-polygon).

    Without `employer_ids`, every employer (of one county) whose grid is wrong is updated;
    with them, exactly those employers, and one outside every grid gets no grid. With
    `grid_ids` (after a grid edit in `county_adcode`), the employers that were in, or now
    lie in, those grids, or had no grid.
    """
    if grid_ids is not None:
        return _reassign_after_grid_edit(session, county_adcode, grid_ids)
    if employer_ids is None:
        return session.execute(text("""
            UPDATE employers e SET grid_id = g.id
            FROM grids g
            WHERE g.county_adcode = e.county_adcode
              AND ST_Intersects(g.geom, e.geom)
              AND (CAST(:county AS text) IS NULL OR e.county_adcode = :county)
              AND e.grid_id IS DISTINCT FROM g.id
        """), {"county": county_adcode}).rowcount
    return session.execute(text("""
        UPDATE employers e SET grid_id = found.grid_id
        FROM (SELECT x.id, (SELECT g.id FROM grids g
                            WHERE g.county_adcode = x.county_adcode
                              AND ST_Intersects(g.geom, x.geom)
                            ORDER BY g.id LIMIT 1) AS grid_id
              FROM employers x WHERE x.id = ANY(CAST(:ids AS bigint[]))) found
        WHERE e.id = found.id AND e.grid_id IS DISTINCT FROM found.grid_id
    """), {"ids": list(employer_ids)}).rowcount


def _reassign_after_grid_edit(session: Session, county: str | None, grid_ids: list[int]) -> int:
    """Re-derive the grid of every employer of the county an edit of these grids can move."""
    if county is None:
        raise ValueError("re-assigning after a grid edit needs the county")
    # Three index-friendly candidate sets, not one OR: each uses its own index.
    return session.execute(text("""
        WITH cand AS (
            SELECT e.id FROM grids g JOIN employers e
                ON e.county_adcode = :county AND ST_Intersects(g.geom, e.geom)
            WHERE g.id = ANY(CAST(:ids AS integer[]))
            UNION SELECT id FROM employers
            WHERE county_adcode = :county AND grid_id = ANY(CAST(:ids AS integer[]))
            UNION SELECT id FROM employers WHERE county_adcode = :county AND grid_id IS NULL),
        found AS (
            SELECT x.id, (SELECT g.id FROM grids g
                          WHERE g.county_adcode = :county AND ST_Intersects(g.geom, x.geom)
                          ORDER BY g.id LIMIT 1) AS grid_id
            FROM employers x JOIN cand USING (id))
        UPDATE employers e SET grid_id = found.grid_id
        FROM found WHERE e.id = found.id AND e.grid_id IS DISTINCT FROM found.grid_id
    """), {"county": county, "ids": list(grid_ids)}).rowcount


def _like(fragment: str) -> str:
    """A LIKE pattern matching the fragment anywhere, with its own wildcards taken literally."""
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_mode(q: str | None, counties: list[str] | None) -> str:
    """How a query is matched: "code" (a whole credit code: the unique b-tree first),
    "contains" (name, address or code contains it: pg_trgm), or "prefix" for a query of
    one or two characters outside a small area (trigrams need three; a contains-match would
    read every employer of the province, so the name must start with it: a b-tree range)."""
    if not q:
        return "contains"
    if len(q) == 18 and all(c in ALPHABET for c in q.upper()):
        return "code"
    if len(q) <= SHORT_QUERY and (counties is None or len(counties) > SHORT_AREA_COUNTIES):
        return "prefix"
    return "contains"


def search(session: Session, *, q: str | None = None, counties: list[str] | None = None,
           field_visit: bool | None = None, page: int = 1, per_page: int = 20) -> dict:
    """Employers whose name, address or credit code contains `q`, best matches first
    (`match` says how `q` was matched: search_mode).

    `total` is exact up to SEARCH_COUNT_CAP; above it `total_exact` is false.
    """
    q = " ".join(q.split()) if q else None
    mode = search_mode(q, counties)
    params: dict[str, Any] = {
        "q": q, "pattern": _like(q) if q else None, "code": q.upper() if q else None,
        "code_pattern": _like(q.upper()) if q else None, "prefix": q and _like(q)[1:],
        "counties": counties, "visit": field_visit, "precision": FIELD_VISIT_PRECISION,
        "limit": per_page, "offset": (page - 1) * per_page, "cap": SEARCH_COUNT_CAP + 1,
    }
    scope = """
        AND (CAST(:counties AS text[]) IS NULL OR county_adcode = ANY(CAST(:counties AS text[])))
        AND (CAST(:visit AS boolean) IS NULL OR (location_precision = :precision) = :visit)
    """
    if mode == "code":
        exact = session.execute(text(f"""
            SELECT id, credit_code, name, address, ST_X(geom) AS lon, ST_Y(geom) AS lat,
                   location_source, location_precision, grid_id, county_adcode
            FROM employers WHERE credit_code = :code {scope}
        """), params).mappings().all()
        if exact:
            return {"items": [_summary(r) for r in exact][:per_page] if page == 1 else [],
                    "page": page, "per_page": per_page, "total": len(exact),
                    "total_exact": True, "match": "code"}
        mode = "contains"  # a well-formed code nobody has: look for it inside other fields
    if mode == "prefix":
        where = f'(name COLLATE "C") LIKE :prefix {scope}'
        order = 'name COLLATE "C", id'
    else:
        where = f"""(CAST(:q AS text) IS NULL OR name ILIKE :pattern OR address ILIKE :pattern
                     OR credit_code LIKE :code_pattern) {scope}"""
        order = ("(credit_code = :code) DESC, (name = :q) DESC, (name ILIKE :prefix) DESC, "
                 "char_length(name), id")
    rows = session.execute(text(f"""
        SELECT id, credit_code, name, address, ST_X(geom) AS lon, ST_Y(geom) AS lat,
               location_source, location_precision, grid_id, county_adcode
        FROM employers WHERE {where}
        ORDER BY {order}
        LIMIT :limit OFFSET :offset
    """), params).mappings().all()
    total = session.execute(text(f"""
        SELECT count(*) FROM (SELECT 1 FROM employers WHERE {where} LIMIT :cap) t
    """), params).scalar_one()
    return {"items": [_summary(r) for r in rows], "page": page, "per_page": per_page,
            "total": min(total, SEARCH_COUNT_CAP), "total_exact": total <= SEARCH_COUNT_CAP,
            "match": mode}


def _summary(row) -> dict:
    return {"id": row["id"], "credit_code": row["credit_code"], "name": row["name"],
            "address": row["address"], "lon": row["lon"], "lat": row["lat"],
            "location_source": row["location_source"],
            "location_precision": row["location_precision"],
            "needs_field_visit": row["location_precision"] == FIELD_VISIT_PRECISION,
            "grid_id": row["grid_id"], "county_adcode": row["county_adcode"]}


def detail(session: Session, employer_id: int, history: int = 10) -> dict:
    """Every field of one employer, its grid and county, and its latest location changes."""
    row = session.execute(text("""
        SELECT e.*, ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, g.code AS grid_code,
               a.name AS county_name
        FROM employers e
        LEFT JOIN grids g ON g.id = e.grid_id
        LEFT JOIN admin_areas a ON a.level = 'county' AND a.adcode = e.county_adcode
        WHERE e.id = :id
    """), {"id": employer_id}).mappings().first()
    if row is None:
        raise NotFound(Text("error.employer.not_found", employer_id=employer_id),
                       {"employer_id": employer_id})
    out = _summary(row)
    for key in ("legal_representative", "contact_person", "contact_phone", "industry",
                "employees", "migrant_workers", "grade", "wage_deposit", "source_crs",
                "location_accuracy_m", "grid_code", "county_name"):
        out[key] = row[key]
    for key in ("last_inspected_at", "last_field_update_at", "updated_at"):
        out[key] = row[key].isoformat() if row[key] else None
    out["location_history"] = [dict(h) | {"changed_at": h["changed_at"].isoformat()}
                               for h in session.execute(text("""
        SELECT ST_X(geom_before) AS lon_before, ST_Y(geom_before) AS lat_before,
               ST_X(geom_after) AS lon_after, ST_Y(geom_after) AS lat_after,
               source_before, source_after, precision_before, precision_after, accuracy_m,
               import_id, changed_by, changed_at
        FROM employer_location_history WHERE employer_id = :id
        ORDER BY changed_at DESC, id DESC LIMIT :n
    """), {"id": employer_id, "n": history}).mappings()]
    return out


def relocate(session: Session, employer_id: int, *, lon: float, lat: float,
             accuracy_m: float, source_crs: str = "wgs84", actor: str | None,
             max_accuracy_m: float, ip: str | None = None,
             surveyed_at: datetime | None = None) -> dict:
    """Record a position surveyed in the field: it replaces the old one, which goes to history.

    `surveyed_at` is when the fix was taken, for a survey sent later (a phone without signal
    queues it): refused (409) when the location has changed since, so an older fix never
    overwrites a newer one; and refused (422) when it lies in the future."""
    if surveyed_at is not None:
        if surveyed_at.tzinfo is None:
            raise InvalidInput(Text("error.employer.surveyed_at_zone"),
                               {"parameter": "surveyed_at"})
        if surveyed_at > clock.now() + timedelta(minutes=2):
            raise Unprocessable(Text("error.employer.surveyed_at_future"),
                                {"parameter": "surveyed_at"})
    if not isinstance(accuracy_m, (int, float)) or isinstance(accuracy_m, bool) \
            or not math.isfinite(accuracy_m) or accuracy_m < 0:
        raise InvalidInput(Text("error.employer.accuracy"),
                           {"parameter": "accuracy_m"})
    if accuracy_m > max_accuracy_m:
        raise Unprocessable(Text("error.employer.fix_too_coarse", accuracy=accuracy_m,
                                 max=max_accuracy_m),
                            {"parameter": "accuracy_m", "max_accuracy_m": max_accuracy_m})
    if source_crs not in crs.CRS_NAMES:
        raise InvalidInput(Text("error.crs.choice", choices=", ".join(crs.CRS_NAMES)),
                           {"parameter": "crs"})
    employer = session.get(Employer, employer_id, with_for_update=True)
    if employer is None:
        raise NotFound(Text("error.employer.not_found", employer_id=employer_id),
                       {"employer_id": employer_id})
    for name, value in (("lon", lon), ("lat", lat)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise InvalidInput(Text("error.value.not_number", name=name), {"parameter": name})
    x, y = (float(v) for v in crs.to_wgs84(lon, lat, source_crs))
    county = areas.require_point_in_henan(session, x, y)
    if surveyed_at is not None:
        moved_at = session.execute(text(
            "SELECT max(changed_at) FROM employer_location_history WHERE employer_id = :id"),
            {"id": employer_id}).scalar()
        if moved_at is not None and moved_at > surveyed_at:
            raise Conflict(Text("error.employer.location_newer",
                                changed_at=moved_at.astimezone(clock.BEIJING)
                                .strftime("%Y-%m-%d %H:%M")),
                           {"changed_at": moved_at.isoformat()})
    before = session.execute(text("""
        SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, location_source, location_precision,
               county_adcode, grid_id FROM employers WHERE id = :id
    """), {"id": employer_id}).mappings().one()
    session.execute(text("""
        WITH old AS (SELECT id, geom, location_source, location_precision
                     FROM employers WHERE id = :id),
        moved AS (
            UPDATE employers e SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326),
                location_source = 'survey', location_precision = 'point', source_crs = :crs,
                location_accuracy_m = :acc, county_adcode = :county,
                last_field_update_at = now(), updated_at = now()
            FROM old WHERE e.id = old.id
            RETURNING e.id, e.county_adcode, e.geom)
        INSERT INTO employer_location_history (employer_id, county_adcode, geom_before,
            geom_after, source_before, source_after, precision_before, precision_after,
            accuracy_m, changed_by)
        SELECT moved.id, moved.county_adcode, old.geom, moved.geom, old.location_source,
               'survey', old.location_precision, 'point', :acc, :actor
        FROM moved JOIN old USING (id)
    """), {"id": employer_id, "x": x, "y": y, "crs": source_crs, "acc": float(accuracy_m),
           "county": county, "actor": actor})
    assign_to_grids(session, employer_ids=[employer_id])
    session.expire(employer)
    after = detail(session, employer_id, history=0)
    audit.record(session, actor=actor, action="relocate", entity="employer",
                 entity_id=employer_id, before=dict(before),
                 after={k: after[k] for k in ("lon", "lat", "location_source",
                                              "location_precision", "county_adcode",
                                              "grid_id", "location_accuracy_m")}, ip=ip)
    return detail(session, employer_id)


EDITABLE = {"name": str, "legal_representative": str, "address": str, "contact_person": str,
            "contact_phone": str, "employees": int, "migrant_workers": int}


def update_details(session: Session, employer_id: int, changes: dict, *, expected_updated_at: str,
                   actor: str | None, ip: str | None = None) -> dict:
    """Correct an employer's details from the field; a stale `updated_at` → 409, nothing written."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(Text("error.employer.not_editable", fields=", ".join(unknown),
                                editable=", ".join(EDITABLE)), {"parameter": unknown[0]})
    if not changes:
        raise InvalidInput(Text("error.employer.nothing_to_change"), {"parameter": "changes"})
    for name, value in changes.items():
        kind = EDITABLE[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise InvalidInput(Text("error.value.not_text" if kind is str else
                                    "error.value.not_integer", name=name), {"parameter": name})
        if kind is int and value < 0:
            raise Unprocessable(Text("error.value.negative", name=name), {"parameter": name})
        if kind is str and name == "name" and not value.strip():
            raise Unprocessable(Text("error.value.empty", name=name), {"parameter": name})
    if changes.get("migrant_workers", 0) > changes.get("employees", 10**9):
        raise Unprocessable(Text("error.employer.migrants_exceed"),
                            {"parameter": "migrant_workers"})
    before = session.execute(text(
        "SELECT * FROM employers WHERE id = :id FOR UPDATE"), {"id": employer_id}).mappings().first()
    if before is None:
        raise NotFound(Text("error.employer.not_found", employer_id=employer_id),
                       {"employer_id": employer_id})
    if before["updated_at"].isoformat() != expected_updated_at:
        raise Conflict(Text("error.employer.stale"),
                       {"updated_at": before["updated_at"].isoformat()})
    assignments = ", ".join(f"{name} = :{name}" for name in changes)
    session.execute(text(f"UPDATE employers SET {assignments}, updated_at = clock_timestamp(), "
                         "last_field_update_at = now() WHERE id = :id"),
                    {**changes, "id": employer_id})
    audit.record(session, actor=actor, action="update", entity="employer", entity_id=employer_id,
                 before={k: before[k] for k in changes}, after=changes, ip=ip)
    return detail(session, employer_id, history=3)


def grid_worklist(session: Session, grid_id: int, *, stale_days: int, limit: int = 200) -> dict:
    """A grid's employers, least recently updated first, with their staleness."""
    grid = session.execute(text("SELECT id, code, name, county_adcode FROM grids WHERE id = :g"),
                           {"g": grid_id}).mappings().first()
    if grid is None:
        raise NotFound(Text("error.grid.does_not_exist", grid_id=grid_id), {"grid_id": grid_id})
    rows = session.execute(text("""
        SELECT e.id, e.credit_code, e.name, e.address, e.contact_person, e.contact_phone,
               e.employees, e.migrant_workers, e.location_source, e.location_precision,
               ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat, e.updated_at,
               coalesce(e.last_field_update_at, e.updated_at) AS refreshed_at,
               coalesce(e.last_field_update_at, e.updated_at)
                   < now() - make_interval(days => :stale) AS stale
        FROM employers e WHERE e.grid_id = :g
        ORDER BY (e.location_precision = :coarse) DESC,
                 coalesce(e.last_field_update_at, e.updated_at), e.id
        LIMIT :limit
    """), {"g": grid_id, "stale": stale_days, "limit": limit,
           "coarse": FIELD_VISIT_PRECISION}).mappings().all()
    items = []
    for r in rows:
        item = dict(r)
        item["updated_at"] = r["updated_at"].isoformat()
        item["refreshed_at"] = r["refreshed_at"].isoformat()
        item["needs_field_visit"] = r["location_precision"] == FIELD_VISIT_PRECISION
        items.append(item)
    return {"grid": dict(grid), "items": items}
