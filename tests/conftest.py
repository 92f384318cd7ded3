"""Test session: a throwaway PostGIS cluster, migrated, with boundaries and a small demo set."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
import time_machine
from flask.testing import FlaskClient

from geo.accounts import service as accounts
from geo.accounts.models import ROLES
from geo.areas import boundaries
from geo.core import migrate
from geo.core.config import ROOT, Settings
from geo.core.db import unit_of_work
from geo.core.embedded import Cluster

PASSWORD = "correct-horse-battery-staple"
TEST_SECRET = "test-secret-key-not-for-production"
DEMO_EMPLOYERS = 6000
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture()
def beijing_day(app, tokens):
    """Move the clock to 10:00 Beijing time on a given day: `beijing_day("2026-11-30")`.

    Legal dates come from geo.clock, which reads the moved time (it keeps ticking). Bearer
    tokens are re-issued at the moved time, since a token from "the future" is refused.
    PostgreSQL's now() does not move: tests that travel compare dates computed in Python.
    """
    travellers, saved = [], dict(tokens)

    def travel(day: str):
        t = time_machine.travel(f"{day}T10:00:00+08:00", tick=True)
        t.start()
        travellers.append(t)
        tokens.update(sign_in_every_role(app))

    yield travel
    for t in reversed(travellers):
        t.stop()
    tokens.update(saved)


@pytest.fixture(scope="session")
def database_url():
    """A fresh cluster in a temporary folder, removed at the end of the session."""
    root = Path(tempfile.mkdtemp(prefix="lw-test-"))
    cluster = Cluster(root, fast=True)
    try:
        yield cluster.ensure_running()
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(secret_key=TEST_SECRET, demo=False, var=tmp_path_factory.mktemp("var"),
                    login_max_failures=5, login_window_s=900,
                    public_per_minute=100_000)  # the portal's limit has its own test


@pytest.fixture(scope="session")
def app(database_url, settings):
    from dispatch.demo import seed_demo
    from webapp import create_app

    migrate.upgrade(database_url)
    app = create_app(settings, database_url=database_url)
    app.config["TESTING"] = True
    app.test_client_class = EnglishAPIClient
    sessions = app.extensions["liangwang"]["sessions"]
    with unit_of_work(sessions) as s:
        boundaries.load(s)
        seed_demo(s, employers=DEMO_EMPLOYERS, seed=7)
        for role in ROLES:
            accounts.create_user(s, username=f"test-{role}", password=PASSWORD, role=role,
                                 actor="tests")
    yield app
    app.extensions["liangwang"]["engine"].dispose()


@pytest.fixture(scope="session")
def sessions(app):
    return app.extensions["liangwang"]["sessions"]


@pytest.fixture()
def db(sessions):
    """A session for assertions; rolled back afterwards."""
    s = sessions()
    try:
        yield s
    finally:
        s.rollback()
        s.close()


class EnglishAPIClient(FlaskClient):
    """Asks /api/ for English unless a test names a language: the older tests read English
    messages. Tests of the Chinese default send their own Accept-Language, or an empty one
    (`headers={"Accept-Language": ""}`) to send none at all."""

    def open(self, *args, **kwargs):
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        headers = dict(kwargs.pop("headers", None) or {})
        if path.startswith("/api/") and not any(k.lower() == "accept-language" for k in headers):
            headers["Accept-Language"] = "en"
        for k in [k for k, v in headers.items() if k.lower() == "accept-language" and v == ""]:
            del headers[k]
        return super().open(*args, headers=headers, **kwargs)


@pytest.fixture()
def client(app):
    return app.test_client()


def sign_in_every_role(app, prefix: str = "test") -> dict[str, str]:
    """A bearer token per role, for the accounts `<prefix>-<role>`."""
    c = app.test_client()
    out = {}
    for role in ROLES:
        r = c.post("/api/v1/auth/token",
                   json={"username": f"{prefix}-{role}", "password": PASSWORD})
        assert r.status_code == 200, r.get_json()
        out[role] = r.get_json()["token"]
    return out


@pytest.fixture(scope="session")
def tokens(app) -> dict[str, str]:
    """A bearer token per role."""
    return sign_in_every_role(app)


def unique(prefix: str) -> str:
    """A name no other test (or earlier run) uses, e.g. for a test's own user account."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app, database_url):
    """The app under gunicorn with two workers, as `make run` serves it."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=TEST_SECRET,
               LIANGWANG_DEMO="0", PYTHONPATH=str(ROOT))
    log = open(tempfile.mktemp(prefix="lw-gunicorn-", suffix=".log"), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not start; see {log.name}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
