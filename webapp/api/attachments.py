"""Attachments: upload a document or photo to a record, list a record's, download one. The
record's territory decides who may (as for the record itself); downloads are always offered
as files, with the type we recognised."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request

from geo.attachments import service
from geo.attachments.models import OWNERS
from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text
from webapp.api.dispatch import committed
from webapp.core import territory
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.context import actor, db, settings
from webapp.core.params import Param, query

bp = Blueprint("attachments_api", __name__)
STAFF = ("admin", "dispatcher", "command", "inspector")


def _owner(kind: str | None, raw_id) -> tuple[str, int, str]:
    if kind not in OWNERS:
        raise InvalidInput(Text("webapp.param.one_of", name="owner_kind",
                                choices=", ".join(OWNERS), value=repr(kind)),
                           {"parameter": "owner_kind"})
    try:
        owner_id = int(raw_id)
        assert 0 < owner_id < 2 ** 62
    except (TypeError, ValueError, AssertionError):
        raise InvalidInput(Text("error.attachment.owner_id"), {"parameter": "owner_id"}) from None
    county = territory.RESOLVERS[kind][1](owner_id)  # the record's county (None: no record)
    if county is None:
        raise NotFound(Text("error.attachment.owner_missing", kind=Text(f"territory.kind.{kind}"),
                            id=owner_id), {"owner_kind": kind, "owner_id": owner_id})
    territory.check(kind, owner_id)
    return kind, owner_id, county


@bp.post("/api/v1/attachments")
@roles(*STAFF)
@accepts({"file": {"type": "string", "format": "binary",
                   "description": "PDF, JPEG, PNG, DOCX or XLSX, at most "
                                  "LIANGWANG_MAX_ATTACHMENT_BYTES (10 MB)"},
          "owner_kind": {"type": "string", "enum": list(OWNERS)}, "owner_id": {"type": "integer"}},
         ("file", "owner_kind", "owner_id"), content_type="multipart/form-data", status="201")
def upload_attachment():
    """Keep a file beside a record of the user's territory: 413 too large, 415 a kind we do
    not keep (by its content), 404/403 a record outside."""
    kind, owner_id, county = _owner(request.form.get("owner_kind"), request.form.get("owner_id"))
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(Text("webapp.grids.file_field"), {"parameter": "file"})
    s = settings()
    made = service.store(db(), owner_kind=kind, owner_id=owner_id, county=county,
                         data=upload.read(s.max_attachment_bytes + 1), filename=upload.filename,
                         max_bytes=s.max_attachment_bytes, var=s.var, actor=actor())
    return committed(made, 201)


@bp.get("/api/v1/attachments")
@roles(*STAFF)
@query(Param("owner_kind", "the record's kind", enum=OWNERS, required=True),
       Param("owner_id", "the record's id", type="integer", minimum=1, required=True))
def list_attachments(owner_kind: str, owner_id: int):
    """The files kept beside a record."""
    kind, owner_id, _ = _owner(owner_kind, owner_id)
    return jsonify({"items": service.listing(db(), kind, owner_id)})


@bp.get("/api/v1/attachments/<int:attachment_id>")
@roles(*STAFF)
def download_attachment(attachment_id: int):
    """The file itself, as a download."""
    row = service.get(db(), attachment_id)
    data = service.read(row, settings().var)
    resp = Response(data, mimetype=service.MIME[row.kind])
    ascii_name = f"attachment-{row.id}{service.EXTENSION[row.kind]}"
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                           f"filename*=UTF-8''{quote(row.filename)}")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
