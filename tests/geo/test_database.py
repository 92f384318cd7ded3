"""The embedded cluster, the migration and the schema's promises."""
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.core import embedded
from geo.core.embedded import Cluster

LARGE_TABLES = ["grids", "employers", "officers", "complaints", "inspections", "assignments",
                "recusals", "grid_history"]


def test_reusing_a_running_cluster_returns_the_same_url_without_initdb_or_start(
        database_url, db, monkeypatch):
    root = Path(database_url.split("host=")[1].split("&")[0]).parent
    started_at = db.execute(text("SELECT pg_postmaster_start_time()")).scalar_one()
    calls = []
    for step in ("_initdb", "_start"):
        monkeypatch.setattr(Cluster, step, lambda self, *a, step=step: calls.append(step))
    assert Cluster(root).ensure_running() == database_url
    assert calls == []
    db.rollback()  # a new transaction, so the answer below is read again from the server
    assert db.execute(text("SELECT pg_postmaster_start_time()")).scalar_one() == started_at


def test_missing_postgis_is_reported_with_the_install_command(monkeypatch):
    monkeypatch.setattr(embedded, "_has_postgis", lambda bindir: False)
    with pytest.raises(embedded.EmbeddedError, match=r"apt-get install -y postgresql "
                                                      r"postgresql-15-postgis-3"):
        embedded.find_bindir()


def test_schema_is_at_the_newest_migration(db):
    from alembic.script import ScriptDirectory

    from geo.core.migrate import alembic_config
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None and int(head) >= 6
    assert db.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
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

    from geo.employers import credit_code
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

    from dispatch.casework.models import EXPRESSION_INDEXES
    from geo.core.db import Base
    from geo.employers.models import EXPRESSION_INDEXES as EMPLOYER_EXPRESSION_INDEXES

    engine = app.extensions["liangwang"]["engine"]
    with engine.connect() as conn:
        def include(obj, name, kind, reflected, compare_to):
            if kind == "index" and name in EXPRESSION_INDEXES + EMPLOYER_EXPRESSION_INDEXES:
                return False  # created by migration 0009, not comparable
            return alembic_helpers.include_object(obj, name, kind, reflected, compare_to)

        ctx = MigrationContext.configure(conn, opts={"include_object": include,
                                                     "compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def failed_complaint_insert(sessions):
    """A complaint insert the database refuses: (the error, the name and phone it carried)."""
    import secrets

    from sqlalchemy.exc import IntegrityError

    name, phone = f"marker-{secrets.token_hex(8)}", f"1{secrets.randbelow(10 ** 10):010d}"
    s = sessions()
    try:
        with pytest.raises(IntegrityError) as caught:  # an unknown category breaks a check
            s.execute(text("""
                INSERT INTO complaints (county_adcode, category, workers_affected, status,
                                        complainant_name, complainant_phone)
                VALUES ('410102', 'no-such-category', 1, 'received', :name, :phone)"""),
                {"name": name, "phone": phone})
    finally:
        s.rollback()
        s.close()
    return caught.value, name, phone


def test_failed_statements_leave_no_personal_data_in_the_server_log(database_url, sessions):
    """psycopg2 sends values inside the statement text, so a logged statement would carry a
    complainant's name and phone; the log shows the error alone and only its owner reads it."""
    log = Cluster(Path(database_url.split("host=")[1].split("&")[0]).parent).logfile
    _, name, phone = failed_complaint_insert(sessions)
    content = log.read_text(errors="replace")
    assert "ck_complaints_category" in content  # the error itself is logged, without the row
    assert name not in content and phone not in content
    assert log.stat().st_mode & 0o777 == 0o600


def test_a_failed_insert_leaves_no_personal_data_in_the_app_log(app, sessions, caplog):
    """The driver's message quotes the row (DETAIL: Failing row contains ...) and SQLAlchemy
    appends the parameters: the app's error log names the error without either."""
    import logging

    from sqlalchemy.exc import IntegrityError

    exc, name, phone = failed_complaint_insert(sessions)
    with app.test_request_context("/api/v1/complaints", method="POST"), \
            caplog.at_level(logging.DEBUG):
        try:  # as Flask calls error handlers: while the exception is being handled
            raise exc
        except IntegrityError as raised:
            response = app.handle_user_exception(raised)
    assert response.status_code == 500
    assert "ck_complaints_category" in caplog.text  # the error is still reported
    assert name not in caplog.text and phone not in caplog.text


def test_every_migration_downgrades_and_upgrades_again(database_url):
    """Down to the schema before casework (0005) and back to the newest, on a database of its
    own in the test cluster: every downgrade undoes exactly what its upgrade did."""
    import uuid

    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from geo.core.migrate import alembic_config
    name = f"lw_roundtrip_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        cfg = alembic_config(url)
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "0005")
        command.upgrade(cfg, "head")
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM check_items")).scalar_one() > 0
            assert conn.execute(text("SELECT count(*) FROM holidays WHERE source = 'official'")
                                ).scalar_one() > 0
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_app_sessions_run_without_jit(db):
    """Short, frequent statements: JIT compilation would cost more than it saves."""
    assert db.execute(text("SHOW jit")).scalar_one() == "off"
