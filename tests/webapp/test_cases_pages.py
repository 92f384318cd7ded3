"""The case pages and the KPI list pages as served: roles, the forms each role gets, catalog
texts (no key, no external host), 404 for unknown cases and lists, the XLSX export."""
import io
import re

import pytest

from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

WATCH = ("dispatcher", "command", "admin")
ZH = {"Accept-Language": "zh-CN"}


def get(client, tokens, role, path, **headers):
    return client.get(path, headers={**bearer(tokens[role]), **ZH, **headers})


def visible_html(html: str) -> str:
    """The page without its scripts (the JS config carries catalog keys on purpose)."""
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def assert_clean(html: str):
    shown = visible_html(html)
    assert not re.search(r"\b(cases|lists)\.[a-z_]+", shown), \
        re.search(r".{40}\b(cases|lists)\.[a-z_]+.{40}", shown)
    assert not re.search(r"""(src|href|action)=["']https?://""", html)


@pytest.fixture()
def case_id(client, tokens, committed, beijing_day):  # noqa: F811
    """A case opened through the API from an inspection of the test's own, on 1 December 2026
    (the clock is moved there, so the suite runs on any day)."""
    beijing_day("2026-12-01")
    inspection = committed.inspection(lon=SITE[0], lat=SITE[1])
    r = client.post("/api/v1/cases", json={"inspection_id": inspection,
                                           "opened_on": "2026-12-01"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@pytest.mark.parametrize("role", WATCH)
def test_the_case_list_renders_in_chinese_for_each_watching_role(client, tokens, role):
    r = get(client, tokens, role, "/cases?area=410102&status=overdue")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for words in ("案件办理", "案件编号", "用人单位", "办案期限", "承办人", "督办", "结案结果",
                  '<a href="/cases">案件</a>'):
        assert words in html
    assert '<option value="overdue" selected>已超期</option>' in html
    assert '<option value="410102" selected>中原区</option>' in html
    assert '"status": "overdue"' in html and "js/cases/list.js" in html
    assert_clean(html)


def test_the_case_list_in_english_and_its_bad_filters(client, tokens):
    html = get(client, tokens, "command", "/cases?lang=en").get_data(as_text=True)
    assert "Time limit" in html and "Handlers" in html
    assert get(client, tokens, "command", "/cases?status=late").status_code == 400
    assert get(client, tokens, "command", "/cases?supervision_level=county").status_code == 400
    assert get(client, tokens, "command", "/cases?area=419999").status_code == 404
    assert get(client, tokens, "command", "/cases?page=0").status_code == 400


@pytest.mark.parametrize("role", ("inspector", "planner"))
def test_inspectors_and_planners_are_refused_every_page(client, tokens, role, case_id):
    for path in ("/cases", f"/cases/{case_id}", "/lists/case-deadlines?area=410102"):
        assert get(client, tokens, role, path).status_code == 403, path


def test_anonymous_readers_are_sent_to_sign_in(client):
    r = client.get("/cases")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def forms(html: str) -> set[str]:
    return set(re.findall(r'<form data-action="(\w+)"', html))


def test_each_role_gets_the_forms_it_may_use_and_command_cannot_close(client, tokens, case_id):
    path = f"/cases/{case_id}"
    pages = {role: get(client, tokens, role, path).get_data(as_text=True) for role in WATCH}
    assert forms(pages["dispatcher"]) == {"close", "handlers", "suspend", "resume", "report"}
    assert forms(pages["command"]) == {"supervise", "report", "lift"}
    assert forms(pages["admin"]) == {"close", "handlers", "suspend", "resume", "extend",
                                     "supervise", "report", "lift"}
    assert "lw-close-outcome" not in pages["command"]
    html = pages["dispatcher"]
    for words in (f"案件 {case_id}", "结案", "罚款金额（元）", "处罚决定书文号", "决定日期",
                  "改正期限", "追发工资金额（元）", "涉及劳动者人数", "移送对象", "办理记录",
                  "挂牌督办", "文书", '<option value="penalty">行政处罚</option>'):
        assert words in html, words
    # every field of the chosen outcome is required, the others wait disabled
    assert re.search(r'name="fine_amount" type="number"[^>]* required', html)
    assert re.search(r'name="decision_number" type="text"[^>]* required', html)
    assert not re.search(r'name="decision_date" type="date"[^>]* required', html)  # defaults
    assert html.count('data-outcome="') == 5 and html.count("hidden disabled") == 5
    assert f'"caseId": {case_id}' in html and '"write": true' in html
    assert '"write": false' in pages["command"] and '"supervise": true' in pages["command"]
    for role in WATCH:
        assert_clean(pages[role])


def test_an_unknown_case_is_a_404_page(client, tokens):
    r = get(client, tokens, "dispatcher", "/cases/987654321")
    assert r.status_code == 404 and "<html" in r.get_data(as_text=True)


def test_a_kpi_list_page_names_the_county_and_links_the_case(client, tokens, case_id,
                                                             beijing_day):
    beijing_day("2027-06-01")  # long after the 60 working days from 1 December 2026
    r = get(client, tokens, "dispatcher",
            "/lists/case-deadlines?area=410102&state=overdue&per_page=500")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "临近或超过办案期限的案件 · 中原区 · 已超期" in html
    for header in ("案件编号", "用人单位", "县区", "立案日期", "办案期限", "已延长", "挂牌督办"):
        assert f'<th scope="col">{header}</th>' in html
    assert f'<a href="/cases/{case_id}">{case_id}</a>' in html
    assert '<td data-label="县区">中原区</td>' in html and '<td data-label="已延长">否</td>' in html
    assert '<td data-label="检查任务" class="lw-number">' in html
    assert '<option value="overdue" selected>已超期</option>' in html
    assert "导出 XLSX" in html and "format=xlsx" in html and "state=overdue" in html
    assert_clean(html)


def test_other_kpi_lists_read_as_text_not_codes(client, tokens):
    html = get(client, tokens, "command", "/lists/overdue-employers?area=410102&per_page=5") \
        .get_data(as_text=True)
    assert "逾期未检用人单位 · 中原区" in html
    if "没有记录" not in html:
        assert "信用等级" in html and "上次检查" in html and "中原区</td>" in html
    assert ">410102<" not in html
    assert_clean(html)
    html = get(client, tokens, "command", "/lists/employers-per-staff?area=410100&lang=en") \
        .get_data(as_text=True)
    assert "Employers per staff member, by grid · " in html


def test_unknown_lists_and_states_are_refused(client, tokens):
    assert get(client, tokens, "admin", "/lists/nothing-here?area=410102").status_code == 404
    assert get(client, tokens, "admin", "/lists/open-complaints?state=late").status_code == 400
    assert get(client, tokens, "admin", "/lists/open-complaints?area=41").status_code == 400
    assert get(client, tokens, "admin", "/lists/open-complaints?area=419999").status_code == 404
    assert get(client, tokens, "admin", "/lists/open-complaints?format=pdf").status_code == 400


def test_the_xlsx_export_holds_every_row_with_the_page_headers(client, tokens):
    from openpyxl import load_workbook

    api = client.get("/api/v1/kpis/employers-outside-grids?area=410100&per_page=1",
                     headers=bearer(tokens["command"])).get_json()
    r = get(client, tokens, "command", "/lists/employers-outside-grids?area=410100&format=xlsx")
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    if api["total"]:
        assert rows[0][:3] == ("名称", "统一社会信用代码", "县区")
        assert len(rows) == api["total"] + 1
        assert "410" not in str(rows[1][2])  # the county's name, not its adcode
    else:
        assert rows == [("没有记录",)]


def test_the_xlsx_export_of_grids_has_numbers_as_numbers(client, tokens):
    from openpyxl import load_workbook

    r = get(client, tokens, "admin", "/lists/employers-per-staff?area=410102&format=xlsx")
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert r.status_code == 200 and rows[0][:2] == ("网格编码", "名称")
    header = list(rows[0])
    if len(rows) > 1:
        assert isinstance(rows[1][header.index("人均单位数")], int | float)
