"""Attachments with real files: a PDF, a PNG and a DOCX made by python-docx are kept and come
back byte for byte; a program named .pdf, a zip that is no document, an empty file and one
over the limit are refused with nothing written; a path in the name never reaches the disk;
the files live outside the web root and only the record's territory may read them."""
from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.attachments import service
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, ROOT, bearer, unique
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("审计报告：2026 年 1—10 月工资支付情况")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture()
def complaint(committed):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    with unit_of_work(committed.sessions) as s:
        made = s.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, status, workers_affected)
            VALUES (:e, '410102', 'wage_arrears', 'received', 2) RETURNING id"""),
            {"e": employer}).scalar_one()
    committed.complaints.append(made)
    committed.undo("DELETE FROM attachments WHERE owner_kind = 'complaint' AND owner_id = :c",
                   c=made)
    return made


def upload(client, token, owner, data, name, kind="complaint"):
    return client.post("/api/v1/attachments", headers=bearer(token),
                       data={"owner_kind": kind, "owner_id": str(owner),
                             "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def stored(db, owner):
    return db.execute(text("SELECT count(*) FROM attachments WHERE owner_kind = 'complaint' "
                           "AND owner_id = :c"), {"c": owner}).scalar()


@pytest.mark.parametrize(("data", "name", "kind"), [
    (PDF, "工资台账.pdf", "pdf"), (PNG, "现场照片.PNG", "png"), (None, "审计报告.docx", "docx")])
def test_a_document_is_kept_and_comes_back_byte_for_byte(client, tokens, complaint, settings,
                                                         data, name, kind):
    data = data if data is not None else docx_bytes()
    r = upload(client, tokens["dispatcher"], complaint, data, name)
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert (got["kind"], got["size"], got["filename"]) == \
        (kind, len(data), name.rsplit(".", 1)[0] + service.EXTENSION[kind])
    down = client.get(got["url"], headers=bearer(tokens["inspector"]))
    assert down.status_code == 200 and down.data == data
    assert down.mimetype == service.MIME[kind]
    assert down.headers["Content-Disposition"].startswith("attachment;")
    assert down.headers["X-Content-Type-Options"] == "nosniff"
    files = list(service.directory(settings.var).iterdir())
    assert any(f.read_bytes() == data for f in files)
    assert (ROOT / "webapp").resolve() not in service.directory(settings.var).resolve().parents
    listed = client.get(f"/api/v1/attachments?owner_kind=complaint&owner_id={complaint}",
                        headers=bearer(tokens["command"])).get_json()["items"]
    assert got["id"] in [x["id"] for x in listed]


def test_what_is_not_a_document_is_refused_and_nothing_written(client, tokens, complaint, db,
                                                               settings):
    folder = service.directory(settings.var)
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("readme.txt", "not a document")
    for data, name, status in ((b"MZ\x90\x00" + b"\x00" * 200, "报告.pdf", 415),
                               (plain_zip.getvalue(), "台账.docx", 415),
                               (b"<html><script>alert(1)</script>", "a.png", 415),
                               (b"", "空.pdf", 422),
                               (PDF + b"\x00" * (settings.max_attachment_bytes), "大.pdf", 413)):
        r = upload(client, tokens["dispatcher"], complaint, data, name)
        assert r.status_code == status, (name, r.status_code)
        assert r.get_json()["error"]["message"]
    assert stored(db, complaint) == 0
    assert set(folder.iterdir()) == before


def test_a_path_in_the_name_never_reaches_the_disk(client, tokens, complaint, db, settings):
    r = upload(client, tokens["dispatcher"], complaint, PDF, "../../../etc/passwd.pdf")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["filename"] == "passwd.pdf"
    name = db.execute(text("SELECT stored_name FROM attachments WHERE id = :i"),
                      {"i": r.get_json()["id"]}).scalar()
    assert "/" not in name and ".." not in name
    assert (service.directory(settings.var) / name).read_bytes() == PDF
    assert service.display_name("..\\..\\windows\\报告", "pdf") == "报告.pdf"
    assert service.display_name("...", "png") == "附件.png"


def test_only_the_records_territory_and_staff_may_read(client, tokens, complaint, committed):  # noqa: F811
    made = upload(client, tokens["dispatcher"], complaint, PDF, "a.pdf").get_json()
    with unit_of_work(committed.sessions) as s:
        other = create_user(s, username=unique("jinshui"), password=PASSWORD,
                            role="dispatcher", actor="tests", area="410105")
        committed.users.append(other.id)
    token = client.post("/api/v1/auth/token", json={"username": other.username,
                                                    "password": PASSWORD}).get_json()["token"]
    assert client.get(made["url"], headers=bearer(token)).status_code == 404
    assert upload(client, token, complaint, PDF, "b.pdf").status_code == 403
    assert client.get(made["url"], headers=bearer(tokens["planner"])).status_code == 403
    assert client.get(made["url"]).status_code == 401
    assert upload(client, tokens["dispatcher"], 10 ** 12, PDF, "c.pdf").status_code == 404
    assert upload(client, tokens["dispatcher"], complaint, PDF, "d.pdf",
                  kind="nothing").status_code == 400
