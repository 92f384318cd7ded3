"""Read an uploaded table (CSV in UTF-8/GBK/GB18030/UTF-16, or XLSX) into rows of cells.

Anything that makes the whole file unusable raises a DomainError naming the
problem (415 not a table, 422 unreadable or empty, 400 a bad option), before
anything is written.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterator

from geo.errors import InvalidInput, Unprocessable, UnsupportedMediaType

Cell = str | int | float | None
# Encodings a caller may name; GBK and GB2312 are read as GB18030, their superset.
ENCODINGS = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-sig": "utf-8-sig",
             "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
             "utf-16": "utf-16", "big5": "big5"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, .doc, …
SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", "\t", ";", "|")  # ties go to the comma


@dataclass
class Table:
    """The cells of one sheet or CSV file, each row with its line number in the file."""

    file_format: str  # 'csv' | 'xlsx'
    rows: list[tuple[int, list[Cell]]]
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)


def read_table(data: bytes, *, encoding: str | None = None, sheet: str | None = None) -> Table:
    """Detect the format and read every non-blank row; raise on a file that cannot be used."""
    if not data or not data.strip():
        raise Unprocessable("the file is empty", {"parameter": "file"})
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, sheet)
    if data.startswith(OLE2):
        raise UnsupportedMediaType(
            "this is an Excel 97-2003 (.xls) or other Office binary file: save it as .xlsx or "
            "as CSV and upload that", {"parameter": "file"})
    if sheet:
        raise InvalidInput("'sheet' applies to XLSX files only; this file is CSV",
                           {"parameter": "sheet"})
    text, used = _decode(data, encoding)
    return Table("csv", list(_csv_rows(text)), encoding=used)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    """Text of a CSV file: the named encoding, else UTF-16/UTF-8 (BOM or not), else GB18030."""
    if encoding:
        codec = ENCODINGS.get(encoding.strip().lower())
        if codec is None:
            raise InvalidInput(f"unknown encoding {encoding!r}; use one of "
                               f"{', '.join(sorted(ENCODINGS))}", {"parameter": "encoding"})
        try:
            return data.decode(codec), encoding.strip().lower()
        except UnicodeDecodeError as exc:
            raise Unprocessable(f"the file is not valid {encoding} text (byte {exc.start}); "
                                "leave 'encoding' empty to detect it",
                                {"parameter": "encoding"}) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise Unprocessable("the file starts like UTF-16 text but cannot be decoded",
                                {"parameter": "file"}) from None
    if b"\x00" in data:
        raise UnsupportedMediaType("the file is neither CSV text nor an XLSX workbook",
                                   {"parameter": "file"})
    for codec, name in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise Unprocessable("the file is neither UTF-8 nor GBK/GB18030 text: save it as CSV UTF-8 "
                        "or name its encoding", {"parameter": "file"})


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    """Non-blank records with the line each starts on; the header's commonest delimiter wins."""
    first = next((line for line in text[:SNIFF_BYTES].splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            if any(c.strip() for c in record):
                yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise Unprocessable(f"the CSV file is malformed near line {reader.line_num}: {exc}",
                            {"parameter": "file"}) from None


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    """Cells of one worksheet (the first unless `sheet` names another)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnsupportedMediaType(f"the file is a ZIP archive but not a readable XLSX "
                                   f"workbook ({exc})", {"parameter": "file"}) from None
    try:
        names = list(book.sheetnames)
        if sheet and sheet not in names:
            raise InvalidInput(f"the workbook has no sheet {sheet!r}; its sheets are: "
                               f"{', '.join(names)}", {"parameter": "sheet", "sheets": names})
        name = sheet or names[0]
        rows = []
        for number, values in enumerate(book[name].iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
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
