"""The public portal's pages (政务公开) without sign-in: the index, the published lists and
one list's entries (the rule's fields only), 双随机 results and the guide. A draft or an
approved list's id answers the same 404 page as an id that does not exist, and nothing
private (a complainant's name or phone, record ids, officers) is on any page."""
from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

COUNTY = "411726"  # 泌阳县: no other test publishes its lists
PHONE = "13812345678"
COMPLAINANT = "李投诉人"
# period → (decided on, status the test leaves its list in)
PERIODS = {"2025-Q3": ("2025-08-12", "published"), "2025-Q2": ("2025-05-20", "draft"),
           "2025-Q1": ("2025-02-18", "approved")}
PAGES = ("/public/", "/public/disclosures", "/public/random-checks", "/public/guide")


def _post(client, tokens, url, role, **body):
    r = client.post(url, json=body, headers=bearer(tokens[role]))
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


@pytest.fixture()
def portal_lists(committed, sessions, app, tokens):  # noqa: F811
    """A published, a draft and an approved list of COUNTY, each from one decided case whose
    complaint names a complainant; {status: {"id", "employer", "case_id", ...}}."""
    tag = uuid.uuid4().hex[:6]
    with unit_of_work(sessions) as s:
        s.execute(text("DELETE FROM disclosure_lists WHERE area_adcode = :a"), {"a": COUNTY})
    committed.undo("DELETE FROM disclosure_lists WHERE area_adcode = :a", a=COUNTY)
    made = {}
    for period, (day, status) in PERIODS.items():
        employer = committed.employer(lon=SITE[0], lat=SITE[1], county=COUNTY)
        name = f"公示测试{status}{tag}有限公司"
        with unit_of_work(sessions) as s:
            s.execute(text("UPDATE employers SET name = :n, legal_representative = '赵某', "
                           "address = '泌阳县某路 8 号', contact_phone = :p WHERE id = :e"),
                      {"n": name, "p": PHONE, "e": employer})
            complaint = s.execute(text("""
                INSERT INTO complaints (employer_id, county_adcode, category, description,
                                        workers_affected, complainant_name, complainant_phone, status)
                VALUES (:e, :c, 'wage_arrears', '拖欠工资', 9, :who, :p, 'accepted')
                RETURNING id"""), {"e": employer, "c": COUNTY, "who": COMPLAINANT,
                                   "p": PHONE}).scalar_one()
            committed.complaints.append(complaint)
            case = s.execute(text("""
                INSERT INTO cases (county_adcode, employer_id, complaint_id, opened_on, due_on,
                                   outcome, closed_on, decision_date, fine_amount,
                                   decision_number, violations, summary, created_by)
                VALUES (:c, :e, :k, CAST(:d AS date) - 20, CAST(:d AS date) + 60, 'penalty',
                        :d, :d, 30000, '驻人社监罚〔2025〕7号', ARRAY['wage_arrears'],
                        '拖欠 9 名劳动者工资 12 万元', 'tests') RETURNING id"""),
                {"c": COUNTY, "e": employer, "k": complaint,
                 "d": date.fromisoformat(day)}).scalar_one()
        lst = _post(app.test_client(), tokens, "/api/v1/disclosure-lists", "admin",
                    area=COUNTY, period=period)
        assert [e["case_id"] for e in lst["entries"]] == [case]
        url = f"/api/v1/disclosure-lists/{lst['id']}"
        if status in ("approved", "published"):
            _post(app.test_client(), tokens, url + "/approve", "command")
        if status == "published":
            _post(app.test_client(), tokens, url + "/publish", "command")
        credit = lst["entries"][0]["credit_code"]
        made[status] = {"id": lst["id"], "employer": name, "credit_code": credit,
                        "case_id": case, "complaint_id": complaint, "employer_id": employer}
    return made


@pytest.fixture()
def anonymous(app):
    return app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_signing_in_in_chinese(anonymous, path):
    r = anonymous.get(path, headers={"Accept-Language": ""})
    assert r.status_code == 200, path
    body = r.get_data(as_text=True)
    assert "河南省劳动保障监察 · 政务公开" in body and 'lang="zh-CN"' in body
    assert "/logout" not in body and "csrf" not in body.lower()
    assert not re.search(r"\bportal\.[a-z_.]+", body), "an untranslated key"
    assert "Set-Cookie" not in r.headers


def test_the_portal_ignores_a_staff_token_and_speaks_english_when_asked(anonymous, tokens):
    r = anonymous.get("/public/guide?lang=en", headers=bearer(tokens["admin"]))
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Henan Labour Inspection" in body
    assert "test-admin" not in body


def test_the_guide_gives_the_rules_deadlines_and_how_to_complain(anonymous):
    body = anonymous.get("/public/guide").get_data(as_text=True)
    for words in ("国务院令第423号", "部令第25号", "国务院令第724号", "重大劳动保障违法行为社会公布办法",
                  "企业劳动保障守法诚信等级评价办法", "5 个工作日", "60 个工作日", "30 个工作日",
                  "2 年", "12333", "服务承诺", "劳动保障监察机构"):
        assert words in body, words


def test_published_lists_only_and_the_rules_fields(anonymous, portal_lists):
    listing = anonymous.get("/public/disclosures").get_data(as_text=True)
    published = portal_lists["published"]
    assert f'href="/public/disclosures/{published["id"]}"' in listing
    assert "泌阳县" in listing and "2025 年第 3 季度" in listing
    for hidden in ("draft", "approved"):
        assert f'/public/disclosures/{portal_lists[hidden]["id"]}"' not in listing
    r = anonymous.get(f"/public/disclosures/{published['id']}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert published["employer"] in page and published["credit_code"] in page
    headers = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert headers == ["违法主体名称", "统一社会信用代码", "地址", "法定代表人或负责人", "违法类别",
                       "主要违法事实", "相关处理情况"]
    assert "赵某" in page and "泌阳县某路 8 号" in page and "驻人社监罚" in page
    assert f'/api/v1/public/disclosure-lists/{published["id"]}.xlsx' in page
    xlsx = anonymous.get(f"/api/v1/public/disclosure-lists/{published['id']}.xlsx")
    assert xlsx.status_code == 200
    for body in (listing, page):
        assert PHONE not in body and COMPLAINANT not in body
        assert "case_id" not in body and "complaint" not in body
        assert f"/cases/{published['case_id']}" not in body
        assert "test-admin" not in body and "test-command" not in body
        for other in ("draft", "approved"):
            assert portal_lists[other]["employer"] not in body


def test_a_draft_or_approved_id_is_the_same_404_as_a_missing_one(anonymous, portal_lists):
    def shape(r, list_id):  # the page, the id itself aside (the language switch keeps it)
        return r.get_data(as_text=True).replace(f"/public/disclosures/{list_id}?", "/<id>?")

    missing = anonymous.get("/public/disclosures/2000000000")
    assert missing.status_code == 404
    for status in ("draft", "approved"):
        r = anonymous.get(f"/public/disclosures/{portal_lists[status]['id']}")
        assert r.status_code == 404
        assert shape(r, portal_lists[status]["id"]) == shape(missing, 2000000000)
        assert portal_lists[status]["employer"] not in r.get_data(as_text=True)
    body = missing.get_data(as_text=True)
    assert "未找到该页面" in body and "河南省劳动保障监察 · 政务公开" in body
    assert anonymous.get("/public/disclosures/0").status_code == 404
    assert anonymous.get(f"/public/disclosures/{2 ** 63}").status_code == 404


def test_random_check_results_show_public_fields_only(anonymous, client, tokens, committed,
                                                      db):  # noqa: F811
    r = client.post("/api/v1/random-draws", json={"area": COUNTY, "check_item": "wage_payment",
                                                  "share": 0.1, "seed": 20260},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 201, r.get_json()
    draw = r.get_json()
    committed.draws.append(draw["id"])
    committed.inspections += draw["inspection_ids"]
    assert draw["inspection_ids"]
    employers = db.execute(text("SELECT name, credit_code FROM employers WHERE id = ANY(:e)"),
                           {"e": [i["employer_id"] for i in draw["items"]]}).all()
    # while a check is still to come, the draw is not published (no warning in advance)
    page = anonymous.get("/public/random-checks").get_data(as_text=True)
    assert all(code not in page for _, code in employers)
    with unit_of_work(committed.sessions) as s:
        s.execute(text("UPDATE inspections SET status = 'done' WHERE id = :i"),
                  {"i": draw["inspection_ids"][0]})
        s.execute(text("UPDATE inspections SET status = 'cancelled' WHERE id = ANY(:i)"),
                  {"i": draw["inspection_ids"][1:]})
    page = anonymous.get("/public/random-checks").get_data(as_text=True)
    for name, code in employers:
        assert name in page and code in page
    assert "泌阳县" in page and "已完成" in page
    assert "wage_payment" not in page
    officers = {o for i in draw["items"] for o in i["officer_ids"]}
    names = db.execute(text("SELECT name FROM officers WHERE id = ANY(:o)"),
                       {"o": list(officers)}).scalars().all()
    for name in names:
        assert name not in page
    assert str(draw["seed"]) not in page


def test_the_results_service_keeps_to_public_fields(db, committed, client, tokens):  # noqa: F811
    from dispatch.inspections.public_results import published_results
    r = client.post("/api/v1/random-draws", json={"area": COUNTY, "check_item": "wage_payment",
                                                  "share": 0.05, "seed": 7},
                    headers=bearer(tokens["dispatcher"]))
    committed.draws.append(r.get_json()["id"])
    committed.inspections += r.get_json()["inspection_ids"]
    with unit_of_work(committed.sessions) as s:  # results are published once checks are over
        s.execute(text("UPDATE inspections SET status = 'done' WHERE id = ANY(:i)"),
                  {"i": r.get_json()["inspection_ids"]})
    results = published_results(db, limit=1)
    assert len(results) == 1
    assert set(results[0]) == {"area", "area_name", "check_item_text", "drawn_on", "employers",
                               "counts"}
    for e in results[0]["employers"]:
        assert set(e) == {"employer_name", "credit_code", "status", "status_text"}


def test_any_unknown_portal_address_answers_the_portals_own_404(anonymous):
    for path in ("/public/nope", "/public/disclosures/abc"):
        r = anonymous.get(path, headers={"Accept-Language": "zh-CN"})
        body = r.get_data(as_text=True)
        assert r.status_code == 404 and "河南省劳动保障监察 · 政务公开" in body, path
        assert "/map" not in body  # not the staff app's error page
