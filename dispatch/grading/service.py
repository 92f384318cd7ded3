"""Yearly compliance grading from the record (人社部规〔2016〕1号), set-wise in SQL.

A run grades every employer of an area for one record year (评价年度) from the cases decided
and the incidents received in that year (Beijing dates):
- **C** when any trigger is found: penalised at least `c_penalties` times (default 3); a mass
  incident caused (an incident naming the employer); a decided case that found child or
  forced labour, a refused correction order or decision, or obstruction of an inspection
  (`cases.violations`); criminal liability (a case transferred to public security).
- **B** when penalised at least once without a C trigger.
- **A** otherwise.
Each proposal carries its evidence (case and incident ids, the triggers). A reviewer may change
a proposal with a reason; someone other than the person who started the run approves it, and
the grades become history (employer × year). The employer's current grade is the grade of its
latest graded year; pending scheduled inspections of employers whose grade changed are
re-prioritised and their risk rescored. An employer never graded stays `unrated`.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.analytics.settings import RiskSettings
from dispatch.grading.models import (
    C_TRIGGERS,
    OBJECTION_OUTCOMES,
    EmployerGrade,
    GradeObjection,
    GradingRun,
)
from geo.accounts import audit
from geo.areas import territory as territories
from geo.core import clock
from geo.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from geo.core.text import Text
from geo.employers.models import GRADES

FIRST_YEAR, LAST_YEAR = 2000, 2100
CASE_TRIGGERS = ("child_labour", "forced_labour", "refused_order", "obstruction")
_LOCK = 0x4C57_0013

# The record of the year per employer of the scope, and the grade it gives (:first..:last are
# Beijing dates; :start/:end the same year as instants).
PROPOSE_SQL = """
INSERT INTO grade_proposals (run_id, employer_id, county_adcode, proposed, grade, evidence)
WITH decided AS (
    SELECT c.id, c.employer_id, c.outcome, c.transfer_kind, c.violations
    FROM cases c
    WHERE c.outcome IS NOT NULL AND c.employer_id IS NOT NULL
      AND coalesce(c.decision_date, c.closed_on) BETWEEN :first AND :last
      AND {case_scope}
),
pen AS (
    SELECT employer_id, count(*) AS n, array_agg(id ORDER BY id) AS ids
    FROM decided WHERE outcome = 'penalty' GROUP BY employer_id
),
trig AS (
    SELECT employer_id, array_agg(DISTINCT code ORDER BY code) AS codes,
           array_agg(DISTINCT id ORDER BY id) AS ids
    FROM (SELECT d.employer_id, d.id, v AS code
          FROM decided d, unnest(CAST(d.violations AS text[])) AS v
          WHERE v = ANY(CAST(:case_triggers AS text[]))
          UNION ALL
          SELECT employer_id, id, 'criminal' FROM decided
          WHERE transfer_kind = 'public_security') t
    GROUP BY employer_id
),
inc AS (
    SELECT employer_id, array_agg(id ORDER BY id) AS ids
    FROM incidents
    WHERE employer_id IS NOT NULL AND received_at >= :start AND received_at < :end
      AND {incident_scope}
    GROUP BY employer_id
),
graded AS (
    SELECT e.id, e.county_adcode, pen.n AS penalties, pen.ids AS penalty_cases,
           trig.codes, trig.ids AS trigger_cases, inc.ids AS incidents,
           CASE WHEN coalesce(pen.n, 0) >= :c_penalties OR trig.codes IS NOT NULL
                     OR inc.ids IS NOT NULL THEN 'C'
                WHEN coalesce(pen.n, 0) >= 1 THEN 'B' ELSE 'A' END AS grade
    FROM employers e
    LEFT JOIN pen ON pen.employer_id = e.id
    LEFT JOIN trig ON trig.employer_id = e.id
    LEFT JOIN inc ON inc.employer_id = e.id
    WHERE {employer_scope}
)
SELECT :run, id, county_adcode, grade, grade,
       CASE WHEN grade = 'A' THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object(
           'penalties', coalesce(penalties, 0), 'penalty_cases', to_jsonb(penalty_cases),
           'triggers', to_jsonb(
               CASE WHEN coalesce(penalties, 0) >= :c_penalties
                    THEN ARRAY['penalties'] ELSE '{{}}'::text[] END
               || coalesce(codes, '{{}}'::text[])
               || CASE WHEN incidents IS NOT NULL THEN ARRAY['mass_incident']
                       ELSE '{{}}'::text[] END),
           'trigger_cases', to_jsonb(trigger_cases), 'incidents', to_jsonb(incidents))) END
FROM graded
"""


def _year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise Unprocessable(Text("grading.error.year", first=FIRST_YEAR, last=LAST_YEAR),
                            {"parameter": "year"})
    if year > clock.today().year:  # the current year may be graded on its record so far
        raise Unprocessable(Text("grading.error.year_future", year=year),
                            {"parameter": "year"})
    return year


def start_run(session: Session, *, year: int, area: str, actor: str | None,
              c_penalties: int = 3) -> dict:
    """Propose a grade for every employer of `area` from `year`'s record (this year or past)."""
    year = _year(year)
    scope = territories.load(session, area)
    session.execute(text("SELECT pg_advisory_xact_lock(:k, :y)"), {"k": _LOCK, "y": year})
    run = GradingRun(year=year, area_adcode=scope.adcode, counts={}, started_by=actor)
    session.add(run)
    session.flush()
    start = datetime(year, 1, 1, tzinfo=clock.BEIJING)  # the Beijing year as instants
    end = datetime(year + 1, 1, 1, tzinfo=clock.BEIJING)
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text(PROPOSE_SQL.format(
        case_scope=scope.sql("c.county_adcode"), incident_scope=scope.sql("county_adcode"),
        employer_scope=scope.sql("e.county_adcode"))),
        {"run": run.id, "first": date(year, 1, 1), "last": date(year, 12, 31), "start": start,
         "end": end, "c_penalties": c_penalties, "case_triggers": list(CASE_TRIGGERS),
         **scope.params()})
    run.counts = counts(session, run.id)
    session.flush()
    audit.record(session, actor=actor, action="grading_run", entity="grading_run",
                 entity_id=run.id, after={"year": year, "area": scope.adcode,
                                          "counts": run.counts})
    return describe(run)


def counts(session: Session, run_id: int) -> dict:
    found = dict(session.execute(text(
        "SELECT grade, count(*) FROM grade_proposals WHERE run_id = :r GROUP BY grade"),
        {"r": run_id}).all())
    return {g: int(found.get(g, 0)) for g in GRADES}


def get_run(session: Session, run_id: int, *, lock: bool = False) -> GradingRun:
    stmt = select(GradingRun).where(GradingRun.id == run_id)
    run = session.scalar(stmt.with_for_update() if lock else stmt)
    if run is None:
        raise NotFound(Text("grading.error.run_not_found", id=run_id), {"run_id": run_id})
    return run


def describe(run: GradingRun) -> dict:
    return {"id": run.id, "year": run.year, "area": run.area_adcode, "status": run.status,
            "status_text": Text(f"grading.run_status.{run.status}"),
            "counts": run.counts, "total": sum(run.counts.values()),
            "started_by": run.started_by,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "approved_by": run.approved_by,
            "approved_at": run.approved_at.isoformat() if run.approved_at else None}


def runs(session: Session, *, counties: list[str] | None, territory_adcode: str | None
         ) -> list[dict]:
    """Runs of areas inside the territory, newest first."""
    rows = session.scalars(select(GradingRun).order_by(GradingRun.id.desc()).limit(100)).all()
    if counties is None:
        return [describe(r) for r in rows]
    inside = set(counties) | {territory_adcode}
    return [describe(r) for r in rows if r.area_adcode in inside]


def proposals(session: Session, run_id: int, *, grade: str | None, changed: bool | None,
              page: int, per_page: int = 50) -> dict:
    """A run's proposals, C first, with the employer's name and its evidence."""
    get_run(session, run_id)
    where = ["p.run_id = :r"]
    if grade is not None:
        where.append("p.grade = :g")
    if changed is not None:
        where.append("p.status = 'changed'" if changed else "p.status = 'proposed'")
    sql = " AND ".join(where)
    params = {"r": run_id, "g": grade, "limit": per_page, "offset": (page - 1) * per_page}
    total = session.execute(text(f"SELECT count(*) FROM grade_proposals p WHERE {sql}"),
                            params).scalar_one()
    rows = session.execute(text(f"""
        SELECT p.employer_id, e.name, e.credit_code, p.county_adcode, e.grade AS current,
               p.proposed, p.grade, p.status, p.evidence, p.reason, p.reviewed_by
        FROM grade_proposals p JOIN employers e ON e.id = p.employer_id
        WHERE {sql}
        ORDER BY p.grade DESC, p.employer_id LIMIT :limit OFFSET :offset"""),
        params).mappings().all()
    return {"items": [_proposal(r) for r in rows], "total": total, "page": page,
            "per_page": per_page}


def _proposal(r) -> dict:
    evidence = r["evidence"] or {}
    return {**dict(r), "current_text": grade_text(r["current"]),
            "triggers_text": [Text(f"grading.trigger.{c}") for c in evidence.get("triggers", [])]}


def grade_text(grade: str) -> Text | str:
    return Text("grading.unrated") if grade == "unrated" else grade


def change(session: Session, run_id: int, employer_id: int, *, grade: str, reason: str | None,
           actor: str | None) -> dict:
    """A reviewer sets the grade of one proposal (a reason is required)."""
    run = get_run(session, run_id, lock=True)
    if run.status != "proposed":
        raise Conflict(Text("grading.error.run_approved", id=run_id))
    if grade not in GRADES:
        raise Unprocessable(Text("grading.error.grade", choices=", ".join(GRADES)),
                            {"parameter": "grade"})
    if not reason or not reason.strip():
        raise Unprocessable(Text("grading.error.reason"), {"parameter": "reason"})
    row = session.execute(text("""
        UPDATE grade_proposals SET grade = :g, reason = :reason, reviewed_by = :actor,
               reviewed_at = now(),
               status = CASE WHEN :g = proposed THEN 'proposed' ELSE 'changed' END
        WHERE run_id = :r AND employer_id = :e
        RETURNING employer_id, proposed, grade, status"""),
        {"g": grade, "reason": reason.strip(), "actor": actor, "r": run_id,
         "e": employer_id}).mappings().first()
    if row is None:
        raise NotFound(Text("grading.error.no_proposal", id=employer_id, run=run_id))
    run.counts = counts(session, run_id)
    audit.record(session, actor=actor, action="grade_change", entity="employer",
                 entity_id=employer_id, after={"run_id": run_id, **dict(row),
                                               "reason": reason.strip()})
    return dict(row)


def approve(session: Session, run_id: int, *, actor: str | None,
            risk_settings: RiskSettings) -> dict:
    """Approve a run (not by who started it): its grades become the year's history, the
    employers' current grades follow, scheduled inspections are re-prioritised."""
    run = get_run(session, run_id, lock=True)
    if run.status != "proposed":
        raise Conflict(Text("grading.error.run_approved", id=run_id))
    if actor is not None and actor == run.started_by:
        raise Forbidden(Text("grading.error.own_run"))
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("""
        INSERT INTO employer_grades (employer_id, year, grade, county_adcode, run_id, evidence,
                                     approved_by)
        SELECT employer_id, :y, grade, county_adcode, run_id, evidence, :actor
        FROM grade_proposals WHERE run_id = :r
        ON CONFLICT (employer_id, year) DO UPDATE SET
            grade = EXCLUDED.grade, run_id = EXCLUDED.run_id, evidence = EXCLUDED.evidence,
            approved_by = EXCLUDED.approved_by, approved_at = now()
    """), {"y": run.year, "actor": actor, "r": run_id})
    changed = _follow_history(session, "SELECT employer_id FROM grade_proposals "
                                       "WHERE run_id = :r", {"r": run_id})
    replanned = _replan(session, changed, risk_settings)
    run.status, run.approved_by = "approved", actor
    run.approved_at = clock.now()
    session.flush()
    audit.record(session, actor=actor, action="grading_approve", entity="grading_run",
                 entity_id=run_id, after={"counts": run.counts, "changed": len(changed),
                                          "replanned": replanned})
    return describe(run) | {"grades_changed": len(changed), "inspections_replanned": replanned}


def _follow_history(session: Session, employers_sql: str, params: dict) -> list[int]:
    """Set each employer's current grade to that of its latest graded year; the changed ids."""
    return list(session.execute(text(f"""
        WITH latest AS (
            SELECT DISTINCT ON (g.employer_id) g.employer_id, g.grade
            FROM employer_grades g WHERE g.employer_id IN ({employers_sql})
            ORDER BY g.employer_id, g.year DESC)
        UPDATE employers e SET grade = latest.grade, updated_at = now()
        FROM latest WHERE e.id = latest.employer_id AND e.grade <> latest.grade
        RETURNING e.id"""), params).scalars())


def _replan(session: Session, employer_ids: list[int], risk_settings: RiskSettings) -> int:
    """Pending scheduled inspections of employers whose grade changed: C is high priority."""
    if not employer_ids:
        return 0
    params = {"ids": employer_ids, **risk_settings.supervision.sql_params()}
    n = session.execute(text("""
        UPDATE inspections i SET priority = CASE WHEN
               (CASE WHEN e.grade = 'unrated' THEN CAST(:unrated_as AS text) ELSE e.grade END)
               = 'C' THEN 'high' ELSE 'normal' END
        FROM employers e
        WHERE e.id = i.employer_id AND i.employer_id = ANY(:ids) AND i.kind = 'scheduled'
          AND i.status = 'pending'"""), params).rowcount
    jobs.after_write(session, jobs.counties_of_employers(session, employer_ids), risk_settings)
    return n


def history(session: Session, employer_id: int) -> dict:
    """An employer's approved grades by year and its objections."""
    grades = session.scalars(select(EmployerGrade).where(EmployerGrade.employer_id == employer_id)
                             .order_by(EmployerGrade.year.desc())).all()
    objections = session.scalars(select(GradeObjection).where(
        GradeObjection.employer_id == employer_id).order_by(GradeObjection.id.desc())).all()
    current = session.execute(text("SELECT grade FROM employers WHERE id = :e"),
                              {"e": employer_id}).scalar()
    if current is None:
        raise NotFound(Text("dispatch.error.no_employer_with_id", employer_id=employer_id))
    return {"employer_id": employer_id, "grade": current, "grade_text": grade_text(current),
            "grades": [{"year": g.year, "grade": g.grade, "run_id": g.run_id,
                        "evidence": g.evidence, "approved_by": g.approved_by,
                        "approved_at": g.approved_at.isoformat()} for g in grades],
            "objections": [_objection(o) for o in objections]}


def _objection(o: GradeObjection) -> dict:
    return {"id": o.id, "employer_id": o.employer_id, "year": o.year, "grounds": o.grounds,
            "grade_before": o.grade_before, "received_by": o.received_by,
            "received_at": o.received_at.isoformat() if o.received_at else None,
            "status": "decided" if o.outcome else "open",
            "outcome": o.outcome,
            "outcome_text": Text(f"grading.objection.{o.outcome}") if o.outcome else None,
            "grade_after": o.grade_after, "decision_reason": o.decision_reason,
            "decided_by": o.decided_by,
            "decided_at": o.decided_at.isoformat() if o.decided_at else None}


def object_to(session: Session, employer_id: int, *, year: int, grounds: str | None,
              actor: str | None) -> dict:
    """Record an employer's objection (异议) to its approved grade of `year`."""
    graded = session.scalar(select(EmployerGrade).where(
        EmployerGrade.employer_id == employer_id, EmployerGrade.year == year)
        .with_for_update())
    if graded is None:
        raise Unprocessable(Text("grading.error.not_graded", year=year), {"parameter": "year"})
    if not grounds or not grounds.strip():
        raise Unprocessable(Text("grading.error.grounds"), {"parameter": "grounds"})
    if session.execute(text("SELECT 1 FROM grade_objections WHERE employer_id = :e AND "
                            "year = :y AND outcome IS NULL"),
                       {"e": employer_id, "y": year}).first():
        raise Conflict(Text("grading.error.objection_open", year=year))
    o = GradeObjection(employer_id=employer_id, county_adcode=graded.county_adcode, year=year,
                       grounds=grounds.strip(), grade_before=graded.grade, received_by=actor)
    session.add(o)
    session.flush()
    audit.record(session, actor=actor, action="grade_objection", entity="employer",
                 entity_id=employer_id, after={"objection_id": o.id, "year": year})
    return _objection(o)


def decide_objection(session: Session, objection_id: int, *, outcome: str, grade: str | None,
                     reason: str | None, actor: str | None,
                     risk_settings: RiskSettings) -> dict:
    """Uphold the grade or change it (the year's history changes, and the current grade when
    it is the latest year)."""
    o = session.get(GradeObjection, objection_id, with_for_update=True)
    if o is None:
        raise NotFound(Text("grading.error.objection_not_found", id=objection_id))
    if o.outcome is not None:
        raise Conflict(Text("grading.error.objection_decided", id=objection_id))
    if outcome not in OBJECTION_OUTCOMES:
        raise Unprocessable(Text("grading.error.outcome", choices=", ".join(OBJECTION_OUTCOMES)),
                            {"parameter": "outcome"})
    if not reason or not reason.strip():
        raise Unprocessable(Text("grading.error.reason"), {"parameter": "reason"})
    if outcome == "changed" and (grade not in GRADES or grade == o.grade_before):
        raise Unprocessable(Text("grading.error.new_grade", before=o.grade_before),
                            {"parameter": "grade"})
    now = clock.now()
    o.outcome, o.decision_reason, o.decided_by, o.decided_at = outcome, reason.strip(), actor, now
    o.grade_after = grade if outcome == "changed" else o.grade_before
    session.flush()
    if outcome == "changed":
        session.execute(text("UPDATE employer_grades SET grade = :g, approved_by = :a, "
                             "approved_at = now() WHERE employer_id = :e AND year = :y"),
                        {"g": grade, "a": actor, "e": o.employer_id, "y": o.year})
        changed = _follow_history(session, "SELECT CAST(:e AS bigint)", {"e": o.employer_id})
        _replan(session, changed, risk_settings)
    audit.record(session, actor=actor, action="grade_objection_decide", entity="employer",
                 entity_id=o.employer_id, after={"objection_id": o.id, "outcome": outcome,
                                                 "grade_after": o.grade_after})
    return _objection(o)


__all__ = ["C_TRIGGERS", "start_run", "change", "approve", "proposals", "history",
           "object_to", "decide_objection", "runs", "get_run", "describe"]
