"""Cases (立案): handlers, 60 working days + one 30-day extension approved by another
administrator, suspension, outcomes with their details, the timeline, alerts.

The competent county is the employer's workplace county (用工所在地): the case takes the
county of its complaint or inspection, and handlers from another county need a reason.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework.models import (
    CASE_OUTCOMES,
    TRANSFER_KINDS,
    Case,
    CaseEvent,
    CaseSupervision,
    Complaint,
    SupervisionReport,
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
    """A line of the case's timeline, and the same change in the audit log."""
    session.add(CaseEvent(case_id=case.id, at=clock.now(), kind=kind, actor=actor,
                          detail=plain(detail)))
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


def status_of(c: Case, today: date, calendar: WorkingCalendar,
              settings: DispatchSettings | None = None) -> str:
    if c.closed_on is not None:
        return "closed"
    if c.suspended_on is not None:
        return "suspended"
    left = calendar.working_days_between(today, c.due_on)
    if left < 0:
        return "overdue"
    return "open"


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
          settings: DispatchSettings | None = None, calendar: WorkingCalendar | None = None,
          risk_settings: RiskSettings | None = None) -> Case:
    """Close a case with its outcome and the details the outcome needs:
    penalty → fine, 文号 and decision date; order to correct → deadline (a follow-up
    inspection is opened); wages recovered → amount and workers; transferred → where."""
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


# Views ---------------------------------------------------------------------------------

_VIEW_SQL = """
    SELECT c.*, e.name AS employer_name, a.name AS county_name,
           s.level AS s_level, s.supervisor AS s_supervisor, s.deadline AS s_deadline,
           (SELECT coalesce(json_agg(json_build_object('id', o.id, 'name', o.name)
                                     ORDER BY o.id), '[]') FROM officers o
            WHERE o.id = ANY(c.handler_ids)) AS handlers
    FROM cases c
    LEFT JOIN employers e ON e.id = c.employer_id
    LEFT JOIN admin_areas a ON a.adcode = c.county_adcode
    LEFT JOIN case_supervisions s ON s.case_id = c.id AND s.lifted_at IS NULL
"""


def _view(r, calendar: WorkingCalendar, today: date) -> dict:
    running = r.closed_on is None and r.suspended_on is None
    left = calendar.working_days_between(today, r.due_on) if running else None
    status = ("closed" if r.closed_on is not None else "suspended" if r.suspended_on
              else "overdue" if left < 0 else "open")
    return {
        "id": r.id, "complaint_id": r.complaint_id, "inspection_id": r.inspection_id,
        "employer_id": r.employer_id, "employer_name": r.employer_name,
        "county_adcode": r.county_adcode, "county_name": r.county_name,
        "opened_on": r.opened_on.isoformat(), "due_on": r.due_on.isoformat(),
        "working_days_left": left if running else r.days_left_at_suspension,
        "overdue": left is not None and left < 0, "extended": r.extended,
        "extension_approved_by": r.extension_approved_by,
        "suspended": r.suspended_on is not None, "suspension_reason": r.suspension_reason,
        "status": status, "status_text": Text(f"casework.case_status.{status}"),
        "handlers": r.handlers or [], "cross_county_reason": r.cross_county_reason,
        "supervised": r.s_level is not None,
        "supervision": None if r.s_level is None else {
            "level": r.s_level, "level_text": Text(f"casework.supervision_level.{r.s_level}"),
            "supervisor": r.s_supervisor, "deadline": r.s_deadline.isoformat(),
            "overdue": r.s_deadline < today},
        "supervised_note": r.supervised_note,
        "outcome": r.outcome,
        "outcome_text": r.outcome and Text(f"dispatch.case_outcome.{r.outcome}"),
        "closed_on": r.closed_on and r.closed_on.isoformat(),
        "fine_amount": r.fine_amount and float(r.fine_amount),
        "decision_number": r.decision_number,
        "decision_date": r.decision_date and r.decision_date.isoformat(),
        "correction_deadline": r.correction_deadline and r.correction_deadline.isoformat(),
        "follow_up_inspection_id": r.follow_up_inspection_id,
        "wages_recovered": r.wages_recovered and float(r.wages_recovered),
        "workers_paid": r.workers_paid, "transfer_kind": r.transfer_kind,
        "transfer_kind_text": r.transfer_kind and Text(f"casework.transfer_kind.{r.transfer_kind}"),
        "transfer_target": r.transfer_target, "summary": r.summary, "version": r.version,
    }


def serialise(c: Case, calendar: WorkingCalendar, today: date, session: Session | None = None
              ) -> dict:
    """A case as answers show it (read back with its names when a session is given)."""
    if session is not None:
        session.flush()
        row = session.execute(text(_VIEW_SQL + " WHERE c.id = :id"), {"id": c.id}).first()
        return _view(row, calendar, today)
    left = calendar.working_days_between(today, c.due_on) if c.closed_on is None else None
    return {"id": c.id, "due_on": c.due_on.isoformat(), "working_days_left": left,
            "overdue": left is not None and left < 0, "outcome": c.outcome}


def listing(session: Session, *, counties: list[str] | None, status: str | None = None,
            supervision_level: str | None = None, q: str | None = None, page: int = 1,
            per_page: int = 50, settings: DispatchSettings,
            calendar: WorkingCalendar) -> dict:
    """One page of cases, nearest their limit first, and the total."""
    if status is not None and status not in CASE_STATUSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="status",
                                choices=", ".join(CASE_STATUSES)), {"parameter": "status"})
    today = clock.today()
    warn_before = calendar.add_working_days(today, settings.deadline_warning_working_days + 1)
    where = ["c.county_adcode = ANY(:c)"] if counties is not None else ["TRUE"]
    where.append({
        None: "TRUE", "open": "c.closed_on IS NULL", "closed": "c.closed_on IS NOT NULL",
        "overdue": "c.closed_on IS NULL AND c.suspended_on IS NULL AND c.due_on < :today",
        "due_soon": "c.closed_on IS NULL AND c.suspended_on IS NULL AND c.due_on >= :today "
                    "AND c.due_on < :warn_before",
        "suspended": "c.closed_on IS NULL AND c.suspended_on IS NOT NULL",
        "supervised": "s.id IS NOT NULL"}[status])
    if supervision_level is not None:
        where.append("s.level = :level")
    params = {"c": counties, "today": today, "warn_before": warn_before,
              "level": supervision_level, "limit": per_page, "offset": (page - 1) * per_page}
    if q:
        q = q.strip()
        if q.isdigit():
            where.append("c.id = :qid")
            params["qid"] = int(q)
        else:
            where.append("(e.name ILIKE :q OR e.credit_code = upper(:raw) "
                         "OR c.decision_number ILIKE :q)")
            params.update(q=f"%{q}%", raw=q)
    condition = " AND ".join(where)
    order = ("s.deadline < :today DESC, s.deadline, c.id" if status == "supervised"
             or supervision_level else
             "c.closed_on IS NOT NULL, c.closed_on DESC NULLS FIRST, c.due_on, c.id")
    source = ("cases c LEFT JOIN case_supervisions s ON s.case_id = c.id AND s.lifted_at IS NULL"
              + (" LEFT JOIN employers e ON e.id = c.employer_id" if q else ""))
    # The page's ids first (narrow rows to sort), then their details.
    ids = session.execute(text(f"SELECT c.id FROM {source} WHERE {condition} ORDER BY {order} "
                               "LIMIT :limit OFFSET :offset"), params).scalars().all()
    found = {r.id: r for r in session.execute(text(f"{_VIEW_SQL} WHERE c.id = ANY(:ids)"),
                                              {"ids": list(ids)})}
    total = session.execute(text(f"SELECT count(*) FROM {source} WHERE {condition}"),
                            params).scalar_one()
    return {"items": [_view(found[i], calendar, today) for i in ids], "total": total,
            "page": page, "per_page": per_page}


_EVENT_TEXT = {"open", "handlers", "extend", "suspend", "resume", "close", "supervise",
               "supervision_report", "lift"}


def detail(session: Session, case_id: int, *, calendar: WorkingCalendar) -> dict:
    row = session.execute(text(_VIEW_SQL + " WHERE c.id = :id"), {"id": case_id}).first()
    if row is None:
        raise NotFound(Text("dispatch.error.case_not_found", case_id=case_id), {"case_id": case_id})
    view = _view(row, calendar, clock.today())
    events = session.query(CaseEvent).filter(CaseEvent.case_id == case_id) \
        .order_by(CaseEvent.at, CaseEvent.id).all()
    ids = {i for e in events for i in (e.detail or {}).get("after") or []
           if e.kind == "handlers"}
    names = dict(session.execute(text("SELECT id, name FROM officers WHERE id = ANY(:i)"),
                                 {"i": sorted(ids)}).all()) if ids else {}
    view["timeline"] = [{"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor,
                         "kind_text": Text(f"casework.event.{e.kind}"),
                         "text": _event_text(e, names), "detail": e.detail} for e in events]
    view["documents"] = []
    if row.complaint_id is not None:
        from dispatch.casework.complaints import notice_url
        for d in session.execute(text(
                "SELECT id, decision, notice_no FROM complaint_decisions WHERE complaint_id = :k "
                "ORDER BY id"), {"k": row.complaint_id}):
            view["documents"].append({
                "title": Text("casework.document_title",
                              kind=Text(f"notice.title.{d.decision}"), number=d.notice_no),
                "url": notice_url(row.complaint_id, d.id)})
    sups = session.query(CaseSupervision).filter(CaseSupervision.case_id == case_id) \
        .order_by(CaseSupervision.id).all()
    view["supervisions"] = []
    for s in sups:
        reports = session.query(SupervisionReport).filter(
            SupervisionReport.supervision_id == s.id).order_by(SupervisionReport.id).all()
        view["supervisions"].append({
            "id": s.id, "level": s.level,
            "level_text": Text(f"casework.supervision_level.{s.level}"),
            "supervisor": s.supervisor, "deadline": s.deadline.isoformat(), "note": s.note,
            "opened_at": s.opened_at.isoformat(), "opened_by": s.opened_by,
            "lifted_at": s.lifted_at and s.lifted_at.isoformat(), "lifted_by": s.lifted_by,
            "conclusion": s.conclusion,
            "reports": [{"at": r.at.isoformat(), "actor": r.actor, "text": r.body}
                        for r in reports]})
    return view


def _event_text(e: CaseEvent, names: dict[int, str] | None = None) -> Text:
    d = e.detail or {}
    if e.kind == "handlers":
        who = "、".join((names or {}).get(i, f"#{i}") for i in d.get("after") or [])
        return Text("casework.event_text.handlers_named" if not d.get("reason") else
                    "casework.event_text.handlers_reason", names=who, reason=d.get("reason"))
    if e.kind == "close":
        return Text("casework.event_text.close", outcome=Text(
            f"dispatch.case_outcome.{d.get('outcome')}"), closed_on=d.get("closed_on"))
    if e.kind == "extend":
        return Text("casework.event_text.extend", due_on=d.get("due_on"), reason=d.get("reason"))
    if e.kind == "open":
        return Text("casework.event_text.open", due_on=d.get("due_on"))
    if e.kind == "supervise":
        return Text("casework.event_text.supervise", level=Text(
            f"casework.supervision_level.{d.get('level')}"), supervisor=d.get("supervisor"),
            deadline=d.get("deadline"))
    if e.kind in ("suspend", "resume", "lift", "supervision_report"):
        return Text(f"casework.event_text.{e.kind}", reason=d.get("reason") or "",
                    due_on=d.get("due_on") or "", conclusion=d.get("conclusion") or "",
                    text=d.get("text") or "")
    return Text(f"casework.event.{e.kind}")


def alerts(session: Session, *, counties: list[str] | None, today: date,
           settings: DispatchSettings, calendar: WorkingCalendar) -> list[dict]:
    """Open cases past their limit or within the warning window, most urgent first."""
    horizon = today + timedelta(days=2 * settings.deadline_warning_working_days + 21)
    q = session.query(Case).filter(Case.closed_on.is_(None), Case.suspended_on.is_(None),
                                   Case.due_on <= horizon).order_by(Case.due_on, Case.id)
    if counties is not None:
        q = q.filter(Case.county_adcode.in_(counties))
    out = []
    for case in q:
        left = calendar.working_days_between(today, case.due_on)
        if left <= settings.deadline_warning_working_days:
            view = serialise(case, calendar, today)
            view.update({"county_adcode": case.county_adcode, "inspection_id": case.inspection_id,
                         "employer_id": case.employer_id, "supervised": case.supervised,
                         "extended": case.extended, "opened_on": case.opened_on.isoformat(),
                         "alert": "overdue" if left < 0 else "due_soon"})
            out.append(view)
    return out
