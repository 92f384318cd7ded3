"""accountability (执法责任制, issue 12): the officers answerable for each case act and
complaint decision; wrong-case reviews (错案追究) of closed cases

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    for table in ("case_events", "complaint_decisions"):
        op.add_column(table, sa.Column("responsible_officer_ids", ARRAY(sa.Integer()),
                                       server_default="{}", nullable=False))
    # Acts recorded before: the case's handlers answer for them.
    op.execute("UPDATE case_events e SET responsible_officer_ids = c.handler_ids "
               "FROM cases c WHERE c.id = e.case_id")
    op.add_column("complaints", sa.Column("about_officer_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_complaints_about_officer_id"), "complaints", ["about_officer_id"])
    op.create_table(
        "case_reviews",  # 错案追究
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("officer_ids", ARRAY(sa.Integer()), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=True),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("findings", JSONB(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("concluded_by", sa.String(64), nullable=True),
        sa.Column("concluded_at", TZ, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("cardinality(officer_ids) >= 1", name=op.f("ck_case_reviews_officers")),
        sa.CheckConstraint("(concluded_at IS NULL) = (findings IS NULL)",
                           name=op.f("ck_case_reviews_concluded")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name=op.f("fk_case_reviews_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_reviews")),
    )
    op.create_index(op.f("ix_case_reviews_case_id"), "case_reviews", ["case_id"])
    op.create_index("ix_case_reviews_officer_ids", "case_reviews", ["officer_ids"],
                    postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("case_reviews")
    op.drop_index(op.f("ix_complaints_about_officer_id"), "complaints")
    op.drop_column("complaints", "about_officer_id")
    for table in ("case_events", "complaint_decisions"):
        op.drop_column(table, "responsible_officer_ids")
