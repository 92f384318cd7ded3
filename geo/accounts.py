"""Users, password hashing and sign-in with a rate limit shared by all web workers."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from geo import audit
from geo.errors import Conflict, InvalidInput, TooManyAttempts
from geo.models import ROLES, LoginAttempt, User

# A hash to compare against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


def create_user(session: Session, *, username: str, password: str, role: str,
                actor: str | None, display_name: str | None = None) -> User:
    """Create a user with a hashed password; the password itself is never stored."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", {"parameter": "role"})
    if len(password) < 12:
        raise InvalidInput("password must have at least 12 characters", {"parameter": "password"})
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, password_hash=generate_password_hash(password), role=role,
                display_name=display_name or username)
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="user", entity_id=user.id,
                 after={"username": username, "role": role})
    return user


def authenticate(session: Session, *, username: str, password: str, ip: str | None,
                 max_failures: int, window_s: int) -> User | None:
    """The active user for these credentials, or None (the failure is recorded: commit it).

    Raises TooManyAttempts (429) when the username has failed too often recently;
    failures are counted in the database so every web worker sees them.
    """
    since = func.now() - timedelta(seconds=window_s)
    failures = session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.ok.is_(False),
               LoginAttempt.at > since))
    if failures >= max_failures:
        raise TooManyAttempts(
            f"too many failed sign-ins for {username!r}; try again in {window_s // 60} minutes")
    user = session.scalar(select(User).where(User.username == username))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password) \
        and user is not None and user.active
    session.add(LoginAttempt(username=username, ip=ip, ok=ok))
    return user if ok else None


def ensure_demo_accounts(session: Session, path, roles: tuple[str, ...] = ROLES) -> list[dict]:
    """One account per role with a random password, listed in `path` (mode 0600).

    Reuses the file when every account in it exists; otherwise (re)sets the passwords.
    """
    import json
    import os
    from pathlib import Path

    path = Path(path)
    if path.exists():
        accounts_ = json.loads(path.read_text())
        names = {a["username"] for a in accounts_}
        present = set(session.scalars(select(User.username).where(User.username.in_(names))))
        if names == present and len(accounts_) == len(roles):
            return accounts_
    accounts_ = []
    for role in roles:
        username = f"demo-{role}"
        password = secrets.token_urlsafe(12)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            create_user(session, username=username, password=password, role=role,
                        actor="system", display_name=f"演示 {role}")
        else:
            user.password_hash = generate_password_hash(password)
            user.role, user.active = role, True
            audit.record(session, actor="system", action="reset_password", entity="user",
                         entity_id=user.id)
        accounts_.append({"username": username, "password": password, "role": role})
    link_demo_inspector(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(accounts_, fh, ensure_ascii=False, indent=2)
    os.chmod(path, 0o600)
    return accounts_


def link_demo_inspector(session: Session) -> None:
    """Give the demo inspector account a grid worker's record, so /field shows a real grid."""
    from sqlalchemy import text

    session.execute(text("""
        UPDATE officers SET user_id = u.id
        FROM users u
        WHERE u.username = 'demo-inspector'
          AND officers.id = (SELECT min(id) FROM officers WHERE kind = 'grid_worker'
                             AND grid_id IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM officers o WHERE o.user_id = u.id)
    """))
