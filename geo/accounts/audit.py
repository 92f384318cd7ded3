"""The audit log: every write records who, when, what, before and after."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.accounts.models import AuditLog


def record(session: Session, *, actor: str | None, action: str, entity: str,
           entity_id: Any = None, before: Any = None, after: Any = None,
           ip: str | None = None) -> None:
    """Add an audit row to the caller's transaction (it commits with the change)."""
    session.add(AuditLog(actor=actor, action=action, entity=entity,
                         entity_id=None if entity_id is None else str(entity_id),
                         before=before, after=after, ip=ip))


def recent(session: Session, *, limit: int = 100, entity: str | None = None,
           actor: str | None = None, actor_areas: list[str] | None = None) -> list[dict]:
    """Newest audit rows first, optionally for one entity type or actor; with `actor_areas`,
    only what users of those areas (adcodes) did."""
    from sqlalchemy import select

    from geo.accounts.models import User

    q = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity:
        q = q.where(AuditLog.entity == entity)
    if actor:
        q = q.where(AuditLog.actor == actor)
    if actor_areas is not None:
        q = q.where(AuditLog.actor.in_(select(User.username)
                                       .where(User.area_adcode.in_(actor_areas))))
    return [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
             "entity": r.entity, "entity_id": r.entity_id, "before": r.before, "after": r.after,
             "ip": r.ip} for r in session.scalars(q)]
