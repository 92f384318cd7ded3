"""Flask application factory."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, g

from geo.core import embedded
from geo.core.config import ROOT, Settings, check_secret_key
from geo.core.db import make_engine, make_sessionmaker
from webapp.core.settings import AppSettings


def create_app(settings: Settings | None = None, database_url: str | None = None) -> Flask:
    """Build the app; DATABASE_URL or the embedded PostGIS under var/ provides the database."""
    settings = AppSettings.promote(settings) if settings else AppSettings.from_env()
    check_secret_key(settings.secret_key, settings.secret_min_length)
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.demo,  # the demo runs on plain http://127.0.0.1
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_ttl_s),
        WTF_CSRF_CHECK_DEFAULT=False,  # webapp.auth decides: cookie sessions only
        WTF_CSRF_TIME_LIMIT=None,
        JSON_AS_ASCII=False,
        NODE_MODULES=ROOT / "node_modules",
    )
    try:
        url = database_url or embedded.database_url(settings)
    except embedded.EmbeddedError as exc:
        raise SystemExit(str(exc)) from None
    engine = make_engine(url, statement_timeout_ms=settings.statement_timeout_ms)
    app.extensions["liangwang"] = {
        "settings": settings,
        "url": url,
        "engine": engine,
        "sessions": make_sessionmaker(engine),
        "replicas": [make_sessionmaker(make_engine(u.strip(),
                                                  statement_timeout_ms=settings.statement_timeout_ms))
                     for u in settings.database_replica_urls.split(",") if u.strip()],
    }

    @app.teardown_appcontext
    def close_session(exc):
        from webapp.core.context import close_replica_session
        close_replica_session()
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()

    from webapp.api import (
        base as api,
    )
    from webapp.api import (
        calendar as calendar_api,
    )
    from webapp.api import (
        cases as cases_api,
    )
    from webapp.api import (
        casework as casework_api,
    )
    from webapp.api import (
        command as command_api,
    )
    from webapp.api import (
        dispatch as dispatch_api,
    )
    from webapp.api import (
        employers,
    )
    from webapp.api import (
        grid_edits as grid_edits_api,
    )
    from webapp.api import (
        map as map_api,
    )
    from webapp.api import (
        partition_files as partition_files_api,
    )
    from webapp.cli import commands as cli
    from webapp.core import assets, auth, compression, errors, metrics, openapi, security, validation
    from webapp.pages import cases as cases_pages
    from webapp.pages import complaints as complaints_pages
    from webapp.pages import field, planner
    from webapp.pages import views as pages

    errors.register(app)
    metrics.register(app)
    security.register(app)
    compression.register(app)
    assets.register(app)
    auth.register(app)
    validation.register(app)
    from webapp.api import annual as annual_api
    from webapp.api import assessments as assessments_api
    from webapp.api import attachments as attachments_api
    from webapp.api import disclosure as disclosure_api
    from webapp.api import grading as grading_api
    from webapp.api import officers as officers_api
    from webapp.api import ogc as ogc_api
    from webapp.api import projects as projects_api
    from webapp.api import public as public_api
    from webapp.api import random_checks as random_checks_api
    from webapp.api import referrals as referrals_api
    from webapp.api import rewards as rewards_api
    from webapp.pages import annual as annual_pages
    from webapp.pages import checks as checks_pages
    from webapp.pages import coordination as coordination_pages
    from webapp.pages import grading as grading_pages
    from webapp.pages import jobs as job_pages
    from webapp.pages import projects as project_pages
    from webapp.pages import public as public_pages
    from webapp.pages import staff as staff_pages
    for module in (auth, api, dispatch_api, casework_api, cases_api, calendar_api, random_checks_api, assessments_api, field, employers,
                   partition_files_api, officers_api, grading_api, disclosure_api, public_api,
                   projects_api, rewards_api, referrals_api, attachments_api, annual_api,
                   public_pages,
                   grid_edits_api, map_api, command_api, openapi, planner, complaints_pages,
                   cases_pages, checks_pages, staff_pages, grading_pages, project_pages,
                   coordination_pages, annual_pages, job_pages, metrics, ogc_api, pages):
        app.register_blueprint(module.bp)
    from webapp.core import ratelimit
    ratelimit.register(app, (public_api.bp, public_pages.bp), settings.public_per_minute)
    cli.register(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return app
