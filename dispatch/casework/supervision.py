"""挂牌督办: a higher level (city or province) supervises an open case with a supervisor and a
deadline, receives progress reports, and lifts the supervision (摘牌) with a conclusion. One
supervision at a time per case; the list per level puts overdue supervision first."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.casework.cases import check_open, event, get, plain, require_reason
from dispatch.casework.models import (
    SUPERVISION_LEVELS,
    Case,
    CaseSupervision,
    SupervisionReport,
)
from geo.core import clock
from geo.core.errors import Conflict, InvalidInput, Unprocessable
from geo.core.text import Text


def supervise(session: Session, case_id: int, *, level: str, supervisor: str | None,
              deadline: date | None, note: str | None, actor: str | None) -> Case:
    """Put an open case under a higher level's supervision until it is lifted."""
    if level not in SUPERVISION_LEVELS:
        raise InvalidInput(Text("dispatch.error.one_of", name="level",
                                choices=", ".join(SUPERVISION_LEVELS)), {"parameter": "level"})
    if not supervisor or not supervisor.strip():
        raise Unprocessable(Text("casework.error.supervisor_required"),
                            {"parameter": "supervisor"})
    note = require_reason(note, "note")
    if deadline is None:
        raise Unprocessable(Text("webapp.field.required", name="deadline"),
                            {"parameter": "deadline"})
    if deadline < clock.today():
        raise Unprocessable(Text("casework.error.deadline_past"), {"parameter": "deadline"})
    case = get(session, case_id, lock=True)
    check_open(case)
    active = _active_supervision(session, case_id)
    if active is not None:
        raise Conflict(Text("casework.error.already_supervised", case_id=case_id,
                            level=Text(f"casework.supervision_level.{active.level}")),
                       {"status": "supervised"})
    row = CaseSupervision(case_id=case_id, level=level, supervisor=supervisor.strip(),
                          deadline=deadline, note=note, opened_by=actor, opened_at=clock.now())
    session.add(row)
    case.supervised, case.supervised_note = True, note
    case.version += 1
    session.flush()
    event(session, case, "supervise", actor, level=level, supervisor=row.supervisor,
          deadline=deadline, note=note, supervision_id=row.id)
    return case


def _active_supervision(session: Session, case_id: int) -> CaseSupervision | None:
    return session.query(CaseSupervision).filter(
        CaseSupervision.case_id == case_id, CaseSupervision.lifted_at.is_(None)) \
        .with_for_update().one_or_none()


def report(session: Session, case_id: int, *, body: str | None, actor: str | None) -> Case:
    """A progress report to the supervising level."""
    body = require_reason(body, "text")
    case = get(session, case_id, lock=True)
    active = _active_supervision(session, case_id)
    if active is None:
        raise Conflict(Text("casework.error.not_supervised", case_id=case_id),
                       {"status": "not_supervised"})
    session.add(SupervisionReport(supervision_id=active.id, at=clock.now(), actor=actor,
                                  body=body))
    event(session, case, "supervision_report", actor, text=body, supervision_id=active.id)
    return case


def lift(session: Session, case_id: int, *, conclusion: str | None, actor: str | None) -> Case:
    """摘牌: lift the supervision with a conclusion."""
    conclusion = require_reason(conclusion, "conclusion")
    case = get(session, case_id, lock=True)
    active = _active_supervision(session, case_id)
    if active is None:
        raise Conflict(Text("casework.error.not_supervised", case_id=case_id),
                       {"status": "not_supervised"})
    active.lifted_at, active.lifted_by, active.conclusion = clock.now(), actor, conclusion
    case.supervised = False
    case.version += 1
    event(session, case, "lift", actor, conclusion=conclusion, supervision_id=active.id)
    return case


def supervisions(session: Session, *, counties: list[str] | None, level: str | None,
                 today: date) -> list[dict]:
    """Cases under supervision, per supervising level, overdue ones first."""
    rows = session.execute(text("""
        SELECT s.id, s.case_id, s.level, s.supervisor, s.deadline, s.note, s.opened_at,
               c.county_adcode, a.name AS county_name, e.name AS employer_name, c.due_on,
               (SELECT max(r.at) FROM supervision_reports r WHERE r.supervision_id = s.id)
                 AS last_report_at
        FROM case_supervisions s JOIN cases c ON c.id = s.case_id
        LEFT JOIN employers e ON e.id = c.employer_id
        LEFT JOIN admin_areas a ON a.adcode = c.county_adcode
        WHERE s.lifted_at IS NULL
          AND (CAST(:l AS text) IS NULL OR s.level = :l)
          AND (CAST(:c AS text[]) IS NULL OR c.county_adcode = ANY(:c))
        ORDER BY s.deadline < :today DESC, s.deadline, s.id"""),
        {"l": level, "c": counties, "today": today}).mappings().all()
    return [{**{k: plain(v) for k, v in r.items()},
             "level_text": Text(f"casework.supervision_level.{r['level']}"),
             "overdue": r["deadline"] < today} for r in rows]
