"""Complaints and their decisions and notices, mass incidents, scheduled inspections and the
day plan; the body and query helpers the casework routes share (webapp.api.cases)."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, g, jsonify, request

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import cases, complaint_views, complaints, incidents
from dispatch.casework.models import (
    ACCEPT_MODES,
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    DECISIONS,
    REDIRECT_KINDS,
    Complaint,
)
from dispatch.casework.notices import DOCX_MIME
from dispatch.inspections import plan, scheduled
from geo.accounts import audit
from geo.areas.service import county_adcodes
from geo.core import clock
from geo.core.errors import InvalidInput
from geo.core.text import Text
from geo.employers.models import Employer
from webapp.api.dispatch import DISPATCH, WATCH, committed, settings
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import column_length, field, instant, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("casework_api", __name__)
STR, INT, NUM, BOOL = ({"type": "string"}, {"type": "integer"}, {"type": "number"},
                       {"type": "boolean"})
DATE = {"type": "string", "format": "date"}
INSTANT = {"type": "string", "format": "date-time"}
IDS = {"type": "array", "items": {"type": "integer"}}
PAGE = (Param("page", "page number", type="integer", minimum=1, maximum=100_000, default=1),
        Param("per_page", "rows per page", type="integer", minimum=1, maximum=500, default=50))


def date_field(body: dict, name: str, required: bool = False) -> date | None:
    raw = field(body, name, required=required)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("webapp.casework.date_format", name=name), {"parameter": name}) \
            from None


def working_calendar() -> WorkingCalendar:
    return WorkingCalendar.load(db())


def area_counties(area: str | None) -> list[str] | None:
    return county_adcodes(db(), area) if area else None


def reason_field(body: dict, name: str = "reason", required: bool = True) -> str | None:
    return field(body, name, required=required)


# Complaints --------------------------------------------------------------------------

@bp.post("/api/v1/complaints")
@roles(*DISPATCH)
@accepts({"category": {"type": "string", "enum": list(COMPLAINT_CATEGORIES)},
          "workers_affected": INT, "description": STR, "occurred_on": DATE,
          "continuing": BOOL, "violation_ended_on": DATE, "received_at": INSTANT,
          "employer": {"type": "object", "properties": {
              "credit_code": STR, "name": STR, "address": STR}},
          "location": {"type": "object", "properties": {"lat": NUM, "lon": NUM}},
          "complainant": {"type": "object", "properties": {"name": STR, "phone": STR}},
          "about_officer_id": INT},
         ("category",), status="201")
def create_complaint():
    """Record a complaint or tip with its acceptance deadline (5 working days from the Beijing
    date of receipt). 10+ workers: a mass incident, urgent, its inspection opened at once."""
    body = json_object()
    employer = field(body, "employer", dict, required=False, default={})
    who = field(body, "complainant", dict, required=False, default={})
    view = complaints.create(
        db(), category=field(body, "category", choices=COMPLAINT_CATEGORIES),
        workers_affected=field(body, "workers_affected", int, required=False, default=1),
        description=field(body, "description", required=False),
        occurred_on=date_field(body, "occurred_on"),
        continuing=field(body, "continuing", bool, required=False, default=False),
        violation_ended_on=date_field(body, "violation_ended_on"),
        received_at=instant(body, "received_at"),
        employer_credit_code=field(employer, "credit_code", required=False, max_length=32),
        employer_name=field(employer, "name", required=False,
                            max_length=column_length(Employer.name)),
        employer_address=field(employer, "address", required=False,
                               max_length=column_length(Employer.address)),
        location=field(body, "location", dict, required=False),
        complainant_name=field(who, "name", required=False,
                               max_length=column_length(Complaint.complainant_name)),
        complainant_phone=field(who, "phone", required=False,
                                max_length=column_length(Complaint.complainant_phone)),
        about_officer_id=field(body, "about_officer_id", int, required=False, scope="officer"),
        actor=actor(), settings=settings(), calendar=working_calendar(), risk_settings=app_settings().risk)
    territory.check_created(view["county_adcode"])
    return committed(view, 201)


@bp.get("/api/v1/complaints")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "only this status", enum=COMPLAINT_STATUSES),
       Param("deadline", "acceptance deadline class of undecided complaints",
             enum=complaint_views.DEADLINE_CLASSES),
       Param("q", "employer name, credit code, text of the complaint, or its number"),
       *PAGE)
def list_complaints(area, status, deadline, q, page, per_page):
    """Complaints, undecided and nearest their acceptance limit first. Lists never show who
    complained (see /complaints/<id>/complainant)."""
    return jsonify(complaint_views.listing(db(), counties=area_counties(area), status=status,
                                      deadline=deadline, q=q, page=int(page),
                                      per_page=int(per_page), calendar=working_calendar()))


@bp.get("/api/v1/complaints/<int:complaint_id>")
@roles(*WATCH)
def get_complaint(complaint_id: int):
    """One complaint with its decisions, notices and timeline."""
    return jsonify(complaint_views.detail(db(), complaint_id, calendar=working_calendar()))


@bp.get("/api/v1/complaints/<int:complaint_id>/complainant")
@roles(*complaints.IDENTITY_ROLES)
def complainant(complaint_id: int):
    """Who complained (confidential): dispatchers and administrators only; every reading is
    recorded in the audit log."""
    return committed(complaint_views.identity(db(), complaint_id, actor=actor()))


def _open_case_from_complaint(session, complaint) -> int:
    return cases.open_case(session, complaint_id=complaint.id, opened_on=clock.today(),
                           summary=complaint.description, actor=actor(), settings=settings(),
                           calendar=working_calendar()).id


@bp.post("/api/v1/complaints/<int:complaint_id>/decision")
@roles(*DISPATCH)
@accepts({"decision": {"type": "string", "enum": list(DECISIONS)}, "reason": STR,
          "mode": {"type": "string", "enum": list(ACCEPT_MODES)},
          "ground": {"type": "string", "enum": list(complaints.REFUSAL_GROUNDS)},
          "redirect_to": STR, "redirect_kind": {"type": "string", "enum": list(REDIRECT_KINDS)}},
         ("decision", "reason"))
def decide_complaint(complaint_id: int):
    """Decide on a complaint (受理/不予受理/补正/转办) with a reason; answers the written
    notice's address. A second decision on a decided complaint is a 409."""
    body = json_object()
    result = complaints.decide(
        db(), complaint_id, decision=field(body, "decision", choices=DECISIONS),
        reason=reason_field(body, required=False),
        mode=field(body, "mode", required=False, choices=ACCEPT_MODES),
        ground=field(body, "ground", required=False, choices=complaints.REFUSAL_GROUNDS),
        redirect_to=field(body, "redirect_to", required=False, max_length=128),
        redirect_kind=field(body, "redirect_kind", required=False, choices=REDIRECT_KINDS),
        actor=actor(), settings=settings(), calendar=working_calendar(),
        risk_settings=app_settings().risk, open_case=_open_case_from_complaint)
    return committed(result)


@bp.post("/api/v1/complaints/<int:complaint_id>/information")
@roles(*DISPATCH)
@accepts({"note": STR}, ())
def information_received(complaint_id: int):
    """补正 arrived: the acceptance clock resumes with the working days it had left."""
    body = json_object() if _optional_body() else {}
    return committed(complaints.information_received(
        db(), complaint_id, note=field(body, "note", required=False), actor=actor(),
        calendar=working_calendar()))


def _optional_body() -> bool:
    return bool(request.get_data(cache=True))


@bp.get("/api/v1/complaints/<int:complaint_id>/decisions/<int:decision_id>/notice")
@roles(*WATCH)
def complaint_notice(complaint_id: int, decision_id: int):
    """The decision's written notice (.docx, in Chinese). It names the complainant only for
    dispatchers and administrators, and that reading is audited."""
    content, name, ascii_name = complaint_views.notice(
        db(), complaint_id, decision_id,
        show_identity=g.user.role in complaints.IDENTITY_ROLES, actor=actor(),
        calendar=working_calendar())
    db().commit()  # the audit row of a reading of the complainant's name
    return Response(content, mimetype=DOCX_MIME, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "Cache-Control": "private, no-store"})


# Mass incidents ------------------------------------------------------------------------

@bp.get("/api/v1/incidents")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("open", "only incidents not yet closed", enum=("true", "false"), default="false"))
def list_incidents(area, open):  # noqa: A002 (the query parameter's name)
    """Mass incidents (群体性事件), not yet escalated first, with their complaints."""
    return jsonify({"items": incidents.listing(db(), counties=area_counties(area),
                                               open_only=open == "true")})


@bp.post("/api/v1/incidents/<int:incident_id>/escalate")
@roles("dispatcher", "command", "admin")
@accepts({"leader": STR}, ("leader",))
def escalate_incident(incident_id: int):
    """Record the responsible leader notified of a mass incident, and when."""
    body = json_object()
    return committed(incidents.escalate(db(), incident_id, leader=field(body, "leader"),
                                        actor=actor()))


@bp.post("/api/v1/incidents/<int:incident_id>/close")
@roles(*DISPATCH)
def close_incident(incident_id: int):
    """The incident is handled."""
    return committed(incidents.close(db(), incident_id, actor=actor()))


@bp.post("/api/v1/scheduled-inspections")
@roles(*DISPATCH)
@accepts({"area": STR, "limit": INT}, ("area",), status="201")
def generate_scheduled():
    """Open scheduled inspections for employers overdue by their grade's frequency."""
    body = json_object()
    limit = field(body, "limit", int, required=False, default=500)
    if not 1 <= limit <= 10_000:
        raise InvalidInput(Text("webapp.casework.limit_range"), {"parameter": "limit"})
    return committed(scheduled.generate_overdue(db(), area=field(body, "area", max_length=6, scope="area"),
                                                settings=settings(), limit=limit,
                                                actor=actor()), 201)


@bp.post("/api/v1/dispatch/plan")
@roles(*DISPATCH)
@accepts({"area": STR, "dry_run": BOOL}, ("area",))
def day_plan():
    """Minimum-travel assignment of pending inspections to teams: preview, or apply atomically."""
    body = json_object()
    dry_run = field(body, "dry_run", bool, required=False, default=True)
    result = plan.plan(db(), area=field(body, "area", max_length=6, scope="area"), dry_run=dry_run, actor=actor(),
                       settings=settings())
    if dry_run:
        return jsonify(result)
    audit.record(db(), actor=actor(), action="apply_plan", entity="dispatch_plan",
                 entity_id=result["area"], after={"assignments": len(result["assignments"]),
                                                  "total_distance_m": result["total_distance_m"]})
    return committed(result)
