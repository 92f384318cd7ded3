"""A database outage answers 503 with Retry-After, logs one line, and heals by itself."""
import logging
from pathlib import Path

from sqlalchemy import text

from geo.core.embedded import Cluster
from tests.conftest import bearer

URLS = ["/api/v1/inspections?area=410102", "/api/v1/kpis?area=410102", "/api/v1/me",
        "/api/v1/complaints?area=410102"]


def test_requests_during_a_restart_get_503_then_succeed_without_a_restart_of_the_app(
        client, tokens, database_url, caplog):
    root = Path(database_url.split("host=")[1].split("&")[0]).parent
    cluster = Cluster(root, fast=True)
    assert client.get(URLS[0], headers=bearer(tokens["dispatcher"])).status_code == 200
    cluster.stop()
    try:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            answers = [client.get(url, headers=bearer(tokens["dispatcher"]))
                       for _ in range(5) for url in URLS]
        assert {r.status_code for r in answers} == {503}
        for r in answers:
            assert r.headers["Retry-After"].isdigit()
            assert r.get_json()["error"]["code"] == "database_unavailable"
        health = client.get("/healthz")
        assert health.status_code == 503
        ours = [rec for rec in caplog.records if rec.name.startswith("webapp")]
        assert len(ours) <= 1, [rec.getMessage() for rec in ours]  # one line, not one per request
        assert not any(rec.exc_info for rec in ours)  # and no traceback
    finally:
        cluster.ensure_running()
    answers = [client.get(url, headers=bearer(tokens["dispatcher"])) for url in URLS]
    assert [r.status_code for r in answers] == [200] * len(URLS)
    assert client.get("/healthz").status_code == 200


def test_web_statements_are_cut_at_the_statement_timeout_and_answer_503(
        database_url, settings):
    """Work a client cannot wait for is cancelled by the server itself, not left running."""

    from geo.core.db import unit_of_work
    from tests.conftest import sign_in_every_role
    from webapp import create_app

    normal = create_app(settings, database_url=database_url)
    with unit_of_work(normal.extensions["liangwang"]["sessions"]) as s:
        assert s.execute(text("SHOW statement_timeout")).scalar_one() == "30s"
    token = sign_in_every_role(normal)["command"]
    normal.extensions["liangwang"]["engine"].dispose()
    hasty = create_app(settings.model_copy(update=dict(statement_timeout_ms=1)), database_url=database_url)
    try:
        r = hasty.test_client().get("/api/v1/coverage?area=410000", headers=bearer(token))
        assert r.status_code == 503, r.get_json()
        assert r.get_json()["error"]["code"] == "query_timeout"
        assert r.headers["Retry-After"].isdigit()
    finally:
        hasty.extensions["liangwang"]["engine"].dispose()
