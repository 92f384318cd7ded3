"""gunicorn settings for `make run`: start the job scheduler beside the web workers.

The scheduler is a child process of gunicorn's master (`flask --app wsgi jobs scheduler`),
started when the master is ready, restarted with the workers on a reload (SIGHUP, so both
run the new code) and stopped when the master exits, so one command serves the app and runs
its scheduled jobs. The process is kept on the master (`server`), not in this module: a
reload reads this file again, and a module-level list would start out empty. Elsewhere run
the scheduler under its own service manager (docs/operations.md); several schedulers are
safe (each job takes an advisory lock).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _start(server) -> None:
    flask = Path(sys.executable).with_name("flask")
    server.liangwang_scheduler = subprocess.Popen(
        [str(flask), "--app", "wsgi", "jobs", "scheduler"], env=os.environ.copy())
    server.log.info("job scheduler started (pid %s)", server.liangwang_scheduler.pid)


def _stop(server) -> None:
    process = getattr(server, "liangwang_scheduler", None)
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)  # a running job finishes its attempt first
    except subprocess.TimeoutExpired:
        process.kill()


def when_ready(server) -> None:
    _start(server)


def on_reload(server) -> None:
    _stop(server)
    _start(server)


def on_exit(server) -> None:
    _stop(server)
