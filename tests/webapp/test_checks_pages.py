"""The 双随机 coverage page, a draw's replay page and the mass-incident page as served: roles,
catalog texts (no key, no code, no external host), 404 for unknown areas and draws, 400 for
bad years, and coverage figures equal to the API's for a draw made in the test."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import time_machine
from sqlalchemy import text

from dispatch.inspections import random_draw
from geo.core.db import unit_of_work
from tests.conftest import bearer, sign_in_every_role
from tests.dispatch.test_complaint_decisions import complain
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

WATCH = ("dispatcher", "command", "admin")
ZH = {"Accept-Language": "zh-CN"}
COUNTY = "410102"  # 中原区
YEAR = 2011  # a year no other test draws in


def get(client, tokens, role, path, **headers):
    return client.get(path, headers={**bearer(tokens[role]), **ZH, **headers})


def visible_html(html: str) -> str:
    return re.sub(r"<script\b.*?</script>", "", html, flags=re.S)


def assert_clean(html: str):
    """No catalog key, no external host, no check-item code shown."""
    shown = re.sub(r"<[^>]+>", " ", visible_html(html))
    key = re.search(r"\b(checks|incidents|random_checks|casework)\.[a-z_.]+", shown)
    assert not key, shown[max(0, key.start() - 40):key.end() + 40]
    assert not re.search(r"""(src|href|action)=["']https?://""", html)
    assert not re.search(r"\b(wage_payment|labour_contract|minimum_wage|open|escalated)\b",
                         shown)


class Rows(HTMLParser):
    """The coverage table's rows: {item code: {column label: (data-value, text)}}."""

    def __init__(self):
        super().__init__()
        self.rows, self.item, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-item" in attrs:
            self.item = attrs["data-item"]
            self.rows[self.item] = {}
        elif tag == "td" and self.item:
            self.cell = [attrs.get("data-label"), attrs.get("data-value"), ""]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            label, value, words = self.cell
            self.rows[self.item][label] = (value, " ".join(words.split()))
            self.cell = None
        elif tag == "tr":
            self.item = None


def coverage_rows(html: str) -> dict:
    parser = Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture()
def drawn(committed):  # noqa: F811
    """A 中原区 draw for 最低工资 made in the middle of YEAR (Beijing), removed afterwards."""
    with time_machine.travel(f"{YEAR}-06-15T10:00:00+08:00", tick=False), \
            unit_of_work(committed.sessions) as s:
        result = random_draw.draw(s, area=COUNTY, check_item="minimum_wage", share=0.1,
                                  seed=20110615, actor="tests")
    committed.draws.append(result["id"])
    committed.inspections += result["inspection_ids"]
    return result


# --- /random-checks ----------------------------------------------------------------------

@pytest.mark.parametrize("role", WATCH)
def test_the_coverage_page_renders_in_chinese_for_each_watching_role(client, tokens, role):
    r = get(client, tokens, role, f"/random-checks?area={COUNTY}&year=2026")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for words in ("2026年双随机抽查覆盖情况 · 中原区", "检查事项", "法律依据", "监管对象数",
                  "本年已抽查", "抽查比例", "目标比例", "是否达标", "尚需抽查", "劳动合同签订",
                  "《中华人民共和国劳动合同法》第十条、第八十二条", "2026年抽查记录",
                  f'<option value="{COUNTY}" selected>中原区</option>',
                  '<option value="2026" selected>2026年</option>'):
        assert words in html, words
    assert "达标" in html and "5%" in html
    assert_clean(html)


def test_the_coverage_page_in_english_and_its_default_year(app, client, tokens):
    html = get(client, tokens, "command", "/random-checks?lang=en").get_data(as_text=True)
    assert "Random inspection coverage" in html and "Target share" in html
    # 00:30 on New Year's Day in Beijing is still the old year in UTC: the page shows the new.
    with time_machine.travel("2031-01-01T00:30:00+08:00", tick=True):
        fresh = sign_in_every_role(app)
        html = get(app.test_client(), fresh, "dispatcher", f"/random-checks?area={COUNTY}"
                   ).get_data(as_text=True)
    assert "2031年双随机抽查覆盖情况" in html
    assert '<option value="2031" selected>2031年</option>' in html
    assert '<option value="2026">2026年</option>' in html  # a few years back to choose from


@pytest.mark.parametrize("query", ["year=abc", "year=1900", "year=2101", "year=20.5",
                                   "area=4101"])
def test_a_bad_year_or_area_code_is_a_400_page(client, tokens, query):
    r = get(client, tokens, "dispatcher", f"/random-checks?{query}")
    assert r.status_code == 400 and "<html" in r.get_data(as_text=True)


def test_unknown_areas_and_draws_are_404_pages(client, tokens):
    for path in ("/random-checks?area=419999", "/random-checks/draws/987654321",
                 "/incidents?area=419999"):
        r = get(client, tokens, "dispatcher", path)
        assert r.status_code == 404 and "<html" in r.get_data(as_text=True), path


@pytest.mark.parametrize("role", ("inspector", "planner"))
def test_inspectors_and_planners_are_refused_every_page(client, tokens, role, drawn):
    for path in (f"/random-checks?area={COUNTY}", f"/random-checks/draws/{drawn['id']}",
                 f"/incidents?area={COUNTY}"):
        assert get(client, tokens, role, path).status_code == 403, path


def test_the_coverage_on_the_page_is_the_apis_for_a_draw_of_the_year(client, tokens, drawn):
    page = get(client, tokens, "command", f"/random-checks?area={COUNTY}&year={YEAR}")
    html = page.get_data(as_text=True)
    api = client.get(f"/api/v1/check-items/coverage?area={COUNTY}&year={YEAR}",
                     headers=bearer(tokens["command"])).get_json()
    shown = coverage_rows(html)
    assert set(shown) == {i["code"] for i in api["items"]}
    item = next(i for i in api["items"] if i["code"] == "minimum_wage")
    assert item["drawn_employers"] == drawn["drawn"] > 0  # the test's draw is counted
    for i in api["items"]:
        row = shown[i["code"]]
        assert int(row["监管对象数"][0]) == i["supervised_employers"]
        assert int(row["本年已抽查"][0]) == i["drawn_employers"]
        share = f"{i['share'] * 100:.2f}".rstrip("0").rstrip(".") + "%"
        assert row["抽查比例"][0] == share
        assert row["目标比例"][1] == "5%"
        assert row["是否达标"] == ("true" if i["met"] else "false",
                                   "达标" if i["met"] else "未达标")
        missing = max(0, i["needed"] - i["drawn_employers"])
        assert int(row["尚需抽查"][0]) == missing
        assert row["尚需抽查"][1] == (f"还需 {missing} 家" if missing else "无")
    assert shown["minimum_wage"]["是否达标"][1] == "达标"  # 10 % drawn against a 5 % target
    assert shown["wage_payment"]["是否达标"][1] == "未达标"
    # The draw is listed with its seed and the link to its review.
    row = re.search(rf'<tr data-draw="{drawn["id"]}">(.*?)</tr>', html, flags=re.S).group(1)
    assert "最低工资" in row and "20110615" in row and f"{YEAR}-06-15 10:00" in row
    assert f'href="/random-checks/draws/{drawn["id"]}"' in row and ">复核</a>" in row
    # Another year shows neither the draw nor its employers.
    other = get(client, tokens, "command", f"/random-checks?area={COUNTY}&year={YEAR - 1}")
    other_html = other.get_data(as_text=True)
    assert f'data-draw="{drawn["id"]}"' not in other_html
    assert coverage_rows(other_html)["minimum_wage"]["本年已抽查"][0] == "0"


def test_the_draw_is_listed_for_its_city_and_the_province_but_not_another_county(
        client, tokens, drawn):
    for area, listed in (("410100", True), ("410000", True), ("410105", False)):
        html = get(client, tokens, "dispatcher", f"/random-checks?area={area}&year={YEAR}"
                   ).get_data(as_text=True)
        assert (f'data-draw="{drawn["id"]}"' in html) is listed, area


def test_the_review_page_replays_the_draw_employer_by_employer(client, tokens, db, drawn,
                                                               committed):  # noqa: F811
    committed.statuses(COUNTY)
    r = get(client, tokens, "command", f"/random-checks/draws/{drawn['id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f"第 {drawn['id']} 次抽查复核" in html and "复核一致" in html
    assert 'data-matches="1"' in html and "最低工资" in html and "20110615" in html
    names = db.execute(text("SELECT name FROM employers WHERE id = ANY(:e)"),
                       {"e": [i["employer_id"] for i in drawn["items"]]}).scalars().all()
    assert names and all(n in html for n in names)
    badges = db.execute(text("SELECT badge FROM officers WHERE id = ANY(:o)"), {
        "o": [o for i in drawn["items"] for o in i["officer_ids"]]}).scalars().all()
    assert badges and all(b in html for b in badges)
    assert html.count("尚未指派") == len(drawn["items"])  # nobody went yet
    assert f'href="/random-checks?area={COUNTY}&amp;year={YEAR}"' in html
    assert "已更换" not in html
    assert_clean(html)

    # An administrator sends others, with a reason: the row says so, and why.
    others = sorted(committed.inspector(lon=SITE[0], lat=SITE[1]) for _ in range(2))
    reason = "抽中的检查人员之一正在处置群体性事件"
    r = client.post(f"/api/v1/inspections/{drawn['inspection_ids'][0]}/assign",
                    json={"officer_ids": others, "override_reason": reason},
                    headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.get_json()
    html = get(client, tokens, "dispatcher", f"/random-checks/draws/{drawn['id']}"
               ).get_data(as_text=True)
    changed = re.findall(r'<tr class="lw-row-changed table-warning">(.*?)</tr>', html, re.S)
    assert len(changed) == 1 and "已更换" in changed[0]
    assert f"更换理由：{reason}（test-admin）" in changed[0]
    badges = db.execute(text("SELECT badge FROM officers WHERE id = ANY(:o)"),
                        {"o": others}).scalars().all()
    assert all(b in changed[0] for b in badges)
    assert html.count("尚未指派") == len(drawn["items"]) - 1


# --- /incidents -------------------------------------------------------------------------

@pytest.fixture()
def incident(client, tokens, committed, db):  # noqa: F811
    """A mass incident: 12 workers complain about their employer in 中原区."""
    employer_id = committed.employer(lon=SITE[0], lat=SITE[1])
    employer = db.execute(text("SELECT id, credit_code, name FROM employers WHERE id = :i"),
                          {"i": employer_id}).one()
    made = complain(client, tokens, employer, workers_affected=12,
                    description="十二名工人被拖欠三个月工资，聚集在单位门口")
    assert made["mass_incident"] and made["incident_id"]
    return {"id": made["incident_id"], "complaint_id": made["id"], "employer": employer.name,
            "inspection_id": made["inspection_id"]}


def incident_row(html: str, incident_id: int) -> str:
    found = re.search(rf'<tr class="([^"]*)" data-id="{incident_id}"\s+data-state="(\w+)">'
                      r"(.*?)</tr>", html, flags=re.S)
    assert found, incident_id
    return found


def test_each_role_gets_the_incident_actions_it_may_use(client, tokens, incident):
    path = f"/incidents?area={COUNTY}"
    pages = {role: get(client, tokens, role, path).get_data(as_text=True) for role in WATCH}
    for role, actions in (("dispatcher", {"escalate", "close"}), ("command", {"escalate"}),
                          ("admin", {"escalate", "close"})):
        row = incident_row(pages[role], incident["id"])
        assert "lw-pending" in row.group(1) and row.group(2) == "pending"
        assert set(re.findall(r'data-action="(\w+)"', row.group(3))) == actions, role
        assert ('data-open="close"' in row.group(3)) is ("close" in actions)
        assert_clean(pages[role])
    html = pages["dispatcher"]
    row = incident_row(html, incident["id"]).group(3)
    for words in (incident["employer"], "12 人", "待报告", "尚未报告", "十二名工人被拖欠三个月工资",
                  f'href="/complaints?area={COUNTY}&amp;q={incident["complaint_id"]}"',
                  f"投诉 {incident['complaint_id']}", "领导姓名", "职务", "报告领导", "处置完毕"):
        assert words in row, words
    if incident["inspection_id"]:
        assert f"检查 {incident['inspection_id']}" in row
    for header in ("接报时间", "县区", "用人单位", "涉及人数", "状态", "报告领导", "关联投诉",
                   "关联检查"):
        assert f'<th scope="col">{header}</th>' in html
    assert re.search(r'name="name" type="text" maxlength="20" required', row)
    assert re.search(r'name="title" type="text" maxlength="30" required', row)


def test_not_yet_escalated_incidents_come_first_and_an_escalated_one_shows_whom_and_when(
        client, tokens, incident, db):
    r = client.post(f"/api/v1/incidents/{incident['id']}/escalate",
                    json={"leader": "张伟（副局长）"}, headers=bearer(tokens["command"]))
    assert r.status_code == 200, r.get_json()
    html = get(client, tokens, "dispatcher", f"/incidents?area={COUNTY}").get_data(as_text=True)
    row = incident_row(html, incident["id"])
    assert "lw-pending" not in row.group(1) and row.group(2) == "escalated"
    at = db.execute(text("SELECT to_char(escalated_at AT TIME ZONE 'Asia/Shanghai', "
                         "'YYYY-MM-DD HH24:MI') FROM incidents WHERE id = :i"),
                    {"i": incident["id"]}).scalar_one()
    assert "张伟（副局长）" in row.group(3) and f"{at} 报告" in row.group(3)
    assert 'data-action="escalate"' not in row.group(3)  # reported once
    assert 'data-action="close"' in row.group(3)
    states = re.findall(r'<tr class="[^"]*" data-id="\d+"\s+data-state="(\w+)">', html)
    order = {"pending": 0, "escalated": 1, "closed": 2}
    assert [order[s] for s in states] == sorted(order[s] for s in states)
    # Closed: no more actions; the filter of open incidents leaves it out.
    r = client.post(f"/api/v1/incidents/{incident['id']}/close", json={},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    html = get(client, tokens, "dispatcher", f"/incidents?area={COUNTY}").get_data(as_text=True)
    row = incident_row(html, incident["id"])
    assert row.group(2) == "closed" and "已处置" in row.group(3) and "处置完毕" in row.group(3)
    assert "data-action" not in row.group(3)
    html = get(client, tokens, "dispatcher", f"/incidents?area={COUNTY}&open=true"
               ).get_data(as_text=True)
    assert f'data-id="{incident["id"]}"' not in html


def test_the_incident_page_in_english_and_its_bad_filter(client, tokens, incident):
    html = get(client, tokens, "admin", "/incidents?area=410100&lang=en").get_data(as_text=True)
    assert "Mass incidents · 郑州市" in html and "Report to leader" in html
    assert f'data-id="{incident["id"]}"' in html  # the city shows its counties' incidents
    assert get(client, tokens, "admin", "/incidents?open=maybe").status_code == 400
    html = get(client, tokens, "admin", "/incidents?area=410105").get_data(as_text=True)
    assert f'data-id="{incident["id"]}"' not in html


def test_the_case_list_links_both_pages(client, tokens):
    html = get(client, tokens, "dispatcher", f"/cases?area={COUNTY}").get_data(as_text=True)
    assert f'<a href="/incidents?area={COUNTY}">群体性事件</a>' in html
    assert f'<a href="/random-checks?area={COUNTY}">双随机抽查</a>' in html
