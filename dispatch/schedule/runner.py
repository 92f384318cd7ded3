"""Running a job: one at a time across every process, each attempt recorded, failures retried.

`execute` takes a PostgreSQL advisory lock named after the job on a connection of its own
and holds it for every attempt, so two schedulers (or a scheduler and `flask jobs run`)
never run the same job at once: the second caller is told the job is busy and runs nothing.
Each attempt is a `job_runs` row, written in short transactions of its own so the admin
page sees `running` while the work goes on; the work itself is one unit of work, rolled back
when it fails. A failed attempt is retried after `retry_delay_s`, up to `attempts` times.
Holding the lock also proves that a `running` row left behind belongs to a process that
died: it is closed as interrupted before the new run starts.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from geo.core import clock
from geo.core.db import unit_of_work

log = logging.getLogger("liangwang.jobs")
LOCK_NAMESPACE = 0x4C57  # "LW": the first key of every job's advisory lock
INTERRUPTED = "interrupted"  # the error of a run whose process stopped before it finished


@dataclass(frozen=True)
class Job:
    """A job of the catalogue. `work(session, now)` does one run in one unit of work and
    returns what it did (a small JSON object); `cron` (APScheduler CronTrigger fields, Beijing
    time) or `every_s` says when it runs."""

    name: str
    work: Callable[[Session, datetime], dict]
    cron: dict = field(default_factory=dict)
    every_s: int | None = None
    attempts: int = 3
    retry_delay_s: float = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def lock_key(name: str) -> dict:
    return {"ns": LOCK_NAMESPACE, "name": name}


def execute(sessions: sessionmaker, job: Job, *, trigger: str, requested_by: str | None = None,
            sleep: Callable[[float], None] = time.sleep) -> list[dict] | None:
    """Run `job` now (claiming its queued request, if any), retrying failures.

    Returns the attempts as dicts (status, result or error), or None when another process
    holds the job's lock (nothing ran, nothing was written). A `manual` run runs only while
    a request waits: two schedulers that both saw it run it once."""
    engine = sessions.kw["bind"]
    with engine.connect() as lock:
        got = lock.execute(text("SELECT pg_try_advisory_lock(:ns, hashtext(:name))"),
                           lock_key(job.name)).scalar_one()
        lock.commit()  # the lock is the connection's; it outlives this transaction
        if not got:
            log.info("job %s: already running elsewhere, skipped", job.name)
            return None
        try:
            return _attempts(sessions, job, trigger, requested_by, sleep)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:name))"),
                         lock_key(job.name))
            lock.commit()


def _attempts(sessions, job, trigger, requested_by, sleep) -> list[dict]:
    with unit_of_work(sessions) as session:
        session.execute(text("""
            UPDATE job_runs SET status = 'failed', finished_at = :now, error = :e
            WHERE job = :job AND status = 'running'
        """), {"job": job.name, "e": INTERRUPTED, "now": clock.now()})
        queued = session.execute(text("""
            SELECT id, requested_by FROM job_runs WHERE job = :job AND status = 'queued'
            FOR UPDATE SKIP LOCKED
        """), {"job": job.name}).first()
    if queued is None and trigger == "manual":
        return []  # the request was run by another scheduler meanwhile: nothing is wanted
    run_id = queued.id if queued is not None else None
    if queued is not None:
        trigger, requested_by = "manual", queued.requested_by
    done = []
    for attempt in range(1, job.attempts + 1):
        run_id = _start(sessions, job.name, trigger if attempt == 1 else "retry", attempt,
                        requested_by, run_id)
        started = time.monotonic()
        try:
            with unit_of_work(sessions) as session:
                result = job.work(session, clock.now())
        except Exception as exc:  # recorded, shown on the admin page, retried
            log.exception("job %s attempt %d failed", job.name, attempt)
            error = "".join(traceback.format_exception_only(exc)).strip()[-2000:]
            _finish(sessions, run_id, "failed", None, error, started)
            done.append({"id": run_id, "attempt": attempt, "status": "failed", "error": error})
            run_id = None
            if attempt < job.attempts:
                sleep(job.retry_delay_s)
            continue
        _finish(sessions, run_id, "succeeded", result, None, started)
        done.append({"id": run_id, "attempt": attempt, "status": "succeeded", "result": result})
        log.info("job %s done in %.1f s: %s", job.name, time.monotonic() - started, result)
        break
    return done


def _start(sessions, name: str, trigger: str, attempt: int, requested_by: str | None,
           run_id: int | None) -> int:
    with unit_of_work(sessions) as session:
        if run_id is not None:  # the queued request becomes this attempt
            session.execute(text("""
                UPDATE job_runs SET status = 'running', started_at = :now, worker = :w
                WHERE id = :id
            """), {"id": run_id, "w": worker_name(), "now": clock.now()})
            return run_id
        return session.execute(text("""
            INSERT INTO job_runs (job, trigger, status, attempt, started_at, requested_by, worker)
            VALUES (:job, :trigger, 'running', :attempt, :now, :by, :w) RETURNING id
        """), {"job": name, "trigger": trigger, "attempt": attempt, "by": requested_by,
               "w": worker_name(), "now": clock.now()}).scalar_one()


def _finish(sessions, run_id: int, status: str, result: dict | None, error: str | None,
            started: float) -> None:
    with unit_of_work(sessions) as session:
        session.execute(text("""
            UPDATE job_runs SET status = :s, finished_at = :now, error = :e,
                   result = CAST(:r AS jsonb)
            WHERE id = :id
        """), {"id": run_id, "s": status, "e": error, "now": clock.now(),
               "r": None if result is None else json.dumps(
                   {**result, "elapsed_s": round(time.monotonic() - started, 2)},
                   default=str)})
