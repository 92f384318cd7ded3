"""Wage security on construction projects: the deposit arithmetic under the rate rules, each
warning rule on hand-built projects, sites in GCJ-02, bad input, draw-downs under a race,
alerts, and a referral made from a red warning."""
from __future__ import annotations

import io
import json
import math
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from dispatch.projects import deposit
from dispatch.projects.deposit import Record
from dispatch.projects.settings import WageSettings
from geo import crs as china_crs
from geo.core.db import unit_of_work
from geo.employers import credit_code
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed, race  # noqa: F401 (fixture)

DAY = "2026-11-30"  # Beijing; every test travels here first
S = WageSettings()


# Deposit arithmetic ---------------------------------------------------------------------

@pytest.mark.parametrize(("record", "rate", "rule", "required"), [
    (Record(0, None), "0.02", "base", "200000.00"),          # new contractor: base 2 %
    (Record(1.9, None), "0.02", "base", "200000.00"),        # not yet 2 clean years
    (Record(2.0, None), "0.01", "clean", "100000.00"),       # 2 clean years: halved
    (Record(3.0, None), "0.01", "exempt", "0.00"),           # 3 clean years: exempt
    (Record(10, 1.0), "0.03", "arrears", "300000.00"),       # arrears a year ago: 3 %
    (Record(10, 2.5), "0.01", "clean", "100000.00"),         # arrears 2.5 years ago
    (Record(10, 3.5), "0.01", "exempt", "0.00"),             # clean for 3.5 years since
])
def test_deposit_rate_rules(record, rate, rule, required):
    terms = deposit.terms(Decimal("10000000"), record, S)
    assert (terms.rate, terms.rule, terms.required) == (Decimal(rate), rule, Decimal(required))
    assert terms.exempt == (rule == "exempt")


def test_deposit_rates_are_clamped_and_rounded_to_the_fen():
    steep = WageSettings(base_rate=Decimal("0.025"), arrears_factor=Decimal("2"))
    assert deposit.terms(Decimal("1000"), Record(5, 0.5), steep).rate == Decimal("0.03")
    mild = WageSettings(min_rate=Decimal("0.015"), exempt_clean_years=0)
    assert deposit.terms(Decimal("1000"), Record(5, None), mild).rate == Decimal("0.015")
    terms = deposit.terms(Decimal("1234567.89"), Record(0, None), S)
    assert terms.required == Decimal("24691.36")  # 24,691.3578 rounded half up


def test_a_manual_rate_must_lie_in_the_range():
    from geo.core.errors import Unprocessable

    assert deposit.terms(Decimal("100"), Record(0, None), S, Decimal("0.025")).required \
        == Decimal("2.50")
    for bad in ("0.005", "0.031"):
        with pytest.raises(Unprocessable) as exc:
            deposit.terms(Decimal("100"), Record(0, None), S, Decimal(bad))
        assert "1%" in str(exc.value.message) and "3%" in str(exc.value.message)


def test_the_ledger_balance():
    b = deposit.balance(Decimal("1000"), False, [("paid", Decimal("800")),
                                                 ("drawn", Decimal("300")),
                                                 ("top_up_demanded", Decimal("300"))])
    assert (b.held, b.outstanding) == (Decimal("500.00"), Decimal("500.00"))
    assert deposit.balance(Decimal("1000"), True, []).outstanding == 0


# The API ----------------------------------------------------------------------------------

@pytest.fixture()
def builders(committed, beijing_day):  # noqa: F811
    beijing_day(DAY)
    made = {name: committed.employer(lon=SITE[0], lat=SITE[1])
            for name in ("contractor", "sub", "owner")}
    with committed.sessions() as s:
        codes = dict(s.execute(text("SELECT id, credit_code FROM employers WHERE id = ANY(:i)"),
                               {"i": list(made.values())}).all())
    return {name: {"id": i, "code": codes[i]} for name, i in made.items()}


def body(builders, **over):
    b = {"name": "测试安置房项目", "site": {"type": "Point", "coordinates": list(SITE)},
         "crs": "wgs84", "contract_value": 10_000_000,
         "general_contractor_credit_code": builders["contractor"]["code"],
         "subcontractor_credit_codes": [builders["sub"]["code"]],
         "owner_credit_code": builders["owner"]["code"], "department": "housing",
         "start_on": "2026-06-01", "planned_end_on": "2027-06-30", "workers": 120}
    b.update(over)
    return b


def create(client, tokens, builders, role="dispatcher", **over):
    return client.post("/api/v1/projects", json=body(builders, **over),
                       headers=bearer(tokens[role]))


def warning(client, tokens, pid):
    r = client.get(f"/api/v1/projects/{pid}/warnings", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    got = r.get_json()
    return got["level"], {x["code"]: x["level"] for x in got["reasons"]}, got


def post(client, tokens, url, role="dispatcher", **payload):
    return client.post(url, json=payload, headers=bearer(tokens[role]))


def test_a_project_is_placed_by_its_site_and_owes_its_deposit(client, tokens, builders):
    r = create(client, tokens, builders)
    assert r.status_code == 201, r.get_json()
    p = r.get_json()
    assert p["county_adcode"] == "410102" and p["grid_id"] is not None
    assert p["deposit_required"] == 200_000.0 and p["deposit_rule"] == "base"
    assert p["general_contractor"]["id"] == builders["contractor"]["id"]
    assert [s["id"] for s in p["subcontractors"]] == [builders["sub"]["id"]]
    level, reasons, full = warning(client, tokens, p["id"])
    assert level in ("orange", "red")
    assert {"no_wage_account", "no_roster", "no_board", "deposit_outstanding"} <= set(reasons)
    assert all(x["text"] and "{" not in x["text"] for x in full["reasons"])
    assert "dedicated wage account" in " ".join(x["text"] for x in full["reasons"])
    detail = client.get(f"/api/v1/projects/{p['id']}", headers=bearer(tokens["command"]))
    assert detail.status_code == 200
    d = detail.get_json()
    assert len(d["checklist"]) == 10 and d["deposit"]["outstanding"] == 200_000.0
    listed = client.get("/api/v1/projects?area=410102&q=测试安置房",
                        headers=bearer(tokens["dispatcher"])).get_json()
    assert p["id"] in [x["id"] for x in listed["items"]]


def test_bad_sites_codes_and_rates_are_refused_and_change_nothing(client, tokens, builders, db):
    before = db.execute(text("SELECT count(*) FROM projects")).scalar_one()
    far = create(client, tokens, builders, site={"type": "Point", "coordinates": [116.4, 39.9]})
    assert far.status_code == 422 and "Henan" in far.get_json()["error"]["message"]
    swapped = create(client, tokens, builders,
                     site={"type": "Point", "coordinates": [SITE[1], SITE[0]]})
    assert swapped.status_code == 422
    assert "swapped" in swapped.get_json()["error"]["message"]
    code = builders["contractor"]["code"]
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
    r = create(client, tokens, builders, general_contractor_credit_code=code[:17] + wrong)
    assert r.status_code == 422
    assert credit_code.check_character(code[:17]) in r.get_json()["error"]["message"]
    for rate in (0.005, 0.04):
        r = create(client, tokens, builders, deposit_rate=rate)
        assert r.status_code == 422 and "3%" in r.get_json()["error"]["message"]
    assert create(client, tokens, builders, deposit_rate=0.025).get_json()[
        "deposit_required"] == 250_000.0
    assert create(client, tokens, builders, planned_end_on="2026-01-01").status_code == 422
    assert create(client, tokens, builders, department="mining").status_code in (400, 422)
    assert create(client, tokens, builders, role="inspector").status_code == 403
    db.rollback()
    after = db.execute(text("SELECT count(*) FROM projects")).scalar_one()
    assert after == before + 1  # only the valid 2.5 % project


def test_a_site_given_in_gcj02_is_placed_within_a_metre(client, tokens, builders, db):
    lon, lat = 113.6123456, 34.7543210  # WGS 84
    glon, glat = china_crs.wgs84_to_gcj02(lon, lat)
    r = create(client, tokens, builders, crs="gcj02",
               site={"type": "Point", "coordinates": [float(glon), float(glat)]})
    assert r.status_code == 201, r.get_json()
    got = r.get_json()["location"]
    metres = math.hypot((got["lon"] - lon) * 111_320 * math.cos(math.radians(lat)),
                        (got["lat"] - lat) * 110_574)
    assert metres < 1.0
    assert math.hypot(float(glon) - lon, float(glat) - lat) * 111_000 > 100  # a real shift
    poly = create(client, tokens, builders, crs="gcj02", site={"type": "Polygon", "coordinates": [[
        [float(glon), float(glat)], [float(glon) + 0.002, float(glat)],
        [float(glon) + 0.002, float(glat) + 0.002], [float(glon), float(glat)]]]})
    assert poly.status_code == 201 and poly.get_json()["site"]["type"] == "Polygon"


ALL_OK = [{"item": i, "ok": True} for i in (
    "labour_contract", "labour_manager", "attendance", "wage_roster", "full_pay", "direct_pay",
    "wage_account", "deposit", "notice_board", "real_name")]


def clean_project(client, tokens, builders, **over):
    """A project with every site system checked, the deposit paid and labour costs paid."""
    p = create(client, tokens, builders, **over).get_json()
    url = f"/api/v1/projects/{p['id']}"
    assert post(client, tokens, url + "/checks", role="inspector", items=ALL_OK,
                location={"lon": SITE[0], "lat": SITE[1], "accuracy_m": 8}).status_code == 201
    assert post(client, tokens, url + "/deposit", kind="paid", amount=p["deposit_required"],
                form="bank_guarantee").status_code == 201
    for month in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10"):
        r = post(client, tokens, url + "/payments", month=month, amount=300_000,
                 paid_on=f"{month}-25")
        assert r.status_code == 201, r.get_json()
    return p, url


def test_each_warning_rule(client, tokens, builders, committed, beijing_day):  # noqa: F811
    p, url = clean_project(client, tokens, builders)
    assert warning(client, tokens, p["id"])[:2] == (None, {})
    # a failed item; full pay failed is red on its own
    post(client, tokens, url + "/checks", role="inspector",
         items=[{"item": "attendance", "ok": False, "note": "无考勤记录"}])
    assert warning(client, tokens, p["id"])[:2] == ("yellow", {"items_failed": "yellow"})
    post(client, tokens, url + "/checks", role="inspector",
         items=[{"item": "full_pay", "ok": False}, {"item": "attendance", "ok": True}])
    assert warning(client, tokens, p["id"])[:2] == ("red", {"full_pay_failed": "red"})
    post(client, tokens, url + "/checks", role="inspector", items=[{"item": "full_pay", "ok": True}])
    # the notice board taken down: yellow; the account: orange
    post(client, tokens, url + "/checks", role="inspector",
         items=[{"item": "notice_board", "ok": False}])
    assert warning(client, tokens, p["id"])[1] == {"no_board": "yellow"}
    post(client, tokens, url + "/checks", role="inspector",
         items=[{"item": "notice_board", "ok": True}, {"item": "wage_account", "ok": False}])
    assert warning(client, tokens, p["id"])[:2] == ("orange", {"no_wage_account": "orange"})
    post(client, tokens, url + "/checks", role="inspector", items=[{"item": "wage_account", "ok": True}])
    # a grid-worker report; workers gathering is red
    assert post(client, tokens, url + "/reports", role="inspector", kind="arrears_signs",
                note="工人反映两个月未发工资").status_code == 201
    assert warning(client, tokens, p["id"])[1] == {"grid_report": "orange"}
    post(client, tokens, url + "/reports", role="inspector", kind="workers_gathering")
    assert warning(client, tokens, p["id"])[1] == {"grid_report": "red"}


def test_labour_cost_months_deposit_and_end_date_rules(client, tokens, builders, beijing_day):
    p, url = clean_project(client, tokens, builders, planned_end_on="2026-12-31")
    # November is due on 10 December: on the 11th it is missing (orange), in mid-January two
    beijing_day("2026-12-11")
    assert warning(client, tokens, p["id"])[1] == {"labour_cost_missing": "orange"}
    beijing_day("2027-01-11")
    level, reasons, full = warning(client, tokens, p["id"])
    assert reasons == {"labour_cost_missing": "red", "past_end": "yellow"}
    assert "2026-12" in next(x["text"] for x in full["reasons"]
                             if x["code"] == "labour_cost_missing")
    beijing_day("2027-04-15")  # 105 days past the planned end
    assert warning(client, tokens, p["id"])[1]["past_end"] == "orange"


def test_a_draw_down_demands_a_top_up_and_cannot_exceed_the_deposit(client, tokens, builders,
                                                                    beijing_day, db):
    p, url = clean_project(client, tokens, builders)
    too_much = post(client, tokens, url + "/deposit", kind="drawn", amount=200_000.01,
                    workers_paid=30)
    assert too_much.status_code == 422 and "200000.00" in too_much.get_json()["error"]["message"]
    r = post(client, tokens, url + "/deposit", kind="drawn", amount=50_000, workers_paid=12,
             note="垫付 12 名农民工 10 月工资")
    assert r.status_code == 201, r.get_json()
    ledger = r.get_json()
    assert (ledger["held"], ledger["outstanding"], ledger["status"]) == (150_000, 50_000,
                                                                        "outstanding")
    assert ledger["top_up_due_on"] > DAY
    assert warning(client, tokens, p["id"])[1] == {"deposit_outstanding": "orange"}
    beijing_day("2026-12-31")  # past the 10 working days
    assert warning(client, tokens, p["id"])[1] == {"top_up_overdue": "red",
                                                  "labour_cost_missing": "orange"}
    # returning before completion is a conflict; the ledger is unchanged
    assert post(client, tokens, url + "/deposit", kind="returned",
                amount=10).status_code == 409
    assert db.execute(text("SELECT count(*) FROM project_deposits WHERE project_id = :p"),
                      {"p": p["id"]}).scalar_one() == 3  # paid, drawn, top-up demanded


def test_two_draw_downs_at_once_never_overdraw(client, tokens, builders, sessions):
    from dispatch.calendar.service import WorkingCalendar
    from dispatch.projects import service
    from geo.core.errors import Unprocessable

    p, url = clean_project(client, tokens, builders)  # 200,000 held
    outcomes = race(sessions, lambda s: service.deposit_entry(
        s, p["id"], kind="drawn", amount=Decimal("120000"), form=None, workers_paid=20,
        on_date=None, note=None, calendar=WorkingCalendar.load(s), settings=S, actor="race"),
        Unprocessable)
    assert outcomes == ["ok", "refused"]
    with sessions() as s:
        assert s.execute(text("SELECT sum(amount) FROM project_deposits WHERE project_id = :p "
                              "AND kind = 'drawn'"), {"p": p["id"]}).scalar_one() == 120_000


def test_complaints_and_past_arrears_of_the_builders(client, tokens, builders, committed,  # noqa: F811
                                                     sessions):
    p, url = clean_project(client, tokens, builders)
    with unit_of_work(sessions) as s:
        for employer, project in ((None, p["id"]), (builders["sub"]["id"], None)):
            committed.complaints.append(s.execute(text("""
                INSERT INTO complaints (employer_id, project_id, county_adcode, category, workers_affected,
                                        received_at, status)
                VALUES (:e, :p, '410102', 'wage_arrears', 3, now(), 'accepted') RETURNING id
            """), {"e": employer, "p": project}).scalar_one())
        s.execute(text("""
            INSERT INTO cases (employer_id, county_adcode, opened_on, due_on, outcome,
                               closed_on, decision_date, violations)
            VALUES (:e, '410102', '2026-01-05', '2026-03-31', 'order_to_correct',
                    '2026-02-01', '2026-02-01', ARRAY['wage_arrears'])
        """), {"e": builders["contractor"]["id"]})
    level, reasons, full = warning(client, tokens, p["id"])
    assert reasons == {"complaints": "orange", "contractor_arrears": "yellow"}
    assert "2 complaints" in next(x["text"] for x in full["reasons"] if x["code"] == "complaints")
    # the next contractor with these arrears pays the raised rate
    r = create(client, tokens, builders)
    assert r.get_json()["deposit_rule"] == "arrears" and r.get_json()["deposit_rate"] == 0.03


def test_a_new_red_warning_alerts_dispatchers_and_is_referred(client, tokens, builders,
                                                              beijing_day):
    p, url = clean_project(client, tokens, builders)
    post(client, tokens, url + "/reports", role="inspector", kind="workers_gathering",
         note="约 40 名工人在项目部门口聚集讨薪")
    alerts = client.get("/api/v1/projects/alerts?area=410102",
                        headers=bearer(tokens["dispatcher"])).get_json()["items"]
    assert p["id"] in [a["project_id"] for a in alerts]
    r = post(client, tokens, "/api/v1/referrals", source={"kind": "project", "id": p["id"]},
             department="housing", content="项目出现工人聚集讨薪，请督促总包单位支付工资",
             feedback_due_on="2026-12-10")
    assert r.status_code == 201, r.get_json()
    ref = r.get_json()
    assert ref["project_id"] == p["id"] and ref["status"] == "sent" and not ref["overdue"]
    assert post(client, tokens, "/api/v1/referrals", source={"kind": "project", "id": p["id"]},
                department="tax", content="x", feedback_due_on="2026-12-10").status_code == 422
    assert post(client, tokens, url + "/alert/acknowledge").get_json()["acknowledged"] is True
    alerts = client.get("/api/v1/projects/alerts?area=410102",
                        headers=bearer(tokens["dispatcher"])).get_json()["items"]
    assert p["id"] not in [a["project_id"] for a in alerts]
    beijing_day("2026-12-11")
    overdue = client.get("/api/v1/referrals?overdue=true&area=410102",
                         headers=bearer(tokens["dispatcher"])).get_json()["items"]
    assert ref["id"] in [x["id"] for x in overdue]
    detail = client.get(url, headers=bearer(tokens["dispatcher"])).get_json()
    assert detail["referrals"][0]["overdue"] is True


def test_a_warned_project_raises_its_contractors_risk(client, tokens, builders, db):
    p, url = clean_project(client, tokens, builders)
    contractor = builders["contractor"]["id"]

    def factor():
        r = client.get(f"/api/v1/employers/{contractor}/risk",
                       headers=bearer(tokens["dispatcher"]))
        assert r.status_code == 200, r.get_json()
        return next(f for f in r.get_json()["factors"] if f["factor"] == "wage_arrears")

    assert factor()["share"] == 0
    post(client, tokens, url + "/reports", role="inspector", kind="workers_gathering")
    assert factor()["share"] == 1 and factor()["inputs"]["project_warning"] == 1
    stored = db.execute(text("SELECT p_wage_arrears FROM employer_risk WHERE employer_id = :e"),
                        {"e": contractor}).scalar_one()
    assert stored > 0


def test_a_stale_version_is_a_conflict(client, tokens, builders):
    p = create(client, tokens, builders).get_json()
    url = f"/api/v1/projects/{p['id']}"
    ok = client.patch(url, json={"version": p["version"], "workers": 150},
                      headers=bearer(tokens["dispatcher"]))
    assert ok.status_code == 200 and ok.get_json()["workers"] == 150
    stale = client.patch(url, json={"version": p["version"], "workers": 99},
                         headers=bearer(tokens["dispatcher"]))
    assert stale.status_code == 409




def test_the_map_layer_counts_per_area_above_county_level(client, tokens, builders):
    p, url = clean_project(client, tokens, builders)
    post(client, tokens, url + "/reports", role="inspector", kind="workers_gathering")
    h = bearer(tokens["command"])
    province = client.get("/api/v1/map/projects?area=410000", headers=h).get_json()
    assert province["aggregated"] == "city"
    zhengzhou = next(f for f in province["features"] if f["properties"]["adcode"] == "410100")
    assert zhengzhou["properties"]["red"] >= 1
    assert zhengzhou["properties"]["total"] >= zhengzhou["properties"]["red"]
    city = client.get("/api/v1/map/projects?area=410100", headers=h).get_json()
    assert city["aggregated"] == "county"
    assert "410102" in [f["properties"]["adcode"] for f in city["features"]]
    county = client.get("/api/v1/map/projects?area=410102", headers=h).get_json()
    mine = next(f for f in county["features"] if f["properties"]["id"] == p["id"])
    assert mine["properties"]["level"] == "red"


def test_a_geojson_file_in_gcj02_is_imported_within_a_metre(client, tokens, builders):
    lon, lat = 113.6071234, 34.7512345
    glon, glat = (float(v) for v in china_crs.wgs84_to_gcj02(lon, lat))
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [glon, glat]},
               "properties": {"项目名称": "导入测试项目", "施工总承包单位信用代码":
                              builders["contractor"]["code"], "合同金额": 8_000_000,
                              "主管部门": "住建", "开工日期": "2026-05-01",
                              "计划竣工日期": "2027-05-01"}}
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    r = client.post("/api/v1/projects/import", headers=bearer(tokens["dispatcher"]),
                    data={"file": (io.BytesIO(data), "projects.geojson"), "crs": "gcj02"},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["created"][0]["id"]
    got = client.get(f"/api/v1/projects/{pid}", headers=bearer(tokens["dispatcher"])
                     ).get_json()
    assert got["department"] == "housing" and got["deposit_required"] == 160_000.0
    metres = math.hypot((got["location"]["lon"] - lon) * 111_320 * math.cos(math.radians(lat)),
                        (got["location"]["lat"] - lat) * 110_574)
    assert metres < 1.0


def test_an_xlsx_import_is_all_or_nothing(client, tokens, builders, db):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["项目名称", "施工总承包单位信用代码", "合同金额", "主管部门", "开工日期",
                  "计划竣工日期", "经度", "纬度"])
    sheet.append(["表格项目一", builders["contractor"]["code"], 3_000_000, "交通",
                  date(2026, 3, 1), date(2027, 3, 1), SITE[0], SITE[1]])
    sheet.append(["表格项目二", builders["contractor"]["code"], 2_000_000, "水利",
                  "2026-04-01", "2027-04-01", SITE[1], SITE[0]])  # swapped
    buf = io.BytesIO()
    book.save(buf)

    def upload(content):
        return client.post("/api/v1/projects/import", headers=bearer(tokens["dispatcher"]),
                           data={"file": (io.BytesIO(content), "projects.xlsx")},
                           content_type="multipart/form-data")

    before = db.execute(text("SELECT count(*) FROM projects")).scalar_one()
    r = upload(buf.getvalue())
    assert r.status_code == 422
    problems = r.get_json()["error"]["details"]["problems"]
    assert [p["row"] for p in problems] == [3] and "swapped" in problems[0]["message"]
    db.rollback()
    assert db.execute(text("SELECT count(*) FROM projects")).scalar_one() == before
    sheet.delete_rows(3)
    buf = io.BytesIO()
    book.save(buf)
    r = upload(buf.getvalue())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["count"] == 1


def test_the_demo_has_projects_of_every_warning_level_all_over_henan(db):
    """`make run` shows real warnings: the demo projects went through the services."""
    levels = dict(db.execute(text("""
        SELECT coalesce(w.level, 'none'), count(*) FROM projects p
        LEFT JOIN project_warnings w ON w.project_id = p.id
        WHERE p.created_by = 'demo' GROUP BY 1""")).all())
    assert sum(levels.values()) >= 25
    assert {"red", "orange", "yellow"} <= set(levels), levels
    cities = db.execute(text("SELECT count(DISTINCT left(county_adcode, 4)) FROM projects "
                             "WHERE created_by = 'demo'")).scalar()
    assert cities >= 5
    # Each project's deposit follows the rules and its grid contains its site.
    assert db.execute(text("""
        SELECT count(*) FROM projects p LEFT JOIN grids g ON g.id = p.grid_id
        WHERE p.created_by = 'demo' AND (g.id IS NULL OR NOT ST_Covers(g.geom, p.geom)
              OR p.deposit_required <> round(p.contract_value * p.deposit_rate, 2))
    """)).scalar() == 0


def test_a_check_photo_must_be_an_image_of_the_project(client, tokens, builders):
    import io

    from tests.geo.test_attachments import PDF, PNG

    p, url = clean_project(client, tokens, builders)
    other, _ = clean_project(client, tokens, builders)

    def attach(project, data, name):
        r = client.post("/api/v1/attachments", headers=bearer(tokens["inspector"]), data={
            "owner_kind": "project", "owner_id": str(project), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    items = [{"item": "notice_board", "ok": True}]
    for bad in (attach(p["id"], PDF, "a.pdf"), attach(other["id"], PNG, "b.png"), 10 ** 9):
        r = client.post(url + "/checks", json={"items": items, "photo_id": bad},
                        headers=bearer(tokens["inspector"]))
        assert r.status_code == 422, r.get_json()
    photo = attach(p["id"], PNG, "board.png")
    r = client.post(url + "/checks", json={"items": items, "photo_id": photo},
                    headers=bearer(tokens["inspector"]))
    assert r.status_code == 201, r.get_json()
    board = next(c for c in r.get_json()["checklist"] if c["item"] == "notice_board")
    assert board["photo"] == f"/api/v1/attachments/{photo}"
    assert client.get(board["photo"], headers=bearer(tokens["command"])).data == PNG
