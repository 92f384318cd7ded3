"""Scheduled jobs: every attempt recorded, failures retried and rolled back, a job never
running twice at once (advisory lock, threads racing), requests queued once, runs owed at
start-up, and the catalogue's own jobs doing their work."""
from __future__ import annotations

import threading
import uuid
from datetime import date, datetime

import pytest
from sqlalchemy import text

from dispatch.schedule import jobs as catalogue
from dispatch.schedule import service
from dispatch.schedule.runner import INTERRUPTED, Job, execute
from geo.core import clock
from geo.core.db import unit_of_work
from geo.core.errors import Conflict, NotFound


def name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def runs_of(sessions, job: str) -> list:
    with sessions() as s:
        return s.execute(text(
            "SELECT id, trigger, status, attempt, result, error, requested_by FROM job_runs "
            "WHERE job = :j ORDER BY id"), {"j": job}).all()


def at(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00+08:00")


def test_a_run_is_recorded_with_its_result(sessions):
    job = Job(name(), lambda s, now: {"created": s.execute(text("SELECT 41 + 1")).scalar()})
    done = execute(sessions, job, trigger="cli")
    assert [d["status"] for d in done] == ["succeeded"]
    [row] = runs_of(sessions, job.name)
    assert (row.trigger, row.status, row.attempt) == ("cli", "succeeded", 1)
    assert row.result["created"] == 42 and row.result["elapsed_s"] >= 0


def test_a_failed_attempt_is_rolled_back_and_retried(sessions):
    marker, calls, slept = name(), [], []

    def flaky(s, now):
        s.execute(text("INSERT INTO audit_log (actor, action, entity, at) "
                       "VALUES (:m, 'test', 'job', now())"), {"m": marker})
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError(f"attempt {len(calls)} broke")
        return {"created": len(calls)}

    job = Job(name(), flaky, attempts=3, retry_delay_s=7)
    done = execute(sessions, job, trigger="schedule", sleep=slept.append)
    assert [d["status"] for d in done] == ["failed", "failed", "succeeded"]
    assert slept == [7, 7]
    rows = runs_of(sessions, job.name)
    assert [(r.trigger, r.status, r.attempt) for r in rows] == [
        ("schedule", "failed", 1), ("retry", "failed", 2), ("retry", "succeeded", 3)]
    assert "attempt 1 broke" in rows[0].error and rows[2].error is None
    with sessions() as s:  # only the attempt that succeeded left its write
        assert s.execute(text("SELECT count(*) FROM audit_log WHERE actor = :m"),
                         {"m": marker}).scalar() == 1


def test_a_job_that_always_fails_stops_after_its_attempts(sessions):
    def broken(s, now):
        raise ValueError("no such table")

    job = Job(name(), broken, attempts=2, retry_delay_s=0)
    done = execute(sessions, job, trigger="schedule", sleep=lambda s: None)
    assert [d["status"] for d in done] == ["failed", "failed"]
    assert [r.status for r in runs_of(sessions, job.name)] == ["failed", "failed"]


def test_two_workers_never_run_the_same_job_at_once(sessions):
    """Two threads start the same job together: one runs it, the other is told it is busy
    and writes nothing; another job runs meanwhile."""
    inside, release, ran = threading.Event(), threading.Event(), []

    def slow(s, now):
        ran.append(threading.current_thread().name)
        inside.set()
        assert release.wait(30)
        return {}

    job = Job(name(), slow)
    out = {}
    first = threading.Thread(target=lambda: out.update(a=execute(sessions, job, trigger="schedule")),
                             name="a")
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=lambda: out.update(b=execute(sessions, job, trigger="manual")),
                              name="b")
    second.start()
    second.join(30)
    other = Job(name(), lambda s, now: {})  # a different job is not held up
    assert execute(sessions, other, trigger="cli")[0]["status"] == "succeeded"
    release.set()
    first.join(30)
    assert out["b"] is None and ran == ["a"]
    assert [r.status for r in runs_of(sessions, job.name)] == ["succeeded"]
    # The lock is released: the next run goes ahead.
    release.set()
    assert execute(sessions, job, trigger="cli")[0]["status"] == "succeeded"


def test_a_run_left_running_by_a_dead_process_is_closed_as_interrupted(sessions):
    job = Job(name(), lambda s, now: {})
    with unit_of_work(sessions) as s:
        s.execute(text("INSERT INTO job_runs (job, trigger, status, started_at) "
                       "VALUES (:j, 'schedule', 'running', :t)"), {"j": job.name, "t": clock.now()})
    execute(sessions, job, trigger="schedule")
    rows = runs_of(sessions, job.name)
    assert [(r.status, r.error) for r in rows] == [("failed", INTERRUPTED), ("succeeded", None)]


def test_a_request_is_queued_once_and_becomes_the_run(sessions):
    job = Job(name(), lambda s, now: {"created": 0})
    jobs = {job.name: job}
    with unit_of_work(sessions) as s:
        queued = service.request_run(s, jobs, job.name, actor="test-admin", now=clock.now())
    with unit_of_work(sessions) as s, pytest.raises(Conflict):
        service.request_run(s, jobs, job.name, actor="test-admin", now=clock.now())
    with unit_of_work(sessions) as s:
        assert service.queued(s).count(job.name) == 1
        audited = s.execute(text("SELECT count(*) FROM audit_log WHERE action = 'job_request' "
                                 "AND entity_id = :id"), {"id": str(queued["id"])}).scalar()
    assert audited == 1
    execute(sessions, job, trigger="schedule")
    [row] = runs_of(sessions, job.name)
    assert (row.id, row.trigger, row.status, row.requested_by) == (
        queued["id"], "manual", "succeeded", "test-admin")
    # A second scheduler saw the same request: once it gets the lock, nothing waits any more.
    assert execute(sessions, job, trigger="manual") == []
    assert len(runs_of(sessions, job.name)) == 1
    with unit_of_work(sessions) as s, pytest.raises(NotFound):
        service.request_run(s, jobs, "no-such-job", actor="test-admin", now=clock.now())


def test_two_requests_at_once_queue_one_run(sessions):
    job = Job(name(), lambda s, now: {})
    jobs, results, start = {job.name: job}, [], threading.Barrier(4)

    def click():
        start.wait()
        try:
            with unit_of_work(sessions) as s:
                results.append(service.request_run(s, jobs, job.name, actor="a", now=clock.now()))
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count("conflict") == 3
    assert [r.status for r in runs_of(sessions, job.name)] == ["queued"]


def test_runs_owed_at_start(sessions):
    daily = Job(name(), lambda s, now: {}, cron={"hour": 6, "minute": 30})
    never = Job(name(), lambda s, now: {}, cron={"hour": 6, "minute": 30})
    every = Job(name(), lambda s, now: {}, every_s=600)
    jobs = {j.name: j for j in (daily, never, every)}
    with unit_of_work(sessions) as s:
        s.execute(text("INSERT INTO job_runs (job, trigger, status, started_at, finished_at) "
                       "VALUES (:j, 'schedule', 'succeeded', :t, :t)"),
                  {"j": daily.name, "t": at("2027-03-01", "06:30")})
        # Before the next 06:30 nothing is owed; after it the missed run is.
        assert sorted(service.owed_at_start(s, jobs, at("2027-03-02", "06:00"))) == sorted(
            [every.name])
        assert sorted(service.owed_at_start(s, jobs, at("2027-03-02", "06:31"))) == sorted(
            [daily.name, every.name])


def test_schedules_in_words():
    assert service.schedule_text(Job("x", None, every_s=600)).render("zh") == "每 10 分钟"
    assert service.schedule_text(Job("x", None, cron={"hour": 6, "minute": 30})).render(
        "zh") == "每天 06:30"
    assert service.schedule_text(Job("x", None, cron={"month": "1,4,7,10", "day": 1,
                                                      "hour": 3})).render("zh") == \
        "每年 1、4、7、10 月的 1 日 03:00"


@pytest.mark.parametrize(("today", "periods"), [
    ("2027-01-01", [("city", "2026-Q4"), ("province", "2026-H2")]),
    ("2026-04-01", [("city", "2026-Q1")]),
    ("2026-07-02", [("city", "2026-Q2"), ("province", "2026-H1")]),
    ("2026-10-01", [("city", "2026-Q3")]),
])
def test_the_disclosure_periods_that_just_ended(today, periods):
    assert catalogue.ended_periods(date.fromisoformat(today)) == periods


def test_grading_proposals_start_last_years_run_once(db):
    first = catalogue.grading_proposals(db, at("2027-01-15", "02:00"))
    assert first["year"] == 2026
    again = catalogue.grading_proposals(db, at("2027-01-15", "02:00"))
    assert again == {"year": 2026, "started": 0}
    assert db.execute(text("SELECT count(*) FROM grading_runs WHERE year = 2026 "
                           "AND area_adcode = '410000'")).scalar() >= 1


def test_scheduled_inspections_open_inspections_for_overdue_employers(db):
    before = db.execute(text("SELECT count(*) FROM inspections WHERE kind = 'scheduled' "
                             "AND created_by = 'scheduler'")).scalar()
    done = catalogue.scheduled_inspections(db, clock.now())
    after = db.execute(text("SELECT count(*) FROM inspections WHERE kind = 'scheduled' "
                            "AND created_by = 'scheduler'")).scalar()
    assert after - before == done["created"] > 0
    assert catalogue.scheduled_inspections(db, clock.now())["created"] == 0  # none twice


def test_every_job_of_the_catalogue_has_its_words(tmp_path):
    from geo.core.text import catalog

    for lang in ("zh", "en"):
        words = catalog(lang)
        for job in catalogue.catalogue(tmp_path).values():
            assert f"jobs.name.{job.name}" in words and f"jobs.about.{job.name}" in words
            service.trigger(job)  # a valid APScheduler trigger
