"""The grid worker's phone page at 390×844 in headless Chromium: they land on /field, find an
employer with the search box, open one card at a time (44 px targets, 16 px inputs), get the
answer next to the card, send nothing when nothing changed; without signal a correction and a
GPS fix wait in the browser and go when the signal returns; a change someone else made
meanwhile wins, and the worker is told why theirs was not taken."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from tests.browser.test_cases_page import PHONE
from tests.browser.test_grading_pages import reads_well, shoot
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, bearer, unique
from tests.dispatch_fixtures import add_inspector, committed  # noqa: F401  (fixture)

COUNTY = "410106"  # 上街区: no other test works here


@pytest.fixture()
def grid(committed, db):  # noqa: F811
    """A grid worker's account linked to a grid of 上街区, and two employers of that grid."""
    grid_id, lon, lat = db.execute(text(
        "SELECT id, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM grids "
        "WHERE county_adcode = :c ORDER BY id LIMIT 1"), {"c": COUNTY}).one()
    employers = [committed.employer(lon=lon + 0.0005 * i, lat=lat, county=COUNTY) for i in (1, 2)]
    with unit_of_work(committed.sessions) as s:
        s.execute(text("UPDATE employers SET grid_id = :g, name = :n || id, employees = 12 "
                       "WHERE id = ANY(:e)"),
                  {"g": grid_id, "n": unique("手机测试单位"), "e": employers})
        user = create_user(s, username=unique("field"), password=PASSWORD, role="inspector",
                           actor="tests")
        committed.users.append(user.id)
        add_inspector(s, lon=lon, lat=lat, county=COUNTY, kind="grid_worker", certified=False,
                      grid_id=grid_id, user_id=user.id)
    names = dict(db.execute(text("SELECT id, name FROM employers WHERE id = ANY(:e)"),
                            {"e": employers}).all())
    return {"user": user.username, "employers": employers, "names": names,
            "site": (lon, lat)}


def row(db, employer_id):
    db.rollback()
    return db.execute(text("SELECT employees, contact_person, location_source FROM employers "
                           "WHERE id = :e"), {"e": employer_id}).one()


def test_the_phone_page_works_one_card_at_a_time_and_offline(
        browser, live_server, grid, db, client, tokens):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    lon, lat = grid["site"]
    context = browser.new_context(viewport=PHONE, locale="zh-CN", permissions=["geolocation"],
                                  geolocation={"latitude": lat, "longitude": lon, "accuracy": 6})
    page = context.new_page()
    errors, writes = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: writes.append(r.url) if r.method in ("PATCH", "POST")
            and "/api/v1/employers/" in r.url else None)
    page.goto(live_server + "/login")  # no `next`: an inspector lands on the phone page
    page.fill("#username", grid["user"])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('body[data-ready="1"]', timeout=30_000)
    assert page.url.endswith("/field")
    first, second = grid["employers"]
    a = page.locator(f'.lw-employer[data-id="{first}"]')
    b = page.locator(f'.lw-employer[data-id="{second}"]')
    expect(page.locator(".lw-card-body:visible")).to_have_count(0)   # all cards closed
    assert page.locator("path.lw-field-dot").count() >= 2             # the grid's small map

    # The search box finds one employer of the grid; clearing it shows them all again.
    page.fill("#lw-field-q", grid["names"][first])
    expect(page.locator(".lw-employer:visible")).to_have_count(1)
    expect(a).to_be_visible()
    page.fill("#lw-field-q", "")

    # One card open at a time; touch targets and inputs sized for a finger.
    a.locator(".lw-card-head").click()
    expect(a.locator(".lw-card-body")).to_be_visible()
    b.locator(".lw-card-head").click()
    expect(b.locator(".lw-card-body")).to_be_visible()
    expect(a.locator(".lw-card-body")).to_be_hidden()
    assert b.locator(".lw-card-head").bounding_box()["height"] >= 44
    assert b.locator(".lw-save").bounding_box()["height"] >= 44
    assert b.locator(".lw-gps").bounding_box()["height"] >= 44
    assert b.locator("input[name=employees]").evaluate(
        "n => getComputedStyle(n).fontSize") == "16px"

    # Nothing changed: said next to the card, no request. A bad number: said, not sent.
    b.locator(".lw-save").click()
    expect(b.locator(".lw-card-status")).to_have_text("没有需要保存的修改")
    b.locator("input[name=employees]").fill("-3")
    b.locator(".lw-save").click()
    expect(b.locator(".lw-card-status")).to_have_text("从业人数请填写不小于 0 的整数")
    assert writes == []
    b.locator("input[name=employees]").fill("30")
    b.locator(".lw-save").click()
    expect(b.locator(".lw-card-status")).to_have_text("已保存", timeout=15_000)
    assert row(db, second)[0] == 30 and len(writes) == 1
    reads_well(page, PHONE)
    shoot(page, "field-phone")

    # No signal: a correction and a GPS fix wait on the phone, nothing reaches the server.
    context.set_offline(True)
    b.locator("input[name=contact_person]").fill("王离线")
    b.locator(".lw-save").click()
    expect(b.locator(".lw-card-status")).to_contain_text("当前没有网络")
    b.locator(".lw-gps").click()
    expect(b.locator(".lw-card-status")).to_contain_text("定位已保存在本机", timeout=15_000)
    expect(page.locator("#lw-field-outbox")).to_have_attribute("data-count", "2")
    expect(page.locator("#lw-field-outbox")).to_contain_text("本机有 2 项修改待发送")
    page.select_option("#lw-field-filter", "queued")
    expect(page.locator(".lw-employer:visible")).to_have_count(1)
    shoot(page, "field-phone-offline")
    assert row(db, second)[1] != "王离线" and len(writes) == 1
    # The signal returns: both go, in order, and the outbox empties.
    context.set_offline(False)
    expect(page.locator("#lw-field-outbox")).to_have_attribute("data-count", "0", timeout=40_000)
    expect(b.locator(".lw-card-status")).to_have_text("离线时保存的修改已发送")
    employees, person, source = row(db, second)
    assert (employees, person, source) == (30, "王离线", "survey")
    page.select_option("#lw-field-filter", "all")

    # Offline again; meanwhile an administrator changes the same employer: theirs stands.
    a.locator(".lw-card-head").click()
    context.set_offline(True)
    a.locator("input[name=employees]").fill("99")
    a.locator(".lw-save").click()
    expect(a.locator(".lw-card-status")).to_contain_text("当前没有网络")
    admin = bearer(tokens["admin"])
    read = client.get(f"/api/v1/employers/{first}", headers=admin).get_json()
    r = client.patch(f"/api/v1/employers/{first}", headers=admin,
                     json={"updated_at": read["updated_at"], "changes": {"employees": 41}})
    assert r.status_code == 200, r.get_json()
    context.set_offline(False)
    expect(a.locator(".lw-card-status")).to_contain_text("离线时保存的修改未被采用",
                                                         timeout=40_000)
    expect(page.locator("#lw-field-outbox")).to_have_attribute("data-count", "0")
    assert row(db, first)[0] == 41
    assert "Traceback" not in a.locator(".lw-card-status").inner_text()
    assert errors == []
    context.close()
