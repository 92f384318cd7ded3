"""Authentication (session cookie or bearer token), role checks on every route, CSRF."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import (Blueprint, Flask, g, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from geo import accounts, audit
from geo.errors import Forbidden, InvalidInput, TooManyAttempts, Unauthorized
from geo.models import ROLES, User
from webapp.context import client_ip, db, settings
from webapp.i18n import t

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
PUBLIC = "public"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PUBLIC_ENDPOINTS = {"static"}


def roles(*allowed: str):
    """Allow only these roles on a view (checked before the view runs)."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def deco(fn):
        fn.access = tuple(allowed)
        return fn
    return deco


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


def issue_token(user: User) -> tuple[str, datetime]:
    token = _serializer().dumps({"uid": user.id})
    return token, datetime.now(timezone.utc) + timedelta(seconds=settings().token_ttl_s)


def _user_from_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=settings().token_ttl_s)
    except SignatureExpired:
        raise Unauthorized("the token has expired: request a new one at /api/v1/auth/token")
    except BadSignature:
        raise Unauthorized("the token is not valid")
    user = db().get(User, data.get("uid"))
    if user is None or not user.active:
        raise Unauthorized("the token's user no longer exists or is disabled")
    return user


def _current_user() -> tuple[User | None, bool]:
    """The signed-in user and whether they came by bearer token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header must be 'Bearer <token>'")
        return _user_from_token(token.strip()), True
    uid = session.get("uid")
    if uid is None:
        return None, False
    user = db().get(User, uid)
    if user is None or not user.active:
        session.clear()
        return None, False
    return user, False


def register(app: Flask) -> None:
    csrf.init_app(app)
    from webapp import i18n
    i18n.register(app)

    @app.before_request
    def check_access():
        if request.endpoint is None:
            return None  # routing will answer 404/405
        view = app.view_functions[request.endpoint]
        access = PUBLIC if request.endpoint in PUBLIC_ENDPOINTS else getattr(view, "access", None)
        if access is None:  # deny by default: a view that forgot to declare its roles
            raise Forbidden("this route declares no roles")
        user, by_token = _current_user()
        g.user = user
        if access != PUBLIC:
            if user is None:
                if request.path.startswith("/api/"):
                    raise Unauthorized("sign in first: POST /api/v1/auth/token, then send "
                                       "'Authorization: Bearer <token>'")
                return redirect(url_for("auth.login", next=request.full_path))
            if user.role not in access:
                raise Forbidden(f"role {user.role!r} may not use this route; "
                                f"allowed: {', '.join(access)}")
        if request.method not in SAFE_METHODS and not by_token \
                and not getattr(view, "csrf_exempt", False):
            csrf.protect()
        return None


def _credentials_from_json() -> tuple[str, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object {\"username\": ..., \"password\": ...}")
    username, password = body.get("username"), body.get("password")
    for name, value in (("username", username), ("password", password)):
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{name} is required and must be a string", {"parameter": name})
    return username, password


def _authenticate(username: str, password: str) -> User | None:
    s = settings()
    user = accounts.authenticate(db(), username=username, password=password, ip=client_ip(),
                                 max_failures=s.login_max_failures, window_s=s.login_window_s)
    if user is not None:
        audit.record(db(), actor=user.username, action="sign_in", entity="user",
                     entity_id=user.id, ip=client_ip())
    db().commit()  # the attempt is recorded either way
    return user


@bp.post("/api/v1/auth/token")
@public
@csrf_exempt
def token():
    """Exchange a username and password for a bearer token."""
    username, password = _credentials_from_json()
    user = _authenticate(username, password)
    if user is None:
        raise Unauthorized("wrong username or password")
    value, expires = issue_token(user)
    return jsonify({"token": value, "expires_at": expires.isoformat(), "role": user.role})


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign-in page."""
    error, status = None, 200
    next_url = request.values.get("next") or "/map"
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/map"  # no open redirects
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user = _authenticate(username, password) if username and password else None
        except TooManyAttempts:
            user, error, status = None, t("too_many"), 429
        if user is not None:
            session.clear()
            session["uid"] = user.id
            return redirect(next_url)
        if error is None:
            error, status = t("wrong_credentials"), 401
    return render_template("login.html", error=error, next=next_url), status


@bp.post("/logout")
@roles(*ROLES)
def logout():
    """End the session."""
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
    return jsonify({"id": u.id, "username": u.username, "role": u.role,
                    "display_name": u.display_name})

