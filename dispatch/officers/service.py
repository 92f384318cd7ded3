"""Officers: the status state machine (with history) and live positions."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.officers.models import OFFICER_STATUSES, Officer, OfficerHistory
from geo.accounts import audit
from geo.areas.service import require_point_in_henan
from geo.core import clock
from geo.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from geo.core.text import Joined, Text

# off_duty → available → assigned → en_route → on_site → available, plus unavailable.
# assigned/en_route → available happens when a dispatcher cancels or reassigns.
TRANSITIONS: dict[str, set[str]] = {
    "off_duty": {"available", "unavailable"},
    "available": {"assigned", "off_duty", "unavailable"},
    "assigned": {"en_route", "available"},
    "en_route": {"on_site", "available"},
    "on_site": {"available"},
    "unavailable": {"available", "off_duty"},
}
# Moves an officer may make on their own; assignment and release belong to dispatch.
SELF_SERVICE = {("off_duty", "available"), ("available", "off_duty"), ("assigned", "en_route"),
                ("en_route", "on_site"), ("on_site", "available"), ("available", "unavailable"),
                ("off_duty", "unavailable"), ("unavailable", "available"),
                ("unavailable", "off_duty")}
ON_A_JOB = ("assigned", "en_route", "on_site")  # each says: on an inspection right now


# "Certified for assignment" (持有效执法证), the one definition every check uses: an inspector,
# certified, active, certificate not expired (valid through certificate_expires_on, invalid
# from 00:00 Beijing the next day) and the annual review (年审) done within
# `certificate_review_days`. A NULL date is a legacy record without dates (the demo and old
# fixtures): it is still certified; a recorded date is enforced. `today` is the Beijing date
# from geo.core.clock, bound as a parameter (never SQL now()), so tests can freeze the clock.
def certified_sql(alias: str = "o") -> str:
    """SQL condition: officer `alias` is certified for assignment (params: certified_params)."""
    a = f"{alias}."
    return (f"({a}kind = 'inspector' AND {a}certified AND {a}active"
            f" AND ({a}certificate_expires_on IS NULL OR {a}certificate_expires_on >= :cert_today)"
            f" AND ({a}certificate_reviewed_on IS NULL"
            f" OR {a}certificate_reviewed_on >= :cert_review_since))")


def certified_params(review_days: int, today: date | None = None) -> dict:
    """The bound parameters of certified_sql for today's Beijing date."""
    today = today or clock.today()
    return {"cert_today": today, "cert_review_since": today - timedelta(days=review_days)}


def review_due_on(reviewed_on: date | None, review_days: int) -> date | None:
    """The last day the annual review (年审) of `reviewed_on` is valid through."""
    return None if reviewed_on is None else reviewed_on + timedelta(days=review_days)


def certificate_status(row, review_days: int, today: date | None = None) -> str:
    """'none' (no 执法证), 'expired', 'review_due' (年审 missed) or 'valid' for one officer
    (an Officer or a row with certified, certificate_expires_on, certificate_reviewed_on)."""
    today = today or clock.today()
    if not row.certified:
        return "none"
    if row.certificate_expires_on is not None and row.certificate_expires_on < today:
        return "expired"
    if (row.certificate_reviewed_on is not None
            and row.certificate_reviewed_on < today - timedelta(days=review_days)):
        return "review_due"
    return "valid"


def is_certified(row, review_days: int, today: date | None = None) -> bool:
    """Python twin of certified_sql for one officer (an Officer or a row with kind, active…)."""
    return (row.kind == "inspector" and bool(row.active)
            and certificate_status(row, review_days, today) == "valid")


def uncertified_reason(row, review_days: int, today: date | None = None) -> Text:
    """Why this officer is not certified for assignment, naming the date where there is one."""
    status = certificate_status(row, review_days, today)
    if row.kind != "inspector":
        return Text("officers.reason.not_inspector")
    if not row.active:
        return Text("officers.reason.inactive")
    if status == "expired":
        return Text("officers.reason.expired", date=row.certificate_expires_on.isoformat())
    if status == "review_due":
        return Text("officers.reason.review_due", date=review_due_on(
            row.certificate_reviewed_on, review_days).isoformat())
    return Text("dispatch.excluded.not_certified")


def status_text(status: str) -> Text:
    """An officer's status in a sentence (en_route → 在途)."""
    return Text(f"dispatch.officer_status.{status}")


def get(session: Session, officer_id: int, *, lock: bool = False) -> Officer:
    q = session.query(Officer).filter(Officer.id == officer_id)
    officer = (q.with_for_update() if lock else q).one_or_none()
    if officer is None:
        raise NotFound(Text("dispatch.error.officer_not_found", officer_id=officer_id),
                       {"officer_id": officer_id})
    return officer


def record_transition(session: Session, officer: Officer, to: str, *, actor: str | None,
                      reason: str | None = None, inspection_id: int | None = None) -> None:
    """History row for a status change already applied to `officer`'s row."""
    session.add(OfficerHistory(officer_id=officer.id, county_adcode=officer.county_adcode,
                               from_status=officer.status, to_status=to, actor=actor,
                               reason=reason, inspection_id=inspection_id))


# Common table expressions that move the officers of a CTE `old` (id, status; locked by the
# caller) to status :to, each with its history row as `record_transition` writes it, in the
# statement that needs them (one round trip for a whole team). `moved` returns id and county.
MOVE_CTES = """
moved AS (UPDATE officers o SET status = :to, version = o.version + 1 FROM old
          WHERE o.id = old.id RETURNING o.id, o.county_adcode, old.status AS was),
history AS (INSERT INTO officer_history (officer_id, county_adcode, from_status, to_status,
                                         inspection_id, actor, reason)
            SELECT id, county_adcode, was, :to, :inspection_id, :actor, :reason FROM moved)
"""


def change_status(session: Session, officer_id: int, to: str, *, actor: str | None,
                  reason: str | None = None, self_service: bool = False) -> Officer:
    """Move an officer to `to` if the state machine allows it from their current status (409)."""
    if to not in OFFICER_STATUSES:
        raise InvalidInput(Text("dispatch.error.one_of", name="status",
                                choices=", ".join(OFFICER_STATUSES)),
                           {"parameter": "status"})
    officer = get(session, officer_id, lock=True)
    current = officer.status
    if to not in TRANSITIONS[current]:
        raise Conflict(Text("dispatch.error.transition_not_allowed", officer_id=officer_id,
                            current=status_text(current), to=status_text(to),
                            allowed=Joined(map(status_text, sorted(TRANSITIONS[current])),
                                           "dispatch.list.comma")),
                       {"from": current, "to": to})
    if self_service and (current, to) not in SELF_SERVICE:
        raise Conflict(Text("dispatch.error.transition_by_dispatcher",
                            current=status_text(current), to=status_text(to)),
                       {"from": current, "to": to})
    # `assigned` means "on an inspection": only the assignment flow (dispatch.assign), which
    # writes the assignment in the same transaction, may say so.
    if to == "assigned":
        raise Conflict(Text("dispatch.error.assigned_only_by_assignment", officer_id=officer_id),
                       {"from": current, "to": to})
    if to in ON_A_JOB and active_inspection(session, officer_id) is None:
        raise Conflict(Text("dispatch.error.no_active_assignment", officer_id=officer_id,
                            to=status_text(to)), {"from": current, "to": to})
    record_transition(session, officer, to, actor=actor, reason=reason)
    officer.status = to
    officer.version += 1
    officer.updated_at = datetime.now(UTC)
    audit.record(session, actor=actor, action="status", entity="officer", entity_id=officer_id,
                 before={"status": current}, after={"status": to, "reason": reason})
    return officer


def active_inspection(session: Session, officer_id: int) -> int | None:
    """The inspection the officer is assigned to now (an unreleased assignment), if any."""
    return session.execute(text("""
        SELECT inspection_id FROM assignments WHERE officer_id = :o AND released_at IS NULL
    """), {"o": officer_id}).scalar()


def employer_editable_by(session: Session, *, user_id: int, role: str, employer_id: int) -> None:
    """Refuse (403) a change to an employer that this user may not make; 404 if it is unknown.

    Inspectors (field staff) change only the employers of the grid(s) of the officer records
    linked to their account; the other roles that may write employers are not limited here.
    Locks the employer row, so it cannot move to another grid before the change is written.
    """
    row = session.execute(text("SELECT grid_id FROM employers WHERE id = :e FOR UPDATE"),
                          {"e": employer_id}).first()
    if row is None:
        raise NotFound(Text("dispatch.error.no_employer_with_id", employer_id=employer_id),
                       {"employer_id": employer_id})
    if role != "inspector":
        return
    mine = session.execute(text("""
        SELECT DISTINCT grid_id FROM officers WHERE user_id = :u AND grid_id IS NOT NULL
        ORDER BY grid_id
    """), {"u": user_id}).scalars().all()
    if not mine:
        raise Forbidden(Text("dispatch.error.account_not_linked_employers"),
                        {"employer_id": employer_id})
    if row.grid_id not in mine:
        raise Forbidden(Text("dispatch.error.employer_not_in_your_grid", employer_id=employer_id),
                        {"employer_id": employer_id, "grid_id": row.grid_id, "your_grids": mine})


def update_position(session: Session, officer_id: int, *, lon, lat, accuracy_m=None,
                    recorded_at: datetime | None = None, actor: str | None) -> Officer:
    """Record a position fix (WGS 84) inside Henan, not in the future, not older than the last."""
    now = datetime.now(UTC)
    recorded_at = recorded_at or now
    if recorded_at.tzinfo is None:
        raise InvalidInput(Text("dispatch.error.recorded_at_zone"),
                           {"parameter": "recorded_at"})
    if recorded_at > now + timedelta(minutes=2):
        raise Unprocessable(Text("dispatch.error.recorded_at_future"),
                            {"parameter": "recorded_at"})
    if accuracy_m is not None and (isinstance(accuracy_m, bool)
                                   or not isinstance(accuracy_m, (int, float))
                                   or not 0 <= accuracy_m <= 10_000):
        raise Unprocessable(Text("dispatch.error.accuracy_range"),
                            {"parameter": "accuracy_m"})
    require_point_in_henan(session, lon, lat)
    officer = get(session, officer_id, lock=True)
    if officer.position_at and recorded_at < officer.position_at:
        raise Conflict(Text("dispatch.error.newer_position"), {
            "position_at": officer.position_at.isoformat()})
    session.execute(text("""
        UPDATE officers SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326), position_at = :at,
                            updated_at = now()
        WHERE id = :id
    """), {"x": float(lon), "y": float(lat), "at": recorded_at, "id": officer_id})
    audit.record(session, actor=actor, action="position", entity="officer", entity_id=officer_id,
                 after={"lon": lon, "lat": lat, "accuracy_m": accuracy_m,
                        "recorded_at": recorded_at.isoformat()})
    session.refresh(officer)
    return officer


def live_geojson(session: Session, counties: list[str] | None, stale_min: float,
                 review_days: int = 365) -> str:
    """Active officers with a position as a GeoJSON FeatureCollection built in PostGIS;
    `certified` is the rule for assignment today (certified_sql), not only the flag."""
    return session.execute(text(f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
          coalesce(json_agg(json_build_object(
            'type', 'Feature', 'id', o.id,
            'geometry', ST_AsGeoJSON(o.geom, 6)::json,
            'properties', json_build_object(
                'id', o.id, 'name', o.name, 'badge', o.badge, 'kind', o.kind,
                'certified', {certified_sql("o")}, 'status', o.status,
                'county_adcode', o.county_adcode,
                'grid_id', o.grid_id, 'updated_at', o.position_at,
                'stale', o.position_at < now() - (:stale * interval '1 minute'))
          ) ORDER BY o.id), '[]'::json))::text
        FROM officers o
        WHERE o.geom IS NOT NULL AND o.active
          AND (CAST(:counties AS text[]) IS NULL OR o.county_adcode = ANY(:counties))
    """), {"counties": counties, "stale": stale_min,
           **certified_params(review_days)}).scalar_one()


def staff_per_grid(session: Session, grid_ids: Sequence[int]) -> dict[int, int]:
    """{grid id: officers working in it} for these grids (geo.grids.staffing.StaffCounts)."""
    return dict(session.execute(text("""
        SELECT grid_id, count(*) FROM officers WHERE grid_id = ANY(:g) GROUP BY grid_id
    """), {"g": list(grid_ids)}).all())


class _GridStaff:
    """geo.grids.staffing.GridStaff over officers: who works in a grid, and moving them
    when their grid is split, merged or redrawn (each move versioned and audited)."""

    @staticmethod
    def members(session: Session, grid_ids: Sequence[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for grid_id, officer_id in session.execute(text(
                "SELECT grid_id, id FROM officers WHERE grid_id = ANY(:g) ORDER BY id "
                "FOR UPDATE"), {"g": list(grid_ids)}):
            out.setdefault(grid_id, []).append(officer_id)
        return out

    @staticmethod
    def move(session: Session, moves: Sequence[tuple[int, int, int | None]], *,
             actor: str | None, reason: str | None) -> list[dict]:
        report = []
        for officer_id, old, new in moves:
            row = session.execute(text("""
                UPDATE officers o SET grid_id = :new, version = version + 1, updated_at = now()
                WHERE id = :o
                RETURNING o.id, o.name, o.kind,
                          (SELECT code FROM grids WHERE id = :new) AS to_code
            """), {"o": officer_id, "new": new}).one()
            audit.record(session, actor=actor, action="follow_grid", entity="officer",
                         entity_id=officer_id, before={"grid_id": old},
                         after={"grid_id": new, "reason": reason})
            report.append({"officer_id": row.id, "name": row.name, "kind": row.kind,
                           "from_grid": old, "to_grid": new, "to_code": row.to_code})
        return report


GRID_STAFF = _GridStaff()
