"""Cases as answers and lists show them: one case with its timeline, documents and
supervision; the paged list; the deadline alerts. Reads only (the writes are in cases)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import paging
from dispatch.casework.complaint_views import notice_url
from dispatch.casework.models import Case, CaseEvent, CaseSupervision, SupervisionReport
from dispatch.settings import DispatchSettings
from geo.core import clock
from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text

CASE_STATUSES = ("open", "closed", "overdue", "due_soon", "suspended", "supervised")


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
              "level": supervision_level}
    found, found_params, join_employer = paging.search(q, alias="c",
                                                       text_column="c.decision_number")
    if found:
        where.append(found)
        params.update(found_params)
    order = ("s.deadline < :today DESC, s.deadline, c.id" if status == "supervised"
             or supervision_level else
             "c.closed_on IS NOT NULL, c.closed_on DESC NULLS FIRST, c.due_on, c.id")
    source = ("cases c LEFT JOIN case_supervisions s ON s.case_id = c.id AND s.lifted_at IS NULL"
              + (" " + paging.EMPLOYER_JOIN.format(alias="c") if join_employer else ""))
    return paging.page(session, source=source, condition=" AND ".join(where), order=order,
                       alias="c", detail_sql=_VIEW_SQL, params=params, page_no=page,
                       per_page=per_page, view=lambda r: _view(r, calendar, today))


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
