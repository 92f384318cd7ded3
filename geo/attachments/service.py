"""Store, list and read attachments. The type comes from the file's first bytes (PDF, JPEG,
PNG, or a DOCX/XLSX package), never from its name or the browser's word; the name is kept
only for display, reduced to its last part without control or path characters; the bytes
go under `<var>/attachments/` with a random name, out of reach of the static routes."""
from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from geo.accounts import audit
from geo.attachments.models import Attachment
from geo.core.errors import NotFound, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from geo.core.text import Text

MIME = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
EXTENSION = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "docx": ".docx", "xlsx": ".xlsx"}
MAX_PACKAGE_MEMBERS = 2000


def sniff(data: bytes) -> str | None:
    """The kind of a file from its content, or None when it is none we keep."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return None
        if len(names) > MAX_PACKAGE_MEMBERS or "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def display_name(raw: str | None, kind: str) -> str:
    """The last part of the uploaded name, without path or control characters, with the
    extension of its real kind; "附件" when nothing is left."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return (stem[:100] or "附件") + EXTENSION[kind]


def directory(var: Path) -> Path:
    return var / "attachments"


def store(session: Session, *, owner_kind: str, owner_id: int, county: str, data: bytes,
          filename: str | None, max_bytes: int, var: Path, actor: str | None) -> dict:
    """Keep a file for a record: 413 above `max_bytes`, 415 for a kind we do not keep."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(Text("error.attachment.too_large", size=f"{len(data) / 1e6:.1f}",
                                   limit=f"{max_bytes / 1e6:.0f}"),
                              {"parameter": "file", "max_bytes": max_bytes})
    if not data:
        raise Unprocessable(Text("error.attachment.empty"), {"parameter": "file"})
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMediaType(Text("error.attachment.kind"), {"parameter": "file"})
    folder = directory(var)
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + EXTENSION[kind]
    (folder / stored).write_bytes(data)
    row = Attachment(owner_kind=owner_kind, owner_id=owner_id, county_adcode=county,
                     filename=display_name(filename, kind), stored_name=stored, kind=kind,
                     size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                     uploaded_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="attach", entity=owner_kind, entity_id=owner_id,
                 after={"attachment": row.id, "kind": kind, "size": len(data)})
    return view(row)


def view(row) -> dict:
    return {"id": row.id, "owner": {"kind": row.owner_kind, "id": row.owner_id},
            "filename": row.filename, "kind": row.kind, "size": row.size,
            "sha256": row.sha256, "uploaded_by": row.uploaded_by,
            "uploaded_at": row.uploaded_at.isoformat() if row.uploaded_at else None,
            "url": f"/api/v1/attachments/{row.id}"}


def listing(session: Session, owner_kind: str, owner_id: int) -> list[dict]:
    rows = session.query(Attachment).filter(Attachment.owner_kind == owner_kind,
                                            Attachment.owner_id == owner_id) \
        .order_by(Attachment.id).all()
    return [view(r) for r in rows]


def get(session: Session, attachment_id: int) -> Attachment:
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(Text("error.attachment.not_found", id=attachment_id),
                       {"attachment_id": attachment_id})
    return row


def read(row: Attachment, var: Path) -> bytes:
    """The stored bytes (the stored name is ours: no path from the request reaches here)."""
    path = directory(var) / row.stored_name
    if not path.is_file():
        raise NotFound(Text("error.attachment.not_found", id=row.id), {"attachment_id": row.id})
    return path.read_bytes()

