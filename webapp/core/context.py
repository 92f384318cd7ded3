"""Request-scoped access to the database session, settings and current user.

Read replicas (DATABASE_REPLICA_URLS): a view marked `@replica_reads` reads from a
streaming standby — only its own body; the sign-in and territory checks before it ran on
the primary. Everything else, and every write, uses the primary. A standby that cannot be
reached is skipped for `REPLICA_RETRY_S` and the read goes to the next one or the primary.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from functools import wraps

from flask import current_app, g, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webapp.core.settings import AppSettings


def settings() -> AppSettings:
    return current_app.extensions["liangwang"]["settings"]


log = logging.getLogger(__name__)
REPLICA_RETRY_S = 30.0
_turn = itertools.count()
_down: dict[int, float] = {}  # replica index → monotonic time until which it is skipped
_down_lock = threading.Lock()


def db() -> Session:
    """The request's session; the view commits once (unit of work), teardown rolls back.
    Inside a `@replica_reads` view: a standby's session when one answers."""
    if g.get("replica_reads"):
        if "replica_db" not in g:
            g.replica_db = _replica_session()
        if g.replica_db is not None:
            return g.replica_db
    if "db" not in g:
        g.db = current_app.extensions["liangwang"]["sessions"]()
    return g.db


def _replica_session() -> Session | None:
    replicas = current_app.extensions["liangwang"].get("replicas") or []
    if not replicas:
        return None
    start = next(_turn)
    for k in range(len(replicas)):
        i = (start + k) % len(replicas)
        with _down_lock:
            if _down.get(i, 0.0) > time.monotonic():
                continue
        session = replicas[i]()
        try:
            session.connection()  # connect now, so a dead standby is noticed here
            return session
        except OperationalError:
            session.close()
            with _down_lock:
                _down[i] = time.monotonic() + REPLICA_RETRY_S
            log.warning("read replica %d unreachable; reads go elsewhere for %.0f s", i,
                        REPLICA_RETRY_S)
    return None


def replica_reads(view):
    """Mark a read-only view (GET) whose reads may come from a streaming standby. It must not
    write, nor need what this request wrote (a standby lags by up to a moment)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.replica_reads = request.method in ("GET", "HEAD")
        try:
            return view(*args, **kwargs)
        finally:
            g.replica_reads = False
    return wrapper


def close_replica_session() -> None:
    session = g.pop("replica_db", None)
    if session is not None:
        session.rollback()
        session.close()


def client_ip() -> str | None:
    return request.remote_addr


def actor() -> str | None:
    user = g.get("user")
    return user.username if user else None
