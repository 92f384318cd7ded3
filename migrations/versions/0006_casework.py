"""casework (issue 11): complaint decisions and notices, limitation, pauses, mass incidents,
case outcomes, handlers, suspension, timeline, 挂牌督办, check items and drawn teams, the
holiday calendar's sources and loaded years

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",  # 群体性事件
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("employer_id", sa.BigInteger(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("leader", sa.String(64), nullable=True),
        sa.Column("escalated_at", TZ, nullable=True),
        sa.Column("escalated_by", sa.String(64), nullable=True),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(["employer_id"], ["employers.id"],
                                name="fk_incidents_employer_id_employers"),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_county_adcode", "incidents", ["county_adcode"])
    op.create_index("ix_incidents_employer_id", "incidents", ["employer_id"])

    op.drop_constraint(op.f("ck_complaints_status"), "complaints", type_="check")
    op.create_check_constraint(
        op.f("ck_complaints_status"), "complaints",
        "status IN ('received', 'info_requested', 'accepted', 'refused', 'redirected', 'closed')")
    for column in (
            sa.Column("continuing", sa.Boolean(), server_default=sa.text("false"), nullable=False),
            sa.Column("violation_ended_on", sa.Date(), nullable=True),
            sa.Column("mass_incident", sa.Boolean(), server_default=sa.text("false"),
                      nullable=False),
            sa.Column("priority", sa.String(8), server_default="normal", nullable=False),
            sa.Column("response_due_at", TZ, nullable=True),
            sa.Column("paused_on", sa.Date(), nullable=True),
            sa.Column("days_left_at_pause", sa.Integer(), nullable=True),
            sa.Column("proposal", JSONB(), nullable=True),
            sa.Column("incident_id", sa.BigInteger(), nullable=True),
            sa.Column("decided_at", TZ, nullable=True),
            sa.Column("version", sa.Integer(), server_default="1", nullable=False)):
        op.add_column("complaints", column)
    op.create_foreign_key(op.f("fk_complaints_incident_id_incidents"), "complaints", "incidents",
                          ["incident_id"], ["id"])
    op.create_index("ix_complaints_incident_id", "complaints", ["incident_id"])
    op.create_index("ix_complaints_status", "complaints", ["status"])
    op.create_index("ix_complaints_county_status_due", "complaints",
                    ["county_adcode", "status", "acceptance_due"])
    # Complaints the old code refused automatically for limitation become proposals.
    op.execute("""
        UPDATE complaints SET status = 'received',
               proposal = jsonb_build_object('decision', 'refuse', 'legacy', not_actionable_reason)
        WHERE status = 'refused' AND NOT actionable""")

    op.create_table(
        "complaint_decisions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("complaint_id", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(8), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("redirect_to", sa.String(128), nullable=True),
        sa.Column("redirect_kind", sa.String(16), nullable=True),
        sa.Column("ground", sa.String(24), nullable=True),
        sa.Column("info_due", sa.Date(), nullable=True),
        sa.Column("info_received_at", TZ, nullable=True),
        sa.Column("info_note", sa.Text(), nullable=True),
        sa.Column("notice_no", sa.String(64), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TZ, nullable=False),
        sa.CheckConstraint("decision IN ('accept', 'refuse', 'request_info', 'redirect')",
                           name=op.f("ck_complaint_decisions_decision")),
        sa.CheckConstraint("mode IS NULL OR mode IN ('inspect', 'case')",
                           name=op.f("ck_complaint_decisions_mode")),
        sa.CheckConstraint("redirect_kind IS NULL OR redirect_kind IN "
                           "('jurisdiction', 'department')",
                           name=op.f("ck_complaint_decisions_redirect_kind")),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"],
                                name="fk_complaint_decisions_complaint_id_complaints"),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_decisions"),
    )
    op.create_index("ix_complaint_decisions_complaint_id", "complaint_decisions",
                    ["complaint_id"])
    op.create_table(
        "document_numbers",  # 文书编号
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", "year", "kind", name="pk_document_numbers"),
    )

    op.drop_constraint(op.f("ck_cases_ck_cases_outcome"), "cases", type_="check")
    op.create_check_constraint(
        op.f("ck_cases_ck_cases_outcome"), "cases",
        "outcome IS NULL OR outcome IN ('penalty', 'order_to_correct', 'wages_recovered', "
        "'withdrawn', 'transferred')")
    for column in (
            sa.Column("complaint_id", sa.BigInteger(), nullable=True),
            sa.Column("handler_ids", ARRAY(sa.Integer()), server_default="{}", nullable=False),
            sa.Column("cross_county_reason", sa.Text(), nullable=True),
            sa.Column("suspended_on", sa.Date(), nullable=True),
            sa.Column("suspension_reason", sa.Text(), nullable=True),
            sa.Column("days_left_at_suspension", sa.Integer(), nullable=True),
            sa.Column("fine_amount", sa.Numeric(14, 2), nullable=True),
            sa.Column("decision_number", sa.String(64), nullable=True),
            sa.Column("decision_date", sa.Date(), nullable=True),
            sa.Column("correction_deadline", sa.Date(), nullable=True),
            sa.Column("follow_up_inspection_id", sa.BigInteger(), nullable=True),
            sa.Column("wages_recovered", sa.Numeric(14, 2), nullable=True),
            sa.Column("workers_paid", sa.Integer(), nullable=True),
            sa.Column("transfer_kind", sa.String(16), nullable=True),
            sa.Column("transfer_target", sa.String(128), nullable=True)):
        op.add_column("cases", column)
    op.create_foreign_key(op.f("fk_cases_complaint_id_complaints"), "cases", "complaints",
                          ["complaint_id"], ["id"])
    op.create_foreign_key(op.f("fk_cases_follow_up_inspection_id_inspections"), "cases", "inspections",
                          ["follow_up_inspection_id"], ["id"])
    op.create_index("ix_cases_complaint_id", "cases", ["complaint_id"])
    op.create_index("ix_cases_county_open_due", "cases", ["county_adcode", "due_on"],
                    postgresql_where=sa.text("closed_on IS NULL"))
    op.create_check_constraint(op.f("ck_cases_fine"), "cases", "fine_amount IS NULL OR fine_amount > 0")
    op.create_check_constraint(op.f("ck_cases_wages"), "cases",
                               "wages_recovered IS NULL OR wages_recovered > 0")
    op.create_check_constraint(
        op.f("ck_cases_transfer_kind"), "cases",
        "transfer_kind IS NULL OR transfer_kind IN ('public_security', 'court', 'department', "
        "'jurisdiction')")

    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("detail", JSONB(), server_default="{}", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_events_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "case_supervisions",  # 挂牌督办
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("supervisor", sa.String(64), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=True),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("lifted_at", TZ, nullable=True),
        sa.Column("lifted_by", sa.String(64), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.CheckConstraint("level IN ('city', 'province')", name=op.f("ck_case_supervisions_level")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_supervisions_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_case_supervisions"),
    )
    op.create_index("ix_case_supervisions_case_id", "case_supervisions", ["case_id"])
    op.create_index("uq_case_supervisions_active", "case_supervisions", ["case_id"], unique=True,
                    postgresql_where=sa.text("lifted_at IS NULL"))
    op.create_table(
        "supervision_reports",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("supervision_id", sa.BigInteger(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["supervision_id"], ["case_supervisions.id"], ondelete="CASCADE",
                                name="fk_supervision_reports_supervision_id_case_supervisions"),
        sa.PrimaryKeyConstraint("id", name="pk_supervision_reports"),
    )
    op.create_index("ix_supervision_reports_supervision_id", "supervision_reports",
                    ["supervision_id"])

    op.create_table(
        "check_items",  # 检查事项
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_check_items"),
    )
    for column in (
            sa.Column("random_draw_id", sa.BigInteger(), nullable=True),
            sa.Column("check_item", sa.String(32), nullable=True),
            sa.Column("drawn_officer_ids", ARRAY(sa.Integer()), nullable=True),
            sa.Column("team_override_reason", sa.Text(), nullable=True),
            sa.Column("team_override_by", sa.String(64), nullable=True)):
        op.add_column("inspections", column)
    op.create_foreign_key(op.f("fk_inspections_random_draw_id_random_draws"), "inspections",
                          "random_draws", ["random_draw_id"], ["id"])
    op.create_foreign_key(op.f("fk_inspections_check_item_check_items"), "inspections", "check_items",
                          ["check_item"], ["code"])
    op.create_index("ix_inspections_random_draw_id", "inspections", ["random_draw_id"])

    op.add_column("holidays", sa.Column("source", sa.String(8), server_default="official",
                                        nullable=False))
    op.add_column("holidays", sa.Column("updated_by", sa.String(64), nullable=True))
    op.create_check_constraint(op.f("ck_holidays_source"), "holidays",
                               "source IN ('official', 'admin')")
    op.execute("UPDATE holidays SET source = 'admin'")  # days entered before the seed
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("loaded_at", TZ, nullable=False),
        sa.Column("loaded_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_years"),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
    op.drop_constraint(op.f("ck_holidays_source"), "holidays", type_="check")
    op.drop_column("holidays", "updated_by")
    op.drop_column("holidays", "source")
    op.drop_index("ix_inspections_random_draw_id", table_name="inspections")
    op.drop_constraint(op.f("fk_inspections_check_item_check_items"), "inspections", type_="foreignkey")
    op.drop_constraint(op.f("fk_inspections_random_draw_id_random_draws"), "inspections",
                       type_="foreignkey")
    for name in ("random_draw_id", "check_item", "drawn_officer_ids", "team_override_reason",
                 "team_override_by"):
        op.drop_column("inspections", name)
    op.drop_table("check_items")
    op.drop_table("supervision_reports")
    op.drop_table("case_supervisions")
    op.drop_table("case_events")
    for name in ("ck_cases_fine", "ck_cases_wages", "ck_cases_transfer_kind"):
        op.drop_constraint(op.f(name), "cases", type_="check")
    op.drop_index("ix_cases_county_open_due", table_name="cases")
    op.drop_index("ix_cases_complaint_id", table_name="cases")
    op.drop_constraint(op.f("fk_cases_follow_up_inspection_id_inspections"), "cases", type_="foreignkey")
    op.drop_constraint(op.f("fk_cases_complaint_id_complaints"), "cases", type_="foreignkey")
    for name in ("complaint_id", "handler_ids", "cross_county_reason",
                 "suspended_on", "suspension_reason", "days_left_at_suspension", "fine_amount",
                 "decision_number", "decision_date", "correction_deadline",
                 "follow_up_inspection_id", "wages_recovered", "workers_paid", "transfer_kind",
                 "transfer_target"):
        op.drop_column("cases", name)
    op.execute("DELETE FROM cases WHERE outcome = 'wages_recovered'")
    op.drop_constraint(op.f("ck_cases_ck_cases_outcome"), "cases", type_="check")
    op.create_check_constraint(op.f("ck_cases_ck_cases_outcome"), "cases",
                               "outcome IS NULL OR outcome IN ('penalty', 'order_to_correct', "
                               "'withdrawn', 'transferred')")
    op.drop_table("document_numbers")
    op.drop_table("complaint_decisions")
    op.drop_index("ix_complaints_county_status_due", table_name="complaints")
    op.drop_index("ix_complaints_status", table_name="complaints")
    op.drop_index("ix_complaints_incident_id", table_name="complaints")
    op.drop_constraint(op.f("fk_complaints_incident_id_incidents"), "complaints", type_="foreignkey")
    for name in ("continuing", "violation_ended_on", "mass_incident", "priority",
                 "response_due_at", "paused_on", "days_left_at_pause", "proposal", "incident_id",
                 "decided_at", "version"):
        op.drop_column("complaints", name)
    op.execute("UPDATE complaints SET status = 'received' WHERE status = 'info_requested'")
    op.drop_constraint(op.f("ck_complaints_status"), "complaints", type_="check")
    op.create_check_constraint(
        op.f("ck_complaints_status"), "complaints",
        "status IN ('received', 'accepted', 'refused', 'redirected', 'closed')")
    op.drop_table("incidents")
