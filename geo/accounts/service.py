"""Users, password hashing, sign-in throttling and server-side sessions, shared by all web
workers through the database."""
from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from geo.accounts import audit
from geo.accounts.models import ROLES, LoginAttempt, User, UserSession
from geo.areas import territory
from geo.areas.territory import PROVINCE
from geo.core.config import Settings
from geo.core.errors import Conflict, InvalidInput
from geo.core.text import Text

# A hash to compare against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def create_user(session: Session, *, username: str, password: str, role: str,
                actor: str | None, display_name: str | None = None,
                area: str = PROVINCE) -> User:
    """Create a user with a hashed password (never stored itself) and a territory `area`
    (the province, a city or a county adcode)."""
    territory.load(session, area)  # 400 unless it is an area of Henan
    if role not in ROLES:
        raise InvalidInput(Text("error.account.role", roles=", ".join(ROLES)), {"parameter": "role"})
    if len(password) < 12:
        raise InvalidInput(Text("error.account.password_short", min=12), {"parameter": "password"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(Text("error.account.exists", username=username))
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                display_name=display_name or username, area_adcode=area)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="user", entity_id=user.id,
                 after={"username": username, "role": role, "area": area})
    return user


@dataclass(frozen=True)
class SignIn:
    """One sign-in attempt's outcome (record it: commit either way).

    `user` is set when the password was right; `retry_after_s` > 0 means the attempt was
    refused without looking at the password, and says how long to wait.
    """

    user: User | None
    retry_after_s: int = 0


# Advisory-lock namespaces (first key of pg_advisory_xact_lock(int, int)).
_LOCK_ADDRESS, _LOCK_USERNAME = 0x4C57_0001, 0x4C57_0002


def authenticate(session: Session, *, username: str, password: str, ip: str | None,
                 settings: Settings, now: datetime | None = None) -> SignIn:
    """Check a password, slowing down guessers per username and per address.

    After `login_max_failures` failures of a username within `login_window_s` (or
    `login_ip_max_failures` from one address), each further attempt must wait
    `login_delay_base_s`, doubling per further failure up to `login_delay_max_s`, after the
    latest failure. So nobody is ever locked out for longer than that cap after a guess.
    Refused attempts are recorded but are not failures. A right password clears the
    username's count. `now` defaults to the database clock (tests pass their own).
    """
    # Attempts on one address or username queue up until commit, so parallel guesses are
    # counted one by one. Address before username everywhere: no waiting in a circle.
    if ip:
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_ADDRESS, func.hashtext(ip))))
    session.execute(select(func.pg_advisory_xact_lock(_LOCK_USERNAME, func.hashtext(username))))
    if now is None:
        now = session.scalar(select(func.clock_timestamp()))  # after the wait, not before
    wait = max(_wait_s(session, LoginAttempt.username == username, now,
                       settings.login_max_failures, settings, since_success=username),
               _wait_s(session, LoginAttempt.ip == ip, now, settings.login_ip_max_failures,
                       settings) if ip else 0.0)
    if wait > 0:
        session.add(LoginAttempt(username=username, ip=ip, ok=False, throttled=True, at=now))
        session.flush()
        return SignIn(None, max(1, math.ceil(wait)))
    user = session.scalar(select(User).where(User.username == username))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password) \
        and user is not None and user.active
    session.add(LoginAttempt(username=username, ip=ip, ok=ok, at=now))
    session.flush()
    return SignIn(user if ok else None)


def _wait_s(session: Session, who, now: datetime, max_failures: int, settings: Settings,
            since_success: str | None = None) -> float:
    """Seconds still to wait before the next attempt for `who` (0: go ahead)."""
    since = now - timedelta(seconds=settings.login_window_s)
    if since_success is not None:  # a right password starts the count afresh
        last_ok = session.scalar(select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == since_success, LoginAttempt.ok, LoginAttempt.at <= now))
        since = max(since, last_ok) if last_ok else since
    failures, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at))
        .where(who, LoginAttempt.ok.is_(False), LoginAttempt.throttled.is_(False),
               LoginAttempt.at > since, LoginAttempt.at <= now)).one()
    if failures < max_failures:
        return 0.0
    delay = min(settings.login_delay_base_s * 2 ** min(failures - max_failures, 32),
                settings.login_delay_max_s)
    return (last + timedelta(seconds=delay) - now).total_seconds()


# --- server-side sessions and tokens ---------------------------------------------------------

def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(session: Session, user: User, *, kind: str, ttl_s: int, ip: str | None,
                 user_agent: str | None) -> str:
    """Start a session (or token) for `user`; returns the secret the client keeps.

    Only its SHA-256 is stored, so a copy of the table does not sign anyone in.
    """
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(secret), user_id=user.id, kind=kind, ip=ip,
                            user_agent=(user_agent or "")[:256] or None,
                            expires_at=func.now() + timedelta(seconds=ttl_s)))
    session.flush()
    return secret


TOUCH_EVERY_S = 60  # last_seen_at is kept to the minute: one write per minute, not per request

# Built once: every request runs it, and building the expression costs more than the query.
LIVE_SESSION = (
    select(User, UserSession.id,
           UserSession.last_seen_at < func.now() - timedelta(seconds=TOUCH_EVERY_S))
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.id == bindparam("digest"), UserSession.kind == bindparam("kind"),
           UserSession.revoked_at.is_(None), UserSession.expires_at > func.now(), User.active))


def session_user(session: Session, secret: str, *, kind: str) -> tuple[User, str, bool] | None:
    """(user, session id, due for a last-seen update) for a live session's secret, else None.

    Live: not revoked, not expired by the database clock, and its user is active.
    """
    row = session.execute(LIVE_SESSION, {"digest": _digest(secret), "kind": kind}).first()
    return (row[0], row[1], bool(row[2])) if row else None


def touch_session(session: Session, session_id: str) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id)
                    .values(last_seen_at=func.now()))


def revoke_session(session: Session, session_id: str) -> None:
    session.execute(update(UserSession).where(UserSession.id == session_id,
                                              UserSession.revoked_at.is_(None))
                    .values(revoked_at=func.now()))


def set_active(session: Session, user: User, *, active: bool, actor: str | None) -> None:
    """Enable or disable a user; disabling ends all their sessions and tokens at once."""
    before = user.active
    user.active = active
    if not active:
        session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                  UserSession.revoked_at.is_(None))
                        .values(revoked_at=func.now()))
    audit.record(session, actor=actor, action="activate" if active else "deactivate",
                 entity="user", entity_id=user.id, before={"active": before},
                 after={"active": active})


# Demo accounts: (username, role, area, display name). Every role at province level, a
# Zhengzhou city dispatcher, and a 中原区 (410102) county team.
DEMO_ACCOUNTS = tuple(
    [(f"demo-{role}", role, PROVINCE, f"演示 {role}") for role in ROLES]
    + [("demo-zhengzhou-dispatcher", "dispatcher", "410100", "郑州市调度员"),
       ("demo-zhongyuan-admin", "admin", "410102", "中原区管理员"),
       ("demo-zhongyuan-dispatcher", "dispatcher", "410102", "中原区调度员"),
       ("demo-zhongyuan-planner", "planner", "410102", "中原区规划员"),
       ("demo-zhongyuan-inspector", "inspector", "410102", "中原区监察员")])


def ensure_demo_accounts(session: Session, path,
                         demo: tuple[tuple[str, str, str, str], ...] = DEMO_ACCOUNTS
                         ) -> list[dict]:
    """The demo accounts with random passwords, listed in `path` (mode 0600) with each
    account's role and area.

    Reuses the file when it lists exactly these accounts and each exists with that role and
    area; otherwise (re)sets the passwords.
    """
    import json
    import os
    from pathlib import Path

    path = Path(path)
    wanted = {(u, r, a) for u, r, a, _ in demo}
    if path.exists():
        accounts_ = json.loads(path.read_text())
        listed = {(a.get("username"), a.get("role"), a.get("area")) for a in accounts_}
        present = {tuple(r) for r in session.execute(
            select(User.username, User.role, User.area_adcode).where(
                User.username.in_([u for u, *_ in demo]), User.active))}
        if listed == wanted == present and len(accounts_) == len(demo):
            return accounts_
    accounts_ = []
    for username, role, area, name in demo:
        password = secrets.token_urlsafe(12)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            create_user(session, username=username, password=password, role=role,
                        actor="system", display_name=name, area=area)
        else:
            user.password_hash = generate_password_hash(password)
            user.role, user.active, user.area_adcode = role, True, area
            audit.record(session, actor="system", action="reset_password", entity="user",
                         entity_id=user.id)
        accounts_.append({"username": username, "password": password, "role": role,
                          "area": area})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(accounts_, fh, ensure_ascii=False, indent=2)
    os.chmod(path, 0o600)
    return accounts_


def prune(session: Session, *, now: datetime, keep_days: int = 90) -> dict[str, int]:
    """Delete sign-in bookkeeping nobody needs any more: attempts older than `keep_days`
    (throttling looks back minutes), and sessions that expired or were revoked that long ago.
    The audit log is never pruned here."""
    before = now - timedelta(days=keep_days)
    attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before)).rowcount
    sessions_ = session.execute(delete(UserSession).where(
        (UserSession.expires_at < before)
        | (UserSession.revoked_at.is_not(None) & (UserSession.revoked_at < before)))).rowcount
    return {"login_attempts": attempts, "user_sessions": sessions_}
