"""Authentication (session cookie or bearer token), role checks on every route, CSRF."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from geo.accounts import audit
from geo.accounts import service as accounts
from geo.accounts.models import ROLES, User
from geo.core.db import unit_of_work
from geo.core.errors import Forbidden, InvalidInput, TooManyAttempts, Unauthorized
from geo.core.text import Joined, Text
from webapp.core import territory
from webapp.core.apidoc import accepts, errors, succeeds
from webapp.core.body import column_length, field
from webapp.core.context import client_ip, db, settings
from webapp.core.errors import error_response, for_programs
from webapp.core.i18n import t

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
PUBLIC = "public"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_ENDPOINTS = {"static"}
PORTAL = {"public_api", "public_pages"}  # blueprints of the public portal (no staff session)


def roles(*allowed: str):
    """Allow only these roles on a view (checked before the view runs)."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def deco(fn):
        fn.access = tuple(allowed)
        return fn
    return deco


def role_text(role: str) -> Text:
    """A role's name in a sentence (dispatcher → 调度员)."""
    return Text(f"webapp.role.{role}")


def public(fn):
    """A view anyone may call (sign-in, health, static assets)."""
    fn.access = PUBLIC
    return fn


def csrf_exempt(fn):
    """A POST that carries credentials in its body and sets no cookie."""
    fn.csrf_exempt = True
    return fn


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt="api-token")


def _client() -> tuple[str | None, str | None]:
    """The caller's address and browser, when there is a request (not in CLI or bench)."""
    if not has_request_context():
        return None, None
    return client_ip(), request.headers.get("User-Agent")


def issue_token(user: User) -> tuple[str, datetime]:
    """A bearer token for `user`, revocable: it names a user_sessions row (committed here)."""
    ttl = settings().token_ttl_s
    ip, agent = _client()
    secret = accounts.open_session(db(), user, kind="token", ttl_s=ttl, ip=ip, user_agent=agent)
    db().commit()
    return _serializer().dumps({"sid": secret}), datetime.now(UTC) + timedelta(seconds=ttl)


def _user_from_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=settings().token_ttl_s)
    except SignatureExpired:
        raise Unauthorized(Text("webapp.auth.token_expired"))
    except BadSignature:
        raise Unauthorized(Text("webapp.auth.token_invalid"))
    secret = data.get("sid") if isinstance(data, dict) else None
    found = accounts.session_user(db(), secret, kind="token") if isinstance(secret, str) else None
    if found is None:
        raise Unauthorized(Text("webapp.auth.token_revoked"))
    user, g.session_id, stale = found
    if stale:
        _touch(g.session_id)
    return user


def _touch(session_id: str) -> None:
    """Note the session's last use in its own short transaction (GET views do not commit)."""
    with unit_of_work(current_app.extensions["liangwang"]["sessions"]) as s:
        accounts.touch_session(s, session_id)


def _current_user() -> tuple[User | None, bool]:
    """The signed-in user and whether they came by bearer token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(Text("webapp.auth.bad_header"))
        return _user_from_token(token.strip()), True
    secret = session.get("sid")
    if not isinstance(secret, str):
        return None, False
    found = accounts.session_user(db(), secret, kind="cookie")
    if found is None:  # signed out elsewhere, expired, or the user was disabled
        session.clear()
        return None, False
    user, g.session_id, stale = found
    if stale:
        _touch(g.session_id)
    return user, False


def safe_next(value: str | None, default: str = "/map") -> str:
    r"""`value` when it is a path on this site, else `default` (no open redirects).

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    "/\t/evil" or "/\evil" would become "//evil", another host: refuse those characters
    outright (also when percent-encoded) rather than guess how a browser repairs them.
    """
    if not value:
        return default
    for form in (value, unquote(value)):
        if "\\" in form or any(ord(c) < 32 or ord(c) == 127 for c in form):
            return default
    if not value.startswith("/") or unquote(value).startswith("//"):  # "//host", "///host"
        return default
    parts = urlsplit(value)
    return default if parts.scheme or parts.netloc else value


def register(app: Flask) -> None:
    csrf.init_app(app)
    app.register_error_handler(TooManyAttempts, _too_many)  # adds Retry-After
    from webapp.core import i18n
    i18n.register(app)

    @app.before_request
    def check_access():
        if request.endpoint is None:
            return None  # routing will answer 404/405
        view = app.view_functions[request.endpoint]
        access = PUBLIC if request.endpoint in PUBLIC_ENDPOINTS else getattr(view, "access", None)
        if access is None:  # deny by default: a view that forgot to declare its roles
            raise Forbidden(Text("webapp.auth.no_roles"))
        if access == PUBLIC and request.blueprint in PORTAL:
            g.user, g.territory = None, None  # the public portal never reads a staff session
            return None
        user, by_token = _current_user()
        g.user = user
        territory.start(user)
        if access != PUBLIC:
            if user is None:
                if for_programs(request.path):
                    raise Unauthorized(Text("webapp.auth.sign_in_first"))
                return redirect(url_for("auth.login", next=request.full_path))
            if user.role not in access:
                raise Forbidden(Text("webapp.auth.role_forbidden", role=role_text(user.role),
                                     allowed=Joined(map(role_text, access),
                                                    "dispatch.list.comma")))
            territory.check_view_args()
        if request.method not in SAFE_METHODS and not by_token \
                and not getattr(view, "csrf_exempt", False):
            csrf.protect()
        return None


MAX_PASSWORD = 1024  # longer is not a password anyone types; bounds the hashing work


def _credentials_from_json() -> tuple[str, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(Text("webapp.auth.credentials_body"))
    username, password = body.get("username"), body.get("password")
    for name, value in (("username", username), ("password", password)):
        if not isinstance(value, str) or not value:
            raise InvalidInput(Text("webapp.auth.credential_required", name=name),
                               {"parameter": name})
    field(body, "username", max_length=column_length(User.username))
    field(body, "password", max_length=MAX_PASSWORD)
    return username, password


def _authenticate(username: str, password: str) -> User | None:
    """The user for these credentials or None; raises TooManyAttempts (429) when throttled.

    The attempt is committed either way: it is what the throttle counts.
    """
    result = accounts.authenticate(db(), username=username, password=password, ip=client_ip(),
                                   settings=settings())
    if result.user is not None:
        audit.record(db(), actor=result.user.username, action="sign_in", entity="user",
                     entity_id=result.user.id, ip=client_ip())
    db().commit()
    if result.retry_after_s:
        raise TooManyAttempts(Text("webapp.auth.throttled", seconds=result.retry_after_s),
                              {"retry_after_s": result.retry_after_s})
    return result.user


def _too_many(exc: TooManyAttempts):
    return error_response(exc.status, exc.code, exc.message, exc.details,
                          headers={"Retry-After": str(exc.details["retry_after_s"])})


@bp.post("/api/v1/auth/token")
@public
@csrf_exempt
@accepts({"username": {"type": "string", "maxLength": 64},
          "password": {"type": "string", "maxLength": MAX_PASSWORD}}, ("username", "password"))
@errors("401", "429")
def token():
    """Exchange a username and password for a bearer token."""
    username, password = _credentials_from_json()
    user = _authenticate(username, password)
    if user is None:
        raise Unauthorized(Text("webapp.auth.wrong_credentials"))
    value, expires = issue_token(user)
    return jsonify({"token": value, "expires_at": expires.isoformat(), "role": user.role,
                    "area": user.area_adcode})


@bp.delete("/api/v1/auth/token")
@roles(*ROLES)
@succeeds("204")
def revoke_token():
    """Revoke the bearer token sent with this request (sign out of the API)."""
    if not request.headers.get("Authorization"):
        raise InvalidInput(Text("webapp.auth.revoke_needs_token"))
    accounts.revoke_session(db(), g.session_id)
    audit.record(db(), actor=g.user.username, action="revoke_token", entity="user",
                 entity_id=g.user.id, ip=client_ip())
    db().commit()
    return "", 204


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign-in page."""
    error, status, headers = None, 200, {}
    next_url = safe_next(request.values.get("next"), default="/")  # "/": the role's home
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user = _authenticate(username, password) if username and password else None
        except TooManyAttempts as exc:
            wait = exc.details["retry_after_s"]
            user, error, status = None, t("too_many_wait").format(seconds=wait), 429
            headers["Retry-After"] = str(wait)
        if user is not None:
            ip, agent = _client()
            secret = accounts.open_session(db(), user, kind="cookie",
                                           ttl_s=settings().session_ttl_s, ip=ip,
                                           user_agent=agent)
            db().commit()
            session.clear()
            session["sid"] = secret  # only an opaque id: the row says who and until when
            session.permanent = True  # the cookie lasts session_ttl_s, like the row
            return redirect(next_url)
        if error is None:
            error, status = t("wrong_credentials"), 401
    return render_template("login.html", error=error, next=next_url), status, headers


@bp.post("/logout")
@roles(*ROLES)
def logout():
    """End the session: its row is revoked, so a copy of the cookie stops working too."""
    if g.get("session_id"):
        accounts.revoke_session(db(), g.session_id)
    audit.record(db(), actor=g.user.username, action="sign_out", entity="user",
                 entity_id=g.user.id, ip=client_ip())
    db().commit()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.get("/api/v1/me")
@roles(*ROLES)
def me():
    """The signed-in user."""
    u = g.user
    t = territory.current()
    return jsonify({"id": u.id, "username": u.username, "role": u.role,
                    "display_name": u.display_name,
                    "area": {"adcode": t.adcode, "level": t.level, "name": t.name}})

