"""Complaints, cases, 挂牌督办, mass incidents, scheduled inspections, the day plan and the
holiday calendar."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from flask import Blueprint, Response, g, jsonify, request

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import cases, complaints, incidents, supervision
from dispatch.casework.models import (
    ACCEPT_MODES,
    COMPLAINT_CATEGORIES,
    COMPLAINT_STATUSES,
    DECISIONS,
    REDIRECT_KINDS,
    SUPERVISION_LEVELS,
    TRANSFER_KINDS,
    Case,
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
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import column_length, field, json_object
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


def _date(body: dict, name: str, required: bool = False) -> date | None:
    raw = field(body, name, required=required)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("webapp.casework.date_format", name=name), {"parameter": name}) \
            from None


def _instant(body: dict, name: str) -> datetime | None:
    raw = field(body, name, required=False, max_length=40)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("casework.error.instant_format", name=name),
                           {"parameter": name}) from None
    if value.tzinfo is None:
        raise InvalidInput(Text("casework.error.offset_required", name=name),
                           {"parameter": name})
    return value


def _calendar() -> WorkingCalendar:
    return WorkingCalendar.load(db())


def _counties(area: str | None) -> list[str] | None:
    return county_adcodes(db(), area) if area else None


def _reason(body: dict, name: str = "reason", required: bool = True) -> str | None:
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
          "complainant": {"type": "object", "properties": {"name": STR, "phone": STR}}},
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
        occurred_on=_date(body, "occurred_on"),
        continuing=field(body, "continuing", bool, required=False, default=False),
        violation_ended_on=_date(body, "violation_ended_on"),
        received_at=_instant(body, "received_at"),
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
        actor=actor(), settings=settings(), calendar=_calendar(), risk_settings=app_settings().risk)
    return committed(view, 201)


@bp.get("/api/v1/complaints")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "only this status", enum=COMPLAINT_STATUSES),
       Param("deadline", "acceptance deadline class of undecided complaints",
             enum=complaints.DEADLINE_CLASSES),
       Param("q", "employer name, credit code, text of the complaint, or its number"),
       *PAGE)
def list_complaints(area, status, deadline, q, page, per_page):
    """Complaints, undecided and nearest their acceptance limit first. Lists never show who
    complained (see /complaints/<id>/complainant)."""
    return jsonify(complaints.listing(db(), counties=_counties(area), status=status,
                                      deadline=deadline, q=q, page=int(page),
                                      per_page=int(per_page), calendar=_calendar()))


@bp.get("/api/v1/complaints/<int:complaint_id>")
@roles(*WATCH)
def get_complaint(complaint_id: int):
    """One complaint with its decisions, notices and timeline."""
    return jsonify(complaints.detail(db(), complaint_id, calendar=_calendar()))


@bp.get("/api/v1/complaints/<int:complaint_id>/complainant")
@roles(*complaints.IDENTITY_ROLES)
def complainant(complaint_id: int):
    """Who complained (confidential): dispatchers and administrators only; every reading is
    recorded in the audit log."""
    return committed(complaints.identity(db(), complaint_id, actor=actor()))


def _open_case_from_complaint(session, complaint) -> int:
    return cases.open_case(session, complaint_id=complaint.id, opened_on=clock.today(),
                           summary=complaint.description, actor=actor(), settings=settings(),
                           calendar=_calendar()).id


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
        reason=_reason(body, required=False),
        mode=field(body, "mode", required=False, choices=ACCEPT_MODES),
        ground=field(body, "ground", required=False, choices=complaints.REFUSAL_GROUNDS),
        redirect_to=field(body, "redirect_to", required=False, max_length=128),
        redirect_kind=field(body, "redirect_kind", required=False, choices=REDIRECT_KINDS),
        actor=actor(), settings=settings(), calendar=_calendar(),
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
        calendar=_calendar()))


def _optional_body() -> bool:
    return bool(request.get_data(cache=True))


@bp.get("/api/v1/complaints/<int:complaint_id>/decisions/<int:decision_id>/notice")
@roles(*WATCH)
def complaint_notice(complaint_id: int, decision_id: int):
    """The decision's written notice (.docx, in Chinese). It names the complainant only for
    dispatchers and administrators, and that reading is audited."""
    content, name, ascii_name = complaints.notice(
        db(), complaint_id, decision_id,
        show_identity=g.user.role in complaints.IDENTITY_ROLES, actor=actor(),
        calendar=_calendar())
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
    return jsonify({"items": incidents.listing(db(), counties=_counties(area),
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


# Cases ---------------------------------------------------------------------------------

def _case_view(case: Case):
    return cases.serialise(case, _calendar(), clock.today(), session=db())


@bp.get("/api/v1/cases")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "open, closed, overdue, due_soon, suspended or supervised",
             enum=cases.CASE_STATUSES),
       Param("supervision_level", "only cases supervised at this level",
             enum=SUPERVISION_LEVELS),
       Param("q", "employer name, credit code, decision number, or the case number"),
       *PAGE)
def list_cases(area, status, supervision_level, q, page, per_page):
    """Cases, open ones nearest their limit first (supervised: overdue supervision first)."""
    return jsonify(cases.listing(db(), counties=_counties(area), status=status,
                                 supervision_level=supervision_level, q=q, page=int(page),
                                 per_page=int(per_page), settings=settings(),
                                 calendar=_calendar()))


@bp.get("/api/v1/cases/<int:case_id>")
@roles(*WATCH)
def get_case(case_id: int):
    """One case with its timeline, documents and supervision."""
    return jsonify(cases.detail(db(), case_id, calendar=_calendar()))


@bp.post("/api/v1/cases")
@roles(*DISPATCH)
@accepts({"inspection_id": INT, "complaint_id": INT, "opened_on": DATE, "summary": STR,
          "handler_ids": IDS, "cross_county_reason": STR}, (), status="201")
def open_case():
    """Open a case (立案) from an inspection or an accepted complaint: due in 60 working days.
    Handlers default to the inspectors who went."""
    body = json_object()
    case = cases.open_case(db(), field(body, "inspection_id", int, required=False),
                           complaint_id=field(body, "complaint_id", int, required=False),
                           opened_on=_date(body, "opened_on") or clock.today(),
                           summary=field(body, "summary", required=False),
                           handler_ids=field(body, "handler_ids", list, required=False),
                           cross_county_reason=field(body, "cross_county_reason",
                                                     required=False),
                           actor=actor(), settings=settings(), calendar=_calendar())
    return committed(_case_view(case), 201)


def _ids(body: dict, name: str) -> list[int]:
    raw = field(body, name, list)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        raise InvalidInput(Text("webapp.field.wrong_type", name=name, kinds="[integer]"),
                           {"parameter": name})
    return raw


@bp.post("/api/v1/cases/<int:case_id>/handlers")
@roles(*DISPATCH)
@accepts({"handler_ids": IDS, "reason": STR}, ("handler_ids",))
def set_case_handlers(case_id: int):
    """Change a case's handlers (承办人): certified inspectors; another county's need a reason."""
    body = json_object()
    return committed(_case_view(cases.set_handlers(
        db(), case_id, handler_ids=_ids(body, "handler_ids"),
        cross_county_reason=field(body, "reason", required=False), actor=actor(),
        settings=settings())))


@bp.post("/api/v1/cases/<int:case_id>/extend")
@roles("admin")
@accepts({"reason": STR}, ("reason",))
def extend_case(case_id: int):
    """Extend a case once by 30 working days (an administrator other than the opener)."""
    body = json_object()
    case = cases.extend(db(), case_id, reason=_reason(body, required=False),
                        approver=g.user.username, settings=settings(), calendar=_calendar())
    return committed(_case_view(case))


@bp.post("/api/v1/cases/<int:case_id>/suspend")
@roles(*DISPATCH)
@accepts({"reason": STR}, ("reason",))
def suspend_case(case_id: int):
    """Suspend a case (中止): its limit stops until it resumes."""
    body = json_object()
    return committed(_case_view(cases.suspend(db(), case_id, reason=_reason(body, required=False),
                                              actor=actor(), calendar=_calendar())))


@bp.post("/api/v1/cases/<int:case_id>/resume")
@roles(*DISPATCH)
def resume_case(case_id: int):
    """Resume a suspended case with the working days it had left."""
    return committed(_case_view(cases.resume(db(), case_id, actor=actor(),
                                             calendar=_calendar())))


@bp.post("/api/v1/cases/<int:case_id>/close")
@roles(*DISPATCH)
@accepts({"outcome": {"type": "string", "enum": list(cases.OUTCOMES)}, "closed_on": DATE,
          "summary": STR, "fine_amount": NUM, "decision_number": STR, "decision_date": DATE,
          "correction_deadline": DATE, "wages_recovered": NUM, "workers_paid": INT,
          "transfer_kind": {"type": "string", "enum": list(TRANSFER_KINDS)},
          "transfer_target": STR}, ("outcome",))
def close_case(case_id: int):
    """Close a case with its outcome and details: penalty (fine, 文号, date), order to correct
    (deadline; a follow-up inspection is opened), wages recovered (amount, workers),
    withdrawn, transferred (to whom)."""
    body = json_object()
    case = cases.close(
        db(), case_id, outcome=field(body, "outcome", choices=cases.OUTCOMES),
        closed_on=_date(body, "closed_on") or clock.today(),
        summary=field(body, "summary", required=False),
        fine_amount=field(body, "fine_amount", (int, float), required=False),
        decision_number=field(body, "decision_number", required=False, max_length=64),
        decision_date=_date(body, "decision_date"),
        correction_deadline=_date(body, "correction_deadline"),
        wages_recovered=field(body, "wages_recovered", (int, float), required=False),
        workers_paid=field(body, "workers_paid", int, required=False),
        transfer_kind=field(body, "transfer_kind", required=False, choices=TRANSFER_KINDS),
        transfer_target=field(body, "transfer_target", required=False, max_length=128),
        actor=actor(), settings=settings(), calendar=_calendar(),
        risk_settings=app_settings().risk)
    return committed(_case_view(case))


@bp.post("/api/v1/cases/<int:case_id>/supervision")
@roles("admin", "command")
@accepts({"level": {"type": "string", "enum": list(SUPERVISION_LEVELS)}, "supervisor": STR,
          "deadline": DATE, "note": STR}, ("level", "supervisor", "deadline", "note"))
def supervise_case(case_id: int):
    """挂牌督办: a city or province supervises an open case, with a supervisor and deadline."""
    body = json_object()
    case = supervision.supervise(db(), case_id, level=field(body, "level", choices=SUPERVISION_LEVELS),
                           supervisor=field(body, "supervisor", required=False, max_length=64),
                           deadline=_date(body, "deadline"),
                           note=field(body, "note", required=False), actor=actor())
    return committed(_case_view(case))


@bp.post("/api/v1/cases/<int:case_id>/supervision/reports")
@roles("dispatcher", "command", "admin")
@accepts({"text": STR}, ("text",))
def report_supervision(case_id: int):
    """A progress report on a supervised case."""
    body = json_object()
    return committed(_case_view(supervision.report(db(), case_id,
                                             body=field(body, "text", required=False),
                                             actor=actor())))


@bp.post("/api/v1/cases/<int:case_id>/supervision/lift")
@roles("admin", "command")
@accepts({"conclusion": STR}, ("conclusion",))
def lift_supervision(case_id: int):
    """摘牌: lift the supervision with its conclusion."""
    body = json_object()
    return committed(_case_view(supervision.lift(db(), case_id,
                                           conclusion=field(body, "conclusion", required=False),
                                           actor=actor())))


@bp.get("/api/v1/supervisions")
@roles(*WATCH)
@query(Param("level", "supervising level", enum=SUPERVISION_LEVELS),
       Param("area", "only inside this area (adcode)", pattern=ADCODE))
def list_supervisions(level, area):
    """Cases under 挂牌督办, overdue supervision first."""
    return jsonify({"items": supervision.supervisions(db(), counties=_counties(area), level=level,
                                                today=clock.today())})


@bp.get("/api/v1/cases/alerts")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def case_alerts(area):
    """Open cases past or near their 60(+30)-working-day limit."""
    return jsonify({"items": cases.alerts(db(), counties=_counties(area), today=clock.today(),
                                          settings=settings(), calendar=_calendar())})


@bp.post("/api/v1/scheduled-inspections")
@roles(*DISPATCH)
@accepts({"area": STR, "limit": INT}, ("area",), status="201")
def generate_scheduled():
    """Open scheduled inspections for employers overdue by their grade's frequency."""
    body = json_object()
    limit = field(body, "limit", int, required=False, default=500)
    if not 1 <= limit <= 10_000:
        raise InvalidInput(Text("webapp.casework.limit_range"), {"parameter": "limit"})
    return committed(scheduled.generate_overdue(db(), area=field(body, "area"),
                                                settings=settings(), limit=limit,
                                                actor=actor()), 201)


@bp.post("/api/v1/dispatch/plan")
@roles(*DISPATCH)
@accepts({"area": STR, "dry_run": BOOL}, ("area",))
def day_plan():
    """Minimum-travel assignment of pending inspections to teams: preview, or apply atomically."""
    body = json_object()
    dry_run = field(body, "dry_run", bool, required=False, default=True)
    result = plan.plan(db(), area=field(body, "area"), dry_run=dry_run, actor=actor(),
                       settings=settings())
    if dry_run:
        return jsonify(result)
    audit.record(db(), actor=actor(), action="apply_plan", entity="dispatch_plan",
                 entity_id=result["area"], after={"assignments": len(result["assignments"]),
                                                  "total_distance_m": result["total_distance_m"]})
    return committed(result)
