"""Complaints as answers and lists show them (never who complained), the paged list, the
reading of a complainant's identity (audited) and the written notice of a decision."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import notices, numbers, paging
from dispatch.casework.models import COMPLAINT_STATUSES, Complaint, ComplaintDecision
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text

# Refused automatically before decisions existed (migration 0006 made them proposals).
_TIME_BARRED = re.compile(r"the violation occurred on (?P<day>[0-9-]+), more than "
                          r"(?P<years>[0-9]+) years ago \(劳动保障监察条例 Art. 20\)")
DEADLINE_CLASSES = ("within_limit", "due_today", "past_limit")


def get(session: Session, complaint_id: int) -> Complaint:
    found = session.get(Complaint, complaint_id)
    if found is None:
        raise NotFound(Text("casework.error.complaint_not_found", complaint_id=complaint_id),
                       {"complaint_id": complaint_id})
    return found


def notice_url(complaint_id: int, decision_id: int) -> str:
    return f"/api/v1/complaints/{complaint_id}/decisions/{decision_id}/notice"


_VIEW_SQL = """
    SELECT k.*, e.name AS employer_name, e.credit_code, a.name AS county_name,
           (SELECT i.id FROM inspections i WHERE i.complaint_id = k.id
            ORDER BY i.id LIMIT 1) AS inspection_id,
           coalesce((SELECT c.id FROM cases c WHERE c.complaint_id = k.id ORDER BY c.id LIMIT 1),
                    (SELECT c.id FROM inspections i JOIN cases c ON c.inspection_id = i.id
                     WHERE i.complaint_id = k.id ORDER BY c.id LIMIT 1)) AS case_id,
           (k.complainant_name IS NOT NULL OR k.complainant_phone IS NOT NULL) AS known
    FROM complaints k
    LEFT JOIN employers e ON e.id = k.employer_id
    LEFT JOIN admin_areas a ON a.adcode = k.county_adcode
"""


def _view(row, calendar: WorkingCalendar, today: date) -> dict:
    """A complaint as answers show it: codes with their texts, never who complained."""
    running = row.status == "received" and row.acceptance_due is not None
    proposal = row.proposal
    if proposal is not None:
        proposal = {"decision": proposal.get("decision"),
                    "decision_text": Text(f"casework.decision.{proposal.get('decision')}"),
                    "reason_text": _proposal_text(proposal)}
    return {
        "id": row.id, "employer_id": row.employer_id, "employer_name": row.employer_name,
        "credit_code": row.credit_code, "county_adcode": row.county_adcode,
        "county_name": row.county_name, "category": row.category,
        "category_text": Text(f"casework.category.{row.category}"),
        "workers_affected": row.workers_affected, "mass_incident": row.mass_incident,
        "priority": row.priority, "priority_text": Text(f"dispatch.priority.{row.priority}"),
        "description": row.description,
        "occurred_on": row.occurred_on and row.occurred_on.isoformat(),
        "continuing": row.continuing,
        "violation_ended_on": row.violation_ended_on and row.violation_ended_on.isoformat(),
        "received_at": row.received_at.isoformat(),
        "acceptance_due": row.acceptance_due and row.acceptance_due.isoformat(),
        "working_days_left": (calendar.working_days_between(today, row.acceptance_due)
                              if running else None),
        "paused": row.status == "info_requested",
        "status": row.status, "status_text": Text(f"casework.complaint_status.{row.status}"),
        "proposal": proposal, "inspection_id": row.inspection_id, "case_id": row.case_id,
        "incident_id": row.incident_id,
        "response_due_at": row.response_due_at and row.response_due_at.isoformat(),
        "complainant_known": bool(row.known), "version": row.version,
    }


def _proposal_text(proposal: dict) -> Text | str | None:
    if proposal.get("key"):
        values = proposal.get("values") or {}
        key = "casework.proposal.time_barred_ended" if values.get("ended") else proposal["key"]
        return Text(key, day=values.get("day"), years=values.get("years"))
    legacy = _TIME_BARRED.fullmatch(proposal.get("legacy") or "")
    if legacy is not None:  # refused automatically before decisions existed: now a proposal
        return Text("casework.proposal.time_barred", day=legacy["day"],
                    years=int(legacy["years"]))
    return proposal.get("legacy")


def detail(session: Session, complaint_id: int, *, calendar: WorkingCalendar) -> dict:
    row = session.execute(text(_VIEW_SQL + " WHERE k.id = :id"), {"id": complaint_id}).first()
    if row is None:
        raise NotFound(Text("casework.error.complaint_not_found", complaint_id=complaint_id),
                       {"complaint_id": complaint_id})
    today = clock.today()
    view = _view(row, calendar, today)
    decisions = session.query(ComplaintDecision).filter(
        ComplaintDecision.complaint_id == complaint_id).order_by(ComplaintDecision.id).all()
    view["decisions"] = [{
        "id": d.id, "decision": d.decision, "decision_text": Text(f"casework.decision.{d.decision}"),
        "mode": d.mode, "mode_text": d.mode and Text(f"casework.accept_mode.{d.mode}"),
        "reason": d.reason, "redirect_to": d.redirect_to, "redirect_kind": d.redirect_kind,
        "ground": d.ground, "ground_text": d.ground and Text(f"casework.ground.{d.ground}"),
        "info_due": d.info_due and d.info_due.isoformat(),
        "info_received_at": d.info_received_at and d.info_received_at.isoformat(),
        "decided_by": d.decided_by, "decided_at": d.decided_at.isoformat(),
        "notice_no": d.notice_no, "notice_url": notice_url(complaint_id, d.id)}
        for d in decisions]
    timeline = [{"at": row.received_at.isoformat(), "kind": "received", "actor": None,
                 "text": Text("casework.timeline.received",
                              due=row.acceptance_due and row.acceptance_due.isoformat())}]
    for d in decisions:
        timeline.append({"at": d.decided_at.isoformat(), "kind": d.decision,
                         "actor": d.decided_by,
                         "text": Text("casework.timeline.decision",
                                      decision=Text(f"casework.decision.{d.decision}"),
                                      number=d.notice_no, reason=d.reason)})
        if d.info_received_at is not None:
            timeline.append({"at": d.info_received_at.isoformat(), "kind": "info_received",
                             "actor": None, "text": Text("casework.timeline.info_received")})
    view["timeline"] = sorted(timeline, key=lambda e: e["at"])
    return view


def listing(session: Session, *, counties: list[str] | None, status: str | None = None,
            deadline: str | None = None, q: str | None = None, page: int = 1,
            per_page: int = 50, calendar: WorkingCalendar) -> dict:
    """One page of complaints, those nearest their acceptance limit first; the total too."""
    if status is not None and status not in COMPLAINT_STATUSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="status",
                                choices=", ".join(COMPLAINT_STATUSES)), {"parameter": "status"})
    if deadline is not None and deadline not in DEADLINE_CLASSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="deadline",
                                choices=", ".join(DEADLINE_CLASSES)), {"parameter": "deadline"})
    today = clock.today()
    # Conditions are added only when used, so the planner can use the indexes they match.
    where = ["TRUE"]
    if counties is not None:
        where.append("k.county_adcode = ANY(:c)")
    if status is not None:
        where.append("k.status = :s")
    if deadline is not None:  # the same classes as the KPI panel's open complaints
        where.append("k.status = 'received'")
        where.append({"within_limit": "k.acceptance_due > :today",
                      "due_today": "k.acceptance_due = :today",
                      "past_limit": "(k.acceptance_due < :today OR k.acceptance_due IS NULL)"}
                     [deadline])
    params = {"c": counties, "s": status, "today": today}
    found, found_params, join_employer = paging.search(q, alias="k", text_column="k.description")
    if found:
        where.append(found)
        params.update(found_params)
    source = "complaints k" + (" " + paging.EMPLOYER_JOIN.format(alias="k")
                               if join_employer else "")
    # Undecided first, urgent first, nearest limit, newest (the order of ix_complaints_queue).
    order = ("k.status NOT IN ('received', 'info_requested'), k.priority <> 'urgent', "
             "k.acceptance_due NULLS FIRST, k.id DESC")
    return paging.page(session, source=source, condition=" AND ".join(where), order=order,
                       alias="k", detail_sql=_VIEW_SQL, params=params, page_no=page,
                       per_page=per_page, view=lambda r: _view(r, calendar, today))


def identity(session: Session, complaint_id: int, *, actor: str | None) -> dict:
    """Who complained: only for the roles allowed (the route checks), and every reading is
    in the audit log."""
    c = get(session, complaint_id)
    audit.record(session, actor=actor, action="read_identity", entity="complaint",
                 entity_id=c.id)
    return {"name": c.complainant_name, "phone": c.complainant_phone}


def notice(session: Session, complaint_id: int, decision_id: int, *, show_identity: bool,
           actor: str | None, calendar: WorkingCalendar) -> tuple[bytes, str, str]:
    """The written notice of one decision (docx bytes, file name, ASCII file name). It names
    the complainant only for a reader allowed to see it, and that reading is audited."""
    view = detail(session, complaint_id, calendar=calendar)
    d = session.get(ComplaintDecision, decision_id)
    if d is None or d.complaint_id != complaint_id:
        raise NotFound(Text("casework.error.decision_not_found", decision_id=decision_id),
                       {"decision_id": decision_id})
    c = get(session, complaint_id)
    name = c.complainant_name if show_identity else None
    if name is not None:
        audit.record(session, actor=actor, action="read_identity", entity="complaint",
                     entity_id=c.id, after={"via": "notice", "decision_id": d.id})
    case_due = None
    if d.decision == "accept" and d.mode == "case" and view["case_id"]:
        case_due = session.execute(text("SELECT due_on FROM cases WHERE id = :i"),
                                   {"i": view["case_id"]}).scalar()
    data = notices.NoticeData(
        kind=d.decision, number=d.notice_no, bureau=numbers.bureau_name(session, c.county_adcode),
        complainant=name, employer=view["employer_name"],
        category_text=Text(f"casework.category.{c.category}").render("zh"),
        received_on=clock.beijing_date(c.received_at),
        decided_on=clock.beijing_date(d.decided_at), reason=d.reason, accept_mode=d.mode,
        redirect_to=d.redirect_to, info_due=d.info_due, case_due=case_due,
        refuse_ground=d.ground or "time_barred")
    return notices.render(data), notices.filename(data), notices.ascii_filename(data)
