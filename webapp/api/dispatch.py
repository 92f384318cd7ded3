"""Dispatch API: inspections, recommendations, assignment, officer status and positions."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from dispatch.inspections import assign, board, recommend
from dispatch.inspections import service as inspections
from dispatch.inspections.models import INSPECTION_KINDS, INSPECTION_STATUSES, PRIORITIES
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.core.errors import Forbidden
from geo.core.text import Text
from webapp.core import schemas, territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, instant, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query
from webapp.core.schemas import returns

bp = Blueprint("dispatch_api", __name__)
DISPATCH = ("dispatcher", "admin")
WATCH = ("dispatcher", "command", "admin")


def settings() -> DispatchSettings:
    return app_settings().dispatch


def committed(payload, status: int = 200):
    db().commit()
    resp = jsonify(payload)
    resp.status_code = status
    return resp


@bp.post("/api/v1/inspections")
@roles("dispatcher", "command", "admin")
@accepts({"kind": {"type": "string", "enum": list(INSPECTION_KINDS)},
          "priority": {"type": "string", "enum": list(PRIORITIES)},
          "employer_id": {"type": "integer"}, "description": {"type": "string"},
          "location": {"type": "object", "properties": {"lat": {"type": "number"},
                                                        "lon": {"type": "number"}}}},
         ("kind",), status="201")
def create_inspection():
    """Create a pending inspection (complaint, scheduled, random or incident)."""
    body = json_object()
    kind = field(body, "kind", choices=INSPECTION_KINDS)  # every role admitted may report one
    found = inspections.create(
        db(), kind=kind, priority=field(body, "priority", choices=PRIORITIES, required=False,
                                        default="urgent" if kind == "incident" else "normal"),
        description=field(body, "description", required=False),
        employer_id=field(body, "employer_id", int, required=False, scope="employer"),
        location=field(body, "location", dict, required=False), actor=actor())
    territory.check_created(found.county_adcode)
    return committed({"id": found.id, **inspections.detail(db(), found.id)}, 201)


@bp.get("/api/v1/inspections")
@roles(*WATCH)
@returns(schemas.InspectionList)
@query(Param("status", "only this status", enum=INSPECTION_STATUSES),
       Param("area", "only inside this area (adcode of a county, city or the province)",
             pattern=ADCODE),
       Param("limit", "maximum rows", type="number", minimum=1, maximum=1000, default=200))
def list_inspections(status, area, limit):
    """Inspections, most urgent and oldest first."""
    return jsonify({"items": inspections.listing(db(), status=status, area=area,
                                                 limit=int(limit))})


@bp.get("/api/v1/inspections/board")
@roles(*WATCH)
@returns(schemas.Board)
@query(Param("area", "county, city or the province (adcode)", pattern=ADCODE, required=True),
       Param("tab", "which inspections", enum=board.TABS, default="waiting"),
       Param("limit", "maximum rows", type="number", minimum=1, maximum=1000, default=200))
def inspection_board(area, tab, limit):
    """The dispatcher's console: counts of waiting / assigned / on site / done today, and the
    rows of one tab (the team of each, with its live ETA). Conditional (ETag)."""
    resp = jsonify(board.board(db(), area=area, tab=tab, settings=settings(), limit=int(limit)))
    resp.add_etag()
    resp.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp.make_conditional(request)


@bp.get("/api/v1/inspections/<int:inspection_id>")
@roles(*WATCH)
@returns(schemas.Inspection)
def get_inspection(inspection_id: int):
    """One inspection with its active team."""
    return jsonify(inspections.detail(db(), inspection_id))


@bp.get("/api/v1/inspections/<int:inspection_id>/recommendations")
@roles(*WATCH)
@returns(schemas.Recommendation)
@query(Param("include_stale", "also use positions older than the stale limit",
             enum=("true", "false"), default="false"))
def recommendations(inspection_id: int, include_stale: str):
    """Ranked teams of certified inspectors, and nearby officers left out with the reason."""
    return jsonify(recommend.recommend(db(), inspection_id, settings(),
                                       include_stale == "true",
                                       counties=territory.officer_counties()))


@bp.post("/api/v1/inspections/<int:inspection_id>/assign")
@roles(*DISPATCH)
@accepts({"officer_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
          "override_reason": {"type": "string"}}, ("officer_ids",))
def assign_inspection(inspection_id: int):
    """Assign a team atomically (409 if someone was faster, 422 if the team breaks the rules;
    a random draw's inspection takes the team drawn unless an admin gives `override_reason`)."""
    body = json_object()
    return committed(assign.assign(db(), inspection_id, field(body, "officer_ids", list, scope="team"),
                                   actor=actor(), settings=settings(), role=g.user.role,
                                   override_reason=field(body, "override_reason",
                                                         required=False)))


@bp.post("/api/v1/inspections/<int:inspection_id>/reassign")
@roles(*DISPATCH)
@accepts({"officer_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
          "reason": {"type": "string"}, "override_reason": {"type": "string"}},
         ("officer_ids", "reason"))
def reassign_inspection(inspection_id: int):
    """Replace the team of an assigned inspection, with a reason (a random draw's team only
    by an admin giving `override_reason`)."""
    body = json_object()
    return committed(assign.reassign(db(), inspection_id, field(body, "officer_ids", list, scope="team"),
                                     field(body, "reason"), actor=actor(),
                                     settings=settings(), role=g.user.role,
                                     override_reason=field(body, "override_reason",
                                                           required=False)))


@bp.post("/api/v1/inspections/<int:inspection_id>/cancel")
@roles(*DISPATCH)
@accepts({"reason": {"type": "string"}}, ("reason",))
def cancel_inspection(inspection_id: int):
    """Cancel an inspection with a reason and free its team."""
    body = json_object()
    return committed(assign.cancel(db(), inspection_id, field(body, "reason"), actor=actor()))


@bp.post("/api/v1/inspections/<int:inspection_id>/complete")
@roles(*DISPATCH)
@accepts({"summary": {"type": "string"}}, ("summary",))
def complete_inspection(inspection_id: int):
    """Mark an assigned inspection done with a summary and free its team."""
    body = json_object()
    return committed(assign.complete(db(), inspection_id, field(body, "summary"),
                                     actor=actor(), risk_settings=app_settings().risk))


@bp.get("/api/v1/officers/live")
@roles(*WATCH)
@query(Param("area", "only officers of this area (adcode)", pattern=ADCODE))
def officers_live(area):
    """Officers' positions and statuses as GeoJSON; send If-None-Match to get 304 if unchanged."""
    from geo.areas.service import county_adcodes
    from webapp.api.base import geojson_response

    counties = county_adcodes(db(), area) if area else None
    return geojson_response(officers.live_geojson(db(), counties, settings().stale_position_min,
                                                  settings().certificate_review_days))


@bp.get("/api/v1/officers/summary")
@roles(*WATCH)
@query(Param("area", "the province or a city (adcode): counted per city or per county",
             pattern=ADCODE, required=True))
def officers_summary(area):
    """The command map above county level: officers by status and open inspections (urgent
    ones and mass incidents counted) per city of the province or per county of a city; a
    county or grid has no rows. Conditional (ETag)."""
    from dispatch.officers import summary
    from geo.areas.service import find_area

    place = find_area(db(), area)
    resp = jsonify(summary.by_area(db(), area, place["level"], settings().stale_position_min))
    resp.add_etag()
    resp.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    return resp.make_conditional(request)


def _own_officer(officer_id: int) -> bool:
    """Inspectors act only on their own officer record."""
    if g.user.role != "inspector":
        return False
    officer = officers.get(db(), officer_id)
    if officer.user_id != g.user.id:
        raise Forbidden(Text("webapp.dispatch.own_officer_only"))
    return True


@bp.post("/api/v1/officers/<int:officer_id>/status")
@roles("inspector", "dispatcher", "admin")
@accepts({"status": {"type": "string"}, "reason": {"type": "string"}}, ("status",))
def officer_status(officer_id: int):
    """Change an officer's status along the state machine (409 for an illegal move)."""
    body = json_object()
    self_service = _own_officer(officer_id)
    officer = officers.change_status(db(), officer_id, field(body, "status"), actor=actor(),
                                     reason=field(body, "reason", required=False),
                                     self_service=self_service)
    return committed({"id": officer.id, "status": officer.status, "version": officer.version})


@bp.post("/api/v1/officers/<int:officer_id>/location")
@roles("inspector", "dispatcher", "admin")
@accepts({"lat": {"type": "number"}, "lon": {"type": "number"},
          "accuracy_m": {"type": "number"}, "recorded_at": {"type": "string",
                                                            "format": "date-time"}},
         ("lat", "lon"))
def officer_location(officer_id: int):
    """Record an officer's position (an inspector only their own)."""
    body = json_object()
    _own_officer(officer_id)
    recorded_at = instant(body, "recorded_at")
    officer = officers.update_position(
        db(), officer_id, lon=field(body, "lon", (int, float)), lat=field(body, "lat", (int, float)),
        accuracy_m=field(body, "accuracy_m", (int, float), required=False),
        recorded_at=recorded_at, actor=actor())
    return committed({"id": officer.id, "position_at": officer.position_at.isoformat()})
