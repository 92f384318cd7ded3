"""Grid planning API: edit sets (preview / commit), split, merge, revert, history, coverage."""
from __future__ import annotations

from flask import Blueprint, jsonify

from dispatch.officers import service as officers
from geo.accounts.models import ROLES
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.grids import coverage
from geo.grids.edits import service as grid_edits
from geo.grids.edits import tools as grid_tools
from geo.grids.settings import PlanningSettings
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, client_ip, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("grid_edits_api", __name__)
PLAN = ("planner", "admin")
ALL = ROLES
GEOJSON = {"type": "object", "description": "GeoJSON geometry (WGS 84 lon/lat)"}
RUN = {"dry_run": {"type": "boolean", "default": True,
                   "description": "true: check and preview only; false: commit"},
       "reason": {"type": "string", "description": "why (required to commit)"}}


def settings() -> PlanningSettings:
    return app_settings().planning


def _run(body: dict) -> dict:
    """dry_run and reason of a request body: a commit must say why."""
    dry_run = field(body, "dry_run", bool, required=False, default=True)
    reason = field(body, "reason", required=not dry_run)
    if not dry_run and not reason.strip():
        raise InvalidInput(Text("webapp.grid_edits.reason_required"), {"parameter": "reason"})
    return {"dry_run": dry_run, "reason": reason, "actor": actor(), "settings": settings(),
            "staff": officers.staff_per_grid, "follow": officers.GRID_STAFF, "ip": client_ip(),
            "max_vertices": app_settings().max_edit_vertices}


def _answer(result: dict):
    if result.get("committed"):
        db().commit()
    return jsonify(result)


@bp.post("/api/v1/grid-edits")
@roles(*PLAN)
@errors("404", "409", "413", "422")
@accepts({"county": {"type": "string", "pattern": ADCODE},
          "changes": {"type": "array", "items": {"type": "object", "properties": {
              "op": {"type": "string", "enum": ["create", "update", "delete"]},
              "id": {"type": "integer"}, "version": {"type": "integer"},
              "code": {"type": "string"}, "name": {"type": "string"}, "geometry": GEOJSON}}},
          **RUN}, ("county", "changes"))
def grid_edit_set():
    """Check an edit set of a county's grids and preview its impact, or commit it atomically."""
    body = json_object()
    county, changes = field(body, "county", max_length=6, scope="area"), field(body, "changes", list)
    return _answer(grid_edits.submit_json(db(), county=county, changes=changes, **_run(body)))


@bp.post("/api/v1/grids/<int:grid_id>/split")
@roles(*PLAN)
@errors("404", "409", "413", "422")
@accepts({"line": {"type": "object", "description": "GeoJSON LineString crossing the grid"},
          "version": {"type": "integer"}, "code": {"type": "string"},
          "name": {"type": "string"}, **RUN}, ("line", "version"))
def split_grid(grid_id: int):
    """Cut a grid in two along a line (an edit set: the grid and a new one)."""
    body = json_object()
    run = _run(body)
    county, changes = grid_tools.split_changes(
        db(), grid_id, field(body, "line", dict), field(body, "version", int),
        code=field(body, "code", required=False), name=field(body, "name", required=False),
        max_vertices=run["max_vertices"])
    return _answer(grid_edits.submit(db(), county=county, changes=changes, **run))


@bp.post("/api/v1/grids/merge")
@roles(*PLAN)
@errors("404", "409", "422")
@accepts({"ids": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
          "versions": {"type": "object", "additionalProperties": {"type": "integer"}},
          "name": {"type": "string"}, **RUN}, ("ids", "versions"))
def merge_grids():
    """Merge adjacent grids of one county into the first of `ids` (the others are deleted)."""
    body = json_object()
    run = _run(body)
    county, changes = grid_tools.merge_changes(
        db(), field(body, "ids", list, scope="grid"), field(body, "versions", dict),
        name=field(body, "name", required=False))
    return _answer(grid_edits.submit(db(), county=county, changes=changes, **run))


@bp.post("/api/v1/grids/<int:grid_id>/revert")
@roles(*PLAN)
@errors("404", "409", "422")
@accepts({"version": {"type": "integer", "description": "the earlier version to go back to"},
          "current_version": {"type": "integer",
                              "description": "the version the planner sees now (409 if stale)"},
          "with_partners": {"type": "boolean", "default": True,
                            "description": "also revert grids changed in the same edit sets"},
          **RUN}, ("version",))
def revert_grid(grid_id: int):
    """Bring a grid back to an earlier version, as a new edit set checked like any other."""
    body = json_object()
    run = _run(body)
    county, changes = grid_tools.revert_changes(
        db(), grid_id, field(body, "version", int),
        field(body, "current_version", int, required=False),
        field(body, "with_partners", bool, required=False, default=True))
    return _answer(grid_edits.submit(db(), county=county, changes=changes, **run))


@bp.get("/api/v1/grids/<int:grid_id>/history")
@roles(*ALL)
@errors("404")
def grid_history(grid_id: int):
    """Every recorded version of a grid, newest first: who, when, why, shape before and after."""
    return jsonify(grid_tools.history(db(), grid_id))


@bp.get("/api/v1/coverage")
@roles(*ALL)
@query(Param("area", "county, city or province adcode", required=True, pattern=ADCODE))
def area_coverage(area: str):
    """How completely the grids of an area cover it: gaps, overlaps, employers outside grids."""
    return jsonify(coverage.coverage(db(), area, staff=officers.staff_per_grid,
                                     min_feature_m2=settings().coverage_min_feature_m2))
