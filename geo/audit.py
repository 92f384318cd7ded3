"""The audit log: every write records who, when, what, before and after."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geo.models import AuditLog


def record(session: Session, *, actor: str | None, action: str, entity: str,
           entity_id: Any = None, before: Any = None, after: Any = None,
           ip: str | None = None) -> None:
    """Add an audit row to the caller's transaction (it commits with the change)."""
    session.add(AuditLog(actor=actor, action=action, entity=entity,
                         entity_id=None if entity_id is None else str(entity_id),
                         before=before, after=after, ip=ip))
