"""Cases (立案): handlers, extension, suspension, outcomes, 挂牌督办, alerts."""
from __future__ import annotations

from flask import Blueprint, g, jsonify

from dispatch.casework import case_views, cases, reviews, supervision
from dispatch.casework.models import (
    REVIEW_FINDINGS,
    SUPERVISION_LEVELS,
    TRANSFER_KINDS,
    VIOLATIONS,
    Case,
)
from geo.core import clock
from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.api.casework import (
    DATE,
    IDS,
    INT,
    NUM,
    PAGE,
    STR,
    area_counties,
    date_field,
    reason_field,
    working_calendar,
)
from webapp.api.dispatch import DISPATCH, WATCH, committed, settings
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("cases_api", __name__)


def _case_view(case: Case):
    return case_views.serialise(case, working_calendar(), clock.today(), session=db())


@bp.get("/api/v1/cases")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "open, closed, overdue, due_soon, suspended or supervised",
             enum=case_views.CASE_STATUSES),
       Param("supervision_level", "only cases supervised at this level",
             enum=SUPERVISION_LEVELS),
       Param("q", "employer name, credit code, decision number, or the case number"),
       *PAGE)
def list_cases(area, status, supervision_level, q, page, per_page):
    """Cases, open ones nearest their limit first (supervised: overdue supervision first)."""
    return jsonify(case_views.listing(db(), counties=area_counties(area), status=status,
                                 supervision_level=supervision_level, q=q, page=int(page),
                                 per_page=int(per_page), settings=settings(),
                                 calendar=working_calendar()))


@bp.get("/api/v1/cases/<int:case_id>")
@roles(*WATCH)
def get_case(case_id: int):
    """One case with its timeline, documents and supervision."""
    return jsonify(case_views.detail(db(), case_id, calendar=working_calendar()))


@bp.post("/api/v1/cases")
@roles(*DISPATCH)
@accepts({"inspection_id": INT, "complaint_id": INT, "opened_on": DATE, "summary": STR,
          "handler_ids": IDS, "cross_county_reason": STR}, (), status="201")
def open_case():
    """Open a case (立案) from an inspection or an accepted complaint: due in 60 working days.
    Handlers default to the inspectors who went."""
    body = json_object()
    case = cases.open_case(db(), field(body, "inspection_id", int, required=False,
                                             scope="inspection"),
                           complaint_id=field(body, "complaint_id", int, required=False,
                                              scope="complaint"),
                           opened_on=date_field(body, "opened_on") or clock.today(),
                           summary=field(body, "summary", required=False),
                           handler_ids=field(body, "handler_ids", list, required=False,
                                             scope="team"),
                           cross_county_reason=field(body, "cross_county_reason",
                                                     required=False),
                           actor=actor(), settings=settings(), calendar=working_calendar())
    return committed(_case_view(case), 201)


def _ids(body: dict, name: str) -> list[int]:
    raw = field(body, name, list, scope="team")
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
    case = cases.extend(db(), case_id, reason=reason_field(body, required=False),
                        approver=g.user.username, settings=settings(), calendar=working_calendar())
    return committed(_case_view(case))


@bp.post("/api/v1/cases/<int:case_id>/suspend")
@roles(*DISPATCH)
@accepts({"reason": STR}, ("reason",))
def suspend_case(case_id: int):
    """Suspend a case (中止): its limit stops until it resumes."""
    body = json_object()
    return committed(_case_view(cases.suspend(db(), case_id, reason=reason_field(body, required=False),
                                              actor=actor(), calendar=working_calendar())))


@bp.post("/api/v1/cases/<int:case_id>/resume")
@roles(*DISPATCH)
def resume_case(case_id: int):
    """Resume a suspended case with the working days it had left."""
    return committed(_case_view(cases.resume(db(), case_id, actor=actor(),
                                             calendar=working_calendar())))


@bp.post("/api/v1/cases/<int:case_id>/close")
@roles(*DISPATCH)
@accepts({"outcome": {"type": "string", "enum": list(cases.OUTCOMES)}, "closed_on": DATE,
          "summary": STR, "fine_amount": NUM, "decision_number": STR, "decision_date": DATE,
          "correction_deadline": DATE, "wages_recovered": NUM, "workers_paid": INT,
          "transfer_kind": {"type": "string", "enum": list(TRANSFER_KINDS)},
          "transfer_target": STR,
          "violations": {"type": "array", "items": {"type": "string", "enum": list(VIOLATIONS)}}},
         ("outcome",))
def close_case(case_id: int):
    """Close a case with its outcome and details: penalty (fine, 文号, date), order to correct
    (deadline; a follow-up inspection is opened), wages recovered (amount, workers),
    withdrawn, transferred (to whom)."""
    body = json_object()
    case = cases.close(
        db(), case_id, outcome=field(body, "outcome", choices=cases.OUTCOMES),
        closed_on=date_field(body, "closed_on") or clock.today(),
        summary=field(body, "summary", required=False),
        fine_amount=field(body, "fine_amount", (int, float), required=False),
        decision_number=field(body, "decision_number", required=False, max_length=64),
        decision_date=date_field(body, "decision_date"),
        correction_deadline=date_field(body, "correction_deadline"),
        wages_recovered=field(body, "wages_recovered", (int, float), required=False),
        workers_paid=field(body, "workers_paid", int, required=False),
        transfer_kind=field(body, "transfer_kind", required=False, choices=TRANSFER_KINDS),
        transfer_target=field(body, "transfer_target", required=False, max_length=128),
        violations=field(body, "violations", list, required=False),
        actor=actor(), settings=settings(), calendar=working_calendar(),
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
                           deadline=date_field(body, "deadline"),
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
    return jsonify({"items": supervision.supervisions(db(), counties=area_counties(area), level=level,
                                                today=clock.today())})


@bp.get("/api/v1/cases/alerts")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def case_alerts(area):
    """Open cases past or near their 60(+30)-working-day limit."""
    return jsonify({"items": case_views.alerts(db(), counties=area_counties(area), today=clock.today(),
                                          settings=settings(), calendar=working_calendar())})


# 错案追究 (wrong-case review) and 执法责任制 --------------------------------------------

@bp.post("/api/v1/cases/<int:case_id>/reviews")
@roles("admin", "command")
@accepts({"grounds": STR, "officer_ids": IDS}, ("grounds",), status="201")
def open_review(case_id: int):
    """Open a wrong-case review of a closed case (409 while open), naming the officers
    involved (default: its handlers and inspection team)."""
    body = json_object()
    return committed(reviews.open_review(
        db(), case_id, grounds=field(body, "grounds"),
        officer_ids=field(body, "officer_ids", list, required=False), actor=actor()), 201)


@bp.post("/api/v1/cases/<int:case_id>/reviews/<int:review_id>/conclusion")
@roles("admin")
@accepts({"findings": {"type": "object", "additionalProperties": {
              "type": "string", "enum": list(REVIEW_FINDINGS)}},
          "conclusion": STR, "measures": STR, "version": INT},
         ("findings", "conclusion", "version"))
def conclude_review(case_id: int, review_id: int):
    """Conclude a review once: a finding for every officer it names, the conclusion and the
    measures; `version` must be the current one."""
    body = json_object()
    return committed(reviews.conclude(
        db(), case_id, review_id, findings=field(body, "findings", dict),
        conclusion=field(body, "conclusion"), measures=field(body, "measures", required=False),
        version=field(body, "version", int), actor=actor()))


@bp.get("/api/v1/cases/<int:case_id>/reviews")
@roles(*WATCH)
def list_reviews(case_id: int):
    """The wrong-case reviews of a case."""
    return jsonify({"items": reviews.for_case(db(), case_id)})
