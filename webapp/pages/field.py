"""Field work: a grid worker's page and worklist, detail corrections, duplicates and merges."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template
from sqlalchemy import text

from dispatch.analytics import jobs
from dispatch.casework import merge
from dispatch.officers.service import employer_editable_by
from dispatch.projects import service as projects
from dispatch.projects.models import SITE_SYSTEMS
from geo.areas import service as areas
from geo.core.errors import Forbidden, InvalidInput, NotFound
from geo.core.text import Text
from geo.employers import duplicates
from geo.employers import service as employers
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, client_ip, db, settings
from webapp.core.params import ADCODE, Param, query
from webapp.pages import maps
from webapp.pages.projects import ACT_KEYS
from webapp.pages.strings import page_strings

bp = Blueprint("field", __name__)
FIELD_ROLES = ("inspector", "admin")


def _my_grid() -> int | None:
    """The grid of the officer record linked to the signed-in user."""
    return db().execute(text("SELECT grid_id FROM officers WHERE user_id = :u ORDER BY id "
                             "LIMIT 1"), {"u": g.user.id}).scalar()


@bp.get("/field")
@roles(*FIELD_ROLES)
def field_page():
    """The phone page of grid workers and inspectors: their grid on a small map, its
    employers (stalest first) as cards to search, filter and open one at a time; GPS and
    corrections, queued in the browser while there is no signal; the grid's projects."""
    grid = _my_grid()
    config = {"strings": page_strings(("use_gps", "save", "stale", "needs_visit", "no_grid",
                                       "saved", "employees", "contact_phone", "contact_person",
                                       "migrant_workers", "locating", "location_source",
                                       "gps_unavailable", "http_error", *ACT_KEYS),
                                      ("location_", "projects_ui.", "project.", "field_ui.")),
              "items": list(SITE_SYSTEMS), "grid": grid,
              # the browser's outbox is per account: another user of the phone never sends it
              "outbox": f"lw-field-outbox:{g.user.username}"}
    parts = maps.map_page(_grid_bounds(grid), "field/main.js", config, settings().tile_url)
    return render_template("field.html", user=g.user, parts=parts, grid=grid)


def _grid_bounds(grid_id: int | None) -> list[list[float]]:
    """[[south, west], [north, east]] of the grid (the province without one)."""
    if grid_id is not None:
        box = db().execute(text("SELECT ST_YMin(geom), ST_XMin(geom), ST_YMax(geom), "
                                "ST_XMax(geom) FROM grids WHERE id = :g"), {"g": grid_id}).one()
        return [[box[0], box[1]], [box[2], box[3]]]
    return areas.bounds(db(), "410000")


@bp.get("/api/v1/field/worklist")
@roles(*FIELD_ROLES)
@query(Param("grid", "grid id (administrators; inspectors get their own grid)",
             pattern=r"[0-9]{1,9}"))
def worklist(grid: str | None):
    """The employers of a grid, least recently updated first."""
    return jsonify(employers.grid_worklist(db(), _grid_asked(grid),
                                           stale_days=settings().employer_stale_days))


def _grid_asked(grid: str | None) -> int:
    """The grid a field request is about: an administrator's `grid`, else the user's own."""
    if g.user.role == "admin" and grid is not None:
        return int(grid)
    grid_id = _my_grid()
    if grid_id is None:
        raise NotFound(Text("webapp.field_work.not_linked"))
    if grid is not None and int(grid) != grid_id:
        raise Forbidden(Text("webapp.field_work.own_grid_only"))
    return grid_id


@bp.get("/api/v1/field/projects")
@roles(*FIELD_ROLES)
@query(Param("grid", "grid id (administrators; inspectors get their own grid)",
             pattern=r"[0-9]{1,9}"))
def field_projects(grid: str | None):
    """The construction projects of a grid, red warnings first, each with its checklist of
    the ten site systems (the last finding and date of each) for the site visit."""
    grid_id = _grid_asked(grid)
    found = projects.listing(db(), counties=None, q=None, level=None, status=None,
                             department=None, contractor_id=None, page=1, per_page=100,
                             grid_id=grid_id)
    for item in found["items"]:
        item["checklist"] = projects.checklist(db(), item["id"])
    return jsonify({"grid_id": grid_id, "items": found["items"], "total": found["total"]})


@bp.patch("/api/v1/employers/<int:employer_id>")
@roles(*FIELD_ROLES)
@errors("403", "404", "409", "422")
@accepts({"updated_at": {"type": "string"},
          "changes": {"type": "object", "properties": {
              name: {"type": "string" if kind is str else "integer"}
              for name, kind in employers.EDITABLE.items()}}}, ("updated_at", "changes"))
def correct_employer(employer_id: int):
    """Correct an employer's details; send the `updated_at` you read (stale → 409).

    Inspectors correct only the employers of their own grid(s) (403 otherwise)."""
    body = json_object()
    employer_editable_by(db(), user_id=g.user.id, role=g.user.role, employer_id=employer_id)
    found = employers.update_details(db(), employer_id, field(body, "changes", dict),
                                     expected_updated_at=field(body, "updated_at"),
                                     actor=actor(), ip=client_ip())
    jobs.after_write(db(), jobs.counties_of_employers(db(), [employer_id]), settings().risk)
    db().commit()
    return jsonify(found)


@bp.get("/api/v1/employers/duplicates")
@roles("admin")
@query(Param("area", "the county or city to search (adcode; not the whole province)",
             required=True, pattern=ADCODE),
       Param("distance_m", "how close two records must be", type="number", minimum=1,
             maximum=1000, default=50.0))
def list_duplicates(area: str, distance_m: float):
    """Likely duplicate employers of a county or city for an administrator to review and merge."""
    return jsonify({"items": duplicates.likely_duplicates(db(), area=area,
                                                          distance_m=distance_m)})


@bp.post("/api/v1/employers/merge")
@roles("admin")
@accepts({"keep": {"type": "integer"}, "remove": {"type": "integer"},
          "reason": {"type": "string"}}, ("keep", "remove", "reason"))
def merge_employers():
    """Merge a duplicate into the record to keep (complaints, inspections and cases follow)."""
    body = json_object()
    keep = field(body, "keep", int, scope="employer")
    remove = field(body, "remove", int, scope="employer")
    if keep == remove:
        raise InvalidInput(Text("webapp.field_work.keep_remove_differ"), {"parameter": "remove"})
    result = merge.merge_employers(db(), keep=keep, remove=remove,
                                   reason=field(body, "reason"), actor=actor(),
                                   risk_settings=settings().risk)
    db().commit()
    return jsonify(result)
