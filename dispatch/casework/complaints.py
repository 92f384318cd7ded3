"""Complaints and tips (举报投诉): intake, the acceptance decision (部令第25号 Art. 18), the
limitation (条例 Art. 20), 补正 pauses, written notices, and what an accepted complaint opens.

Every legal date is a Beijing date: the acceptance limit counts working days from the
Beijing date of receipt (a complaint received Monday 07:30 in Zhengzhou is a Monday one).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import incidents, numbers
from dispatch.casework.complaint_views import detail, notice_url
from dispatch.casework.models import (
    ACCEPT_MODES,
    COMPLAINT_CATEGORIES,
    DECISIONS,
    REDIRECT_KINDS,
    Complaint,
    ComplaintDecision,
)
from dispatch.inspections import service as inspections
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.areas.service import location_in_henan
from geo.core import clock
from geo.core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from geo.core.text import Joined, Text
from geo.employers import credit_code

# Roles that may see who complained (tipster identities are confidential).
IDENTITY_ROLES = ("dispatcher", "admin")
# Why a complaint is refused (部令第25号 Art. 18): out of time, or not a labour-security matter.
REFUSAL_GROUNDS = ("time_barred", "not_labour_matter")
# A receipt time this far ahead of the server's clock is a mistake, not a skewed watch.
_FUTURE_SLACK = timedelta(minutes=5)


def _find_employer(session: Session, code: str | None, name: str | None,
                   address: str | None) -> tuple[int | None, Text | None]:
    """(employer id, why not found)."""
    if code:
        try:
            code = credit_code.validate(code)
        except credit_code.CreditCodeError as exc:
            raise InvalidInput(exc.args[0] if exc.args else str(exc),
                               {"parameter": "credit_code"}) from None
        found = session.execute(text("SELECT id FROM employers WHERE credit_code = :c"),
                                {"c": code}).scalar()
        return (found, None) if found else \
            (None, Text("dispatch.complaint.no_credit_code", code=code))
    if name:
        rows = session.execute(text("""
            SELECT id FROM employers WHERE name = :n
              AND (CAST(:a AS text) IS NULL OR address ILIKE '%' || :a || '%')
            ORDER BY id LIMIT 2
        """), {"n": name.strip(), "a": address}).scalars().all()
        if len(rows) == 1:
            return rows[0], None
        return None, (Text("dispatch.complaint.several_named") if rows
                      else Text("dispatch.complaint.no_name", name=repr(name)))
    return None, Text("dispatch.complaint.unidentified")


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def limitation_proposal(*, received_on: date, occurred_on: date | None, continuing: bool,
                        ended_on: date | None, settings: DispatchSettings) -> dict | None:
    """Art. 20: a refusal to propose when the violation ended more than 2 years before
    receipt. A continuing violation is never out of time; nothing is refused automatically."""
    if continuing:
        return None
    start = ended_on or occurred_on
    if start is None or years_after(start, settings.limitation_years) >= received_on:
        return None
    return {"decision": "refuse", "key": "casework.proposal.time_barred",
            "values": {"day": start.isoformat(), "years": settings.limitation_years,
                       "ended": ended_on is not None}}


def priority_for(category: str, workers: int, settings: DispatchSettings) -> str:
    if workers >= settings.mass_incident_workers:
        return "urgent"  # 群体性事件
    return "high" if category in ("wage_arrears", "child_labour") else "normal"


def officers_of_user(session: Session, username: str | None) -> list[int]:
    """The officer records linked to a user account (who answers for their decisions)."""
    if username is None:
        return []
    return list(session.execute(text(
        "SELECT o.id FROM officers o JOIN users u ON u.id = o.user_id "
        "WHERE u.username = :u ORDER BY o.id"), {"u": username}).scalars())


def create(session: Session, *, category: str, workers_affected: int, description: str | None,
           occurred_on: date | None, continuing: bool = False,
           violation_ended_on: date | None = None, received_at: datetime | None = None,
           employer_credit_code: str | None = None, employer_name: str | None = None,
           employer_address: str | None = None, location: dict | None = None,
           complainant_name: str | None = None, complainant_phone: str | None = None,
           about_officer_id: int | None = None,
           actor: str | None, risk_settings: RiskSettings | None = None,
           settings: DispatchSettings, calendar: WorkingCalendar) -> dict:
    """Record a complaint with its acceptance deadline. An urgent one (a mass incident)
    opens its inspection and incident at once, its response clock running from receipt."""
    if category not in COMPLAINT_CATEGORIES:
        raise InvalidInput(Text("dispatch.error.one_of", name="category",
                                choices=", ".join(COMPLAINT_CATEGORIES)),
                           {"parameter": "category"})
    if workers_affected < 1:
        raise Unprocessable(Text("dispatch.error.workers_at_least_one"),
                            {"parameter": "workers_affected"})
    now = clock.now()
    received_at = received_at or now
    if received_at.tzinfo is None:
        raise InvalidInput(Text("casework.error.offset_required", name="received_at"),
                           {"parameter": "received_at"})
    if received_at > now + _FUTURE_SLACK:
        raise Unprocessable(Text("casework.error.received_future"), {"parameter": "received_at"})
    received_on = clock.beijing_date(received_at)  # legal dates are Beijing dates
    if occurred_on is not None and occurred_on > received_on:
        raise Unprocessable(Text("dispatch.error.occurred_future"), {"parameter": "occurred_on"})
    if continuing and violation_ended_on is not None:
        raise Unprocessable(Text("casework.error.continuing_and_ended"),
                            {"parameter": "violation_ended_on"})
    if violation_ended_on is not None:
        if violation_ended_on > received_on:
            raise Unprocessable(Text("casework.error.ended_future"),
                                {"parameter": "violation_ended_on"})
        if occurred_on is not None and violation_ended_on < occurred_on:
            raise Unprocessable(Text("casework.error.ended_before_start"),
                                {"parameter": "violation_ended_on"})
    employer_id, not_found = _find_employer(session, employer_credit_code, employer_name,
                                            employer_address)
    lon = lat = county = None
    if location is not None:
        lon, lat, county = location_in_henan(session, location)
    elif employer_id is not None:
        lon, lat, county = inspections.employer_site(session, employer_id)
    if county is None:
        raise Unprocessable(Text("dispatch.error.no_competent_county"),
                            {"parameter": "location"})
    if about_officer_id is not None and session.execute(text(
            "SELECT 1 FROM officers WHERE id = :o"), {"o": about_officer_id}).first() is None:
        raise Unprocessable(Text("reviews.error.unknown_officer", id=about_officer_id),
                            {"parameter": "about_officer_id"})
    proposal = limitation_proposal(received_on=received_on, occurred_on=occurred_on,
                                   continuing=continuing, ended_on=violation_ended_on,
                                   settings=settings)
    priority = priority_for(category, workers_affected, settings)
    mass = workers_affected >= settings.mass_incident_workers
    complaint = Complaint(
        employer_id=employer_id, county_adcode=county, category=category,
        workers_affected=workers_affected, description=description,
        complainant_name=complainant_name, complainant_phone=complainant_phone,
        about_officer_id=about_officer_id, geom=f"SRID=4326;POINT({float(lon)} {float(lat)})", occurred_on=occurred_on,
        continuing=continuing, violation_ended_on=violation_ended_on, received_at=received_at,
        status="received", priority=priority, mass_incident=mass, proposal=proposal,
        acceptance_due=calendar.add_working_days(received_on, settings.acceptance_working_days),
        actionable=proposal is None, not_actionable_reason=None)
    if priority == "urgent":
        complaint.response_due_at = received_at + timedelta(hours=settings.due_hours_urgent)
    session.add(complaint)
    session.flush()
    inspection_id = None
    if mass:
        complaint.incident_id = incidents.for_complaint(session, complaint, actor=actor)
    if priority == "urgent":
        inspection_id = _open_inspection(session, complaint, actor=actor)
    audit.record(session, actor=actor, action="create", entity="complaint",
                 entity_id=complaint.id, after={"category": category, "county": county,
                                                "received_at": received_at.isoformat(),
                                                "proposal": proposal,
                                                "inspection_id": inspection_id})
    jobs.after_write(session, [county], risk_settings)  # complaints count towards the employer's risk
    view = detail(session, complaint.id, calendar=calendar)
    view["employer_note"] = not_found
    return view


def _open_inspection(session: Session, c: Complaint, *, actor: str | None) -> int:
    """The complaint's inspection; an urgent one is due from receipt, not from assignment."""
    found = session.execute(text("SELECT id FROM inspections WHERE complaint_id = :c "
                                 "AND status <> 'cancelled' ORDER BY id LIMIT 1"),
                            {"c": c.id}).scalar()
    if found:
        return found
    lon, lat = session.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM complaints "
                                    "WHERE id = :c"), {"c": c.id}).one()
    inspection = inspections.create(
        session, kind="complaint", priority=c.priority, description=c.description,
        employer_id=c.employer_id, location={"lon": lon, "lat": lat}, complaint_id=c.id,
        actor=actor)
    if c.response_due_at is not None:
        inspection.due_at = c.response_due_at
    return inspection.id


def get(session: Session, complaint_id: int, *, lock: bool = False) -> Complaint:
    q = session.query(Complaint).filter(Complaint.id == complaint_id)
    found = (q.with_for_update() if lock else q).one_or_none()
    if found is None:
        raise NotFound(Text("casework.error.complaint_not_found", complaint_id=complaint_id),
                       {"complaint_id": complaint_id})
    return found


def _state_conflict(c: Complaint, wanted: tuple[str, ...]) -> Conflict:
    return Conflict(Text("casework.error.complaint_state", complaint_id=c.id,
                         status=Text(f"casework.complaint_status.{c.status}"),
                         wanted=Joined([Text(f"casework.complaint_status.{s}") for s in wanted],
                                       "casework.or")),
                    {"status": c.status})


def decide(session: Session, complaint_id: int, *, decision: str, reason: str | None,
           mode: str | None = None, redirect_to: str | None = None,
           redirect_kind: str | None = None, ground: str | None = None,
           actor: str | None, settings: DispatchSettings,
           calendar: WorkingCalendar, risk_settings: RiskSettings | None = None,
           open_case=None) -> dict:
    """One acceptance decision with its notice. `open_case(session, complaint)` opens the case
    for an acceptance as 立案 (passed in by the caller, who knows the case rules)."""
    if decision not in DECISIONS:
        raise InvalidInput(Text("dispatch.error.one_of", name="decision",
                                choices=", ".join(DECISIONS)), {"parameter": "decision"})
    if not reason or not reason.strip():
        raise Unprocessable(Text("dispatch.error.reason_required"), {"parameter": "reason"})
    if decision == "accept":
        mode = mode or "inspect"
        if mode not in ACCEPT_MODES:
            raise InvalidInput(Text("dispatch.error.one_of", name="mode",
                                    choices=", ".join(ACCEPT_MODES)), {"parameter": "mode"})
    elif mode is not None:
        raise Unprocessable(Text("casework.error.mode_only_accept"), {"parameter": "mode"})
    if decision == "redirect":
        if not redirect_to or not redirect_to.strip():
            raise Unprocessable(Text("casework.error.redirect_target"),
                                {"parameter": "redirect_to"})
        redirect_kind = redirect_kind or "department"
        if redirect_kind not in REDIRECT_KINDS:
            raise InvalidInput(Text("dispatch.error.one_of", name="redirect_kind",
                                    choices=", ".join(REDIRECT_KINDS)),
                               {"parameter": "redirect_kind"})
    elif redirect_to is not None:
        raise Unprocessable(Text("casework.error.redirect_only"), {"parameter": "redirect_to"})
    if decision == "refuse":
        if ground is None:
            raise Unprocessable(Text("casework.error.ground_required",
                                     choices=", ".join(REFUSAL_GROUNDS)), {"parameter": "ground"})
        if ground not in REFUSAL_GROUNDS:
            raise InvalidInput(Text("dispatch.error.one_of", name="ground",
                                    choices=", ".join(REFUSAL_GROUNDS)), {"parameter": "ground"})
    elif ground is not None:
        raise Unprocessable(Text("casework.error.ground_only_refuse"), {"parameter": "ground"})
    c = get(session, complaint_id, lock=True)
    if c.status != "received":
        raise _state_conflict(c, ("received",))
    now, today = clock.now(), clock.today()
    row = ComplaintDecision(
        complaint_id=c.id, decision=decision, mode=mode, reason=reason.strip(),
        redirect_to=redirect_to and redirect_to.strip(),
        redirect_kind=redirect_kind if decision == "redirect" else None, ground=ground,
        decided_by=actor, decided_at=now,
        responsible_officer_ids=officers_of_user(session, actor),
        notice_no=numbers.next_number(session, county=c.county_adcode, year=today.year,
                                      kind=decision))
    before = {"status": c.status, "acceptance_due": c.acceptance_due.isoformat()}
    inspection_id = case_id = None
    if decision == "accept":
        c.status = "accepted"
        if mode == "case":
            if open_case is None:
                raise ValueError("accepting as 立案 needs open_case")
            case_id = open_case(session, c)
        else:
            inspection_id = _open_inspection(session, c, actor=actor)
    elif decision == "refuse":
        c.status = "refused"
    elif decision == "redirect":
        c.status = "redirected"
    else:  # 补正: the clock stops with the working days it had left
        c.status = "info_requested"
        c.paused_on = today
        c.days_left_at_pause = max(calendar.working_days_between(today, c.acceptance_due), 0)
        row.info_due = calendar.add_working_days(today, settings.info_request_working_days)
    if decision != "request_info":
        c.decided_at = now
    c.proposal = None if decision != "request_info" else c.proposal
    c.version += 1
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="decide", entity="complaint", entity_id=c.id,
                 before=before, after={"decision": decision, "mode": mode, "reason": row.reason,
                                       "redirect_to": row.redirect_to, "status": c.status,
                                       "notice_no": row.notice_no, "decision_id": row.id})
    if decision == "accept":
        jobs.after_write(session, [c.county_adcode], risk_settings)
    view = detail(session, c.id, calendar=calendar)
    return {"status": c.status, "status_text": view["status_text"],
            "notice_url": notice_url(c.id, row.id), "notice_no": row.notice_no,
            "inspection_id": inspection_id or view["inspection_id"],
            "case_id": case_id or view["case_id"], "complaint": view}


def information_received(session: Session, complaint_id: int, *, note: str | None,
                         actor: str | None, calendar: WorkingCalendar) -> dict:
    """补正 arrived: the acceptance clock resumes with the working days it had left."""
    c = get(session, complaint_id, lock=True)
    if c.status != "info_requested":
        raise _state_conflict(c, ("info_requested",))
    today = clock.today()
    before = {"acceptance_due": c.acceptance_due.isoformat(), "paused_on": c.paused_on.isoformat()}
    c.acceptance_due = calendar.add_working_days(today, c.days_left_at_pause or 0)
    c.status, c.paused_on, c.days_left_at_pause = "received", None, None
    c.version += 1
    asked = session.query(ComplaintDecision).filter(
        ComplaintDecision.complaint_id == c.id, ComplaintDecision.decision == "request_info",
        ComplaintDecision.info_received_at.is_(None)).order_by(ComplaintDecision.id.desc()).first()
    if asked is not None:
        asked.info_received_at, asked.info_note = clock.now(), note
    audit.record(session, actor=actor, action="information_received", entity="complaint",
                 entity_id=c.id, before=before,
                 after={"acceptance_due": c.acceptance_due.isoformat(), "note": note})
    return detail(session, c.id, calendar=calendar)
