"""Referrals (部门协调): out to a department or another jurisdiction, receipts, reminders,
feedback and closing; referrals in from other departments, which become complaints."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import complaints
from dispatch.casework.models import COMPLAINT_CATEGORIES
from dispatch.referrals import service
from dispatch.referrals.models import DIRECTIONS, SOURCES, STATUSES
from webapp.api.casework import DATE, INT, STR, area_counties, date_field
from webapp.api.dispatch import WATCH, committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("referrals_api", __name__)
WRITERS = ("admin", "dispatcher", "command")


def referral_settings():
    return app_settings().referral


@bp.post("/api/v1/referrals")
@roles(*WRITERS)
@accepts({"source": {"type": "object", "properties": {
    "kind": {"type": "string", "enum": list(SOURCES)}, "id": INT}},
    "department": STR, "content": STR, "feedback_due_on": DATE, "target_area": STR,
    "facts": {"type": "object", "description": "police transfers: offence (wage_refusal, "
              "obstruction, other); a wage refusal also amount_owed, workers, "
              "order_served_on, deadline_on (passed)"}},
    ("source", "department", "content"), status="201")
def create_referral():
    """Refer a project (its warning), case, complaint or incident to a department of the
    configured list (unknown → 422 naming the list) or another jurisdiction (`target_area`),
    to be signed for within the receipt working days and answered by `feedback_due_on`."""
    body = json_object()
    source = field(body, "source", dict)
    kind = field(source, "kind", choices=SOURCES)
    source_id = field(source, "id", int, minimum=1)
    county, _ = service.source_county(db(), kind, source_id)
    territory.check("area", county, write=True)
    session = db()
    row = service.create(session, kind=kind, source_id=source_id,
                         department=field(body, "department", max_length=32),
                         content=field(body, "content", max_length=4000),
                         feedback_due_on=date_field(body, "feedback_due_on"),
                         target_area=field(body, "target_area", required=False,
                                           max_length=6),
                         facts=body.get("facts"), calendar=WorkingCalendar.load(session),
                         settings=referral_settings(), actor=actor())
    return committed(service.view(row), 201)


@bp.post("/api/v1/referrals/incoming")
@roles("admin", "dispatcher")
@accepts({"department": STR, "content": STR,
          "category": {"type": "string", "enum": list(COMPLAINT_CATEGORIES)},
          "workers_affected": INT,
          "employer": {"type": "object", "properties": {"credit_code": STR, "name": STR,
                                                        "address": STR}},
          "location": {"type": "object"}},
         ("department", "content", "category"), status="201")
def incoming_referral():
    """A matter referred in by another department: recorded as a complaint (acceptance
    clock running) with the referral beside it; 201 with both."""
    body = json_object()
    session = db()
    employer = field(body, "employer", dict, required=False, default={})
    department = field(body, "department", max_length=32)
    content = field(body, "content", max_length=4000)

    def register():
        made = complaints.create(
            session, category=field(body, "category", choices=COMPLAINT_CATEGORIES),
            workers_affected=field(body, "workers_affected", int, required=False, default=1),
            description=content, occurred_on=None, continuing=False, violation_ended_on=None,
            received_at=None,
            employer_credit_code=field(employer, "credit_code", required=False, max_length=32),
            employer_name=field(employer, "name", required=False, max_length=200),
            employer_address=field(employer, "address", required=False, max_length=200),
            location=field(body, "location", dict, required=False), complainant_name=None,
            complainant_phone=None, about_officer_id=None, actor=actor(),
            settings=app_settings().dispatch, calendar=WorkingCalendar.load(session),
            risk_settings=app_settings().risk)
        territory.check_created(made["county_adcode"])
        return made
    row, complaint = service.incoming(session, department=department, content=content,
                                      register_complaint=register,
                                      calendar=WorkingCalendar.load(session),
                                      settings=referral_settings(), actor=actor())
    return committed({"referral": service.view(row), "complaint": complaint}, 201)


@bp.get("/api/v1/referrals")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("overdue", "only overdue (true) or not (false)", enum=("true", "false")),
       Param("department", "only to or from this department"),
       Param("direction", "outgoing or incoming", enum=DIRECTIONS),
       Param("status", "only this status", enum=STATUSES))
def list_referrals(area, overdue, department, direction, status):
    """Referrals of the area, overdue first (not signed for, or no feedback, in time)."""
    return jsonify({"items": service.listing(
        db(), counties=area_counties(area),
        overdue=None if overdue is None else overdue == "true", department=department,
        direction=direction, status=status)})


@bp.get("/api/v1/referrals/counts")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def referral_counts(area):
    """Open and overdue outgoing referrals, in all and per department (the KPI)."""
    return jsonify(service.counts(db(), counties=area_counties(area)))


@bp.get("/api/v1/referrals/<int:referral_id>")
@roles(*WATCH)
def get_referral(referral_id: int):
    """One referral."""
    return jsonify(service.view(service.get(db(), referral_id)))


@bp.post("/api/v1/referrals/<int:referral_id>/receive")
@roles(*WRITERS)
@accepts({"received_on": DATE}, ())
def receive_referral(referral_id: int):
    """The department signed for it (签收); only a sent referral (409 otherwise)."""
    body = json_object() if request.get_data(cache=True) else {}
    return committed(service.receive(db(), referral_id,
                                     received_on=date_field(body, "received_on"),
                                     actor=actor()))


@bp.post("/api/v1/referrals/<int:referral_id>/feedback")
@roles(*WRITERS)
@accepts({"feedback": STR}, ("feedback",))
def referral_feedback(referral_id: int):
    """Record the department's feedback."""
    body = json_object()
    return committed(service.feedback(db(), referral_id,
                                      text_=field(body, "feedback", max_length=4000),
                                      actor=actor()))


@bp.post("/api/v1/referrals/<int:referral_id>/remind")
@roles(*WRITERS)
def remind_referral(referral_id: int):
    """A reminder (催办) of an open referral; again within the set working days → 409."""
    session = db()
    return committed(service.remind(session, referral_id,
                                    calendar=WorkingCalendar.load(session),
                                    settings=referral_settings(), actor=actor()))


@bp.post("/api/v1/referrals/<int:referral_id>/close")
@roles(*WRITERS)
def close_referral(referral_id: int):
    """Close a referral once answered (办结)."""
    return committed(service.close(db(), referral_id, actor=actor()))
