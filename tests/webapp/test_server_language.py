"""Server text in the reader's language: recommendation reasons, exclusions and validation
problems come back in Chinese by default (no Accept-Language, or zh-CN) and in English with
`Accept-Language: en`; `?lang=` overrides the header."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from geo.core import clock
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed, metres_east  # noqa: F401 (fixture)

NONE = {"Accept-Language": ""}  # the test client then sends no Accept-Language at all
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}
CJK = re.compile("[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile("[A-Za-z]{3,}")  # "km", "ETA", "officer", "status", …


def _chinese(sentence: str) -> bool:
    """Chinese, with no English word in it (officer names here are badges like T000012-…)."""
    return bool(CJK.search(sentence)) and not ENGLISH_WORD.search(sentence)


@pytest.fixture()
def scene(committed):  # noqa: F811
    """A pending inspection with two available inspectors close by, an uncertified one and one
    on site, all nearer to it than any other officer."""
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    at = lambda m: metres_east(*SITE, m)[0]  # noqa: E731
    ids = {"near": committed.inspector(lon=at(20), lat=SITE[1]),
           "next": committed.inspector(lon=at(30), lat=SITE[1]),
           "uncertified": committed.inspector(lon=at(25), lat=SITE[1], certified=False),
           "on_site": committed.inspector(lon=at(35), lat=SITE[1], status="on_site")}
    return inspection, ids


def _recommend(client, tokens, inspection, headers, query=""):
    r = client.get(f"/api/v1/inspections/{inspection}/recommendations{query}",
                   headers={**bearer(tokens["dispatcher"]), **headers})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    return body, {e["officer_id"]: e["reason"] for e in body["excluded"]}


@pytest.mark.parametrize("headers", [NONE, ZH], ids=["no-header", "zh-CN"])
def test_recommendation_reasons_are_chinese_by_default(client, tokens, scene, headers):
    inspection, ids = scene
    body, excluded = _recommend(client, tokens, inspection, headers)
    assert excluded[ids["uncertified"]] == "未持执法证"
    assert excluded[ids["on_site"]] == "当前状态为“在现场”"
    assert body["teams"], body
    for team in body["teams"]:
        first, second = team["officer_ids"]
        tier, distance = team["reasons"][:2]
        assert re.fullmatch(rf"监察员 {first}（.+）：(与检查地点同一(网格|县区)|不在检查地点所在县区)",
                            tier), tier
        assert re.fullmatch(rf"监察员 {first}：距离 [0-9.]+ 公里，预计 [0-9]+ 分钟到达"
                            r"(；位置为 [0-9]+ 分钟前上报)?", distance), distance
        assert team["reasons"][2].startswith(f"监察员 {second}")
    sentences = [r for t in body["teams"] for r in t["reasons"]] + list(excluded.values())
    assert sentences and all(_chinese(s) for s in sentences), \
        [s for s in sentences if not _chinese(s)]


def test_recommendation_reasons_in_english_on_request(client, tokens, scene):
    inspection, ids = scene
    body, excluded = _recommend(client, tokens, inspection, EN)
    assert excluded[ids["uncertified"]] == "not certified (no enforcement certificate)"
    assert excluded[ids["on_site"]] == "status is on_site"
    first = body["teams"][0]["officer_ids"][0]
    tier, distance = body["teams"][0]["reasons"][:2]
    assert re.fullmatch(rf"officer {first} \(.+\): (same (grid|county) as the site|"
                        r"outside the site's county)", tier), tier
    assert re.fullmatch(rf"officer {first}: [0-9.]+ km, ETA [0-9]+ min"
                        r"(; position [0-9]+ min old)?", distance), distance
    outside_names = [re.sub(r"\(.*\)", "", r) for t in body["teams"] for r in t["reasons"]]
    assert not any(CJK.search(r) for r in outside_names), outside_names


def test_lang_parameter_overrides_accept_language(client, tokens, scene):
    inspection, ids = scene
    _, excluded = _recommend(client, tokens, inspection, ZH, "?lang=en")
    assert excluded[ids["uncertified"]] == "not certified (no enforcement certificate)"
    r = client.get("/api/v1/inspections?limit=0&lang=en",
                   headers={**bearer(tokens["dispatcher"]), **ZH})
    assert r.get_json()["error"]["message"] == \
        "query parameter 'limit' must be between 1 and 1000; got '0'"


def _problem(client, tokens, method, url, headers, role="dispatcher", **kw):
    r = client.open(url, method=method, headers={**bearer(tokens[role]), **headers}, **kw)
    assert 400 <= r.status_code < 500, (r.status_code, r.data[:300])
    return r.status_code, r.get_json()["error"]["message"]


# (method, url, request, status, Chinese, English)
PROBLEMS = [
    ("POST", "/api/v1/inspections", {"json": {"kind": 5}}, 400,
     "“kind”必须是字符串", "'kind' must be a string"),
    ("POST", "/api/v1/inspections", {"json": {"kind": "scheduled", "employer_id": "x"}}, 400,
     "“employer_id”必须是整数", "'employer_id' must be an integer"),
    ("GET", "/api/v1/inspections?limit=0", {}, 400,
     "查询参数“limit”必须在 1 到 1000 之间；收到的是 '0'",
     "query parameter 'limit' must be between 1 and 1000; got '0'"),
    ("GET", "/api/v1/inspections?status=lost", {}, 400,
     "查询参数“status”必须是以下之一：pending, assigned, in_progress, done, cancelled；"
     "收到的是 'lost'",
     "query parameter 'status' must be one of pending, assigned, in_progress, done, cancelled; "
     "got 'lost'"),
    ("POST", "/api/v1/inspections", {"data": '{"kind": ', "content_type": "application/json"},
     400, "请求体不是合法的 JSON：第 1 行第 10 列（字符位置 9）处缺少值",
     "the body is malformed JSON: Expecting value: line 1 column 10 (char 9)"),
    ("POST", "/api/v1/inspections", {"json": {"kind": "random", "a\u0001": 1}}, 400,
     "$ 中的键“a\\x01”包含控制字符 U+0001",
     "the key 'a\\x01' in $ contains the control character U+0001"),
    ("POST", "/api/v1/inspections", {"data": "kind=x"}, 400,
     "请以 Content-Type: application/json 发送 JSON 对象",
     "send a JSON object with Content-Type: application/json"),
    ("POST", "/api/v1/inspections/999999/assign", {"json": {"officer_ids": [1]}}, 404,
     "检查任务 999999 不存在", "inspection 999999 does not exist"),
    ("GET", "/api/v1/grids?county=410100", {}, 400,
     "'county' 必须是县级行政区划代码；410100 是市级（市和全省请用 'area'）",
     "'county' must be a county-level adcode; 410100 is a city (use 'area' for cities and the "
     "province)"),
    ("GET", "/api/v1/inspections?area=41%0701", {}, 400,
     "查询参数“area”包含控制字符 U+0007",
     "query parameter 'area' contains the control character U+0007"),
]


@pytest.mark.parametrize("method, url, kw, status, zh, en", PROBLEMS,
                         ids=[f"{p[0]} {p[1]} {p[3]}" for p in PROBLEMS])
def test_validation_problems_in_both_languages(client, tokens, method, url, kw, status, zh, en):
    for headers, expected in ((NONE, zh), (ZH, zh), (EN, en)):
        assert _problem(client, tokens, method, url, headers, **kw) == (status, expected)


def test_a_team_that_breaks_the_rules_is_refused_in_the_readers_language(
        client, tokens, committed):  # noqa: F811
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    one = committed.inspector(lon=SITE[0], lat=SITE[1])
    url = f"/api/v1/inspections/{inspection}/assign"
    kw = {"json": {"officer_ids": [one]}}
    assert _problem(client, tokens, "POST", url, NONE, **kw) == (
        422, "每次检查至少需要 2 名持执法证的监察员（《劳动保障监察条例》第十六条）；现在只有 1 名")
    assert _problem(client, tokens, "POST", url, EN, **kw) == (
        422, "an inspection needs at least 2 certified inspectors (劳动保障监察条例 Art. 16); got 1")


def test_a_grid_edit_commit_without_a_reason_is_refused_in_both_languages(client, tokens):
    kw = {"json": {"county": "410102", "changes": [], "dry_run": False, "reason": "  "}}
    assert _problem(client, tokens, "POST", "/api/v1/grid-edits", NONE, "planner", **kw) == (
        400, "'reason' 必须说明网格调整的原因")
    assert _problem(client, tokens, "POST", "/api/v1/grid-edits", EN, "planner", **kw) == (
        400, "'reason' must say why the grids change")


def test_a_forbidden_role_is_named_in_chinese(client, tokens):
    status, message = _problem(client, tokens, "GET", "/api/v1/audit", NONE, "planner")
    assert status == 403 and message == "“网格规划员”角色无权使用此功能；可使用的角色：系统管理员"
    _, message = _problem(client, tokens, "GET", "/api/v1/audit", EN, "planner")
    assert message == "role 'planner' may not use this route; allowed: admin"


def test_http_errors_in_both_languages(client, tokens):
    h = bearer(tokens["dispatcher"])
    zh = client.get("/api/v1/no-such-thing", headers={**h, **NONE}).get_json()["error"]
    en = client.get("/api/v1/no-such-thing", headers={**h, **EN}).get_json()["error"]
    assert zh["code"] == en["code"] == "not_found"
    assert zh["message"].startswith("服务器上没有找到所请求的网址")
    assert en["message"].startswith("The requested URL was not found on the server.")
    r = client.delete("/api/v1/inspections", headers={**h, **ZH})
    assert r.status_code == 405 and r.get_json()["error"]["message"] == "所请求的网址不支持此请求方法。"


def test_a_time_barred_complaint_says_why_in_the_readers_language(
        client, tokens, committed, db):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    code = db.execute(text("SELECT credit_code FROM employers WHERE id = :i"),
                      {"i": employer}).scalar_one()
    day = (clock.today() - timedelta(days=800)).isoformat()
    h = bearer(tokens["dispatcher"])
    r = client.post("/api/v1/complaints", json={"category": "overtime", "occurred_on": day,
                                                "employer": {"credit_code": code}},
                    headers={**h, **NONE})
    assert r.status_code == 201, r.get_json()
    zh = (f"违法行为发生于 {day}，至收到投诉时已超过 2 年（《劳动保障监察条例》第二十条）："
          "建议不予受理，请核实后确认")
    assert r.get_json()["proposal"]["reason_text"] == zh
    # Stored once; every later reader gets it in their own language.
    q = f"/api/v1/complaints?area=410102&q={r.get_json()['id']}"
    listed = client.get(q, headers={**h, **EN}).get_json()["items"][0]
    assert listed["proposal"]["reason_text"] == (
        f"The violation occurred on {day}, more than 2 years before the complaint "
        "(Regulations Art. 20): proposed refusal, to be confirmed")
    listed = client.get(q, headers={**h, **ZH}).get_json()["items"][0]
    assert listed["proposal"]["reason_text"] == zh


def test_a_complaint_without_a_competent_county_is_refused_in_chinese(client, tokens):
    kw = {"json": {"category": "overtime", "employer": {"name": "没有这家单位"}}}
    assert _problem(client, tokens, "POST", "/api/v1/complaints", NONE, **kw) == (
        422, "无法确定由哪个县区管辖（用工所在地）：请提供用人单位的统一社会信用代码，或名称和地址，或位置")
