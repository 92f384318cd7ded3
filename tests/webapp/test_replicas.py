"""DATABASE_REPLICA_URLS: a real hot standby of the test cluster (pg_basebackup -R, streaming).

Replay is paused on the standby, then a row is written on the primary: a `@replica_reads`
view still counts the old rows (it read the standby), a write and the sign-in go to the
primary; replay resumes and the view catches up; the standby is stopped and reads come
from the primary again, without an error.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geo.core import embedded
from geo.core.config import Settings
from geo.core.db import unit_of_work
from tests.conftest import TEST_SECRET, bearer, sign_in_every_role
from tests.dispatch_fixtures import add_employer

ITEMS = "/ogc/collections/employers/items?limit=1"


@pytest.fixture(scope="module")
def standby(database_url):
    primary = Path(database_url.split("host=")[1].split("&")[0])  # <root>/run
    cluster = embedded.Cluster(Path(tempfile.mkdtemp(prefix="lw-standby-")), fast=True)
    bindir, user = embedded.find_bindir(), embedded._server_user()
    cluster._prepare_dirs(user)
    out = cluster._run([bindir / "pg_basebackup", "-D", cluster.datadir, "-h", primary,
                        "-p", str(embedded.PORT), "-U", embedded.SUPERUSER, "-R",
                        "-X", "stream", "-c", "fast"], user)
    assert out.returncode == 0, out.stderr
    cluster._start(bindir, user)
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def routed(app, database_url, standby, tmp_path_factory):
    from webapp import create_app
    replica_app = create_app(Settings(secret_key=TEST_SECRET, demo=False,
                                      var=tmp_path_factory.mktemp("replica-var"),
                                      database_replica_urls=standby.url),
                             database_url=database_url)
    yield replica_app
    for sessions in replica_app.extensions["liangwang"]["replicas"]:
        sessions.kw["bind"].dispose()
    replica_app.extensions["liangwang"]["engine"].dispose()


def matched(client, token) -> int:
    r = client.get(ITEMS, headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["numberMatched"]


def wait_for(predicate, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.2)


def test_reads_go_to_the_standby_writes_to_the_primary_and_a_dead_standby_is_skipped(
        routed, standby, sessions, db):
    client = routed.test_client()
    token = sign_in_every_role(routed)["command"]  # sign-in writes: on the primary
    replica = create_engine(standby.url, isolation_level="AUTOCOMMIT")
    with replica.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
        primary_count = db.execute(text(
            "SELECT count(*) FROM employers WHERE geom IS NOT NULL")).scalar_one()
        wait_for(lambda: matched(client, token) == primary_count)
        conn.execute(text("SELECT pg_wal_replay_pause()"))
        try:
            with unit_of_work(sessions) as s:  # a write on the primary while replay waits
                lon, lat = s.execute(text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM "
                    "admin_areas WHERE adcode = '410185') t")).one()
                added = add_employer(s, lon=lon, lat=lat, county="410185")
            assert matched(client, token) == primary_count  # the standby's (old) answer
            # a view that is not marked reads the primary, inside the same app
            me = client.get("/api/v1/me", headers=bearer(token))
            assert me.status_code == 200
        finally:
            conn.execute(text("SELECT pg_wal_replay_resume()"))
        wait_for(lambda: matched(client, token) == primary_count + 1)
    replica.dispose()

    standby.stop()
    for sessions_ in routed.extensions["liangwang"]["replicas"]:
        sessions_.kw["bind"].dispose()  # pooled connections to the stopped server
    assert matched(client, token) == primary_count + 1  # from the primary, no error
    health = client.get("/healthz").get_json()
    assert health["database"]["role"] == "primary"
    assert health["database"]["replicas_configured"] == 1
    with unit_of_work(sessions) as s:  # leave 410185 as the other tests expect it
        s.execute(text("DELETE FROM employers WHERE id = :e"), {"e": added})
