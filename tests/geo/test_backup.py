"""`flask --app wsgi backup` / `restore`: on a database of its own in the test cluster, with
demo data and an uploaded file; every table's row count and checksum must come back."""
from __future__ import annotations

import tarfile
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.areas import boundaries
from geo.core import migrate
from geo.core.backup import fingerprints
from geo.core.config import Settings
from geo.core.db import unit_of_work
from tests.conftest import TEST_SECRET


@pytest.fixture(scope="module")
def spare(database_url, tmp_path_factory):
    """(app, url, var) on a new database: migrated, boundaries, 1500 demo employers, one file."""
    from dispatch.demo import seed_demo
    from webapp import create_app

    name = f"lw_backup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # CREATE DATABASE copies template1, which has no PostGIS: the app's cluster adds it.
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    migrate.upgrade(url)
    var = tmp_path_factory.mktemp("backup-var")
    app = create_app(Settings(secret_key=TEST_SECRET, demo=False, var=var), database_url=url)
    with unit_of_work(app.extensions["liangwang"]["sessions"]) as s:
        boundaries.load(s)
        seed_demo(s, employers=1500, seed=11)
    (var / "attachments").mkdir()
    (var / "attachments" / "a1b2c3.pdf").write_bytes(b"%PDF-1.4 an uploaded notice\n")
    app.extensions["liangwang"]["engine"].dispose()
    yield app, url, var
    app.extensions["liangwang"]["engine"].dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def tables_of(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = fingerprints(conn)
    engine.dispose()
    return out


def cli(app, *args):
    app.extensions["liangwang"]["engine"].dispose()
    return app.test_cli_runner().invoke(args=list(args), env={"LANG": "zh_CN.UTF-8"})


def test_backup_delete_restore_brings_back_every_table_and_file(spare, tmp_path):
    app, url, var = spare
    before = tables_of(url)
    assert before["employers"][0] == 1500 and before["grids"][0] > 0
    assert before["complaints"][0] > 0 and "alembic_version" in before
    path = tmp_path / "lw.backup"
    done = cli(app, "backup", str(path))
    assert done.exit_code == 0, done.output
    assert "已备份到" in done.output
    with tarfile.open(path) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.dump", "files/attachments/a1b2c3.pdf"} <= names

    engine = create_engine(url)
    with engine.begin() as conn:  # a bad afternoon: rows deleted, one changed, a table emptied
        conn.execute(text("DELETE FROM assignments"))
        conn.execute(text("TRUNCATE complaints, inspections CASCADE"))
        conn.execute(text("UPDATE employers SET employees = employees + 1 WHERE id % 3 = 0"))
        conn.execute(text("UPDATE grids SET name = name || '（改）' WHERE id = "
                          "(SELECT min(id) FROM grids)"))
        conn.execute(text("INSERT INTO holidays (day, kind, name, source) "
                          "VALUES ('2031-01-02', 'holiday', 'x', 'admin')"))
    engine.dispose()
    (var / "attachments" / "a1b2c3.pdf").unlink()
    (var / "attachments" / "stray.bin").write_bytes(b"not in the backup")
    damaged = tables_of(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        damaged_total = conn.execute(text("SELECT sum(n) FROM data_versions")).scalar()
    engine.dispose()
    assert damaged_total > 0
    assert damaged["employers"] != before["employers"] and damaged["grids"] != before["grids"]

    done = cli(app, "restore", str(path))
    assert done.exit_code == 0, done.output
    assert "校验和与备份一致" in done.output
    restored = tables_of(url)
    # The data versions alone are moved on, past every value handed out before the restore.
    assert {t: v for t, v in restored.items() if t != "data_versions"} == {
        t: v for t, v in before.items() if t != "data_versions"}
    engine = create_engine(url)
    with engine.connect() as conn:
        least = conn.execute(text("SELECT min(s) FROM (SELECT sum(n) AS s FROM data_versions "
                                  "GROUP BY scope, county_adcode) t")).scalar()
    engine.dispose()
    assert least > damaged_total
    assert (var / "attachments" / "a1b2c3.pdf").read_bytes() == b"%PDF-1.4 an uploaded notice\n"
    assert not (var / "attachments" / "stray.bin").exists()


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(spare, tmp_path):
    app, url, var = spare
    before = tables_of(url)
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:  # a tar, but not ours
        other = tmp_path / "notes.txt"
        other.write_text("hello")
        tar.add(other, "notes.txt")
    not_tar = tmp_path / "random.bin"
    not_tar.write_bytes(b"\x00\x01 not a tar at all" * 100)
    for bad in (junk, not_tar, tmp_path / "absent.tar"):
        done = cli(app, "restore", str(bad))
        assert done.exit_code != 0
        assert "未做任何改动" in done.output or "找不到备份文件" in done.output, done.output
    assert tables_of(url) == before
    assert (var / "attachments").exists()


def test_a_damaged_dump_is_refused_before_anything_changes(spare, tmp_path):
    app, url, var = spare
    before = tables_of(url)
    good = tmp_path / "good.backup"
    assert cli(app, "backup", str(good)).exit_code == 0
    bad = tmp_path / "bad.backup"
    with tarfile.open(good) as src, tarfile.open(bad, "w") as dst:
        for m in src.getmembers():
            data = src.extractfile(m).read()
            if m.name == "database.dump":
                data = data[: len(data) // 3]  # cut short, as a failed copy would be
                m.size = len(data)
            import io
            dst.addfile(m, io.BytesIO(data))
    done = cli(app, "restore", str(bad))
    assert done.exit_code != 0 and "未做任何改动" in done.output, done.output
    assert tables_of(url) == before


def test_restore_refuses_while_the_app_is_connected_unless_forced(spare, tmp_path):
    app, url, var = spare
    path = tmp_path / "busy.backup"
    assert cli(app, "backup", str(path)).exit_code == 0
    engine = create_engine(url)
    conn = engine.connect()  # a running web worker
    try:
        conn.execute(text("SELECT 1"))
        done = cli(app, "restore", str(path))
        assert done.exit_code != 0 and "其他连接" in done.output, done.output
        done = cli(app, "restore", "--force", str(path))
        assert done.exit_code == 0, done.output
    finally:
        conn.invalidate()
        engine.dispose()


def test_backup_never_overwrites_a_file(spare, tmp_path):
    app, url, var = spare
    path = tmp_path / "kept.backup"
    path.write_bytes(b"yesterday's backup")
    done = cli(app, "backup", str(path))
    assert done.exit_code != 0 and "已存在" in done.output
    assert path.read_bytes() == b"yesterday's backup"
