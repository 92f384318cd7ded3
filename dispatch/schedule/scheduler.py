"""The scheduler process (`flask --app wsgi jobs scheduler`; `make run` starts one beside
gunicorn): APScheduler fires each job at its time, and every `poll_s` seconds the process
notes it is alive, writes each job's next run for the admin page and picks up the runs
requested there. Several schedulers may run (one per machine): the advisory lock in
`runner.execute` makes sure a job runs in one of them at a time.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import sessionmaker

from dispatch.schedule import service
from dispatch.schedule.runner import Job, execute, worker_name
from geo.core import clock
from geo.core.db import unit_of_work

log = logging.getLogger("liangwang.jobs")


def build(sessions: sessionmaker, jobs: dict[str, Job]) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=clock.BEIJING, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
    for job in jobs.values():
        scheduler.add_job(execute, service.trigger(job), args=[sessions, job],
                          kwargs={"trigger": "schedule"}, id=job.name, name=job.name)
    return scheduler


def submit(scheduler: BackgroundScheduler, sessions: sessionmaker, job: Job, trigger: str) -> bool:
    """Run `job` once now in the scheduler's threads (False when such a run is pending)."""
    try:
        scheduler.add_job(execute, "date", args=[sessions, job], kwargs={"trigger": trigger},
                          id=f"{job.name}-{trigger}", name=job.name,
                          run_date=datetime.now(clock.BEIJING))
    except ConflictingIdError:
        return False
    return True


def beat(scheduler: BackgroundScheduler, sessions: sessionmaker, jobs: dict[str, Job]) -> list[str]:
    """One poll: the heartbeat and next runs, then the requested runs. Returns those."""
    next_runs = {name: scheduler.get_job(name).next_run_time for name in jobs}
    with unit_of_work(sessions) as session:
        service.heartbeat(session, jobs, next_runs, worker=worker_name(), now=clock.now())
        wanted = [n for n in service.queued(session) if n in jobs]
    return [n for n in wanted if submit(scheduler, sessions, jobs[n], "manual")]


def run_forever(sessions: sessionmaker, jobs: dict[str, Job], stop: threading.Event,
                poll_s: float = 5.0) -> None:
    scheduler = build(sessions, jobs)
    scheduler.start()
    try:
        with unit_of_work(sessions) as session:
            owed = service.owed_at_start(session, jobs, clock.now())
        for name in owed:
            submit(scheduler, sessions, jobs[name], "startup")
        log.info("scheduler %s started: %d jobs, running now: %s", worker_name(), len(jobs),
                 ", ".join(owed) or "none")
        while not stop.is_set():
            try:
                beat(scheduler, sessions, jobs)
            except Exception:  # the database may be restarting: keep the schedule, retry
                log.exception("scheduler poll failed")
            stop.wait(poll_s)
    finally:
        scheduler.shutdown(wait=True)
