"""`flask --app wsgi jobs …`: the scheduler process, one job run by hand, the jobs' state."""
from __future__ import annotations

import json
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from dispatch.schedule import scheduler, service
from dispatch.schedule.jobs import catalogue
from geo.core import clock
from geo.core.db import unit_of_work
from geo.core.text import Text
from webapp.cli.jobs import job_sessions, said

jobs = AppGroup("jobs", help="Scheduled jobs: run the scheduler, run one job now, list them.")


def _catalogue():
    return catalogue(current_app.extensions["liangwang"]["settings"].var)


@jobs.command("scheduler")
@click.option("--poll", default=5.0, show_default=True, help="seconds between polls")
@click.option("--job", "only", multiple=True, help="run only this job (repeatable)")
def scheduler_command(poll: float, only: tuple[str, ...]) -> None:
    """Run the jobs on their schedule until stopped (SIGTERM or Ctrl-C)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    known = _catalogue()
    for name in only:
        if name not in known:
            raise click.ClickException(said(Text("jobs.error.unknown", name=name)))
    chosen = {n: j for n, j in known.items() if not only or n in only}
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(said(Text("cli.scheduler_started", n=len(chosen))))
    scheduler.run_forever(job_sessions(), chosen, stop, poll_s=poll)


@jobs.command("run")
@click.argument("name")
def run_command(name: str) -> None:
    """Run the job NAME now, here (it waits for nothing: busy elsewhere means skipped)."""
    from dispatch.schedule.runner import execute
    known = _catalogue()
    if name not in known:
        raise click.ClickException(said(Text("jobs.error.unknown", name=name)))
    done = execute(job_sessions(), known[name], trigger="cli")
    if done is None:
        raise click.ClickException(said(Text("cli.job_busy", name=name)))
    for attempt in done:
        click.echo(json.dumps(attempt, ensure_ascii=False, default=str))
    if done[-1]["status"] != "succeeded":
        raise SystemExit(1)


@jobs.command("list")
def list_command() -> None:
    """Each job: schedule, next run, last run."""
    with unit_of_work(job_sessions()) as session:
        seen = service.overview(session, _catalogue(), now=clock.now())
    for job in seen["jobs"]:
        last = job["last"] or {}
        click.echo(f"{job['name']:24s} {said(job['schedule']):28s} "
                   f"next={job['next_run_at'] or '-'} last={last.get('status', '-')} "
                   f"at={last.get('started_at') or '-'}")
