"""command centre (issue 4): stored risk scores, their input fingerprints, cached hotspots

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FACTORS = ("grade", "complaints", "violations", "wage_arrears", "social_insurance", "industry",
           "migrants", "inspection")


def upgrade() -> None:
    op.create_table(
        "employer_risk",
        sa.Column("employer_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("score", sa.Numeric(5, 2), nullable=False),
        sa.Column("level", sa.String(8), nullable=True),
        *(sa.Column(f"p_{f}", sa.Numeric(5, 2), nullable=False) for f in FACTORS),
        sa.Column("h3", sa.BigInteger(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("level IS NULL OR level IN ('red', 'orange', 'yellow')",
                           name="ck_employer_risk_level"),
        sa.PrimaryKeyConstraint("employer_id", name="pk_employer_risk"),
    )
    # Only warned employers (a few %) are indexed: cheap to rebuild, and what lists read.
    op.create_index("ix_employer_risk_warnings", "employer_risk", ["county_adcode", "score"],
                    postgresql_where=sa.text("level IS NOT NULL"))
    op.create_table(
        "risk_inputs",
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", name="pk_risk_inputs"),
    )
    op.create_table(
        "hotspot_results",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("area_adcode", sa.String(6), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("res", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("cutoffs", postgresql.JSONB(), nullable=False),
        sa.Column("elapsed_ms", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hotspot_results"),
        sa.UniqueConstraint("area_adcode", "metric", "res", name="uq_hotspot_results_key"),
        sa.CheckConstraint("metric IN ('risk', 'complaints')", name="ck_hotspot_results_metric"),
    )
    op.create_table(
        "hotspot_cells",
        sa.Column("result_id", sa.BigInteger(),
                  sa.ForeignKey("hotspot_results.id", ondelete="CASCADE",
                                name="fk_hotspot_cells_result_id_hotspot_results"),
                  nullable=False),
        sa.Column("h3", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("employers", sa.Integer(), nullable=False),
        sa.Column("z", sa.Float(), nullable=True),
        sa.Column("p", sa.Float(), nullable=True),
        sa.Column("gi_bin", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("result_id", "h3", name="pk_hotspot_cells"),
        sa.CheckConstraint("gi_bin BETWEEN -3 AND 3", name="ck_hotspot_cells_gi_bin"),
    )


def downgrade() -> None:
    op.drop_table("hotspot_cells")
    op.drop_table("hotspot_results")
    op.drop_table("risk_inputs")
    op.drop_index("ix_employer_risk_warnings", table_name="employer_risk")
    op.drop_table("employer_risk")
