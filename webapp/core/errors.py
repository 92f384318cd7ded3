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


# Paths answered for programs (JSON errors, 401 rather than a sign-in redirect).
API_PREFIXES = ("/api/", "/ogc")


def for_programs(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def wants_json() -> bool:
    return for_programs(request.path) or request.path in ("/healthz", "/metrics") \
        or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str | Text, details: dict | None = None,
                   headers: dict | None = None):
    lang = language()
    message, details = rendered(message, lang), rendered(details, lang)
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
        resp.status_code = status
    elif status == 404 and request.path.startswith("/public/"):  # the portal's own page
        from webapp.pages.public import NAV
        resp = make_response(render_template("public_404.html", nav=NAV, current="", user=None),
                             status)
    else:
        resp = make_response(render_template("error.html", status=status, message=message), status)
    resp.headers.update(headers or {})
    return resp


# SQLSTATE classes of values the database refused: the request's fault, not the server's.
DATA_ERRORS = {state: Text(f"webapp.data.{state}")
               for state in ("22001", "22003", "22007", "22008", "22021", "22P02", "22P05",
                             "22023")}
# Werkzeug's and Flask-WTF's own English descriptions, each with its catalog text.
HTTP_TEXTS = {400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 414, 415, 416, 417, 422,
              428, 429, 431, 500, 501, 502, 503, 504}
CSRF_TEXTS = {
    "The CSRF token is missing.": "missing", "The CSRF token has expired.": "expired",
    "The CSRF tokens do not match.": "mismatch",
    "The CSRF session token is missing.": "session_missing",
    "The CSRF token is invalid.": "invalid", "The referrer header is missing.": "referrer_missing",
    "The referrer does not match the host.": "referrer_mismatch",
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
    return error_response(503, "database_unavailable", Text("webapp.error.database_unavailable"),
                          headers={"Retry-After": str(OUTAGE_RETRY_S)})


def http_message(exc: HTTPException) -> str | Text:
    """An HTTP error's description, from the catalog when it is Werkzeug's or Flask-WTF's own."""
    description = exc.description or exc.name
    if description in CSRF_TEXTS:
        return Text(f"webapp.csrf.{CSRF_TEXTS[description]}")
    if exc.code in HTTP_TEXTS and description == type(exc).description:
        return Text(f"webapp.http.{exc.code}")
    return description


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        message = http_message(exc)
        if exc.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
            message = Text("webapp.error.upload_too_large", limit=limit)
        allow = dict(exc.get_headers()).get("Allow")  # a 405 says which methods exist
        return error_response(exc.code or 500, code, message,
                              headers={"Allow": allow} if allow else None)

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError):
        return error_response(400, "invalid_parameter", Text("webapp.error.nested_too_deeply"))

    @app.errorhandler(DataError)
    def data_error(exc: DataError):
        state = _sqlstate(exc)
        message = DATA_ERRORS.get(state or "", Text("webapp.data.other"))
        log.info("data refused on %s: %s", request.path, _db_error(exc))
        return error_response(400, "invalid_parameter",
                              Text("webapp.error.data_refused", problem=message),
                              {"sqlstate": state})

    @app.errorhandler(OperationalError)
    def operational_error(exc: OperationalError):
        if _sqlstate(exc) == "57014":  # statement_timeout: bounded work, not an outage
            log.warning("statement timeout on %s %s", request.method, request.path)
            return error_response(503, "query_timeout", Text("webapp.error.query_timeout"),
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
        return error_response(409, "conflict", Text("webapp.error.integrity_conflict"))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, DBAPIError):  # where it failed, not the text that quotes values
            log.error("unhandled error on %s %s: %s\n%s", request.method, request.path,
                      _db_error(exc), "".join(traceback.format_tb(exc.__traceback__)))
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", Text("webapp.error.internal"))
