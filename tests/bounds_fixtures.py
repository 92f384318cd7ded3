"""Helpers for upload-size tests: the app's limits for one test, zips that lie about sizes."""
from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest
from openpyxl import Workbook

CENTRAL = b"PK\x01\x02"  # a central directory entry; its uncompressed size is at offset 24


@pytest.fixture()
def app_settings(app, monkeypatch):
    """`app_settings(max_upload_rows=10)`: the app's Settings with these values, for one test."""
    ext = app.extensions["liangwang"]

    def override(**values):
        monkeypatch.setitem(ext, "settings", ext["settings"].model_copy(update=values))
    return override


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member` declaring `size` unpacked bytes in the central directory.

    A cheap stand-in for a zip bomb: what the archive says is what a reader must trust
    before reading it.
    """
    name = member.encode()
    at = data.find(CENTRAL)
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length] == name:
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at = data.find(CENTRAL, at + 4)
    raise KeyError(member)


def xlsx(rows: list[list], *, dimension: str | None = None, extra: dict | None = None) -> bytes:
    """A real workbook of these rows; `dimension` rewrites the used range the sheet declares
    (writers get it wrong, or lie); `extra` adds members to the archive."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    if dimension is None and not extra:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if dimension is not None and info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'
                                 .encode(), content)
            dst.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()
