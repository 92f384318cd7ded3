"""Employer list rows: find the header, map its columns, and validate each row on its own."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from geo.core.errors import Unprocessable
from geo.core.tabular import Cell
from geo.core.text import Text
from geo.crs import CRS_NAMES
from geo.employers import credit_code, industry
from geo.employers.models import GRADES

# Field -> header spellings seen in real lists, preferred first (经营地址, where the labour is
# used, decides jurisdiction, so it wins over 注册地址 when a file has both).
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "企业名称", "用人单位名称", "用人单位", "公司名称", "名称", "单位", "企业",
             "name", "employer", "employer_name", "company", "company_name"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "credit_code",
                    "uscc", "unified_social_credit_code"),
    "legal_representative": ("法定代表人", "法人代表", "法定代表人（负责人）", "法人", "负责人",
                              "legal_representative", "legal_person"),
    "address": ("经营地址", "生产经营地址", "实际经营地址", "用工地址", "地址", "单位地址",
                "企业地址", "详细地址", "注册地址", "住所", "address", "registered_address"),
    "lon": ("经度", "lon", "lng", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "crs": ("坐标系", "crs", "coordinate_system"),
    "industry": ("行业门类", "行业", "所属行业", "行业类别", "行业分类", "国民经济行业", "industry"),
    "employees": ("从业人数", "职工人数", "员工人数", "用工人数", "职工总数", "从业人员",
                  "employees", "headcount"),
    "migrant_workers": ("农民工人数", "农民工", "migrant_workers"),
    "contact_person": ("联系人", "contact", "contact_person"),
    "contact_phone": ("联系电话", "电话", "手机", "手机号", "联系方式", "phone", "contact_phone",
                      "tel"),
    "grade": ("守法诚信等级", "诚信等级", "信用等级", "grade"),
}
LIMITS = {"name": 200, "legal_representative": 64, "address": 300, "contact_person": 64,
          "contact_phone": 32}
CRS_WORDS = {"wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "cgcs2000": "cgcs2000",
             "国家2000": "cgcs2000", "2000": "cgcs2000", "gcj02": "gcj02", "gcj-02": "gcj02",
             "高德": "gcj02", "腾讯": "gcj02", "火星": "gcj02", "bd09": "bd09", "bd-09": "bd09",
             "百度": "bd09"}
HEADER_SCAN_ROWS = 20  # title rows above the header are common in exported lists


class RowError(ValueError):
    """A row that cannot be imported; `message` (a Text) lists its problems, str() in English."""

    def __init__(self, message: Text):
        super().__init__(message)  # str() of the error is the English text
        self.message = message


def joined(problems: list) -> Text:
    """The problems of a row as one Text: "first; second; …" in the reader's language."""
    if len(problems) == 1:
        return problems[0]
    return Text("import.row.problems", first=problems[0], rest=joined(problems[1:]))


def _label(field: str) -> Text:
    """A field's name inside a sentence ("contact phone" / 联系电话)."""
    return Text(f"import.field.{field}")


def _norm(header: Cell) -> str:
    """Comparable header text: no spaces, '*', units in brackets or a trailing colon."""
    s = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    s = re.sub(r"\(.*?\)", "", s)
    return re.sub(r"[\s*:_\-]", "", s)


_SYNONYMS = {f: tuple(_norm(h) for h in hs) for f, hs in FIELDS.items()}


@dataclass
class Columns:
    """Which column holds each field, found on the header row."""

    header_line: int
    header: list[str]
    index: dict[str, int]

    def describe(self) -> dict[str, str]:
        return {f: self.header[i] for f, i in self.index.items()}


def map_columns(header: list[Cell], line: int = 1) -> Columns:
    """Columns for each known field: exact spellings first, then headers that contain one."""
    normed = [_norm(h) for h in header]
    index: dict[str, int] = {}
    for exact in (True, False):
        for field, synonyms in _SYNONYMS.items():
            if field in index:
                continue
            for syn in synonyms:
                hits = [i for i, h in enumerate(normed) if i not in index.values() and h and (
                    h == syn if exact else len(syn) >= 4 and syn in h)]
                if hits:
                    index[field] = hits[0]
                    break
    return Columns(line, ["" if h is None else str(h).strip() for h in header], index)


def find_columns(rows: list[tuple[int, list[Cell]]]) -> tuple[int, Columns]:
    """(position of the header among rows, its columns); 422 when no row looks like a header."""
    best: tuple[int, Columns] | None = None
    for pos, (line, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols = map_columns(cells, line)
        if "name" in cols.index and "credit_code" in cols.index:
            return pos, cols
        if best is None or len(cols.index) > len(best[1].index):
            best = (pos, cols)
    seen = [str(c) for c in rows[best[0]][1] if c not in (None, "")] if best else []
    raise Unprocessable(Text("error.import.no_header",
                             headers=", ".join(seen[:20]) or Text("word.none")),
                        {"parameter": "file", "headers": seen[:50]})


@dataclass(slots=True)
class Candidate:
    """One valid row, not yet placed: coordinates as written, in their CRS."""

    row: int
    credit_code: str
    name: str
    legal_representative: str | None = None
    address: str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    industry: str | None = None
    employees: int | None = None
    migrant_workers: int | None = None
    grade: str | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"


def parse_row(line: int, cells: list[Cell], cols: Columns, default_crs: str) -> Candidate:
    """A Candidate, or RowError (a ValueError) whose message lists every problem of the row."""
    n = len(cells)
    values = {f: _blank_is_none(cells[i]) for f, i in cols.index.items() if i < n}
    get = values.get
    problems: list[Text] = []
    code = _credit_code(get("credit_code"), problems)
    raw_name = get("name")
    if raw_name is None:
        problems.append(Text("import.row.name_required"))
    name = _text(raw_name, "name", problems)
    out = Candidate(line, code or "", name or "")
    for field in ("legal_representative", "address", "contact_person", "contact_phone"):
        setattr(out, field, _text(get(field), field, problems))
    raw_industry = get("industry")
    if raw_industry is not None:
        out.industry = industry.section(str(raw_industry))
        if out.industry is None:
            problems.append(Text("import.row.bad_industry", value=raw_industry))
    for field in ("employees", "migrant_workers"):
        setattr(out, field, _count(get(field), field, problems))
    raw_grade = get("grade")
    if raw_grade is not None:
        grade = str(raw_grade).strip().upper().removesuffix("级")
        if grade not in GRADES:
            problems.append(Text("import.row.bad_grade", value=raw_grade))
        out.grade = grade if grade in GRADES else None
    out.crs = _crs(get("crs"), default_crs, problems)
    out.lon, out.lat = _coordinates(get("lon"), get("lat"), problems)
    if get("lon") is None and get("lat") is None and out.address is None:
        problems.append(Text("import.row.no_location"))
    if problems:
        raise RowError(joined(problems))
    return out


def _blank_is_none(value: Cell) -> Cell:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _credit_code(raw: Cell, problems: list[Text]) -> str | None:
    if raw is None:
        problems.append(Text("import.row.credit_code_required"))
        return None
    if isinstance(raw, float):
        problems.append(Text("import.row.credit_code_number"))
        return None
    text = unicodedata.normalize("NFKC", str(raw)).replace(" ", "")
    try:
        return credit_code.validate(text)
    except credit_code.CreditCodeError as exc:
        problems.append(exc.message)
        return None


def _text(raw: Cell, field: str, problems: list[Text]) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a phone number Excel kept as a number
    value = " ".join(str(raw).split())
    if len(value) > LIMITS[field]:
        problems.append(Text("import.row.too_long", field=_label(field), limit=LIMITS[field]))
        return None
    return value or None


def _count(raw: Cell, field: str, problems: list[Text]) -> int | None:
    if raw is None:
        return None
    label = _label(field)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).replace(",", "").removesuffix("人").strip()
        try:
            raw = float(text)
        except ValueError:
            problems.append(Text("import.row.not_number", field=label, value=raw))
            return None
    value = float(raw)
    if not math.isfinite(value) or not value.is_integer():
        problems.append(Text("import.row.not_whole", field=label, value=raw))
        return None
    if value < 0:
        problems.append(Text("import.row.negative", field=label, value=int(value)))
        return None
    if value > 2_000_000_000:
        problems.append(Text("import.row.too_large", field=label, value=int(value)))
        return None
    return int(value)


def _crs(raw: Cell, default: str, problems: list[Text]) -> str:
    if raw is None:
        return default
    key = _norm(raw)
    if key in CRS_NAMES:
        return key
    if key in CRS_WORDS:
        return CRS_WORDS[key]
    problems.append(Text("import.row.bad_crs", value=raw, choices=", ".join(CRS_NAMES)))
    return default


def _coordinates(lon: Cell, lat: Cell, problems: list[Text]) -> tuple[float | None, float | None]:
    if lon is None and lat is None:
        return None, None
    if lon is None or lat is None:
        problems.append(Text("import.row.lon_lat_together"))
        return None, None
    values = []
    for field, raw in (("longitude", lon), ("latitude", lat)):
        try:
            value = float(unicodedata.normalize("NFKC", str(raw)).strip().rstrip("°"))
        except ValueError:
            problems.append(Text("import.row.not_number", field=_label(field), value=raw))
            return None, None
        if not math.isfinite(value):
            problems.append(Text("import.row.not_number", field=_label(field), value=raw))
            return None, None
        values.append(value)
    x, y = values
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        swapped = -180 <= y <= 180 and -90 <= x <= 90
        problems.append(Text("import.row.bad_degrees_swapped" if swapped else
                             "import.row.bad_degrees", x=x, y=y))
        return None, None
    return x, y
