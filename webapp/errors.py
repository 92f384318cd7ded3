"""One place that turns errors into responses: JSON under /api, pages elsewhere."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from geo.errors import DomainError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" \
        or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, details: dict | None = None):
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    else:
        resp = render_template("error.html", status=status, message=message)
        resp = (resp, status)
        return resp
    resp.status_code = status
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = exc.description or exc.name
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = f"the upload is larger than the {limit} MB limit"
        return error_response(exc.code or 500, code, message)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        if getattr(exc.orig, "pgcode", None) != "23505":  # only unique violations are races
            return unexpected(exc)
        # A concurrent change won the race at the database's own constraint.
        log.info("integrity conflict on %s: %s", request.path, exc.orig)
        return error_response(409, "conflict", "a concurrent change conflicts with this one "
                              "(e.g. an officer was just assigned elsewhere); reload and retry")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error",
                              "internal error: the team has been told (see the server log)")
