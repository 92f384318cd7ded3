"""official holidays: the State Council schedule (chinese-calendar) for every year it covers

Public holidays and make-up working days become rows with source 'official', named by the
holiday's code (national_day; the catalog gives 国庆节); days an administrator entered
(source 'admin') stay as they are. Each covered year is recorded in calendar_years.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from importlib.metadata import version

import sqlalchemy as sa
from alembic import op
from chinese_calendar import constants
from sqlalchemy.dialects.postgresql import insert

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HOLIDAYS = sa.table("holidays", sa.column("day", sa.Date), sa.column("kind", sa.String),
                    sa.column("name", sa.String), sa.column("source", sa.String),
                    sa.column("updated_by", sa.String))
YEARS = sa.table("calendar_years", sa.column("year", sa.Integer), sa.column("source", sa.String),
                 sa.column("loaded_at", sa.DateTime(timezone=True)),
                 sa.column("loaded_by", sa.String))


def _official_days() -> list[dict]:
    code = {h.value: h.name for h in constants.Holiday}
    days = {d: ("holiday", code[n]) for d, n in constants.holidays.items()}
    days.update({d: ("workday", code[n]) for d, n in constants.workdays.items()})
    return [{"day": d, "kind": kind, "name": name, "source": "official"}
            for d, (kind, name) in sorted(days.items())]


def upgrade() -> None:
    days = _official_days()
    stmt = insert(HOLIDAYS).values(days)
    op.get_bind().execute(stmt.on_conflict_do_update(
        index_elements=["day"],
        set_={"kind": stmt.excluded.kind, "name": stmt.excluded.name, "updated_by": None},
        where=HOLIDAYS.c.source == "official"))
    years = sorted({d["day"].year for d in days})
    loaded_by = f"chinese-calendar {version('chinese-calendar')}"
    op.get_bind().execute(insert(YEARS).values(
        [{"year": y, "source": "official", "loaded_at": sa.func.now(), "loaded_by": loaded_by}
         for y in years]).on_conflict_do_nothing(index_elements=["year"]))


def downgrade() -> None:
    op.execute("DELETE FROM calendar_years WHERE source = 'official'")
    op.execute("DELETE FROM holidays WHERE source = 'official'")
