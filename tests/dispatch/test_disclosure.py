"""Disclosure lists (重大劳动保障违法行为社会公布): a quarterly county list and a half-yearly
province list drafted from hand-built cases; only decided cases of the rule's categories;
approval by another person; publication; the public API shows published fields only;
withdrawal; the XLSX export; the portal's rate limit."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

COUNTY, OTHER = "411727", "410381"  # two counties no other test publishes
# name → (county, outcome, decided on, violations, expected category in the 2025-Q3 list)
CASES = {
    "arrears": (COUNTY, "penalty", "2025-07-15", ["wage_arrears"], "wage_arrears"),
    "child": (COUNTY, "order_to_correct", "2025-09-30", ["child_labour", "working_hours"],
              "child_labour"),
    "hours": (COUNTY, "wages_recovered", "2025-08-01", ["working_hours"], "working_hours"),
    "withdrawn": (COUNTY, "withdrawn", "2025-08-02", ["wage_arrears"], None),  # not decided
    "q2": (COUNTY, "penalty", "2025-06-30", ["wage_arrears"], None),  # the quarter before
    "obstruction": (COUNTY, "penalty", "2025-08-03", ["obstruction"], None),  # not a category
    "other_county_q4": (OTHER, "transferred", "2025-11-11", ["refused_wages"], None),
}
PUBLIC_KEYS = {"employer_name", "credit_code", "address", "legal_representative", "category",
               "category_text", "facts", "handling", "period", "period_text", "area",
               "area_name", "published_at"}


@pytest.fixture()
def cases(committed, sessions):  # noqa: F811
    made = {}
    with unit_of_work(sessions) as s:
        for name, (county, outcome, day, violations, _) in CASES.items():
            employer = committed.employer(lon=SITE[0], lat=SITE[1], county=county)
            s.execute(text("UPDATE employers SET legal_representative = '张某', "
                           "address = '某市某路 1 号', contact_phone = '13900000000' "
                           "WHERE id = :e"), {"e": employer})
            made[name] = s.execute(text("""
                INSERT INTO cases (county_adcode, employer_id, opened_on, due_on, outcome,
                                   closed_on, decision_date, fine_amount, decision_number,
                                   wages_recovered, workers_paid, transfer_kind,
                                   transfer_target, violations, summary, created_by)
                VALUES (:c, :e, CAST(:d AS date) - 20, CAST(:d AS date) + 60, :o, :d,
                        CASE WHEN :o = 'penalty' THEN CAST(:d AS date) END,
                        CASE WHEN :o = 'penalty' THEN 20000 END,
                        CASE WHEN :o = 'penalty' THEN '测人社监罚〔2025〕1号' END,
                        CASE WHEN :o = 'wages_recovered' THEN 86000 END,
                        CASE WHEN :o = 'wages_recovered' THEN 12 END,
                        CASE WHEN :o = 'transferred' THEN 'public_security' END,
                        CASE WHEN :o = 'transferred' THEN '某县公安局' END, :v,
                        '拖欠 12 名劳动者工资，投诉人王某', 'tests') RETURNING id"""),
                {"c": county, "e": employer, "d": date.fromisoformat(day), "o": outcome,
                 "v": violations}).scalar_one()
    committed.undo("DELETE FROM disclosure_lists WHERE area_adcode IN (:a, :b, '410000', "
                   "'411700', '410300')", a=COUNTY, b=OTHER)
    return made


def post(client, tokens, url, role="admin", **body):
    return client.post(url, json=body, headers=bearer(tokens[role]))


def test_a_quarterly_county_list_holds_decided_cases_of_the_rule(client, tokens, cases):
    r = post(client, tokens, "/api/v1/disclosure-lists", area=COUNTY, period="2025-Q3")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    got = {e["case_id"]: e["category"] for e in body["entries"]}
    expected = {cases[n]: c for n, (_, _, _, _, c) in CASES.items() if c}
    assert got == expected
    arrears = next(e for e in body["entries"] if e["case_id"] == cases["arrears"])
    assert "20,000.00" in arrears["handling"] and "测人社监罚" in arrears["handling"]
    assert arrears["legal_representative"] == "张某" and arrears["address"]
    assert "拖欠" in arrears["facts"] and "王某" not in arrears["facts"]  # no free text copied
    edit = f"/api/v1/disclosure-lists/{body['id']}/entries/{arrears['id']}"
    r = client.patch(edit, json={"facts": "经查，该单位拖欠 12 名劳动者工资共计 8.6 万元。"},
                     headers=bearer(tokens["admin"]))
    assert r.status_code == 200 and "8.6 万元" in r.get_json()["facts"]
    assert client.patch(edit, json={"handling": " "},
                        headers=bearer(tokens["admin"])).status_code == 422
    # the same area and period again; a period not ended; a county written as a half-year
    assert post(client, tokens, "/api/v1/disclosure-lists", area=COUNTY,
                period="2025-Q3").status_code == 409
    assert post(client, tokens, "/api/v1/disclosure-lists", area=COUNTY,
                period="2099-Q1").status_code == 422
    assert post(client, tokens, "/api/v1/disclosure-lists", area=COUNTY,
                period="2025-H2").status_code == 422


def test_a_half_yearly_province_list_spans_its_counties(client, tokens, cases):
    r = post(client, tokens, "/api/v1/disclosure-lists", area="410000", period="2025-H2")
    assert r.status_code == 201, r.get_json()
    ids = {e["case_id"] for e in r.get_json()["entries"]}
    assert {cases["arrears"], cases["child"], cases["hours"], cases["other_county_q4"]} <= ids
    assert not {cases["withdrawn"], cases["q2"], cases["obstruction"]} & ids
    assert post(client, tokens, "/api/v1/disclosure-lists", area="410000",
                period="2025-Q4").status_code == 422  # the province publishes half-yearly


def test_entries_review_approval_publication_and_the_public_view(client, tokens, cases, app):
    r = post(client, tokens, "/api/v1/disclosure-lists", area=COUNTY, period="2025-Q3")
    lst = r.get_json()
    url = f"/api/v1/disclosure-lists/{lst['id']}"
    # only decided cases, in a category of the rule
    assert post(client, tokens, url + "/entries", case_id=cases["withdrawn"],
                category="wage_arrears").status_code == 422
    assert post(client, tokens, url + "/entries", case_id=cases["q2"],
                category="fraud").status_code in (400, 422)
    r = post(client, tokens, url + "/entries", case_id=cases["obstruction"], category="other")
    assert r.status_code == 201, r.get_json()
    assert post(client, tokens, url + "/entries", case_id=cases["obstruction"],
                category="other").status_code == 409
    # publishing before approval; approval by the drafter
    assert post(client, tokens, url + "/publish").status_code == 409
    assert post(client, tokens, url + "/approve").status_code == 403
    assert post(client, tokens, url + "/approve", role="command").status_code == 200
    assert post(client, tokens, url + "/entries", case_id=cases["q2"],
                category="wage_arrears").status_code == 409  # approved: no more changes
    # not published yet: the public sees nothing of it, as if it did not exist
    anonymous = app.test_client()
    assert anonymous.get(f"/api/v1/public/disclosure-lists/{lst['id']}").status_code == 404
    assert anonymous.get("/api/v1/public/disclosure-lists/2000000000").status_code == 404
    assert cases["arrears"] not in _public_cases(anonymous, COUNTY)
    assert post(client, tokens, url + "/publish", role="command").status_code == 200
    public = anonymous.get(f"/api/v1/public/disclosure-lists/{lst['id']}")
    assert public.status_code == 200
    entries = public.get_json()["entries"]
    assert len(entries) == 4
    for e in entries:
        assert set(e) == {"employer_name", "credit_code", "address", "legal_representative",
                          "category", "category_text", "facts", "handling"}
    items = anonymous.get(f"/api/v1/public/disclosures?area={COUNTY}").get_json()["items"]
    assert items and all(set(i) == PUBLIC_KEYS for i in items)
    text_of_all = str(items)
    assert "13900000000" not in text_of_all and "case_id" not in text_of_all
    # withdrawal: off the public lists, kept on record with its reason
    entry = next(e for e in client.get(url, headers=bearer(tokens["admin"])).get_json()["entries"]
                 if e["case_id"] == cases["hours"])
    withdraw = f"{url}/entries/{entry['id']}/withdraw"
    assert post(client, tokens, withdraw, reason=" ").status_code == 422
    assert post(client, tokens, withdraw, reason="行政复议撤销处理决定").status_code == 200
    assert post(client, tokens, withdraw, reason="again").status_code == 409
    after = anonymous.get(f"/api/v1/public/disclosure-lists/{lst['id']}").get_json()["entries"]
    assert len(after) == 3
    layer = client.get(f"/api/v1/disclosed-employers?area={COUNTY}",
                       headers=bearer(tokens["command"])).get_json()
    on_map = {f["properties"]["name"] for f in layer["features"]}
    assert len(on_map) == 3 and entry["employer_name"] not in on_map  # the withdrawn one
    # the XLSX export opens, with the rule's columns and the published rows
    xlsx = anonymous.get(f"/api/v1/public/disclosure-lists/{lst['id']}.xlsx?lang=zh")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("违法主体名称", "统一社会信用代码") and len(rows) == 2 + 3
    assert anonymous.get("/api/v1/public/disclosure-lists/2000000000.xlsx").status_code == 404
    # the PDF opens, in Chinese, with the published rows only
    import pypdf
    pdf = anonymous.get(f"/api/v1/public/disclosure-lists/{lst['id']}.pdf?lang=zh")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "违法主体名称" in words and "相关处理情况" in words
    shown = [e for e in after]
    assert all(e["credit_code"] in words for e in shown) and entry["credit_code"] not in words
    assert anonymous.get("/api/v1/public/disclosure-lists/2000000000.pdf").status_code == 404


def _public_cases(anonymous, area):
    items = anonymous.get(f"/api/v1/public/disclosures?area={area}").get_json()["items"]
    return {i["credit_code"] for i in items}


def test_the_portal_never_reads_a_staff_session_and_is_rate_limited(database_url, settings,
                                                                    tokens, client):
    from webapp import create_app
    # a staff token sent to the portal is ignored, not an error
    r = client.get("/api/v1/public/disclosure-lists", headers=bearer(tokens["admin"]))
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    app = create_app(settings.model_copy(update={"public_per_minute": 3}),
                     database_url=database_url)
    try:
        c = app.test_client()
        codes = [c.get("/api/v1/public/disclosure-lists").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = c.get("/api/v1/public/disclosure-lists", headers={"Accept-Language": "zh-CN"})
        assert limited.get_json()["error"]["code"] == "too_many_requests"
        assert "频繁" in limited.get_json()["error"]["message"]
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    finally:
        app.extensions["liangwang"]["engine"].dispose()
