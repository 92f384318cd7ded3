"""Compliance grading (守法诚信等级评价, 人社部规〔2016〕1号): yearly runs that propose a
grade per employer from the year's record, reviewed and approved into a history
(employer × year), and objections (异议) against an approved grade."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import geo.employers.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check
from geo.employers.models import GRADES

RUN_STATUSES = ("proposed", "approved")
PROPOSAL_STATUSES = ("proposed", "changed")
OBJECTION_OUTCOMES = ("upheld", "changed")  # 维持 / 变更
# What makes a C, as recorded on cases (cases.violations) or found in the record.
C_TRIGGERS = ("penalties", "mass_incident", "child_labour", "forced_labour", "refused_order",
              "obstruction", "criminal")


class GradingRun(Base):
    """One grading of an area for a year's record: proposals, then one approval."""

    __tablename__ = "grading_runs"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)  # the record year graded (评价年度)
    area_adcode: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[str] = mapped_column(String(12), server_default="proposed")
    counts = mapped_column(JSONB, nullable=False)  # {"A": n, "B": n, "C": n}
    started_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (CheckConstraint(in_check("status", RUN_STATUSES), name="status"),)


class GradeProposal(Base):
    """The grade a run proposes for one employer, with its evidence; a reviewer may change it
    (with a reason) before the run is approved."""

    __tablename__ = "grade_proposals"
    run_id: Mapped[int] = mapped_column(ForeignKey("grading_runs.id", ondelete="CASCADE"),
                                        primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    county_adcode: Mapped[str] = mapped_column(String(6))
    proposed: Mapped[str] = mapped_column(String(1))
    grade: Mapped[str] = mapped_column(String(1))  # as proposed, or as the reviewer changed it
    evidence = mapped_column(JSONB)  # {"penalties": [case ids], "incidents": [...], "triggers": [...]}
    status: Mapped[str] = mapped_column(String(8), server_default="proposed")
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(in_check("proposed", GRADES), name="proposed"),
        CheckConstraint(in_check("grade", GRADES), name="grade"),
        CheckConstraint(in_check("status", PROPOSAL_STATUSES), name="status"),
        Index("ix_grade_proposals_run_grade", "run_id", "grade"),
    )


class EmployerGrade(Base):
    """An approved grade: one per employer and record year (the history)."""

    __tablename__ = "employer_grades"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    county_adcode: Mapped[str] = mapped_column(String(6))
    run_id: Mapped[int | None] = mapped_column(BigInteger)
    evidence = mapped_column(JSONB)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    __table_args__ = (
        UniqueConstraint("employer_id", "year", name="uq_employer_grades_employer_year"),
        CheckConstraint(in_check("grade", GRADES), name="grade"),
    )


class GradeObjection(Base):
    """异议: an employer contests an approved grade; the outcome upholds or changes it."""

    __tablename__ = "grade_objections"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"),
                                             index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    grounds: Mapped[str] = mapped_column(Text)
    grade_before: Mapped[str] = mapped_column(String(1))
    received_by: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    outcome: Mapped[str | None] = mapped_column(String(8))
    grade_after: Mapped[str | None] = mapped_column(String(1))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(f"outcome IS NULL OR {in_check('outcome', OBJECTION_OUTCOMES)}",
                        name="outcome"),
        CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)", name="decided"),
    )
