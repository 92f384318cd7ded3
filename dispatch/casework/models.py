"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.inspections.models  # noqa: F401  (foreign-key target)
import dispatch.projects.models  # noqa: F401  (foreign-key target: complaints.project_id)
import geo.employers.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

COMPLAINT_CATEGORIES = ("wage_arrears", "no_contract", "overtime", "social_insurance",
                        "child_labour", "other")
# received → (request_info ⇄ received) → accepted | refused | redirected; accepted → closed.
COMPLAINT_STATUSES = ("received", "info_requested", "accepted", "refused", "redirected", "closed")
OPEN_COMPLAINT_STATUSES = ("received", "info_requested")
DECISIONS = ("accept", "refuse", "request_info", "redirect")
ACCEPT_MODES = ("inspect", "case")
REDIRECT_KINDS = ("jurisdiction", "department")
CASE_OUTCOMES = ("penalty", "order_to_correct", "wages_recovered", "withdrawn", "transferred")
TRANSFER_KINDS = ("public_security", "court", "department", "jurisdiction")
# What a decided case found (grading reads the C triggers; disclosure the categories).
VIOLATIONS = ("wage_arrears", "refused_wages", "social_insurance", "working_hours",
              "women_minors", "child_labour", "forced_labour", "refused_order", "obstruction",
              "social_impact", "other")
SUPERVISION_LEVELS = ("city", "province")
# 错案追究: what a wrong-case review found about each officer's part in a closed case.
REVIEW_FINDINGS = ("no_fault", "minor_fault", "fault", "serious_fault")
# Indexes on expressions that migration 0009 creates (the order of the complaint list:
# undecided first, urgent first, nearest limit, newest); Alembic cannot compare expressions,
# so they are not declared here and the schema test leaves them out.
EXPRESSION_INDEXES = ("ix_complaints_queue", "ix_complaints_county_queue")


class Complaint(Base):
    """A complaint or tip (举报投诉); the complainant's identity is confidential."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(32))
    workers_affected: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str | None] = mapped_column(Text)
    complainant_name: Mapped[str | None] = mapped_column(String(64))
    complainant_phone: Mapped[str | None] = mapped_column(String(32))
    # A complaint about an inspector's conduct names them (评议考核 counts these).
    about_officer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actionable: Mapped[bool] = mapped_column(Boolean, server_default="true")
    not_actionable_reason: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    # Art. 20: the two years run from the end of a continuing violation.
    continuing: Mapped[bool] = mapped_column(Boolean, server_default="false")
    violation_ended_on: Mapped[date | None] = mapped_column(Date)
    mass_incident: Mapped[bool] = mapped_column(Boolean, server_default="false")
    priority: Mapped[str] = mapped_column(String(8), server_default="normal")
    # An urgent complaint's response clock starts at receipt.
    response_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 补正: the acceptance clock stops; the working days left resume when the information arrives.
    paused_on: Mapped[date | None] = mapped_column(Date)
    days_left_at_pause: Mapped[int | None] = mapped_column(Integer)
    # A decision the system proposes and a person confirms: {"decision", "key", "values"}.
    proposal = mapped_column(JSONB)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __table_args__ = (
        CheckConstraint(in_check("category", COMPLAINT_CATEGORIES), name="category"),
        CheckConstraint("workers_affected >= 1", name="workers"),
        CheckConstraint(in_check("status", COMPLAINT_STATUSES), name="status"),
        Index("ix_complaints_county_status_due", "county_adcode", "status", "acceptance_due"),
    )


class ComplaintDecision(Base):
    """One decision on a complaint (部令第25号 Art. 18) and the written notice it produced."""

    __tablename__ = "complaint_decisions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text)
    redirect_to: Mapped[str | None] = mapped_column(String(128))
    redirect_kind: Mapped[str | None] = mapped_column(String(16))
    ground: Mapped[str | None] = mapped_column(String(24))  # why refused
    info_due: Mapped[date | None] = mapped_column(Date)
    info_received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    info_note: Mapped[str | None] = mapped_column(Text)
    notice_no: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # 执法责任制: the officer record(s) of the person who decided.
    responsible_officer_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer),
                                                               server_default="{}")
    __table_args__ = (
        CheckConstraint(in_check("decision", DECISIONS), name="decision"),
        CheckConstraint(f"mode IS NULL OR {in_check('mode', ACCEPT_MODES)}", name="mode"),
        CheckConstraint(f"redirect_kind IS NULL OR {in_check('redirect_kind', REDIRECT_KINDS)}",
                        name="redirect_kind"),
    )


class DocumentNumber(Base):
    """The last number given to a kind of document (文书编号) per county and year."""

    __tablename__ = "document_numbers"
    county_adcode: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    last: Mapped[int] = mapped_column(Integer)
    __table_args__ = (PrimaryKeyConstraint("county_adcode", "year", "kind"),)


class Incident(Base):
    """A mass incident (群体性事件): escalated to the responsible leader, with its complaints."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    workers: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    leader: Mapped[str | None] = mapped_column(String(64))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(64))


class Case(Base):
    """A formal case (立案): 60 working days, extendable once by 30 with approval."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, server_default="false")
    extension_approved_by: Mapped[str | None] = mapped_column(String(64))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_on: Mapped[date | None] = mapped_column(Date)
    supervised: Mapped[bool] = mapped_column(Boolean, server_default="false")  # 挂牌督办
    supervised_note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    handler_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), server_default="{}")  # 承办人
    cross_county_reason: Mapped[str | None] = mapped_column(Text)
    # 中止: the limit stops; the working days left resume with the case.
    suspended_on: Mapped[date | None] = mapped_column(Date)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    days_left_at_suspension: Mapped[int | None] = mapped_column(Integer)
    fine_amount = mapped_column(Numeric(14, 2))
    decision_number: Mapped[str | None] = mapped_column(String(64))  # 文号
    decision_date: Mapped[date | None] = mapped_column(Date)
    correction_deadline: Mapped[date | None] = mapped_column(Date)
    follow_up_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    wages_recovered = mapped_column(Numeric(14, 2))
    workers_paid: Mapped[int | None] = mapped_column(Integer)
    transfer_kind: Mapped[str | None] = mapped_column(String(16))
    transfer_target: Mapped[str | None] = mapped_column(String(128))
    violations: Mapped[list[str]] = mapped_column(ARRAY(String(24)), server_default="{}")
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR {in_check('outcome', CASE_OUTCOMES)}",
                        name="ck_cases_outcome"),
        CheckConstraint("(outcome IS NULL) = (closed_on IS NULL)", name="ck_cases_closed"),
        CheckConstraint("fine_amount IS NULL OR fine_amount > 0", name="fine"),
        CheckConstraint("wages_recovered IS NULL OR wages_recovered > 0", name="wages"),
        CheckConstraint(f"transfer_kind IS NULL OR {in_check('transfer_kind', TRANSFER_KINDS)}",
                        name="transfer_kind"),
        Index("ix_cases_county_open_due", "county_adcode", "due_on",
              postgresql_where=text("closed_on IS NULL")),
        Index("ix_cases_employer_decided", "employer_id", "decision_date",
              postgresql_where=text("outcome IS NOT NULL")),
        CheckConstraint("violations <@ ARRAY[" + ", ".join(repr(v) for v in VIOLATIONS)
                        + "]::varchar[]", name="violations"),
    )


class CaseEvent(Base):
    """One line of a case's timeline: opened, handlers, extended, suspended, closed, …"""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str | None] = mapped_column(String(64))
    detail = mapped_column(JSONB, nullable=False, server_default="{}")
    # 执法责任制: the officers answerable for this act (the case's handlers at the time).
    responsible_officer_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer),
                                                               server_default="{}")


class CaseSupervision(Base):
    """挂牌督办: a higher level supervises an open case until it is lifted (摘牌)."""

    __tablename__ = "case_supervisions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    supervisor: Mapped[str] = mapped_column(String(64))
    deadline: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    conclusion: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint(in_check("level", SUPERVISION_LEVELS), name="level"),
        Index("uq_case_supervisions_active", "case_id", unique=True,
              postgresql_where=text("lifted_at IS NULL")),
    )


class SupervisionReport(Base):
    """A progress report on a supervised case."""

    __tablename__ = "supervision_reports"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    supervision_id: Mapped[int] = mapped_column(
        ForeignKey("case_supervisions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)



class CaseReview(Base):
    """错案追究: a review of a closed case, opened with its grounds, naming the officers
    involved; concluded with a finding per officer and the measures taken."""

    __tablename__ = "case_reviews"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    officer_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    opened_by: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    findings = mapped_column(JSONB)  # {officer id: finding}
    conclusion: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    concluded_by: Mapped[str | None] = mapped_column(String(64))
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __table_args__ = (
        CheckConstraint("cardinality(officer_ids) >= 1", name="officers"),
        CheckConstraint("(concluded_at IS NULL) = (findings IS NULL)", name="concluded"),
        Index("ix_case_reviews_officer_ids", "officer_ids", postgresql_using="gin"),
    )
