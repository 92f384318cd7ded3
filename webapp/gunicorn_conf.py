"""gunicorn settings for `make run`: start the job scheduler beside the web workers.

The scheduler is a child process of gunicorn's master (`flask --app wsgi jobs scheduler`),
started when the master is ready and stopped when it exits, so one command serves the app
and runs its scheduled jobs. Elsewhere run the scheduler under its own service manager
(docs/operations.md); several schedulers are safe (each job takes an advisory lock).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_scheduler: list[subprocess.Popen] = []


def when_ready(server) -> None:
    flask = Path(sys.executable).with_name("flask")
    _scheduler.append(subprocess.Popen([str(flask), "--app", "wsgi", "jobs", "scheduler"],
                                       env=os.environ.copy()))
    server.log.info("job scheduler started (pid %s)", _scheduler[0].pid)


def on_exit(server) -> None:
    for process in _scheduler:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
