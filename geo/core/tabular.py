"""Read an uploaded table (CSV in UTF-8/GBK/GB18030/UTF-16, or XLSX) into rows of cells.

Anything that makes the whole file unusable raises a DomainError naming the
problem (415 not a table, 422 unreadable or empty, 400 a bad option, 413 too
large), before anything is written. Size is bounded before and while reading: an
XLSX by its entries and declared unpacked size (geo.geo_uploads.check_archive),
then by its declared used range; any file by its rows as they are read.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from geo.core.errors import InvalidInput, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from geo.core.text import Text
from geo.core.uploads import Limits, check_archive

Cell = str | int | float | None
# Encodings a caller may name; GBK and GB2312 are read as GB18030, their superset.
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-sig": "utf-8-sig",
             "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
             "utf-16": "utf-16", "big5": "big5"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, .doc, …
SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";", "|")  # ties go to the comma
MAX_COLUMNS = 256  # an employer list has a few dozen; cells beyond are not read
MAX_XLSX_MEMBERS = 1000  # parts of a workbook: sheets, styles, relations, images


@dataclass
class Table:
    """The cells of one sheet or CSV file, each row with its line number in the file."""

    file_format: str  # 'csv' | 'xlsx'
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def read_table(data: bytes, *, encoding: str | None = None, sheet: str | None = None,
               limits: Limits = Limits()) -> Table:
    """Detect the format and read every non-blank row; raise on a file that cannot be used."""
    if not data or not data.strip():
        raise Unprocessable(Text("error.file.empty"), {"parameter": "file"})
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, sheet, limits)
    if data.startswith(OLE2):
        raise UnsupportedMediaType(Text("error.table.xls"), {"parameter": "file"})
    if sheet:
        raise InvalidInput(Text("error.table.sheet_of_csv"), {"parameter": "sheet"})
    text, used = _decode(data, encoding)
    return Table("csv", list(_csv_rows(text, limits.rows)), encoding=used)


def _too_many_rows(max_rows: int, what: Text, declared: int | None = None) -> PayloadTooLarge:
    message = Text("error.table.declares_too_many_rows", what=what, declared=declared,
                   max_rows=max_rows) if declared else \
        Text("error.table.too_many_rows", what=what, max_rows=max_rows)
    return PayloadTooLarge(message, {"parameter": "file", "max_rows": max_rows})


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Text of a CSV file: the named encoding, else UTF-16/UTF-8 (BOM or not), else GB18030."""
    if encoding:
        codec = ENCODINGS.get(encoding.strip().lower())
        if codec is None:
            raise InvalidInput(Text("error.table.unknown_encoding", encoding=encoding,
                                    choices=", ".join(sorted(ENCODINGS))),
                               {"parameter": "encoding"})
        try:
            return data.decode(codec), encoding.strip().lower()
        except UnicodeDecodeError as exc:
            raise Unprocessable(Text("error.table.not_in_encoding", encoding=encoding,
                                     byte=exc.start), {"parameter": "encoding"}) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise Unprocessable(Text("error.table.bad_utf16"), {"parameter": "file"}) from None
    if b"\x00" in data:
        raise UnsupportedMediaType(Text("error.table.not_a_table"), {"parameter": "file"})
    for codec, name in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise Unprocessable(Text("error.table.unknown_text_encoding"), {"parameter": "file"})


def _csv_rows(text: str, max_rows: int) -> Iterator[tuple[int, list[Cell]]]:
    """Non-blank records with the line each starts on; the header's commonest delimiter wins.

    Stops with 413 at the record after `max_rows` (blank ones count: they cost reading too).
    """
    first = next((line for line in text[:SNIFF_BYTES].splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for n, record in enumerate(reader, start=1):
            if n > max_rows:
                raise _too_many_rows(max_rows, Text("word.file"))
            if any(c.strip() for c in record):
                yield start, record[:MAX_COLUMNS]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Unprocessable(Text("error.table.malformed_csv", line=reader.line_num,
                                 reason=str(exc)), {"parameter": "file"}) from None


def _read_xlsx(data: bytes, sheet: str | None, limits: Limits) -> Table:
    """Cells of one worksheet (the first unless `sheet` names another)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise UnsupportedMediaType(Text("error.table.bad_xlsx", reason=str(exc)),
                                   {"parameter": "file"}) from None
    check_archive(members, limits, what=Text("word.workbook"), max_members=MAX_XLSX_MEMBERS)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnsupportedMediaType(Text("error.table.bad_xlsx", reason=str(exc)),
                                   {"parameter": "file"}) from None
    try:
        names = list(book.sheetnames)
        if sheet and sheet not in names:
            raise InvalidInput(Text("error.table.no_such_sheet", sheet=sheet,
                                    sheets=", ".join(names)),
                               {"parameter": "sheet", "sheets": names})
        name = sheet or names[0]
        ws = book[name]
        # The used range the sheet declares (the writer's word): too tall is refused unread.
        # openpyxl would stop at a range that understates, losing rows silently; so it is
        # dropped and reading stops at the limit instead.
        declared_rows, declared_columns = ws.max_row, ws.max_column
        if declared_rows is not None and declared_rows > limits.rows:
            raise _too_many_rows(limits.rows, Text("word.sheet", name=name), declared_rows)
        ws.reset_dimensions()
        # Rows come padded to this width, so a cell far to the right cannot widen every row.
        width = min(declared_columns if (declared_columns or 0) > 1 else MAX_COLUMNS,
                    MAX_COLUMNS)
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=width), start=1):
            if number > limits.rows:
                raise _too_many_rows(limits.rows, Text("word.sheet", name=name))
            cells = list(values)
            while cells and cells[-1] is None:  # the padding
                cells.pop()
            cells = [_cell(v) for v in cells]
            if any(c not in (None, "") for c in cells):
                rows.append((number, cells))
    finally:
        book.close()
    return Table("xlsx", rows, sheet=name, sheets=names)


def _cell(value) -> Cell:
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
