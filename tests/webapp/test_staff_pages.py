"""The staff pages as served: roles, the administrator's forms (and nobody else's), catalog
texts (no key, no raw code, no external host), 404 for an unknown officer."""
import re

import pytest

from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

WATCH = ("dispatcher", "command", "admin")
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
FORMS = ('id="lw-new-form"', 'id="lw-edit-form"', 'id="lw-deactivate-form"',
         'id="lw-recusal-form"', 'id="lw-training-form"', 'id="lw-assessment-form"')


def get(client, tokens, role, path, **headers):
    return client.get(path, headers={**bearer(tokens[role]), **ZH, **headers})


def visible_html(html: str) -> str:
    """The page without scripts, styles and templates (the JS config carries catalog keys)."""
    return re.sub(r"<(script|style|template)\b.*?</\1>", "", html, flags=re.S)


def assert_clean(html: str):
    shown = visible_html(html)
    assert not re.search(r"\bstaff\.[a-z_]+", shown), \
        re.search(r".{40}\bstaff\.[a-z_]+.{40}", shown)
    # codes only as option values, never as text people read
    text = re.sub(r"<[^>]+>", " ", shown)
    for code in ("grid_worker", "review_due", "off_duty", "en_route", "basically_competent"):
        assert code not in text
    assert not re.search(r"""(src|href|action)=["']https?://""", html)


@pytest.fixture()
def officer_id(committed):  # noqa: F811
    return committed.inspector(lon=SITE[0], lat=SITE[1])


@pytest.mark.parametrize("role", WATCH)
def test_the_staff_list_renders_in_chinese_for_each_watching_role(client, tokens, role):
    r = get(client, tokens, role, "/staff?area=410102&kind=inspector&certificate=expired")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for words in ("人员管理", "姓名", "警号/编号", "类别", "县区", "网格", "执法证", "状态", "在岗",
                  "监察员", "网格员", "已过期", "年审逾期", '<a href="/staff">人员</a>'):
        assert words in html, words
    assert 'value="expired" selected' in html
    assert ("新增人员" in html) == (role == "admin")
    assert ('id="lw-new-form"' in html) == (role == "admin")
    assert_clean(html)


@pytest.mark.parametrize("role", WATCH)
def test_the_officer_page_renders_for_each_watching_role(client, tokens, role, officer_id):
    r = get(client, tokens, role, f"/staff/{officer_id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for words in ("基本信息", "当前任务", "回避单位", "培训记录", "年度评议考核"):
        assert words in html, words
    for form in FORMS[1:]:
        assert (form in html) == (role == "admin"), form
    if role == "admin":
        for words in ("修改执法证", "停用原因", "用人单位编号", "学时", "培训机构", "生成年度考核草稿",
                      "优秀", "基本称职"):
            assert words in html, words
    assert_clean(html)


@pytest.mark.parametrize("role", ("inspector", "planner"))
def test_inspectors_and_planners_may_not_open_the_staff_pages(client, tokens, role, officer_id):
    assert get(client, tokens, role, "/staff").status_code == 403
    assert get(client, tokens, role, f"/staff/{officer_id}").status_code == 403
    nav = get(client, tokens, role, "/").get_data(as_text=True)
    assert 'href="/staff"' not in nav


def test_an_unknown_officer_is_a_404_page(client, tokens):
    r = get(client, tokens, "admin", "/staff/999999", Accept="text/html")
    assert r.status_code == 404
    assert "<html" in r.get_data(as_text=True).lower()


def test_bad_filters_are_refused(client, tokens):
    assert get(client, tokens, "admin", "/staff?certificate=bogus").status_code == 400
    assert get(client, tokens, "admin", "/staff?area=999999").status_code == 404


def test_the_pages_read_in_english(client, tokens, officer_id):
    html = get(client, tokens, "admin", "/staff?area=410102", **EN).get_data(as_text=True)
    for words in ("Staff", "Badge / number", "Add a person", "Annual review overdue"):
        assert words in html, words
    html = get(client, tokens, "admin", f"/staff/{officer_id}", **EN).get_data(as_text=True)
    for words in ("Training records", "Yearly assessments", "Edit the certificate"):
        assert words in html, words
    assert_clean(html)


def test_the_page_strings_reach_the_script(client, tokens, officer_id):
    html = get(client, tokens, "admin", f"/staff/{officer_id}").get_data(as_text=True)
    assert '"staff.cert.expired": "已过期"' in html or "\\u5df2\\u8fc7\\u671f" in html
