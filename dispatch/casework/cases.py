"""Cases (立案): 60 working days, one 30-day extension with approval, outcomes, 挂牌督办, alerts."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework.models import Case
from dispatch.inspections import service as inspections
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from geo.core.text import Text

OUTCOMES = ("penalty", "order_to_correct", "withdrawn", "transferred")


def get(session: Session, case_id: int, *, lock: bool = False) -> Case:
    q = session.query(Case).filter(Case.id == case_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFound(Text("dispatch.error.case_not_found", case_id=case_id), {"case_id": case_id})
    return found


def serialise(c: Case, calendar: WorkingCalendar, today: date) -> dict:
    left = calendar.working_days_between(today, c.due_on) if c.closed_on is None else None
    return {
        "id": c.id, "inspection_id": c.inspection_id, "employer_id": c.employer_id,
        "county_adcode": c.county_adcode, "opened_on": c.opened_on.isoformat(),
        "due_on": c.due_on.isoformat(), "extended": c.extended,
        "extension_approved_by": c.extension_approved_by, "outcome": c.outcome,
        "closed_on": c.closed_on and c.closed_on.isoformat(), "supervised": c.supervised,
        "supervised_note": c.supervised_note, "summary": c.summary, "version": c.version,
        "working_days_left": left, "overdue": left is not None and left < 0,
    }


def open_case(session: Session, inspection_id: int, *, opened_on: date, summary: str | None,
              actor: str | None, settings: DispatchSettings, calendar: WorkingCalendar) -> Case:
    """Open a case from an inspection; due 60 working days after opening."""
    inspection = inspections.get(session, inspection_id, lock=True)
    exists = session.execute(text("SELECT id FROM cases WHERE inspection_id = :i"),
                             {"i": inspection_id}).scalar()
    if exists:
        raise Conflict(Text("dispatch.error.case_exists", inspection_id=inspection_id,
                            case_id=exists),
                       {"case_id": exists})
    case = Case(inspection_id=inspection_id, employer_id=inspection.employer_id,
                county_adcode=inspection.county_adcode, opened_on=opened_on,
                due_on=calendar.add_working_days(opened_on, settings.case_limit_working_days),
                summary=summary, created_by=actor)
    session.add(case)
    session.flush()
    audit.record(session, actor=actor, action="open", entity="case", entity_id=case.id,
                 after={"inspection_id": inspection_id, "due_on": case.due_on.isoformat()})
    return case


def extend(session: Session, case_id: int, *, reason: str, approver: str,
           settings: DispatchSettings, calendar: WorkingCalendar) -> Case:
    """Extend once by 30 working days; approved by an administrator (the route admits only
    administrators) other than the opener."""
    if not reason or not reason.strip():
        raise InvalidInput(Text("dispatch.error.reason_required"), {"parameter": "reason"})
    case = get(session, case_id, lock=True)
    if case.closed_on is not None:
        raise Conflict(Text("dispatch.error.case_closed", case_id=case_id))
    if case.extended:
        raise Conflict(Text("dispatch.error.case_already_extended", case_id=case_id))
    if approver == case.created_by:
        raise Forbidden(Text("dispatch.error.opener_cannot_approve"))
    before = case.due_on
    case.due_on = calendar.add_working_days(case.due_on, settings.case_extension_working_days)
    case.extended, case.extension_approved_by, case.extension_reason = True, approver, reason
    case.version += 1
    audit.record(session, actor=approver, action="extend", entity="case", entity_id=case_id,
                 before={"due_on": before.isoformat()},
                 after={"due_on": case.due_on.isoformat(), "reason": reason})
    return case


def close(session: Session, case_id: int, *, outcome: str, closed_on: date, summary: str | None,
          actor: str | None, risk_settings: RiskSettings | None = None) -> Case:
    if outcome not in OUTCOMES:
        raise InvalidInput(Text("dispatch.error.one_of", name="outcome",
                                choices=", ".join(OUTCOMES)),
                           {"parameter": "outcome"})
    case = get(session, case_id, lock=True)
    if case.closed_on is not None:
        raise Conflict(Text("dispatch.error.case_already_closed", case_id=case_id,
                            outcome=Text(f"dispatch.case_outcome.{case.outcome}")
                            if case.outcome else ""))
    if closed_on < case.opened_on:
        raise InvalidInput(Text("dispatch.error.closed_before_opened"),
                           {"parameter": "closed_on"})
    case.outcome, case.closed_on = outcome, closed_on
    if summary:
        case.summary = summary
    case.version += 1
    audit.record(session, actor=actor, action="close", entity="case", entity_id=case_id,
                 after={"outcome": outcome, "closed_on": closed_on.isoformat()})
    jobs.after_write(session, [case.county_adcode], risk_settings)  # a closed case may be a past violation
    return case


def supervise(session: Session, case_id: int, *, note: str, actor: str | None) -> Case:
    """Flag a case as supervised by a higher level (挂牌督办)."""
    case = get(session, case_id, lock=True)
    case.supervised, case.supervised_note = True, note
    case.version += 1
    audit.record(session, actor=actor, action="supervise", entity="case", entity_id=case_id,
                 after={"note": note})
    return case


def alerts(session: Session, *, counties: list[str] | None, today: date,
           settings: DispatchSettings, calendar: WorkingCalendar) -> list[dict]:
    """Open cases past their limit or within the warning window, most urgent first."""
    # Calendar-day pre-filter wide enough for any holiday season; the exact test follows.
    horizon = today + timedelta(days=2 * settings.deadline_warning_working_days + 21)
    q = session.query(Case).filter(Case.closed_on.is_(None), Case.due_on <= horizon) \
        .order_by(Case.due_on, Case.id)
    if counties is not None:
        q = q.filter(Case.county_adcode.in_(counties))
    out = []
    for case in q:
        view = serialise(case, calendar, today)
        if view["working_days_left"] <= settings.deadline_warning_working_days:
            view["alert"] = "overdue" if view["overdue"] else "due_soon"
            out.append(view)
    return out
