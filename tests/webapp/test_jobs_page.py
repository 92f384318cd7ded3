"""The scheduled-jobs page (/admin/jobs) and the real scheduler process.

The page: province administrators only (other roles, and a city's administrator, get 403);
it lists every job in Chinese with its schedule; "立即运行" needs the CSRF token, queues one
run (a second request while it waits is a 409 that changes nothing). The process:
`flask --app wsgi jobs scheduler` against the test database notes its heartbeat, picks up
the queued request within a poll, runs it, and stops cleanly on SIGTERM."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from sqlalchemy import text

from geo.accounts import service as accounts
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, ROOT, TEST_SECRET, bearer, unique
from tests.webapp.test_auth import csrf_token


def signed_in(app, username: str):
    client = app.test_client()
    token = csrf_token(client)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 302
    return client


def queued_rows(sessions, job: str) -> int:
    with sessions() as s:
        return s.execute(text("SELECT count(*) FROM job_runs WHERE job = :j AND status = 'queued'"),
                         {"j": job}).scalar()


def clear_queue(sessions, job: str) -> None:
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM job_runs WHERE job = :j AND status = 'queued'"), {"j": job})


def test_the_page_lists_every_job_in_chinese(app):
    client = signed_in(app, "test-admin")
    r = client.get("/admin/jobs", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    for words in ("风险评分与热点图层", "分类监管日常检查", "年度信用等级评价建议",
                  "重大违法行为公布草稿", "清理过期记录", "清理地图瓦片缓存", "每 10 分钟",
                  "每天 06:30", "立即运行"):
        assert words in page
    assert "derived" not in re.sub(r'(data-job|href|action)="[^"]*"', "", page)


def test_only_province_administrators_see_the_jobs(app, tokens, sessions):
    for role, token in tokens.items():
        r = app.test_client().get("/admin/jobs", headers=bearer(token))
        assert r.status_code == (200 if role == "admin" else 403), role
    name = unique("city-admin")
    with unit_of_work(sessions) as s:
        accounts.create_user(s, username=name, password=PASSWORD, role="admin", actor="tests",
                             area="410100")
    client = signed_in(app, name)
    r = client.get("/admin/jobs", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 403 and "只有省级系统管理员" in r.get_data(as_text=True)
    token = csrf_token(client, "/map")
    assert client.post("/admin/jobs/prune/run", data={"csrf_token": token}).status_code == 403


def test_run_now_queues_one_run(app, sessions):
    clear_queue(sessions, "tile_prune")
    client = signed_in(app, "test-admin")
    assert client.post("/admin/jobs/tile_prune/run").status_code == 400  # no CSRF token
    assert queued_rows(sessions, "tile_prune") == 0
    token = csrf_token(client, "/admin/jobs")
    r = client.post("/admin/jobs/tile_prune/run", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] == "/admin/jobs?queued=tile_prune"
    page = client.get(r.headers["Location"], headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True)
    assert "已请求立即运行“清理地图瓦片缓存”" in page and "排队中" in page
    again = client.post("/admin/jobs/tile_prune/run", data={"csrf_token": token},
                        headers={"Accept-Language": "zh-CN"})
    assert again.status_code == 409 and "已在排队" in again.get_data(as_text=True)
    assert queued_rows(sessions, "tile_prune") == 1
    missing = client.post("/admin/jobs/nothing/run", data={"csrf_token": token})
    assert missing.status_code == 404
    clear_queue(sessions, "tile_prune")


def test_health_and_metrics_report_the_jobs(app, tokens):
    client = app.test_client()
    jobs = client.get("/healthz").get_json()["jobs"]
    assert {"derived_data_at", "scheduler_seen_at", "failed_24h"} <= set(jobs)
    body = client.get("/metrics", headers=bearer(tokens["admin"])).get_data(as_text=True)
    assert "liangwang_scheduler_seen_age_seconds" in body
    assert "# TYPE liangwang_job_runs_total counter" in body


def test_the_scheduler_process_runs_a_requested_job(app, sessions, database_url, tmp_path):
    clear_queue(sessions, "prune")
    with unit_of_work(sessions) as s:
        before = s.execute(text("SELECT coalesce(max(id), 0) FROM job_runs")).scalar()
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=TEST_SECRET,
               LIANGWANG_DEMO="0", LIANGWANG_VAR=str(tmp_path), PYTHONPATH=str(ROOT))
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    log = open(tmp_path / "scheduler.log", "w")
    proc = subprocess.Popen([flask, "--app", "wsgi", "jobs", "scheduler", "--poll", "0.3",
                             "--job", "prune"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        seen = None
        for _ in range(100):  # the heartbeat
            with sessions() as s:
                seen = s.execute(text("SELECT seen_by FROM scheduled_jobs WHERE name = 'prune' "
                                      "AND seen_at IS NOT NULL AND next_run_at IS NOT NULL")).scalar()
            if seen and seen.endswith(f":{proc.pid}"):
                break
            time.sleep(0.2)
        assert seen and seen.endswith(f":{proc.pid}"), (tmp_path / "scheduler.log").read_text()
        client = signed_in(app, "test-admin")
        token = csrf_token(client, "/admin/jobs")
        assert client.post("/admin/jobs/prune/run", data={"csrf_token": token}).status_code == 303
        row = None
        for _ in range(100):
            with sessions() as s:
                row = s.execute(text("SELECT status, trigger, requested_by, worker, result "
                                     "FROM job_runs WHERE job = 'prune' AND id > :b "
                                     "AND status = 'succeeded'"), {"b": before}).first()
            if row:
                break
            time.sleep(0.2)
        assert row is not None, (tmp_path / "scheduler.log").read_text()
        assert (row.trigger, row.requested_by) == ("manual", "test-admin")
        assert row.worker.endswith(f":{proc.pid}") and "job_runs" in row.result
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        log.close()
