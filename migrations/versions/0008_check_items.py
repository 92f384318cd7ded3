"""check items: the standard list of 双随机 check items (检查事项) with their legal basis

Draws recorded before it named their check item in words; a draw whose words are the name
of a listed item now carries its code, and the inspections those draws opened (described
"双随机抽查 #<draw>: …") are linked to their draw and item. Their drawn inspectors are not
filled in: teams assigned before this release stay as they are.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import insert

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ART_11 = "《劳动保障监察条例》第十一条"
ITEMS = [
    ("labour_contract", "劳动合同签订",
     f"《中华人民共和国劳动合同法》第十条、第八十二条；{ART_11}第（二）项"),
    ("wage_payment", "工资支付",
     f"《中华人民共和国劳动法》第五十条；{ART_11}第（六）项、第二十六条；"
     "《保障农民工工资支付条例》（国务院令第724号）"),
    ("minimum_wage", "最低工资",
     f"《中华人民共和国劳动法》第四十八条；《最低工资规定》（劳动和社会保障部令第21号）；"
     f"{ART_11}第（六）项"),
    ("working_hours", "工作时间和休息休假",
     f"《中华人民共和国劳动法》第三十六条至第四十五条；《国务院关于职工工作时间的规定》；"
     f"{ART_11}第（五）项、第二十五条"),
    ("social_insurance", "社会保险",
     f"《中华人民共和国社会保险法》第五十八条、第六十条、第八十四条、第八十六条；"
     f"{ART_11}第（七）项"),
    ("child_labour", "禁止使用童工",
     f"《中华人民共和国劳动法》第十五条；《禁止使用童工规定》（国务院令第364号）；"
     f"{ART_11}第（三）项"),
    ("women_minors", "女职工和未成年工特殊劳动保护",
     f"《中华人民共和国劳动法》第五十八条至第六十五条；《女职工劳动保护特别规定》"
     f"（国务院令第619号）；《未成年工特殊保护规定》；{ART_11}第（四）项、第二十三条"),
    ("rosters", "职工名册",
     "《中华人民共和国劳动合同法》第七条；《中华人民共和国劳动合同法实施条例》第八条、"
     "第三十三条"),
    ("wage_deposit", "农民工工资保证金",
     "《保障农民工工资支付条例》（国务院令第724号）第三十二条、第五十五条；"
     "《工程建设领域农民工工资保证金规定》（人社部发〔2021〕65号）"),
]
CODES = [code for code, _, _ in ITEMS]

check_items = sa.table("check_items", sa.column("code", sa.String), sa.column("name", sa.String),
                       sa.column("legal_basis", sa.Text), sa.column("active", sa.Boolean))


def upgrade() -> None:
    # An item an administrator already entered under the same code keeps its wording.
    op.execute(insert(check_items).values(
        [{"code": c, "name": n, "legal_basis": b, "active": True} for c, n, b in ITEMS]
    ).on_conflict_do_nothing(index_elements=["code"]))
    op.execute("""
        UPDATE random_draws d SET check_item = c.code FROM check_items c
        WHERE d.check_item = c.name""")
    op.execute("""
        UPDATE inspections i SET random_draw_id = d.id,
               check_item = CASE WHEN EXISTS (SELECT 1 FROM check_items c
                                              WHERE c.code = d.check_item)
                                 THEN d.check_item END
        FROM random_draws d
        WHERE i.kind = 'random' AND i.random_draw_id IS NULL
          AND i.description ~ '^双随机抽查 #[0-9]{1,18}: '
          AND d.id = CAST(substring(i.description FROM '^双随机抽查 #([0-9]{1,18}): ') AS bigint)
          AND d.employer_pool @> ARRAY[i.employer_id]""")


def downgrade() -> None:
    codes = sa.bindparam("codes", CODES, type_=sa.ARRAY(sa.String))
    op.get_bind().execute(sa.text(
        "UPDATE inspections SET check_item = NULL WHERE check_item = ANY(:codes)"
    ).bindparams(codes))
    op.get_bind().execute(sa.text("""
        UPDATE random_draws d SET check_item = c.name FROM check_items c
        WHERE d.check_item = c.code AND c.code = ANY(:codes)""").bindparams(codes))
    op.get_bind().execute(sa.text(
        "DELETE FROM check_items WHERE code = ANY(:codes)").bindparams(codes))
