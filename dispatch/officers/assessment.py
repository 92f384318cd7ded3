"""Training records (培训) and the yearly assessment (评议考核) of officers.

The figures of a year are computed from the record, in Beijing calendar years:
inspections done (completion = the officer's assignment released 'completed' on an inspection
now 'done'), on time (completed at or before the inspection's due_at), cases handled (the
officer among the case's handlers, opened in the year), closed within the deadline
(closed_on <= due_on), complaints about the officer (complaints naming them, received in the
year) and training hours (courses held in the year). An administrator stores the figures as a
draft assessment and a reviewer then grades it.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.officers.models import ASSESSMENT_GRADES, Assessment, Officer, Training
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Text

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_HOURS = Decimal("1000")
# Grades whose reviewer must say why (基本称职, 不称职).
COMMENT_REQUIRED = ("basically_competent", "incompetent")
NOTES: tuple[str, ...] = ()


def _officer(session: Session, officer_id: int) -> Officer:
    officer = session.get(Officer, officer_id) if 0 < officer_id < 2 ** 31 else None
    if officer is None:
        raise NotFound(Text("assessment.error.officer_not_found", officer_id=officer_id),
                       {"officer_id": officer_id})
    return officer


def check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Unprocessable(Text("assessment.error.year_range", first=FIRST_YEAR, last=LAST_YEAR),
                            {"parameter": "year"})
    return year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a Beijing calendar year as timezone-aware instants."""
    return (datetime(year, 1, 1, tzinfo=clock.BEIJING),
            datetime(year + 1, 1, 1, tzinfo=clock.BEIJING))


def _hours(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Unprocessable(Text("assessment.error.hours"), {"parameter": "hours"})
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        raise Unprocessable(Text("assessment.error.hours"), {"parameter": "hours"}) from None
    if not hours.is_finite() or not Decimal(0) < hours <= MAX_HOURS \
            or hours != hours.quantize(Decimal("0.1")):
        raise Unprocessable(Text("assessment.error.hours"), {"parameter": "hours"})
    return hours.quantize(Decimal("0.1"))


def _number(value: Decimal | None) -> float:
    return float(value or 0)


def _training(row: Training) -> dict:
    return {"id": row.id, "officer_id": row.officer_id, "course": row.course,
            "hours": _number(row.hours), "held_on": row.held_on.isoformat(),
            "provider": row.provider, "created_by": row.created_by,
            "created_at": row.created_at.isoformat() if row.created_at else None}


def add_training(session: Session, officer_id: int, *, course: str, hours, held_on: date,
                 provider: str | None, actor: str | None) -> dict:
    """Record a course an officer attended (held on a past or today's Beijing date)."""
    _officer(session, officer_id)
    course = (course or "").strip()
    if not course:
        raise Unprocessable(Text("assessment.error.course_required"), {"parameter": "course"})
    amount = _hours(hours)
    if held_on > clock.today():
        raise Unprocessable(Text("assessment.error.held_in_future", held_on=held_on.isoformat()),
                            {"parameter": "held_on"})
    row = Training(officer_id=officer_id, course=course, hours=amount, held_on=held_on,
                   provider=(provider or "").strip() or None, created_by=actor,
                   created_at=clock.now())
    session.add(row)
    session.flush()
    out = _training(row)
    audit.record(session, actor=actor, action="add_training", entity="officer",
                 entity_id=officer_id, after=out)
    return out


def trainings(session: Session, officer_id: int) -> dict:
    """An officer's training records, newest first, and the hours of each year."""
    _officer(session, officer_id)
    rows = session.scalars(select(Training).where(Training.officer_id == officer_id)
                           .order_by(Training.held_on.desc(), Training.id.desc())).all()
    by_year: dict[int, Decimal] = {}
    for row in rows:
        by_year[row.held_on.year] = by_year.get(row.held_on.year, Decimal(0)) + row.hours
    return {"officer_id": officer_id, "items": [_training(r) for r in rows],
            "hours_by_year": [{"year": y, "hours": _number(h)}
                              for y, h in sorted(by_year.items(), reverse=True)],
            "total_hours": _number(sum(by_year.values(), Decimal(0)))}


def _rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _empty() -> dict:
    return {"inspections_done": 0, "inspections_with_due": 0, "inspections_on_time": 0,
            "on_time_rate": None, "cases_handled": 0, "cases_closed": 0,
            "cases_closed_in_time": 0, "closed_in_time_rate": None, "complaints_about": 0,
            "training_hours": 0.0, "notes": list(NOTES)}


def figures_many(session: Session, officer_ids: list[int], year: int) -> dict[int, dict]:
    """The figures of a Beijing calendar year for several officers at once (set-based)."""
    start, end = year_bounds(year)
    out = {oid: {"year": year, **_empty()} for oid in officer_ids}
    if not officer_ids:
        return out
    p = {"o": list(officer_ids), "start": start, "end": end,
         "first": date(year, 1, 1), "last": date(year, 12, 31)}
    for oid, done, with_due, on_time in session.execute(text("""
        WITH done AS (
            SELECT a.officer_id, i.id, i.due_at, max(a.released_at) AS completed_at
            FROM assignments a JOIN inspections i ON i.id = a.inspection_id
            WHERE a.officer_id = ANY(:o) AND a.release_reason = 'completed'
              AND i.status = 'done'
            GROUP BY a.officer_id, i.id, i.due_at
        )
        SELECT officer_id, count(*), count(due_at), count(*) FILTER (WHERE completed_at <= due_at)
        FROM done WHERE completed_at >= :start AND completed_at < :end
        GROUP BY officer_id
    """), p):
        out[oid].update(inspections_done=done, inspections_with_due=with_due,
                        inspections_on_time=on_time, on_time_rate=_rate(on_time, with_due))
    for oid, handled, closed, in_time in session.execute(text("""
        SELECT o.id, count(*), count(c.closed_on),
               count(*) FILTER (WHERE c.closed_on <= c.due_on)
        FROM unnest(CAST(:o AS integer[])) AS o(id)
        JOIN cases c ON o.id = ANY(c.handler_ids)
        WHERE c.opened_on BETWEEN :first AND :last
        GROUP BY o.id
    """), p):
        out[oid].update(cases_handled=handled, cases_closed=closed, cases_closed_in_time=in_time,
                        closed_in_time_rate=_rate(in_time, handled))
    for oid, n in session.execute(text("""
        SELECT about_officer_id, count(*) FROM complaints
        WHERE about_officer_id = ANY(:o) AND received_at >= :start AND received_at < :end
        GROUP BY about_officer_id
    """), p):
        out[oid]["complaints_about"] = n
    for oid, hours in session.execute(text("""
        SELECT officer_id, sum(hours) FROM officer_trainings
        WHERE officer_id = ANY(:o) AND held_on BETWEEN :first AND :last
        GROUP BY officer_id
    """), p):
        out[oid]["training_hours"] = _number(hours)
    return out


def figures(session: Session, officer_id: int, year: int) -> dict:
    """The figures of one officer for a Beijing calendar year, computed from the record."""
    _officer(session, officer_id)
    return figures_many(session, [officer_id], check_year(year))[officer_id]


def _with_text(figs: dict) -> dict:
    """Stored figures with their notes written for a person."""
    notes = [{"code": code, "text": Text(f"assessment.note.{code}")}
             for code in figs.get("notes", [])]
    return {**figs, "notes": notes}


def grade_text(grade: str | None) -> Text | None:
    return Text(f"assessment.grade.{grade}") if grade else None


def _assessment(row: Assessment) -> dict:
    return {"id": row.id, "officer_id": row.officer_id, "year": row.year,
            "figures": _with_text(row.figures), "grade": row.grade,
            "grade_text": grade_text(row.grade), "comment": row.comment,
            "reviewer": row.reviewer,
            "reviewed_at": row.reviewed_at.isoformat() if row.reviewed_at else None,
            "status": "reviewed" if row.grade else "draft",
            "status_text": Text("assessment.status.reviewed" if row.grade
                                else "assessment.status.draft")}


def _find(session: Session, officer_id: int, year: int, *, lock: bool = False):
    q = select(Assessment).where(Assessment.officer_id == officer_id, Assessment.year == year)
    return session.scalars(q.with_for_update() if lock else q).one_or_none()


def create_assessment(session: Session, officer_id: int, year, *, actor: str | None) -> dict:
    """Compute the year's figures and store them as a draft assessment (409 if one exists)."""
    year = check_year(year)
    _officer(session, officer_id)
    session.execute(text("SELECT id FROM officers WHERE id = :o FOR UPDATE"), {"o": officer_id})
    if _find(session, officer_id, year) is not None:
        raise Conflict(Text("assessment.error.exists", officer_id=officer_id, year=year),
                       {"officer_id": officer_id, "year": year})
    figs = figures_many(session, [officer_id], year)[officer_id]
    row = Assessment(officer_id=officer_id, year=year, figures=figs)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="create_assessment", entity="officer",
                 entity_id=officer_id, after={"year": year, "figures": figs})
    return _assessment(row)


def review(session: Session, officer_id: int, year: int, *, grade, comment,
           actor: str | None) -> dict:
    """A reviewer's grade (and comment) on an assessment; the reviewer and time are recorded."""
    _officer(session, officer_id)
    row = _find(session, officer_id, year, lock=True) \
        if FIRST_YEAR <= year <= LAST_YEAR else None
    if row is None:
        raise NotFound(Text("assessment.error.not_found", officer_id=officer_id, year=year),
                       {"officer_id": officer_id, "year": year})
    if grade is None:
        raise Unprocessable(Text("assessment.error.grade_required"), {"parameter": "grade"})
    if grade not in ASSESSMENT_GRADES:
        raise Unprocessable(Text("assessment.error.grade_unknown",
                                 choices=", ".join(ASSESSMENT_GRADES)), {"parameter": "grade"})
    comment = (comment or "").strip() or None
    if grade in COMMENT_REQUIRED and comment is None:
        raise Unprocessable(Text("assessment.error.comment_required", grade=grade_text(grade)),
                            {"parameter": "comment"})
    before = {"grade": row.grade, "comment": row.comment, "reviewer": row.reviewer}
    row.grade, row.comment, row.reviewer, row.reviewed_at = grade, comment, actor, clock.now()
    session.flush()
    audit.record(session, actor=actor, action="review_assessment", entity="officer",
                 entity_id=officer_id, before={"year": year, **before},
                 after={"year": year, "grade": grade, "comment": comment, "reviewer": actor})
    return _assessment(row)


def assessments(session: Session, officer_id: int) -> dict:
    """An officer's assessments, newest year first."""
    _officer(session, officer_id)
    rows = session.scalars(select(Assessment).where(Assessment.officer_id == officer_id)
                           .order_by(Assessment.year.desc())).all()
    return {"officer_id": officer_id, "items": [_assessment(r) for r in rows]}


SUMMED = ("inspections_done", "inspections_with_due", "inspections_on_time", "cases_handled",
          "cases_closed", "cases_closed_in_time", "complaints_about")


def unit_report(session: Session, counties: list[str] | None, year: int) -> dict:
    """Per unit (county): its officers with the year's figures and grade, and unit totals.

    Figures are computed now from the record; `assessment` tells whether a draft or a reviewed
    assessment is stored. Unit case totals add the officers' figures (a case with two handlers
    counts for each).
    """
    year = check_year(year)
    q = text("""
        SELECT o.id, o.badge, o.name, o.kind, o.active, o.county_adcode, a.name AS county_name
        FROM officers o
        LEFT JOIN admin_areas a ON a.level = 'county' AND a.adcode = o.county_adcode
        WHERE (CAST(:all AS boolean) OR o.county_adcode = ANY(:c))
        ORDER BY o.county_adcode, o.badge
    """)
    officers = session.execute(q, {"all": counties is None,
                                   "c": list(counties or [])}).mappings().all()
    ids = [o["id"] for o in officers]
    figs = figures_many(session, ids, year)
    stored = {r.officer_id: r for r in session.scalars(
        select(Assessment).where(Assessment.officer_id.in_(ids), Assessment.year == year))} \
        if ids else {}
    units: dict[str, dict] = {}
    for o in officers:
        unit = units.setdefault(o["county_adcode"], {
            "county_adcode": o["county_adcode"], "county_name": o["county_name"],
            "officers": [], "totals": {"officers": 0, **{k: 0 for k in SUMMED},
                                       "training_hours": Decimal(0),
                                       "grades": {g: 0 for g in ASSESSMENT_GRADES},
                                       "ungraded": 0}})
        row = stored.get(o["id"])
        f = figs[o["id"]]
        unit["officers"].append({
            "id": o["id"], "badge": o["badge"], "name": o["name"], "kind": o["kind"],
            "active": o["active"], "figures": _with_text(f),
            "assessment": None if row is None else ("reviewed" if row.grade else "draft"),
            "grade": row.grade if row else None,
            "grade_text": grade_text(row.grade) if row else None})
        totals = unit["totals"]
        totals["officers"] += 1
        for k in SUMMED:
            totals[k] += f[k]
        totals["training_hours"] += Decimal(str(f["training_hours"]))
        if row is not None and row.grade:
            totals["grades"][row.grade] += 1
        else:
            totals["ungraded"] += 1
    for unit in units.values():
        t = unit["totals"]
        t["training_hours"] = _number(t["training_hours"])
        t["on_time_rate"] = _rate(t["inspections_on_time"], t["inspections_with_due"])
        t["closed_in_time_rate"] = _rate(t["cases_closed_in_time"], t["cases_handled"])
    return {"year": year, "units": list(units.values()),
            "notes": [{"code": c, "text": Text(f"assessment.note.{c}")} for c in NOTES]}

