"""Assign, reassign, cancel and complete inspections: atomic, with no double-booking.

Officer rows are locked in id order (so two dispatchers never deadlock), their
status is re-checked under the lock, and a partial unique index on active
assignments backs it up in the database itself.

An inspection opened by a 双随机 draw goes to the inspectors drawn for it: another team
only when an administrator says why (`override_reason`), which is stored on the
inspection and in the audit log, drawn team next to the team assigned.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections import service as inspections
from dispatch.inspections.models import Inspection
from dispatch.inspections.service import status_text
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from geo.core.text import Joined, Text

OVERRIDE_ROLES = ("admin",)  # who may send other inspectors than the draw's


def _officer_ids(raw) -> list[int]:
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                            for i in raw):
        raise InvalidInput(Text("dispatch.error.officer_ids_list"),
                           {"parameter": "officer_ids"})
    if len(set(raw)) != len(raw):
        raise Unprocessable(Text("dispatch.error.officer_ids_twice"),
                            {"parameter": "officer_ids"})
    return sorted(raw)


def check_team(session: Session, inspection: Inspection, ids: list[int],
               settings: DispatchSettings) -> list:
    """Lock the officers and enforce the law: enough certified inspectors, none recused."""
    if len(ids) < settings.min_team_size:
        raise Unprocessable(Text("dispatch.error.team_too_small", size=settings.min_team_size,
                                 count=len(ids)), {"officer_ids": ids})
    rows = session.execute(text("""
        SELECT id, name, badge, kind, certified, active, certificate_expires_on,
               certificate_reviewed_on, status FROM officers WHERE id = ANY(:ids)
        ORDER BY id FOR UPDATE
    """), {"ids": ids}).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFound(Text("dispatch.error.officers_not_found", officer_ids=missing),
                       {"officer_ids": missing})
    today, review_days = clock.today(), settings.certificate_review_days
    lapsed = [r for r in rows if r.kind == "inspector" and r.certified and r.active
              and not officers.is_certified(r, review_days, today)]
    if lapsed:  # an expired 执法证 or a missed 年审: name the officer and the date
        raise Unprocessable(Text("officers.error.certificate_lapsed", officers=Joined(
            (Text("officers.error.lapsed_one", name=r.name, badge=r.badge,
                  reason=officers.uncertified_reason(r, review_days, today)) for r in lapsed),
            "dispatch.list.comma")), {"officer_ids": [r.id for r in lapsed]})
    uncertified = [r.id for r in rows if not officers.is_certified(r, review_days, today)]
    if uncertified:
        raise Unprocessable(Text("dispatch.error.officers_not_certified",
                                 officer_ids=uncertified),
                            {"officer_ids": uncertified})
    if inspection.employer_id is not None:
        recused = session.execute(text("""
            SELECT officer_id FROM recusals WHERE employer_id = :e AND officer_id = ANY(:ids)
            ORDER BY officer_id
        """), {"e": inspection.employer_id, "ids": ids}).scalars().all()
        if recused:
            raise Unprocessable(Text("dispatch.error.officers_recused",
                                     officer_ids=list(recused)),
                                {"officer_ids": list(recused)})
    return rows


def _drawn_names(session: Session, ids: list[int]) -> Joined:
    rows = session.execute(text("SELECT id, name, badge FROM officers WHERE id = ANY(:ids)"),
                           {"ids": ids}).all()
    found = {r.id: r for r in rows}
    return Joined((Text("random_checks.officer", name=found[i].name, badge=found[i].badge)
                   if i in found else str(i) for i in sorted(ids)), "dispatch.list.comma")


def bound_team(session: Session, inspection: Inspection, ids: list[int], *, role: str | None,
               override_reason) -> str | None:
    """The draw's team is the team: another one needs an administrator and a reason.

    Returns the override reason when the team differs from the one drawn (None otherwise)."""
    drawn = sorted(inspection.drawn_officer_ids or [])
    if not drawn or ids == drawn:
        return None
    details = {"drawn_officer_ids": drawn, "officer_ids": ids,
               "random_draw_id": inspection.random_draw_id}
    if role not in OVERRIDE_ROLES:
        raise Unprocessable(Text("random_checks.error.team_bound",
                                 draw_id=inspection.random_draw_id,
                                 drawn=_drawn_names(session, drawn)), details)
    if not isinstance(override_reason, str) or not override_reason.strip():
        raise Unprocessable(Text("random_checks.error.override_reason_required",
                                 draw_id=inspection.random_draw_id,
                                 drawn=_drawn_names(session, drawn)),
                            {**details, "parameter": "override_reason"})
    return override_reason.strip()


def assign(session: Session, inspection_id: int, raw_ids, *, actor: str | None,
           settings: DispatchSettings, calendar: WorkingCalendar | None = None,
           role: str | None = None, override_reason=None) -> dict:
    """Assign a team to a pending inspection; 409 if an officer is no longer available.

    `role` is the actor's role: only an administrator may send other inspectors than a
    random draw's, with `override_reason`."""
    ids = _officer_ids(raw_ids)
    inspection = inspections.get(session, inspection_id, lock=True)
    if inspection.status != "pending":
        raise Conflict(Text("dispatch.error.inspection_not_pending", inspection_id=inspection_id,
                            status=status_text(inspection.status)),
                       {"status": inspection.status})
    override = bound_team(session, inspection, ids, role=role, override_reason=override_reason)
    rows = check_team(session, inspection, ids, settings)
    busy = [r.id for r in rows if r.status != "available"]
    if busy:
        raise Conflict(Text("dispatch.error.officers_busy", officer_ids=busy),
                       {"officer_ids": busy})
    _attach(session, inspection, ids, actor)
    now = inspections.now_utc()
    # The due time first: the calendar's query would flush a half-made change (two UPDATEs).
    due = inspection.due_at or inspections.due_at(  # an urgent complaint's clock runs already
        inspection.priority, now, settings, calendar or WorkingCalendar.load(session))
    inspection.status, inspection.assigned_at, inspection.due_at = "assigned", now, due
    inspection.version += 1
    if override is not None:
        inspection.team_override_reason, inspection.team_override_by = override, actor
        audit.record(session, actor=actor, action="team_override", entity="inspection",
                     entity_id=inspection_id,
                     before={"drawn_officer_ids": sorted(inspection.drawn_officer_ids),
                             "random_draw_id": inspection.random_draw_id},
                     after={"officer_ids": ids, "reason": override})
    audit.record(session, actor=actor, action="assign", entity="inspection",
                 entity_id=inspection_id, before={"status": "pending"},
                 after={"status": "assigned", "officer_ids": ids,
                        "due_at": inspection.due_at.isoformat()})
    return inspections.detail(session, inspection_id)


def _attach(session: Session, inspection: Inspection, ids: list[int], actor: str | None) -> None:
    """The team's assignments, their officers `assigned` (they were checked available under
    the lock `check_team` holds), with their history rows: one statement."""
    session.execute(text(f"""
        WITH old AS (SELECT id, status FROM officers WHERE id = ANY(:ids)), {officers.MOVE_CTES}
        INSERT INTO assignments (inspection_id, officer_id, county_adcode, assigned_by)
        SELECT :inspection_id, id, :county, :actor FROM moved
    """), {"ids": ids, "to": "assigned", "inspection_id": inspection.id, "actor": actor,
           "reason": "assigned", "county": inspection.county_adcode})


def _release(session: Session, inspection: Inspection, reason: str, actor: str | None) -> list:
    """End the active assignments and make their officers available again (locked in id
    order, as `check_team` locks them); returns the officers released. One statement."""
    return session.execute(text(f"""
        WITH released AS (
            UPDATE assignments SET released_at = now(), release_reason = :reason
            WHERE inspection_id = :inspection_id AND released_at IS NULL RETURNING officer_id),
        old AS (SELECT o.id, o.status FROM officers o JOIN released r ON r.officer_id = o.id
                WHERE o.status <> 'available' ORDER BY o.id FOR UPDATE OF o),
        {officers.MOVE_CTES}
        SELECT officer_id FROM released ORDER BY officer_id
    """), {"inspection_id": inspection.id, "reason": reason, "to": "available",
           "actor": actor}).scalars().all()


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput(Text("dispatch.error.reason_required"), {"parameter": "reason"})
    return reason.strip()


def cancel(session: Session, inspection_id: int, reason, *, actor: str | None) -> dict:
    """Cancel a pending or assigned inspection and free its officers."""
    reason = _reason(reason)
    inspection = inspections.get(session, inspection_id, lock=True)
    if inspection.status not in ("pending", "assigned"):
        raise Conflict(Text("dispatch.error.cannot_cancel", inspection_id=inspection_id,
                            status=status_text(inspection.status)), {"status": inspection.status})
    before = inspection.status
    released = _release(session, inspection, f"cancelled: {reason}", actor)
    inspection.status, inspection.closed_reason = "cancelled", reason
    inspection.closed_at = inspections.now_utc()
    inspection.version += 1
    audit.record(session, actor=actor, action="cancel", entity="inspection",
                 entity_id=inspection_id, before={"status": before},
                 after={"status": "cancelled", "reason": reason, "released": released})
    return inspections.detail(session, inspection_id)


def reassign(session: Session, inspection_id: int, raw_ids, reason, *, actor: str | None,
             settings: DispatchSettings, role: str | None = None, override_reason=None) -> dict:
    """Replace the team of an assigned inspection, atomically (a drawn team as in `assign`)."""
    reason = _reason(reason)
    ids = _officer_ids(raw_ids)
    inspection = inspections.get(session, inspection_id, lock=True)
    if inspection.status != "assigned":
        raise Conflict(Text("dispatch.error.inspection_not_assigned", inspection_id=inspection_id,
                            status=status_text(inspection.status)),
                       {"status": inspection.status})
    released = _release(session, inspection, f"reassigned: {reason}", actor)
    session.flush()
    inspection.status = "pending"
    result = assign(session, inspection_id, ids, actor=actor, settings=settings, role=role,
                    override_reason=override_reason)
    audit.record(session, actor=actor, action="reassign", entity="inspection",
                 entity_id=inspection_id, before={"officer_ids": released},
                 after={"officer_ids": ids, "reason": reason})
    return result


def complete(session: Session, inspection_id: int, summary, *, actor: str | None,
             risk_settings: RiskSettings | None = None) -> dict:
    """Close an assigned inspection as done and free its officers."""
    summary = _reason(summary)
    inspection = inspections.get(session, inspection_id, lock=True)
    if inspection.status not in ("assigned", "in_progress"):
        raise Conflict(Text("dispatch.error.cannot_complete", inspection_id=inspection_id,
                            status=status_text(inspection.status)), {"status": inspection.status})
    released = _release(session, inspection, "completed", actor)
    inspection.status, inspection.closed_reason = "done", summary
    inspection.closed_at = inspections.now_utc()
    inspection.version += 1
    session.execute(text("UPDATE employers SET last_inspected_at = now() WHERE id = :e"),
                    {"e": inspection.employer_id})
    jobs.after_own_write(session, [inspection.employer_id], risk_settings)  # days since inspection
    audit.record(session, actor=actor, action="complete", entity="inspection",
                 entity_id=inspection_id, after={"status": "done", "summary": summary,
                                                 "released": released})
    return inspections.detail(session, inspection_id)
