"""The holiday calendar API: the seeded State Council schedule, administrators' days, warnings."""
from datetime import date

import pytest
from sqlalchemy import text

from dispatch.calendar import official
from dispatch.calendar.service import WorkingCalendar
from geo.core.db import unit_of_work
from tests.conftest import bearer

ZH = {"Accept-Language": "zh-CN"}
WARNING_2027 = ("2027年的法定节假日安排尚未录入：在录入之前，2027年的日期按普通周一至周五计算。"
                "请管理员按国务院办公厅通知录入。")
WARNING_2029 = ("2029年和2030年的法定节假日安排尚未录入：在录入之前，这两年的日期按普通周一至周五计算。"
                "请管理员按国务院办公厅通知录入。")
SCRATCH_DAYS = ("2031-05-06", "2031-05-07")  # a year without a schedule


@pytest.fixture()
def restore(sessions):
    """Put the calendar back as seeded: official days as shipped, no scratch days, no marks."""
    yield
    with unit_of_work(sessions) as s:
        for day in ("2026-10-10", "2026-10-08"):
            was = official.official_day(date.fromisoformat(day))
            if was is None:
                s.execute(text("DELETE FROM holidays WHERE day = :d"), {"d": day})
            else:
                s.execute(text("UPDATE holidays SET kind = :k, name = :n, source = 'official', "
                               "updated_by = NULL WHERE day = :d"),
                          {"d": day, "k": was[0], "n": was[1]})
        s.execute(text("DELETE FROM holidays WHERE day = ANY(CAST(:d AS date[]))"),
                  {"d": list(SCRATCH_DAYS)})
        s.execute(text("DELETE FROM calendar_years WHERE source = 'admin'"))


def audits(db, entity: str, entity_id: str) -> list[tuple]:
    db.rollback()  # read what the app committed
    return db.execute(text("SELECT actor, action, before, after FROM audit_log "
                           "WHERE entity = :e AND entity_id = :i ORDER BY id"),
                      {"e": entity, "i": entity_id}).all()


def get(client, tokens, query: str = "", role: str = "dispatcher", headers=None):
    r = client.get(f"/api/v1/holidays{query}", headers={**bearer(tokens[role]), **(headers or {})})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_official_2026_schedule_is_listed_in_chinese(client, tokens, beijing_day):
    beijing_day("2026-06-01")
    body = get(client, tokens, "?year=2026", headers=ZH)
    items = {i["day"]: i for i in body["items"]}
    assert items["2026-10-01"] == {
        "day": "2026-10-01", "kind": "holiday", "kind_text": "放假", "name": "国庆节",
        "holiday": "national_day", "source": "official", "source_text": "国务院安排",
        "updated_by": None, "official": None}
    assert items["2026-09-20"]["kind"] == "workday" and items["2026-09-20"]["name"] == "国庆节"
    assert items["2026-09-20"]["kind_text"] == "调休上班"
    assert items["2026-02-14"]["kind"] == "workday" and items["2026-02-17"]["name"] == "春节"
    assert items["2026-04-05"]["name"] == "清明节" and items["2026-09-25"]["name"] == "中秋节"
    assert items["2026-06-19"]["name"] == "端午节" and items["2026-05-01"]["name"] == "劳动节"
    assert items["2026-01-01"]["name"] == "元旦"
    assert all(d.startswith("2026-") for d in items)
    assert len(items) == sum(d.year == 2026 for d in official.schedule())
    assert 2026 in body["years_loaded"] and 2004 in body["years_loaded"]
    assert body["missing_years"] == [2027]
    assert body["warning"] == WARNING_2027


def test_names_and_the_warning_follow_the_readers_language(client, tokens, beijing_day):
    beijing_day("2026-06-01")
    body = get(client, tokens, "?year=2026", headers={"Accept-Language": "en"})
    items = {i["day"]: i for i in body["items"]}
    assert items["2026-10-01"]["name"] == "National Day"
    assert items["2026-10-10"]["kind_text"] == "Make-up working day"
    assert body["warning"].startswith("The 2027 public holiday schedule has not been entered")


def test_in_2029_this_year_and_next_are_both_missing(client, tokens, beijing_day):
    beijing_day("2029-03-01")
    body = get(client, tokens, "?year=2029", headers=ZH, role="command")
    assert body["items"] == []
    assert body["missing_years"] == [2029, 2030]
    assert body["warning"] == WARNING_2029


def test_without_a_year_every_day_is_listed(client, tokens, db):
    body = get(client, tokens, role="admin")
    assert len(body["items"]) == db.execute(text("SELECT count(*) FROM holidays")).scalar_one()
    assert [i["day"] for i in body["items"]] == sorted(i["day"] for i in body["items"])
    assert {y["year"] for y in body["years"]} == set(body["years_loaded"])


@pytest.mark.parametrize("query", ["?year=abc", "?year=1999", "?year=2100", "?year=2026.5"])
def test_a_bad_year_in_the_listing_is_400(client, tokens, query):
    r = client.get(f"/api/v1/holidays{query}", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400 and r.get_json()["error"]["message"]


def test_an_admin_overrides_an_official_day_and_deleting_restores_it(
        client, tokens, db, restore):
    admin = bearer(tokens["admin"])
    r = client.put("/api/v1/holidays/2026-10-10", json={"kind": "holiday", "name": "国庆节"},
                   headers={**admin, **ZH})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        "day": "2026-10-10", "kind": "holiday", "kind_text": "放假", "name": "国庆节",
        "holiday": None, "source": "admin", "source_text": "管理员录入", "updated_by": "test-admin",
        "official": {"kind": "workday", "kind_text": "调休上班", "name": "国庆节"}}
    db.rollback()
    assert not WorkingCalendar.load(db).is_working_day(date(2026, 10, 10))
    assert db.execute(text("SELECT source, updated_by FROM holidays WHERE day = '2026-10-10'")
                      ).one() == ("admin", "test-admin")

    r = client.delete("/api/v1/holidays/2026-10-10", headers=admin)
    assert r.status_code == 200, r.get_json()
    restored = r.get_json()["restored"]
    assert (restored["kind"], restored["source"], restored["holiday"]) == (
        "workday", "official", "national_day")
    db.rollback()
    assert WorkingCalendar.load(db).is_working_day(date(2026, 10, 10))
    assert db.execute(text("SELECT kind, name, source, updated_by FROM holidays "
                           "WHERE day = '2026-10-10'")).one() == (
        "workday", "national_day", "official", None)
    assert audits(db, "holiday", "2026-10-10")[-2:] == [
        ("test-admin", "put", {"kind": "workday", "name": "national_day", "source": "official"},
         {"kind": "holiday", "name": "国庆节", "source": "admin"}),
        ("test-admin", "delete", {"kind": "holiday", "name": "国庆节", "source": "admin"},
         {"kind": "workday", "name": "national_day", "source": "official"})]

    r = client.delete("/api/v1/holidays/2026-10-10", headers=admin)  # nothing of ours left
    assert r.status_code == 409 and "2026-10-10" in r.get_json()["error"]["message"]


def test_an_admin_day_in_a_year_without_a_schedule_counts_and_deleting_removes_it(
        client, tokens, db, restore):
    admin = bearer(tokens["admin"])
    day = SCRATCH_DAYS[0]
    r = client.put(f"/api/v1/holidays/{day}", json={"kind": "holiday", "name": "  "},
                   headers=admin)
    assert r.status_code == 200 and r.get_json()["name"] is None and r.get_json()["official"] is None
    db.rollback()
    cal = WorkingCalendar.load(db)
    assert not cal.is_working_day(date(2031, 5, 6)) and not cal.covers(date(2031, 5, 6))
    r = client.delete(f"/api/v1/holidays/{day}", headers=admin)
    assert r.status_code == 200 and r.get_json() == {"day": day, "restored": None}
    db.rollback()
    assert db.execute(text("SELECT count(*) FROM holidays WHERE day = :d"), {"d": day}
                      ).scalar_one() == 0
    assert WorkingCalendar.load(db).is_working_day(date(2031, 5, 6))
    assert [a[1:] for a in audits(db, "holiday", day)][-2:] == [
        ("put", None, {"kind": "holiday", "name": None, "source": "admin"}),
        ("delete", {"kind": "holiday", "name": None, "source": "admin"}, None)]
    r = client.delete(f"/api/v1/holidays/{day}", headers={**admin, **ZH})
    assert r.status_code == 404 and r.get_json()["error"]["message"] == \
        f"{day}没有管理员录入的安排，无需撤销"


def test_an_ordinary_day_of_a_covered_year_can_be_made_a_holiday(client, tokens, db, restore):
    r = client.put("/api/v1/holidays/2026-10-08", json={"kind": "holiday"},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 200 and r.get_json()["official"] is None
    db.rollback()
    assert WorkingCalendar.load(db).add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 9)


@pytest.mark.parametrize("day", ["2026-13-01", "20261001", "2026-W40-4", "1999-10-01",
                                 "2100-01-01", "tomorrow"])
def test_a_bad_day_is_400_and_nothing_changes(client, tokens, db, day):
    before = db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'holiday'")
                        ).scalar_one()
    for method in ("PUT", "DELETE"):
        r = client.open(f"/api/v1/holidays/{day}", method=method,
                        json={"kind": "holiday"} if method == "PUT" else None,
                        headers={**bearer(tokens["admin"]), **ZH})
        assert r.status_code == 400, (method, day, r.get_json())
        assert r.get_json()["error"]["message"].startswith("日期必须")
    db.rollback()
    assert db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'holiday'")
                      ).scalar_one() == before


def test_a_bad_kind_is_400(client, tokens):
    r = client.put(f"/api/v1/holidays/{SCRATCH_DAYS[1]}", json={"kind": "weekend"},
                   headers=bearer(tokens["admin"]))
    assert r.status_code == 400 and r.get_json()["error"]["message"]


@pytest.mark.parametrize("role", ["dispatcher", "command", "planner", "inspector"])
def test_only_an_admin_changes_the_calendar(client, tokens, role):
    h = bearer(tokens[role])
    assert client.put("/api/v1/holidays/2026-10-10", json={"kind": "holiday"},
                      headers=h).status_code == 403
    assert client.delete("/api/v1/holidays/2026-10-10", headers=h).status_code == 403
    assert client.put("/api/v1/holiday-years/2027", headers=h).status_code == 403
    assert client.delete("/api/v1/holiday-years/2027", headers=h).status_code == 403


@pytest.mark.parametrize("role", ["planner", "inspector"])
def test_planners_and_inspectors_do_not_read_the_calendar(client, tokens, role):
    assert client.get("/api/v1/holidays", headers=bearer(tokens[role])).status_code == 403


def test_marking_next_year_entered_by_hand_clears_the_warning(
        client, tokens, db, beijing_day, restore):
    beijing_day("2026-11-02")
    admin = bearer(tokens["admin"])
    r = client.put("/api/v1/holiday-years/2027", headers={**admin, **ZH})
    assert r.status_code == 200, r.get_json()
    marked = r.get_json()
    assert (marked["year"], marked["source"], marked["source_text"], marked["loaded_by"]) == (
        2027, "admin", "管理员录入", "test-admin")
    body = get(client, tokens, "?year=2027", headers=ZH)
    assert body["missing_years"] == [] and body["warning"] is None
    assert 2027 in body["years_loaded"]
    [(actor, action, before, after)] = audits(db, "calendar_year", "2027")[-1:]
    assert (actor, action, before, after["source"], after["year"]) == (
        "test-admin", "put", None, "admin", 2027)

    r = client.delete("/api/v1/holiday-years/2027", headers=admin)
    assert r.status_code == 200 and r.get_json()["missing_years"] == [2027]
    assert get(client, tokens, headers=ZH)["warning"] == WARNING_2027
    assert audits(db, "calendar_year", "2027")[-1][1] == "delete"
    assert client.delete("/api/v1/holiday-years/2027", headers=admin).status_code == 404


def test_an_official_year_is_not_marked_by_hand(client, tokens, db):
    admin = bearer(tokens["admin"])
    for method in ("PUT", "DELETE"):
        r = client.open("/api/v1/holiday-years/2026", method=method, headers=admin)
        assert r.status_code == 409 and "2026" in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT source FROM calendar_years WHERE year = 2026")
                      ).scalar_one() == "official"


@pytest.mark.parametrize("year", ["abcd", "27", "1999", "2100", "02027"])
def test_a_bad_year_is_400(client, tokens, year):
    r = client.put(f"/api/v1/holiday-years/{year}", headers={**bearer(tokens["admin"]), **ZH})
    assert r.status_code == 400 and r.get_json()["error"]["message"].startswith("年份必须")
