"""The embedded cluster, the migration and the schema's promises."""
from pathlib import Path

import pytest
from sqlalchemy import text

from geo import embedded
from geo.embedded import Cluster

LARGE_TABLES = ["grids", "employers", "officers", "complaints", "inspections", "assignments",
                "recusals", "grid_history"]


def test_reusing_a_running_cluster_returns_the_same_url_quickly(database_url):
    root = Path(database_url.split("host=")[1].split("&")[0]).parent
    import time
    started = time.monotonic()
    assert Cluster(root).ensure_running() == database_url
    assert time.monotonic() - started < 2


def test_missing_postgis_is_reported_with_the_install_command(monkeypatch):
    monkeypatch.setattr(embedded, "_has_postgis", lambda bindir: False)
    with pytest.raises(embedded.EmbeddedError, match=r"apt-get install -y postgresql "
                                                      r"postgresql-15-postgis-3"):
        embedded.find_bindir()


def test_schema_is_at_the_newest_migration(db):
    assert db.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
    assert db.execute(text("SELECT postgis_lib_version()")).scalar_one().startswith("3.")


def test_every_geometry_column_has_a_gist_index(db):
    rows = db.execute(text("""
        SELECT f_table_name, f_geometry_column FROM geometry_columns
        WHERE f_table_schema = 'public' AND f_table_name <> 'grid_history'
    """)).all()
    assert len(rows) >= 6
    for table, column in rows:
        indexed = db.execute(text("""
            SELECT count(*) FROM pg_indexes
            WHERE tablename = :t AND indexdef ILIKE '%USING gist%' AND indexdef LIKE :c
        """), {"t": table, "c": f"%({column})%"}).scalar_one()
        assert indexed, f"{table}.{column} has no GiST index"


@pytest.mark.parametrize("table", LARGE_TABLES)
def test_large_tables_carry_the_county_distribution_key(db, table):
    cols = db.execute(text("""
        SELECT column_name FROM information_schema.columns WHERE table_name = :t
    """), {"t": table}).scalars().all()
    assert "county_adcode" in cols


def test_a_bad_credit_code_is_refused_by_the_database(db):
    with pytest.raises(Exception, match="credit_code_format"):
        db.execute(text("""
            INSERT INTO employers (credit_code, name, location_source, county_adcode)
            VALUES ('not-a-code', 'x', 'survey', '410102')
        """))
