"""Complaints, cases, random draws, scheduled inspections, the day plan and the holiday calendar."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify

from dispatch.calendar.models import Holiday
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import cases, complaints
from dispatch.casework.models import COMPLAINT_CATEGORIES, Complaint
from dispatch.inspections import plan, random_draw, scheduled
from geo.accounts import audit
from geo.areas.service import county_adcodes, find_area
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


def _date(body: dict, name: str, required: bool = False) -> date | None:
    raw = field(body, name, required=required)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("webapp.casework.date_format", name=name), {"parameter": name}) \
            from None


def _calendar() -> WorkingCalendar:
    return WorkingCalendar.load(db())


@bp.post("/api/v1/complaints")
@roles("dispatcher", "command", "admin")
@accepts({"category": {"type": "string", "enum": list(COMPLAINT_CATEGORIES)},
          "workers_affected": INT, "description": STR, "occurred_on": DATE,
          "employer": {"type": "object", "properties": {
              "credit_code": STR, "name": STR, "address": STR}},
          "location": {"type": "object", "properties": {"lat": NUM, "lon": NUM}},
          "complainant": {"type": "object", "properties": {"name": STR, "phone": STR}}},
         ("category",), status="201")
def create_complaint():
    """Record a complaint or tip; it becomes an inspection when actionable (10+ workers: urgent)."""
    body = json_object()
    employer = field(body, "employer", dict, required=False, default={})
    who = field(body, "complainant", dict, required=False, default={})
    view = complaints.create(
        db(), category=field(body, "category", choices=COMPLAINT_CATEGORIES),
        workers_affected=field(body, "workers_affected", int, required=False, default=1),
        description=field(body, "description", required=False),
        occurred_on=_date(body, "occurred_on"),
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
    if g.user.role not in complaints.IDENTITY_ROLES:
        view["complainant"] = "confidential"
    return committed(view, 201)


@bp.get("/api/v1/complaints")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("limit", "maximum rows", type="number", minimum=1, maximum=1000, default=200))
def list_complaints(area, limit):
    """Complaints, newest first; who complained is shown only to dispatchers and admins."""
    counties = county_adcodes(db(), area) if area else None
    return jsonify({"items": complaints.listing(
        db(), counties=counties, show_identity=g.user.role in complaints.IDENTITY_ROLES,
        limit=int(limit))})


@bp.post("/api/v1/cases")
@roles(*DISPATCH)
@accepts({"inspection_id": INT, "opened_on": DATE, "summary": STR}, ("inspection_id",),
         status="201")
def open_case():
    """Open a case (立案) from an inspection: due in 60 working days."""
    body = json_object()
    case = cases.open_case(db(), field(body, "inspection_id", int),
                           opened_on=_date(body, "opened_on") or clock.today(),
                           summary=field(body, "summary", required=False), actor=actor(),
                           settings=settings(), calendar=_calendar())
    return committed(cases.serialise(case, _calendar(), clock.today()), 201)


@bp.post("/api/v1/cases/<int:case_id>/extend")
@roles("admin")
@accepts({"reason": STR}, ("reason",))
def extend_case(case_id: int):
    """Extend a case once by 30 working days (an administrator approves)."""
    body = json_object()
    case = cases.extend(db(), case_id, reason=field(body, "reason"), approver=g.user.username,
                        settings=settings(), calendar=_calendar())
    return committed(cases.serialise(case, _calendar(), clock.today()))


@bp.post("/api/v1/cases/<int:case_id>/close")
@roles(*DISPATCH)
@accepts({"outcome": {"type": "string", "enum": list(cases.OUTCOMES)}, "closed_on": DATE,
          "summary": STR}, ("outcome",))
def close_case(case_id: int):
    """Close a case with its outcome (penalty, order to correct, withdrawn, transferred)."""
    body = json_object()
    case = cases.close(db(), case_id, outcome=field(body, "outcome", choices=cases.OUTCOMES),
                       closed_on=_date(body, "closed_on") or clock.today(),
                       summary=field(body, "summary", required=False), actor=actor(),
                       risk_settings=app_settings().risk)
    return committed(cases.serialise(case, _calendar(), clock.today()))


@bp.post("/api/v1/cases/<int:case_id>/supervise")
@roles("admin", "command")
@accepts({"note": STR}, ("note",))
def supervise_case(case_id: int):
    """Flag a case as supervised by a higher level (挂牌督办)."""
    body = json_object()
    case = cases.supervise(db(), case_id, note=field(body, "note"), actor=actor())
    return committed(cases.serialise(case, _calendar(), clock.today()))


@bp.get("/api/v1/cases/alerts")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def case_alerts(area):
    """Open cases past or near their 60(+30)-working-day limit."""
    counties = county_adcodes(db(), area) if area else None
    return jsonify({"items": cases.alerts(db(), counties=counties, today=clock.today(),
                                          settings=settings(), calendar=_calendar())})


@bp.post("/api/v1/random-draws")
@roles(*DISPATCH)
@accepts({"area": STR, "check_item": STR, "share": NUM, "seed": INT}, ("area", "check_item"),
         status="201")
def create_random_draw():
    """双随机: draw employers and inspector pairs with a recorded seed; opens inspections."""
    body = json_object()
    area = field(body, "area")
    find_area(db(), area)
    result = random_draw.draw(db(), area=area, check_item=field(body, "check_item"),
                              share=float(field(body, "share", (int, float), required=False,
                                                default=settings().random_share)),
                              seed=field(body, "seed", int, required=False), actor=actor())
    return committed(result, 201)


@bp.get("/api/v1/random-draws/<int:draw_id>/replay")
@roles(*WATCH)
def replay_random_draw(draw_id: int):
    """Recompute a draw from its seed and pools; `matches` is true when it reproduces."""
    return jsonify(random_draw.replay(db(), draw_id))


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


@bp.get("/api/v1/holidays")
@roles("admin", "dispatcher", "command")
def list_holidays():
    """The holiday calendar: public holidays and make-up working days."""
    rows = db().query(Holiday).order_by(Holiday.day).all()
    return jsonify({"items": [{"day": h.day.isoformat(), "kind": h.kind, "name": h.name}
                              for h in rows]})


@bp.put("/api/v1/holidays/<day>")
@roles("admin")
@accepts({"kind": {"type": "string", "enum": ["holiday", "workday"]}, "name": STR}, ("kind",))
def put_holiday(day: str):
    """Mark a day as a public holiday or a make-up working day (调休)."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(Text("webapp.casework.day_format"), {"parameter": "day"}) \
            from None
    body = json_object()
    kind = field(body, "kind", choices=("holiday", "workday"))
    existing = db().get(Holiday, when)
    before = existing and {"kind": existing.kind, "name": existing.name}
    if existing is None:
        existing = Holiday(day=when)
        db().add(existing)
    existing.kind, existing.name = kind, field(body, "name", required=False)
    audit.record(db(), actor=actor(), action="put", entity="holiday", entity_id=day,
                 before=before, after={"kind": kind, "name": existing.name})
    return committed({"day": day, "kind": kind, "name": existing.name})
