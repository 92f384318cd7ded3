"""data_versions: an append-only tally per (table, county) written by the writes themselves

Statement-level triggers with transition tables add a row (n = 1) for every county a
statement touched, once per statement, in the writer's transaction (a bulk import of
200,000 rows adds one row per county). TRUNCATE adds a row for the table's county ''.
Appending takes no lock another writer waits for (an UPDATE of one counter row per county
would make every writer of a county wait for the longest open transaction that wrote
there). A version is the sum of n; the scheduled compaction folds rows into one per key
without changing the sums. Readers (tile cache, conditional GETs, risk-input fingerprints)
sum instead of scanning the tables: geo.core.versions.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# table → scope, for tables with a county_adcode column
COUNTY_TABLES = {"employers": "employers", "grids": "grids", "complaints": "complaints",
                 "cases": "cases", "employer_risk": "employer_risk"}

BUMP = """
CREATE FUNCTION bump_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO data_versions (scope, county_adcode, n) VALUES (TG_ARGV[0], '', 1);
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO data_versions (scope, county_adcode, n)
        SELECT DISTINCT TG_ARGV[0], coalesce(county_adcode, ''), 1 FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO data_versions (scope, county_adcode, n)
        SELECT DISTINCT TG_ARGV[0], coalesce(county_adcode, ''), 1 FROM old_rows;
    ELSE
        INSERT INTO data_versions (scope, county_adcode, n)
        SELECT TG_ARGV[0], c, 1 FROM (SELECT coalesce(county_adcode, '') AS c FROM old_rows
                                      UNION SELECT coalesce(county_adcode, '') FROM new_rows) t;
    END IF;
    RETURN NULL;
END $$;
"""
# Tables without counties (the administrative boundaries): one row per table, bumped by
# every statement that writes it.
BUMP_TABLE = """
CREATE FUNCTION bump_table_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (scope, county_adcode, n) VALUES (TG_ARGV[0], '', 1);
    RETURN NULL;
END $$;
"""
# A row of officers changing grid or county (rare): a row trigger with a WHEN clause, since
# transition tables cannot be combined with a column list.
BUMP_ROW = """
CREATE FUNCTION bump_data_version_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_versions (scope, county_adcode, n)
    SELECT DISTINCT TG_ARGV[0], unnest(ARRAY[coalesce(OLD.county_adcode, ''),
                                             coalesce(NEW.county_adcode, '')]), 1;
    RETURN NULL;
END $$;
"""


def _county_triggers(table: str, scope: str, update: bool = True) -> None:
    events = [("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows")]
    if update:
        events.append(("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"))
    for event, ref in events:
        op.execute(f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                   f"REFERENCING {ref} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION bump_data_versions('{scope}')")
    op.execute(f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION bump_data_versions('{scope}')")


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("county_adcode", sa.String(6), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_data_versions_key", "data_versions", ["scope", "county_adcode"])
    op.execute(BUMP)
    op.execute(BUMP_ROW)
    op.execute(BUMP_TABLE)
    op.execute("CREATE TRIGGER admin_areas_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON admin_areas FOR EACH STATEMENT EXECUTE FUNCTION bump_table_version('admin_areas')")
    op.execute("INSERT INTO data_versions (scope, county_adcode, n) "
               "VALUES ('admin_areas', '', 1)")
    for table, scope in COUNTY_TABLES.items():
        _county_triggers(table, scope)
    # Officers: only who staffs which grid counts (grid, county, kind, active: the grids
    # layer's staff and the staffing KPIs); live positions and statuses change all day and
    # must not invalidate them.
    _county_triggers("officers", "officer_grids", update=False)
    op.execute("CREATE TRIGGER officers_version_update AFTER UPDATE OF grid_id, county_adcode, "
               "kind, active ON officers FOR EACH ROW WHEN ("
               "OLD.grid_id IS DISTINCT FROM NEW.grid_id "
               "OR OLD.county_adcode IS DISTINCT FROM NEW.county_adcode "
               "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.active IS DISTINCT FROM NEW.active) "
               "EXECUTE FUNCTION bump_data_version_row('officer_grids')")
    # Start every county of existing data at 1, so a first read has something to sum.
    for table, scope in (*COUNTY_TABLES.items(), ("officers", "officer_grids")):
        op.execute(f"INSERT INTO data_versions (scope, county_adcode, n) "
                   f"SELECT '{scope}', coalesce(county_adcode, ''), 1 FROM {table} GROUP BY 1, 2")


def downgrade() -> None:
    for table in (*COUNTY_TABLES, "officers"):
        for name in ("insert", "delete", "update", "truncate"):
            op.execute(f"DROP TRIGGER {table}_version_{name} ON {table}")
    op.execute("DROP TRIGGER admin_areas_version ON admin_areas")
    op.execute("DROP FUNCTION bump_table_version()")
    op.execute("DROP FUNCTION bump_data_versions()")
    op.execute("DROP FUNCTION bump_data_version_row()")
    op.drop_table("data_versions")
