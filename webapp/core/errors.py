"""One place that turns errors into responses: JSON under /api, pages elsewhere."""
from __future__ import annotations

import logging
import time
import traceback

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from geo.core.errors import DomainError
from geo.core.text import Text, rendered
from webapp.core.i18n import language

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz" \
        or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str | Text, details: dict | None = None,
                   headers: dict | None = None):
    lang = language()
    message, details = rendered(message, lang), rendered(details, lang)
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
        resp.status_code = status
    else:
        resp = make_response(render_template("error.html", status=status, message=message), status)
    resp.headers.update(headers or {})
    return resp


# SQLSTATE classes of values the database refused: the request's fault, not the server's.
DATA_ERRORS = {
    "22001": "a text is longer than its field allows",
    "22003": "a number is out of the range its field allows",
    "22007": "a date or time is malformed", "22008": "a date or time is out of range",
    "22021": "a text contains a character the database cannot store",
    "22P02": "a value is malformed for its field", "22P05": "a text contains a NUL character",
    "22023": "a parameter value is invalid",
}
OUTAGE_RETRY_S = 5
_last_outage_log = [0.0]


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(getattr(exc, "orig", None), "pgcode", None)


def _db_error(exc: DBAPIError) -> str:
    """A database error for the log: class, SQLSTATE, table, constraint, never its text
    (the message and DETAIL can quote the row, e.g. a complainant's name and phone)."""
    diag = getattr(exc.orig, "diag", None)
    return (f"{type(exc.orig).__name__} sqlstate={_sqlstate(exc)} "
            f"table={getattr(diag, 'table_name', None)} "
            f"constraint={getattr(diag, 'constraint_name', None)}")


def database_unavailable(exc: Exception):
    """A lost or refused connection: 503 with Retry-After, one log line (at most every 10 s)."""
    now = time.monotonic()
    if now - _last_outage_log[0] > 10:
        _last_outage_log[0] = now
        first = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()[:1]
        log.warning("database unavailable on %s %s: %s", request.method, request.path,
                    first[0] if first else type(exc).__name__)
    return error_response(503, "database_unavailable",
                          "the database cannot be reached just now; try again in a few seconds",
                          headers={"Retry-After": str(OUTAGE_RETRY_S)})


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
        allow = dict(exc.get_headers()).get("Allow")  # a 405 says which methods exist
        return error_response(exc.code or 500, code, message,
                              headers={"Allow": allow} if allow else None)

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError):
        return error_response(400, "invalid_parameter", "the input is nested too deeply")

    @app.errorhandler(DataError)
    def data_error(exc: DataError):
        state = _sqlstate(exc)
        message = DATA_ERRORS.get(state or "", "a value does not fit its field")
        log.info("data refused on %s: %s", request.path, _db_error(exc))
        return error_response(400, "invalid_parameter", message + "; correct it and send again",
                              {"sqlstate": state})

    @app.errorhandler(OperationalError)
    def operational_error(exc: OperationalError):
        if _sqlstate(exc) == "57014":  # statement_timeout: bounded work, not an outage
            log.warning("statement timeout on %s %s", request.method, request.path)
            return error_response(503, "query_timeout", "the request took too long and was "
                                  "stopped; narrow it (a smaller area or fewer rows) and retry",
                                  headers={"Retry-After": str(OUTAGE_RETRY_S)})
        if _sqlstate(exc) is None or exc.connection_invalidated or \
                (_sqlstate(exc) or "").startswith(("08", "57P")):
            return database_unavailable(exc)
        return unexpected(exc)

    @app.errorhandler(InterfaceError)
    def interface_error(exc: InterfaceError):
        return database_unavailable(exc)

    @app.errorhandler(PoolTimeout)
    def pool_timeout(exc: PoolTimeout):
        return database_unavailable(exc)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc: IntegrityError):
        if getattr(exc.orig, "pgcode", None) != "23505":  # only unique violations are races
            return unexpected(exc)
        # A concurrent change won the race at the database's own constraint.
        log.info("integrity conflict on %s: %s", request.path, _db_error(exc))
        return error_response(409, "conflict", "a concurrent change conflicts with this one "
                              "(e.g. an officer was just assigned elsewhere); reload and retry")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, DBAPIError):  # where it failed, not the text that quotes values
            log.error("unhandled error on %s %s: %s\n%s", request.method, request.path,
                      _db_error(exc), "".join(traceback.format_tb(exc.__traceback__)))
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error",
                              "internal error: the team has been told (see the server log)")
