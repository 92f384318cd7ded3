"""What every command shares: database sessions (their own pool, the jobs'
statement_timeout) and messages for the operator."""
from __future__ import annotations

import os

from flask import current_app

from geo.core.db import make_engine, make_sessionmaker
from geo.core.text import Text


def said(message: Text) -> str:
    """A message for the operator: Chinese unless the shell's locale is English."""
    return message.render("en" if os.environ.get("LANG", "").startswith("en") else "zh")


def job_sessions():
    """Sessions for commands: their own small pool with the jobs' longer statement_timeout."""
    ext = current_app.extensions["liangwang"]
    if "job_sessions" not in ext:
        engine = make_engine(ext["url"], pool_size=2,
                             statement_timeout_ms=ext["settings"].job_statement_timeout_ms)
        ext["job_sessions"] = make_sessionmaker(engine)
    return ext["job_sessions"]
