"""Message catalogs: both languages say the same things, every key the code names exists, and
geo's errors and problems reach a reader in Chinese by default and in the old English on request."""
from __future__ import annotations

import csv
import io
import json
import re
import string
from pathlib import Path

import pytest

from geo.core.text import MESSAGES, Text, catalog
from geo.employers.imports.service import restored, stored
from tests.conftest import bearer
from tests.employer_files import bad_check, codes, write_csv

ROOT = Path(__file__).resolve().parents[2]
# Text("a.key", …) or Text("a.key") with a literal key; keys built at run time are not checked.
LITERAL_KEY = re.compile(r"""\bText\(\s*(["'])([^"'{}\s]+)\1\s*[,)]""")
CJK = re.compile(r"[\u4e00-\u9fff]")
COUNTY = "410104"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _files(language: str) -> dict[str, dict[str, str]]:
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((MESSAGES / language).glob("*.json"))}


def test_chinese_and_english_catalogs_have_the_same_files_keys_and_fields():
    zh, en = _files("zh"), _files("en")
    assert set(zh) == set(en) and "geo.json" in zh
    for name in zh:
        assert set(zh[name]) == set(en[name]), (name, set(zh[name]) ^ set(en[name]))
        for key in zh[name]:
            assert _fields(zh[name][key]) == _fields(en[name][key]), (name, key)
    assert catalog("zh").keys() == catalog("en").keys()  # and no key is defined twice


def test_geo_chinese_texts_are_chinese():
    zh, en = _files("zh")["geo.json"], _files("en")["geo.json"]
    # Keys whose text is a code or a name that reads the same in both languages.
    same = {k for k in zh if k.startswith(("geos.", "crs.", "word.")) or k == "import.row.problems"}
    for key, template in zh.items():
        if key not in same:
            assert CJK.search(template), (key, template)
            assert template != en[key], key


def test_every_literal_catalog_key_in_the_code_exists():
    keys = catalog("en").keys()
    missing = []
    for package in ("geo", "dispatch", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "geo" / "core" / "text.py":  # its docstring shows an example key
                continue
            for match in LITERAL_KEY.finditer(path.read_text(encoding="utf-8")):
                if match.group(2) not in keys:
                    missing.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert not missing, missing
    found = LITERAL_KEY.findall('Text("error.employer.not_found", employer_id=1) Text(\'a.b\')')
    assert [k for _, k in found] == ["error.employer.not_found", "a.b"]  # the scan itself works


def test_values_that_are_texts_render_in_the_same_language():
    text = Text("error.grid_edit.not_county", county="410100", level=Text("level_city"))
    assert str(text) == "'county' must be a county-level adcode; 410100 is a city"
    assert text.render("zh") == "'county' 必须是县级行政区划代码；410100 是市级"
    assert Text("problem.grid.too_small", area=1234.4, min=5000).render("en") == \
        "the grid covers 1,234 m², less than the minimum of 5,000 m²"


def test_an_import_reason_survives_storage_as_json():
    reason = Text("import.row.problems", first=Text("import.row.name_required"),
                  rest=Text("import.row.not_number", field=Text("import.field.employees"),
                            value="很多"))
    back = restored(json.loads(json.dumps(stored(reason))))
    assert back == reason
    assert str(back) == "name (单位名称) is required; employees '很多' is not a number"
    assert back.render("zh") == "缺少单位名称；从业人数“很多”不是数字"
    assert restored("an older import's reason") == "an older import's reason"


@pytest.mark.parametrize("headers, message", [
    ({"Accept-Language": ""}, "没有 id 为 987654321 的用人单位"),
    ({"Accept-Language": "zh-CN,zh;q=0.9"}, "没有 id 为 987654321 的用人单位"),
    ({"Accept-Language": "en"}, "no employer has id 987654321"),
])
def test_an_unknown_employer_is_404_in_the_readers_language(client, tokens, headers, message):
    r = client.get("/api/v1/employers/987654321",
                   headers={**bearer(tokens["inspector"]), **headers})
    assert r.status_code == 404
    assert r.get_json()["error"] == {"code": "not_found", "message": message,
                                     "details": {"employer_id": 987654321}}


@pytest.mark.parametrize("headers, first, overall", [
    ({"Accept-Language": ""}, "网格必须是 Polygon 或 MultiPolygon，不能是 LineString",
     "编辑集有 1 个问题；第一个：网格必须是 Polygon 或 MultiPolygon，不能是 LineString"),
    ({"Accept-Language": "en"}, "a grid must be a Polygon or MultiPolygon, not a LineString",
     "the edit set has 1 problem(s); first: a grid must be a Polygon or MultiPolygon, "
     "not a LineString"),
])
def test_a_grid_edit_problem_is_in_the_readers_language(client, tokens, headers, first, overall):
    line = {"type": "LineString", "coordinates": [[113.7, 34.7], [113.8, 34.8]]}
    r = client.post("/api/v1/grid-edits", headers={**bearer(tokens["planner"]), **headers},
                    json={"county": COUNTY, "dry_run": True, "changes": [
                        {"op": "create", "code": "T-MSG", "name": "线", "geometry": line}]})
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["message"] == overall
    (problem,) = error["details"]["problems"]
    assert problem["kind"] == "not_polygonal" and problem["message"] == first


def test_a_county_level_error_names_the_level_in_chinese(client, tokens):
    r = client.post("/api/v1/grid-edits", headers={**bearer(tokens["planner"]),
                                                   "Accept-Language": "zh-CN"},
                    json={"county": "410100", "dry_run": True, "changes": []})
    assert r.status_code == 400
    assert r.get_json()["error"]["message"] == "'county' 必须是县级行政区划代码；410100 是市级"


def test_import_rejects_read_in_chinese_in_the_answer_and_the_download(client, tokens, tmp_path):
    (code,) = codes(1)
    path = write_csv(tmp_path / "zh.csv", [
        ["校验位错误公司", bad_check(code), "", "郑州市中原区", "", "", "", "-3", "", "", ""]])
    zh = {**bearer(tokens["admin"]), "Accept-Language": "zh-CN"}
    r = client.post("/api/v1/employers/import", headers=zh, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(path.read_bytes()), path.name)})
    assert r.status_code == 200, r.get_json()
    (reject,) = r.get_json()["rejected"]
    assert reject["reason"].startswith("统一社会信用代码的校验码为 ")
    assert "；从业人数 -3 不能为负数" in reject["reason"] and not re.search(r"[a-z]{4}",
                                                                          reject["reason"])
    url = r.get_json()["rejected_csv"]
    header, row = list(csv.reader(io.StringIO(client.get(url, headers=zh).data.decode("utf-8-sig"))))
    assert header[:3] == ["行号", "原因", "单位名称"] and row[1] == reject["reason"]
    en = client.get(url, headers={**bearer(tokens["admin"]), "Accept-Language": "en"})
    header, row = list(csv.reader(io.StringIO(en.data.decode("utf-8-sig"))))
    assert header[:2] == ["row", "reason"]
    assert row[1].startswith("credit code check character is ") and \
        row[1].endswith("; employees -3 must not be negative")
