"""Territory tables: admin areas, grids (+ history), employers; users and audit log.

Every large table carries `county_adcode`, the distribution key for sharding by
county (Citus); admin_areas is small and would be a reference table.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base, in_check

ROLES = ("admin", "command", "dispatcher", "planner", "inspector")


class User(Base):
    """A person who signs in; `role` decides what each route allows."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str | None] = mapped_column(String(64))
    # Territory (辖区): the province 410000, a city or a county; reads and writes stop there.
    area_adcode: Mapped[str] = mapped_column(String(6), default="410000",
                                             server_default="410000")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (CheckConstraint(in_check("role", ROLES), name="role"),
                      CheckConstraint("area_adcode ~ '^[0-9]{6}$'", name="area_adcode"))


class LoginAttempt(Base):
    """Sign-in attempts, shared by all web workers for throttling (geo.accounts)."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    # Refused before the password was looked at (too soon after failures): not a failure.
    throttled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),
                      Index("ix_login_attempts_ip_at", "ip", "at"))


SESSION_KINDS = ("cookie", "token")  # a page session, or a bearer token for the API


class UserSession(Base):
    """A signed-in session or bearer token; the client holds a secret whose SHA-256 is `id`.

    Checked on every request, so sign-out, expiry and deactivation take effect at once.
    """

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    __table_args__ = (CheckConstraint(in_check("kind", SESSION_KINDS), name="kind"),)


class AuditLog(Base):
    """Every write: who, when, what, before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                         index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before = mapped_column(JSONB)
    after = mapped_column(JSONB)
    ip: Mapped[str | None] = mapped_column(String(64))

