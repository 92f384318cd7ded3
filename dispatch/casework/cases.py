"""Cases (立案): handlers, 60 working days + one 30-day extension approved by another
administrator, suspension, outcomes with their details, the timeline, alerts.

The competent county is the employer's workplace county (用工所在地): the case takes the
county of its complaint or inspection, and handlers from another county need a reason.
"""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework.models import (
    CASE_OUTCOMES,
    TRANSFER_KINDS,
    VIOLATIONS,
    Case,
    CaseEvent,
    Complaint,
)
from dispatch.inspections import service as inspections
from dispatch.officers import service as officer_service
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from geo.core.text import Text

OUTCOMES = CASE_OUTCOMES
CASE_STATUSES = ("open", "closed", "overdue", "due_soon", "suspended", "supervised")
MAX_AMOUNT = Decimal("1000000000000")  # fits numeric(14, 2)


def get(session: Session, case_id: int, *, lock: bool = False) -> Case:
    q = session.query(Case).filter(Case.id == case_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFound(Text("dispatch.error.case_not_found", case_id=case_id), {"case_id": case_id})
    return found


def event(session: Session, case: Case, kind: str, actor: str | None, **detail) -> None:
    """A line of the case's timeline, naming the officers answerable for it (the case's
    handlers, 执法责任制), and the same change in the audit log."""
    session.add(CaseEvent(case_id=case.id, at=clock.now(), kind=kind, actor=actor,
                          detail=plain(detail),
                          responsible_officer_ids=sorted(case.handler_ids or [])))
    audit.record(session, actor=actor, action=kind, entity="case", entity_id=case.id,
                 after=plain(detail))


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def require_reason(reason: str | None, name: str = "reason") -> str:
    if not reason or not reason.strip():
        raise Unprocessable(Text("dispatch.error.reason_required"), {"parameter": name})
    return reason.strip()


def check_open(case: Case) -> None:
    if case.closed_on is not None:
        raise Conflict(Text("dispatch.error.case_closed", case_id=case.id), {"status": "closed"})


def handlers_checked(session: Session, county: str, handler_ids: list[int],
                     cross_county_reason: str | None, settings: DispatchSettings) -> list[int]:
    """承办人: certified inspectors, at least the team minimum (Art. 16); another county's
    inspectors only with a reason."""
    ids = sorted(set(handler_ids))
    if len(ids) != len(handler_ids):
        raise InvalidInput(Text("casework.error.handlers_repeated"), {"parameter": "handler_ids"})
    if len(ids) < settings.min_team_size:
        raise Unprocessable(Text("casework.error.handlers_too_few", n=settings.min_team_size),
                            {"parameter": "handler_ids"})
    rows = {r.id: r for r in session.execute(text(
        "SELECT id, name, kind, certified, active, certificate_expires_on, "
        "certificate_reviewed_on, county_adcode FROM officers WHERE id = ANY(:i)"),
        {"i": ids})}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise Unprocessable(Text("casework.error.handler_unknown",
                                 ids=", ".join(map(str, missing))), {"parameter": "handler_ids"})
    today = clock.today()  # 执法证 expired or 年审 missed: not certified (officers.service)
    uncertified = [rows[i].name for i in ids if not officer_service.is_certified(
        rows[i], settings.certificate_review_days, today)]
    if uncertified:
        raise Unprocessable(Text("casework.error.handler_uncertified",
                                 names="、".join(uncertified)), {"parameter": "handler_ids"})
    outside = [rows[i].name for i in ids if rows[i].county_adcode != county]
    if outside and not (cross_county_reason and cross_county_reason.strip()):
        raise Unprocessable(Text("casework.error.handler_other_county", names="、".join(outside)),
                            {"parameter": "cross_county_reason"})
    return ids


def open_case(session: Session, inspection_id: int | None = None, *,
              complaint_id: int | None = None, opened_on: date, summary: str | None,
              handler_ids: list[int] | None = None, cross_county_reason: str | None = None,
              actor: str | None, settings: DispatchSettings, calendar: WorkingCalendar) -> Case:
    """Open a case from an inspection or an accepted complaint; due 60 working days later."""
    if (inspection_id is None) == (complaint_id is None):
        raise InvalidInput(Text("casework.error.case_source"), {"parameter": "inspection_id"})
    if opened_on > clock.today():
        raise Unprocessable(Text("casework.error.date_future", name="opened_on"),
                            {"parameter": "opened_on"})
    employer_id = county = None
    team: list[int] = []
    if inspection_id is not None:
        inspection = inspections.get(session, inspection_id, lock=True)
        exists = session.execute(text("SELECT id FROM cases WHERE inspection_id = :i"),
                                 {"i": inspection_id}).scalar()
        if exists:
            raise Conflict(Text("dispatch.error.case_exists", inspection_id=inspection_id,
                                case_id=exists), {"case_id": exists})
        employer_id, county = inspection.employer_id, inspection.county_adcode
        complaint_id = inspection.complaint_id
        team = list(session.execute(text("""
            SELECT DISTINCT officer_id FROM assignments WHERE inspection_id = :i
              AND (released_at IS NULL OR release_reason = 'completed')"""),
            {"i": inspection_id}).scalars())
    if complaint_id is not None:
        complaint = session.query(Complaint).filter(Complaint.id == complaint_id) \
            .with_for_update().one_or_none()
        if complaint is None:
            raise NotFound(Text("casework.error.complaint_not_found", complaint_id=complaint_id))
        if inspection_id is None and complaint.status != "accepted":
            raise Conflict(Text("casework.error.complaint_not_accepted", complaint_id=complaint_id,
                                status=Text(f"casework.complaint_status.{complaint.status}")),
                           {"status": complaint.status})
        exists = session.execute(text("SELECT id FROM cases WHERE complaint_id = :k"),
                                 {"k": complaint_id}).scalar()
        if exists:
            raise Conflict(Text("casework.error.complaint_has_case", complaint_id=complaint_id,
                                case_id=exists), {"case_id": exists})
        if opened_on < clock.beijing_date(complaint.received_at):
            raise Unprocessable(Text("casework.error.opened_before_received"),
                                {"parameter": "opened_on"})
        employer_id = employer_id or complaint.employer_id
        county = county or complaint.county_adcode
    handlers: list[int] = []
    if handler_ids:
        handlers = handlers_checked(session, county, handler_ids, cross_county_reason, settings)
    elif len(team) >= settings.min_team_size:
        handlers = sorted(team)  # the inspectors who went handle the case
    case = Case(inspection_id=inspection_id, complaint_id=complaint_id, employer_id=employer_id,
                county_adcode=county, opened_on=opened_on, handler_ids=handlers,
                cross_county_reason=cross_county_reason if handler_ids else None,
                due_on=calendar.add_working_days(opened_on, settings.case_limit_working_days),
                summary=summary, created_by=actor)
    session.add(case)
    session.flush()
    event(session, case, "open", actor, inspection_id=inspection_id, complaint_id=complaint_id,
          opened_on=opened_on, due_on=case.due_on, handler_ids=handlers)
    return case


def set_handlers(session: Session, case_id: int, *, handler_ids: list[int],
                 cross_county_reason: str | None, actor: str | None,
                 settings: DispatchSettings) -> Case:
    case = get(session, case_id, lock=True)
    check_open(case)
    before = list(case.handler_ids or [])
    case.handler_ids = handlers_checked(session, case.county_adcode, handler_ids,
                                        cross_county_reason, settings)
    case.cross_county_reason = cross_county_reason or case.cross_county_reason
    case.version += 1
    event(session, case, "handlers", actor, before=before, after=case.handler_ids,
          reason=cross_county_reason)
    return case


def extend(session: Session, case_id: int, *, reason: str, approver: str,
           settings: DispatchSettings, calendar: WorkingCalendar) -> Case:
    """Extend once by 30 working days; approved by an administrator (the route admits only
    administrators) other than the one who opened the case."""
    reason = require_reason(reason)
    case = get(session, case_id, lock=True)
    check_open(case)
    if case.extended:
        raise Conflict(Text("dispatch.error.case_already_extended", case_id=case_id))
    if approver == case.created_by:
        raise Forbidden(Text("dispatch.error.opener_cannot_approve"))
    before = case.due_on
    case.due_on = calendar.add_working_days(case.due_on, settings.case_extension_working_days)
    case.extended, case.extension_approved_by, case.extension_reason = True, approver, reason
    case.version += 1
    event(session, case, "extend", approver, before=before, due_on=case.due_on, reason=reason)
    return case


def suspend(session: Session, case_id: int, *, reason: str | None, actor: str | None,
            calendar: WorkingCalendar) -> Case:
    """中止 (e.g. waiting for another authority's finding): the limit stops."""
    reason = require_reason(reason)
    case = get(session, case_id, lock=True)
    check_open(case)
    if case.suspended_on is not None:
        raise Conflict(Text("casework.error.case_suspended", case_id=case_id),
                       {"status": "suspended"})
    today = clock.today()
    case.suspended_on, case.suspension_reason = today, reason
    case.days_left_at_suspension = max(calendar.working_days_between(today, case.due_on), 0)
    case.version += 1
    event(session, case, "suspend", actor, reason=reason, days_left=case.days_left_at_suspension)
    return case


def resume(session: Session, case_id: int, *, actor: str | None,
           calendar: WorkingCalendar) -> Case:
    case = get(session, case_id, lock=True)
    check_open(case)
    if case.suspended_on is None:
        raise Conflict(Text("casework.error.case_not_suspended", case_id=case_id),
                       {"status": "open"})
    before = case.due_on
    case.due_on = calendar.add_working_days(clock.today(), case.days_left_at_suspension or 0)
    case.suspended_on = case.suspension_reason = case.days_left_at_suspension = None
    case.version += 1
    event(session, case, "resume", actor, before=before, due_on=case.due_on)
    return case


def _amount(value, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(Text("casework.error.amount", name=name), {"parameter": name}) \
            from None
    if not amount.is_finite() or amount <= 0 or amount >= MAX_AMOUNT:
        raise Unprocessable(Text("casework.error.amount", name=name), {"parameter": name})
    return amount.quantize(Decimal("0.01"))


def _required(value, name: str, outcome: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Unprocessable(Text("casework.error.outcome_needs", name=name,
                                 outcome=Text(f"dispatch.case_outcome.{outcome}")),
                            {"parameter": name})
    return value.strip() if isinstance(value, str) else value


def close(session: Session, case_id: int, *, outcome: str, closed_on: date, summary: str | None,
          actor: str | None, fine_amount=None, decision_number: str | None = None,
          decision_date: date | None = None, correction_deadline: date | None = None,
          wages_recovered=None, workers_paid: int | None = None,
          transfer_kind: str | None = None, transfer_target: str | None = None,
          violations: list | None = None,
          settings: DispatchSettings | None = None, calendar: WorkingCalendar | None = None,
          risk_settings: RiskSettings | None = None) -> Case:
    """Close a case with its outcome and the details the outcome needs:
    penalty → fine, 文号 and decision date; order to correct → deadline (a follow-up
    inspection is opened); wages recovered → amount and workers; transferred → where.
    `violations`: what the case found (VIOLATIONS), read by grading and disclosure."""
    if violations is not None and (not isinstance(violations, list) or any(
            v not in VIOLATIONS for v in violations)):
        raise Unprocessable(Text("casework.error.violations", choices=", ".join(VIOLATIONS)),
                            {"parameter": "violations"})
    if outcome not in OUTCOMES:
        raise InvalidInput(Text("dispatch.error.one_of", name="outcome",
                                choices=", ".join(OUTCOMES)), {"parameter": "outcome"})
    details: dict = {}
    if outcome == "penalty":
        details["fine_amount"] = _amount(_required(fine_amount, "fine_amount", outcome),
                                         "fine_amount")
        details["decision_number"] = _required(decision_number, "decision_number", outcome)
        details["decision_date"] = decision_date or closed_on
        if details["decision_date"] > closed_on:
            raise Unprocessable(Text("casework.error.decision_after_close"),
                                {"parameter": "decision_date"})
    elif outcome == "order_to_correct":
        details["correction_deadline"] = _required(correction_deadline, "correction_deadline",
                                                   outcome)
        if correction_deadline <= closed_on:
            raise Unprocessable(Text("casework.error.correction_deadline_past"),
                                {"parameter": "correction_deadline"})
        details["decision_number"] = decision_number and decision_number.strip() or None
    elif outcome == "wages_recovered":
        details["wages_recovered"] = _amount(_required(wages_recovered, "wages_recovered",
                                                       outcome), "wages_recovered")
        workers = _required(workers_paid, "workers_paid", outcome)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise Unprocessable(Text("dispatch.error.workers_at_least_one"),
                                {"parameter": "workers_paid"})
        details["workers_paid"] = workers
    elif outcome == "transferred":
        kind = _required(transfer_kind, "transfer_kind", outcome)
        if kind not in TRANSFER_KINDS:
            raise InvalidInput(Text("dispatch.error.one_of", name="transfer_kind",
                                    choices=", ".join(TRANSFER_KINDS)),
                               {"parameter": "transfer_kind"})
        details["transfer_kind"] = kind
        details["transfer_target"] = _required(transfer_target, "transfer_target", outcome)
    case = get(session, case_id, lock=True)
    if case.closed_on is not None:
        raise Conflict(Text("dispatch.error.case_already_closed", case_id=case_id,
                            outcome=Text(f"dispatch.case_outcome.{case.outcome}")
                            if case.outcome else ""), {"status": "closed"})
    if case.suspended_on is not None:
        raise Conflict(Text("casework.error.close_suspended", case_id=case_id),
                       {"status": "suspended"})
    if closed_on < case.opened_on:
        raise InvalidInput(Text("dispatch.error.closed_before_opened"),
                           {"parameter": "closed_on"})
    needed = (settings or DispatchSettings()).min_team_size
    if len(case.handler_ids or []) < needed:  # Art. 16: investigated by two inspectors
        raise Unprocessable(Text("casework.error.close_needs_handlers", n=needed),
                            {"parameter": "handler_ids"})
    if closed_on > clock.today():
        raise Unprocessable(Text("casework.error.date_future", name="closed_on"),
                            {"parameter": "closed_on"})
    case.outcome, case.closed_on = outcome, closed_on
    if violations:
        details["violations"] = sorted(set(violations))
    for key, value in details.items():
        setattr(case, key, value)
    if summary:
        case.summary = summary
    if outcome == "order_to_correct" and case.employer_id is not None:
        case.follow_up_inspection_id = _follow_up(session, case, actor, calendar)
    case.version += 1
    session.flush()
    if case.complaint_id is not None:
        session.execute(text("UPDATE complaints SET status = 'closed', version = version + 1 "
                             "WHERE id = :k AND status = 'accepted'"), {"k": case.complaint_id})
    event(session, case, "close", actor, outcome=outcome, closed_on=closed_on,
          follow_up_inspection_id=case.follow_up_inspection_id, **details)
    jobs.after_write(session, [case.county_adcode], risk_settings)  # a closed case may be a past violation
    return case


def _follow_up(session: Session, case: Case, actor: str | None,
               calendar: WorkingCalendar | None) -> int:
    """复查: an inspection of the employer due the working day after the correction deadline."""
    inspection = inspections.create(
        session, kind="scheduled", priority="normal", employer_id=case.employer_id,
        description=Text("casework.follow_up_description", case_id=case.id,
                         deadline=case.correction_deadline.isoformat()).render("zh"),
        actor=actor)
    day = (calendar or WorkingCalendar()).add_working_days(case.correction_deadline, 1)
    inspection.due_at = datetime.combine(day, time(18, 0), tzinfo=clock.BEIJING)
    return inspection.id
