"""Request-scoped access to the database session, settings and current user."""
from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from webapp.core.settings import AppSettings


def settings() -> AppSettings:
    return current_app.extensions["liangwang"]["settings"]


def db() -> Session:
    """The request's session; the view commits once (unit of work), teardown rolls back."""
    if "db" not in g:
        g.db = current_app.extensions["liangwang"]["sessions"]()
    return g.db


def client_ip() -> str | None:
    return request.remote_addr


def actor() -> str | None:
    user = g.get("user")
    return user.username if user else None
