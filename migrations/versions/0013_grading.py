"""compliance grading and disclosure (issue 13): employers may be unrated; the violations a
case found; grading runs, proposals with evidence, the approved grade history and objections
(异议); disclosure lists and entries (重大劳动保障违法行为社会公布)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
VIOLATIONS = ("wage_arrears", "refused_wages", "social_insurance", "working_hours",
              "women_minors", "child_labour", "forced_labour", "refused_order", "obstruction",
              "social_impact", "other")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Existing letters stay (nobody can tell now which were graded); new rows are unrated.
    op.drop_constraint(op.f("ck_employers_grade"), "employers", type_="check")
    op.alter_column("employers", "grade", type_=sa.String(8), server_default="unrated")
    op.create_check_constraint(op.f("ck_employers_grade"), "employers",
                               _in("grade", ("A", "B", "C", "unrated")))
    op.add_column("cases", sa.Column("violations", ARRAY(sa.String(24)), server_default="{}",
                                     nullable=False))
    op.create_check_constraint(
        op.f("ck_cases_violations"), "cases",
        "violations <@ ARRAY[" + ", ".join(repr(v) for v in VIOLATIONS) + "]::varchar[]")
    op.create_index("ix_cases_employer_decided", "cases", ["employer_id", "decision_date"],
                    postgresql_where=sa.text("outcome IS NOT NULL"))
    op.create_table(
        "grading_runs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("area_adcode", sa.String(6), nullable=False),
        sa.Column("status", sa.String(12), server_default="proposed", nullable=False),
        sa.Column("counts", JSONB(), nullable=False),
        sa.Column("started_by", sa.String(64), nullable=True),
        sa.Column("started_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("approved_at", TZ, nullable=True),
        sa.CheckConstraint("status IN ('proposed', 'approved')",
                           name=op.f("ck_grading_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grading_runs")),
    )
    op.create_index(op.f("ix_grading_runs_area_adcode"), "grading_runs", ["area_adcode"])
    op.create_table(
        "grade_proposals",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("proposed", sa.String(1), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("evidence", JSONB(), nullable=True),
        sa.Column("status", sa.String(8), server_default="proposed", nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(64), nullable=True),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.CheckConstraint("proposed IN ('A', 'B', 'C')", name=op.f("ck_grade_proposals_proposed")),
        sa.CheckConstraint("grade IN ('A', 'B', 'C')", name=op.f("ck_grade_proposals_grade")),
        sa.CheckConstraint("status IN ('proposed', 'changed')",
                           name=op.f("ck_grade_proposals_status")),
        sa.ForeignKeyConstraint(["run_id"], ["grading_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_grade_proposals_run_id_grading_runs")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], ondelete="CASCADE",
                                name=op.f("fk_grade_proposals_employer_id_employers")),
        sa.PrimaryKeyConstraint("run_id", "employer_id", name=op.f("pk_grade_proposals")),
    )
    op.create_index(op.f("ix_grade_proposals_employer_id"), "grade_proposals", ["employer_id"])
    op.create_index("ix_grade_proposals_run_grade", "grade_proposals", ["run_id", "grade"])
    op.create_table(
        "employer_grades",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("evidence", JSONB(), nullable=True),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("approved_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("grade IN ('A', 'B', 'C')", name=op.f("ck_employer_grades_grade")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], ondelete="CASCADE",
                                name=op.f("fk_employer_grades_employer_id_employers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_grades")),
        sa.UniqueConstraint("employer_id", "year", name="uq_employer_grades_employer_year"),
    )
    op.create_table(
        "grade_objections",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("grade_before", sa.String(1), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=True),
        sa.Column("received_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=True),
        sa.Column("grade_after", sa.String(1), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'changed')",
                           name=op.f("ck_grade_objections_outcome")),
        sa.CheckConstraint("(outcome IS NULL) = (decided_at IS NULL)",
                           name=op.f("ck_grade_objections_decided")),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], ondelete="CASCADE",
                                name=op.f("fk_grade_objections_employer_id_employers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_objections")),
    )
    op.create_index(op.f("ix_grade_objections_employer_id"), "grade_objections", ["employer_id"])
    op.create_index(op.f("ix_grade_objections_county_adcode"), "grade_objections",
                    ["county_adcode"])

    op.create_table(
        "disclosure_lists",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("area_adcode", sa.String(6), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), server_default="draft", nullable=False),
        sa.Column("drafted_by", sa.String(64), nullable=True),
        sa.Column("drafted_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=True),
        sa.Column("approved_at", TZ, nullable=True),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", TZ, nullable=True),
        sa.CheckConstraint("status IN ('draft', 'approved', 'published')",
                           name=op.f("ck_disclosure_lists_status")),
        sa.CheckConstraint("level IN ('county', 'city', 'province')",
                           name=op.f("ck_disclosure_lists_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_lists")),
        sa.UniqueConstraint("area_adcode", "period", name="uq_disclosure_lists_area_period"),
    )
    op.create_index(op.f("ix_disclosure_lists_area_adcode"), "disclosure_lists",
                    ["area_adcode"])
    op.create_table(
        "disclosure_entries",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("list_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("employer_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("legal_representative", sa.String(64), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("withdrawn_at", TZ, nullable=True),
        sa.Column("withdrawn_by", sa.String(64), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("sort", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("category IN ('wage_arrears', 'social_insurance', 'working_hours', "
                           "'women_minors', 'child_labour', 'social_impact', 'other')",
                           name=op.f("ck_disclosure_entries_category")),
        sa.ForeignKeyConstraint(["list_id"], ["disclosure_lists.id"], ondelete="CASCADE",
                                name=op.f("fk_disclosure_entries_list_id_disclosure_lists")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"],
                                name=op.f("fk_disclosure_entries_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_entries")),
        sa.UniqueConstraint("list_id", "case_id", name="uq_disclosure_entries_list_case"),
    )
    op.create_index(op.f("ix_disclosure_entries_list_id"), "disclosure_entries", ["list_id"])
    op.create_index(op.f("ix_disclosure_entries_case_id"), "disclosure_entries", ["case_id"])


def downgrade() -> None:
    for table in ("disclosure_entries", "disclosure_lists", "grade_objections",
                  "employer_grades", "grade_proposals", "grading_runs"):
        op.drop_table(table)
    op.drop_index("ix_cases_employer_decided", "cases")
    op.drop_constraint(op.f("ck_cases_violations"), "cases", type_="check")
    op.drop_column("cases", "violations")
    op.drop_constraint(op.f("ck_employers_grade"), "employers", type_="check")
    op.execute("UPDATE employers SET grade = 'A' WHERE grade = 'unrated'")
    op.alter_column("employers", "grade", type_=sa.String(1), server_default="A")
    op.create_check_constraint(op.f("ck_employers_grade"), "employers", "grade IN ('A', 'B', 'C')")
