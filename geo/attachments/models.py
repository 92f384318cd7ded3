"""One stored file and the record it belongs to."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base, in_check

KINDS = ("pdf", "jpeg", "png", "docx", "xlsx")
OWNERS = ("referral", "project", "case", "complaint", "reward", "audit", "review")


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[int] = mapped_column(BigInteger)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    filename: Mapped[str] = mapped_column(String(120))    # shown and offered on download
    stored_name: Mapped[str] = mapped_column(String(64))  # random, under var/attachments
    kind: Mapped[str] = mapped_column(String(8))          # from the content, not the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("kind", KINDS), name="kind"),
        CheckConstraint(in_check("owner_kind", OWNERS), name="owner_kind"),
        Index("ix_attachments_owner", "owner_kind", "owner_id"),
    )
