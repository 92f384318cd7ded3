"""Referral to the competent department (移交行业主管部门), the minimal record: from a project
(its warning), a case, a complaint or an incident, to a department of the configured list,
with a deadline for feedback; overdue while no feedback has come by then. The coordination
issue adds receipts, reminders, attachments and incoming referrals on this table."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.projects.models import Referral
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import NotFound, Unprocessable
from geo.core.text import Text

# 住建, 交通, 水利, 教育, 公安, 市场监管, 法院, 其他
DEPARTMENTS = ("housing", "transport", "water", "education", "public_security", "market",
               "court", "other")
PROJECT_DEPARTMENT = {"housing": "housing", "transport": "transport", "water": "water",
                      "other": "other"}
SOURCES = {
    "project": "SELECT county_adcode, id FROM projects WHERE id = :v",
    "case": "SELECT county_adcode, NULL::bigint FROM cases WHERE id = :v",
    "complaint": "SELECT county_adcode, project_id FROM complaints WHERE id = :v",
    "incident": "SELECT county_adcode, NULL::bigint FROM incidents WHERE id = :v",
}


def source_county(session: Session, kind: str, source_id: int) -> tuple[str, int | None]:
    row = session.execute(text(SOURCES[kind]), {"v": source_id}).first()
    if row is None:
        raise NotFound(Text("error.referral.source_missing", kind=Text(f"referral.source.{kind}"),
                            id=source_id), {"source": {"kind": kind, "id": source_id}})
    return row[0], row[1]


def create(session: Session, *, kind: str, source_id: int, department: str, content: str,
           feedback_due_on: date, actor: str | None) -> Referral:
    if department not in DEPARTMENTS:
        raise Unprocessable(Text("error.referral.department", department=department,
                                 choices="、".join(str(Text(f"referral.department.{d}"))
                                                  for d in DEPARTMENTS)),
                            {"parameter": "department", "choices": list(DEPARTMENTS)})
    if feedback_due_on <= clock.today():
        raise Unprocessable(Text("error.referral.due_past", due=feedback_due_on),
                            {"parameter": "feedback_due_on"})
    county, project_id = source_county(session, kind, source_id)
    row = Referral(source_kind=kind, source_id=source_id, project_id=project_id,
                   county_adcode=county, department=department, content=content,
                   feedback_due_on=feedback_due_on, created_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="referral_create", entity="referral",
                 entity_id=row.id, after={"source": f"{kind}:{source_id}",
                                          "department": department,
                                          "due": feedback_due_on.isoformat()})
    return row


def view(row) -> dict:
    today = clock.today()
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    status = get("status")
    return {"id": get("id"), "source": {"kind": get("source_kind"), "id": get("source_id")},
            "project_id": get("project_id"), "county_adcode": get("county_adcode"),
            "department": get("department"), "content": get("content"),
            "feedback_due_on": get("feedback_due_on").isoformat(), "status": status,
            "overdue": status in ("sent", "received") and get("feedback_due_on") < today,
            "feedback": get("feedback"),
            "feedback_on": get("feedback_on") and get("feedback_on").isoformat(),
            "created_by": get("created_by")}


def listing(session: Session, *, counties: list[str] | None, overdue: bool | None,
            project_id: int | None = None) -> list[dict]:
    """Referrals of the area, overdue first, then by deadline."""
    rows = session.execute(text("""
        SELECT * FROM referrals
        WHERE (CAST(:c AS text[]) IS NULL OR county_adcode = ANY(:c))
          AND (CAST(:p AS bigint) IS NULL OR project_id = :p)
          AND (CAST(:o AS boolean) IS NULL OR
               (status IN ('sent', 'received') AND feedback_due_on < :today) = :o)
        ORDER BY (status IN ('sent', 'received') AND feedback_due_on < :today) DESC,
                 feedback_due_on, id
        LIMIT 500
    """), {"c": counties, "p": project_id, "o": overdue, "today": clock.today()}).mappings()
    return [view(dict(r)) for r in rows]


def feedback(session: Session, referral_id: int, *, text_: str, actor: str | None) -> dict:
    row = session.get(Referral, referral_id, with_for_update=True)
    if row is None:
        raise NotFound(Text("error.referral.not_found", id=referral_id), {"referral_id": referral_id})
    row.status, row.feedback, row.feedback_on = "feedback", text_, clock.today()
    row.version += 1
    audit.record(session, actor=actor, action="referral_feedback", entity="referral",
                 entity_id=referral_id)
    return view(row)
