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
    assert db.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
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


@pytest.mark.parametrize("code", ["not-a-code", "91330100799655058C", "9133010079965505IB"])
def test_a_bad_credit_code_is_refused_by_the_database(db, code):
    with pytest.raises(Exception, match="credit_code_valid"):
        db.execute(text("""
            INSERT INTO employers (credit_code, name, location_source, county_adcode)
            VALUES (:code, 'x', 'survey', '410102')
        """), {"code": code})


def test_the_database_check_agrees_with_python_on_generated_codes(db):
    import numpy as np
    from geo import credit_code
    codes = credit_code.generate(np.array(["410102"] * 300), np.random.default_rng(9))
    codes += ["91330100799655058B"]
    bad = db.execute(text("SELECT c FROM unnest(CAST(:codes AS text[])) c "
                          "WHERE NOT credit_code_valid(c)"), {"codes": codes}).scalars().all()
    assert bad == []


def test_two_workers_starting_the_same_new_cluster_get_one_server():
    import tempfile
    import threading
    root = Path(tempfile.mkdtemp(prefix="lw-race-"))
    results, errors = [], []

    def start():
        try:
            results.append(Cluster(root, fast=True).ensure_running())
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(set(results)) == 1 and len(results) == 3
    finally:
        Cluster(root).destroy()


def test_a_server_whose_socket_vanished_is_restarted():
    import tempfile
    root = Path(tempfile.mkdtemp(prefix="lw-sock-"))
    cluster = Cluster(root, fast=True)
    try:
        url = cluster.ensure_running()
        (cluster.sockdir / ".s.PGSQL.5432").unlink()
        assert cluster.ensure_running() == url
        assert (cluster.sockdir / ".s.PGSQL.5432").exists()
    finally:
        cluster.destroy()


def test_models_match_the_migrated_schema(app):
    """No drift between the ORM models and the Alembic migrations."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from geoalchemy2 import alembic_helpers

    from geo.db import Base

    engine = app.extensions["liangwang"]["engine"]
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "include_object": alembic_helpers.include_object, "compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []
