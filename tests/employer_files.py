"""Real employer list files for the import tests: CSV (UTF-8, GBK) and XLSX written to disk."""
from __future__ import annotations

import csv
import io
import uuid
from itertools import count
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from geo.employers import credit_code
from tests.conftest import bearer

_seeds = count(1000)
HEADER = ["单位名称", "统一社会信用代码", "法定代表人", "经营地址", "经度", "纬度", "行业",
          "从业人数", "农民工人数", "联系人", "联系电话"]


def codes(n: int, adcode: str = "410105") -> list[str]:
    """n valid credit codes never used before in this test session."""
    rng = np.random.default_rng(uuid.uuid4().int)
    return credit_code.generate(np.array([adcode] * n), rng)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    wrong = "0" if code[17] != "0" else "1"
    return code[:17] + wrong


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER,
              encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def upload(client, token: str, path: Path, **form):
    """POST the file to the import route as a script would (bearer token, multipart)."""
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **form}
    return client.post("/api/v1/employers/import", data=data, headers=bearer(token),
                       content_type="multipart/form-data")
