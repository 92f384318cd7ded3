"""What the admin page and /metrics read about the jobs, a run requested by hand, the
APScheduler trigger of each job, and which jobs a starting scheduler owes a run."""
from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.schedule.runner import Job
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound
from geo.core.text import Text

SCHEDULER_ALIVE_S = 60  # a scheduler that has not been heard from for this long is down


def trigger(job: Job):
    """The job's APScheduler trigger, in Beijing time."""
    if job.every_s:
        return IntervalTrigger(seconds=job.every_s, timezone=clock.BEIJING)
    return CronTrigger(timezone=clock.BEIJING, **job.cron)


def schedule_text(job: Job) -> Text:
    """When the job runs, in words."""
    if job.every_s:
        if job.every_s % 3600 == 0:
            return Text("jobs.every_hours", n=job.every_s // 3600)
        if job.every_s == 60:
            return Text("jobs.every_minute")
        return Text("jobs.every_minutes", n=job.every_s // 60)
    c = job.cron
    at = f"{int(c.get('hour', 0)):02d}:{int(c.get('minute', 0)):02d}"
    if "month" in c and "," in str(c["month"]):
        return Text("jobs.quarterly", months=str(c["month"]).replace(",", "、"), day=c["day"], at=at)
    if "month" in c:
        return Text("jobs.yearly", month=c["month"], day=c["day"], at=at)
    return Text("jobs.daily", at=at)


def owed_at_start(session: Session, jobs: dict[str, Job], now: datetime) -> list[str]:
    """Jobs to run as a scheduler starts: every interval job, and each timed job whose last
    run started before its most recent scheduled time (the scheduler was down then). A timed
    job that never ran waits for its first scheduled time."""
    last = dict(session.execute(text(
        "SELECT job, max(started_at) FROM job_runs WHERE started_at IS NOT NULL GROUP BY job"
    )).all())
    owed = []
    for name, job in jobs.items():
        if job.every_s:
            owed.append(name)
            continue
        since = last.get(name)
        if since is None:
            continue
        due = trigger(job).get_next_fire_time(None, since + timedelta(seconds=1))
        if due is not None and due <= now:
            owed.append(name)
    return owed


def request_run(session: Session, jobs: dict[str, Job], name: str, *, actor: str | None,
                now: datetime) -> dict:
    """Queue a run of `name` for the scheduler (409 when one is already waiting)."""
    if name not in jobs:
        raise NotFound(Text("jobs.error.unknown", name=name))
    try:
        with session.begin_nested():
            run_id = session.execute(text("""
                INSERT INTO job_runs (job, trigger, status, queued_at, requested_by)
                VALUES (:job, 'manual', 'queued', :now, :by) RETURNING id
            """), {"job": name, "now": now, "by": actor}).scalar_one()
    except IntegrityError:
        raise Conflict(Text("jobs.error.queued", job=Text(f"jobs.name.{name}")))
    audit.record(session, actor=actor, action="job_request", entity="job_run", entity_id=run_id,
                 after={"job": name})
    return {"id": run_id, "job": name, "status": "queued"}


def heartbeat(session: Session, jobs: dict[str, Job], next_runs: dict[str, datetime | None],
              *, worker: str, now: datetime) -> None:
    """The scheduler is alive: note it and each job's next run."""
    for name in jobs:
        session.execute(text("""
            INSERT INTO scheduled_jobs (name, next_run_at, seen_at, seen_by)
            VALUES (:n, :next, :now, :w)
            ON CONFLICT (name) DO UPDATE SET next_run_at = excluded.next_run_at,
                seen_at = excluded.seen_at, seen_by = excluded.seen_by
        """), {"n": name, "next": next_runs.get(name), "now": now, "w": worker})


def queued(session: Session) -> list[str]:
    return list(session.execute(text(
        "SELECT DISTINCT job FROM job_runs WHERE status = 'queued' ORDER BY job")).scalars())


def overview(session: Session, jobs: dict[str, Job], *, now: datetime) -> dict:
    """Every job with its schedule, next run, last run and last success; the scheduler's state."""
    rows = {r.job: r for r in session.execute(text("""
        SELECT DISTINCT ON (job) job, id, status, trigger, attempt, queued_at, started_at,
               finished_at, result, error, requested_by
        FROM job_runs ORDER BY job, id DESC
    """)).all()}
    ok = dict(session.execute(text(
        "SELECT job, max(finished_at) FROM job_runs WHERE status = 'succeeded' GROUP BY job")).all())
    failed = dict(session.execute(text("""
        SELECT job, count(*) FROM job_runs WHERE status = 'failed' AND finished_at > :since
        GROUP BY job"""), {"since": now - timedelta(days=1)}).all())
    seen = {r.name: r for r in session.execute(text(
        "SELECT name, next_run_at, seen_at, seen_by FROM scheduled_jobs")).all()}
    alive_at = max((r.seen_at for r in seen.values() if r.seen_at), default=None)
    out = []
    for name, job in jobs.items():
        r = rows.get(name)
        out.append({"name": name, "title": Text(f"jobs.name.{name}"),
                    "about": Text(f"jobs.about.{name}"), "schedule": schedule_text(job),
                    "next_run_at": seen[name].next_run_at if name in seen else None,
                    "last": _run(r) if r else None, "last_success_at": ok.get(name),
                    "failed_24h": failed.get(name, 0)})
    return {"jobs": out, "scheduler_seen_at": alive_at,
            "scheduler_alive": alive_at is not None
            and (now - alive_at).total_seconds() <= SCHEDULER_ALIVE_S}


def runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[dict]:
    """The latest runs, newest first."""
    rows = session.execute(text("""
        SELECT id, job, status, trigger, attempt, queued_at, started_at, finished_at, result,
               error, requested_by
        FROM job_runs WHERE CAST(:job AS text) IS NULL OR job = :job ORDER BY id DESC LIMIT :n
    """), {"job": job, "n": limit}).all()
    return [_run(r) for r in rows]


def _run(r) -> dict:
    elapsed = None
    if r.started_at and r.finished_at:
        elapsed = round((r.finished_at - r.started_at).total_seconds(), 1)
    return {"id": r.id, "job": r.job, "status": r.status, "trigger": r.trigger,
            "attempt": r.attempt, "queued_at": r.queued_at, "started_at": r.started_at,
            "finished_at": r.finished_at, "elapsed_s": elapsed, "result": r.result,
            "error": r.error, "requested_by": r.requested_by}


def metrics(session: Session) -> list[tuple]:
    """(job, status, runs, last finish as a Unix time) for /metrics."""
    return session.execute(text("""
        SELECT job, status, count(*), extract(epoch FROM max(finished_at))
        FROM job_runs GROUP BY job, status ORDER BY job, status
    """)).all()
