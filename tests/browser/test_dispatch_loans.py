"""Cross-county requests (跨区调用) from the dispatcher page, in headless Chromium: a county
dispatcher sees that inspectors of another county nearby were left out, asks for them; a
dispatcher of the city (which holds the lending county) approves in the panel; the county
dispatcher's recommendation then offers the lent inspectors."""
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.core.db import unit_of_work
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, unique
from tests.dispatch_fixtures import SITE, committed, metres_east  # noqa: F401

READY = '.folium-map[data-ready="1"]'


def _user(sessions, prefix: str, area: str) -> tuple[int, str]:
    name = unique(prefix)
    with unit_of_work(sessions) as s:
        user = accounts.create_user(s, username=name, password=PASSWORD, role="dispatcher",
                                    actor="tests", area=area)
    return user.id, name


def _open_job(page, job: int) -> None:
    page.wait_for_selector(READY, timeout=60_000)
    page.click(f'.lw-job[data-id="{job}"]')


def test_county_dispatcher_borrows_inspectors_of_another_county(
        browser, live_server, sessions, committed):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    county_id, county_name = _user(sessions, "loan-county", "410102")
    city_id, city_name = _user(sessions, "loan-city", "410100")
    job = committed.inspection(lon=SITE[0], lat=SITE[1], county="410102", priority="urgent")
    lent = [committed.inspector(lon=metres_east(*SITE, m)[0], lat=SITE[1], county="410105")
            for m in (60, 90)]
    # every certified inspector of 中原区 is busy: only a loan can staff the inspection
    committed.statuses("410102")
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE officers SET status = 'unavailable' WHERE county_adcode = '410102' "
                       "AND status = 'available'"))
    pages = []
    try:
        # the county dispatcher: the hint, a refused empty reason, then the request
        page = signed_in(browser, live_server, DESKTOP, "/dispatch", county_name)
        pages.append(page)
        _open_job(page, job)
        page.wait_for_selector(".lw-loan-hint", timeout=30_000)
        hint = page.locator(".lw-loan-hint").inner_text()
        assert hint.startswith("附近另有 ") and "外县区监察员不在您的辖区，可申请跨区调用" in hint
        assert int(hint.split()[1]) >= 2, hint
        assert page.locator("#lw-teams").inner_text() == "没有可用的两人执法组"
        page.wait_for_selector("#lw-loan-lending_county", timeout=30_000)
        options = page.locator("#lw-loan-lending_county option").all_inner_texts()
        assert "金水区" in options and "中原区" not in options, options
        assert page.locator("#lw-loan-hours").input_value() == "24"
        page.select_option("#lw-loan-lending_county", "410105")
        page.click(".lw-loan-form button[type=submit]")
        page.wait_for_selector(".lw-loan-form .alert-danger", timeout=30_000)
        assert page.locator(".lw-loan-form .alert-danger").inner_text() == "请填写跨区调用的理由"
        page.fill("#lw-loan-reason", "本区持证监察员均在外检查")
        page.fill("#lw-loan-hours", "8")
        page.click(".lw-loan-form button[type=submit]")
        page.wait_for_selector(".lw-loan-form .alert-success", timeout=30_000)
        assert "金水区" in page.locator(".lw-loan-form .alert-success").inner_text()
        with sessions() as s:
            loan = s.execute(text("SELECT id, requesting_county, lending_county, hours, status "
                                  "FROM officer_loans WHERE inspection_id = :i"),
                             {"i": job}).one()
        assert tuple(loan[1:]) == ("410102", "410105", 8, "requested")
        mine = page.locator(f'.lw-loan[data-id="{loan.id}"]')
        mine.wait_for(timeout=30_000)
        assert "待审批" in mine.inner_text() and "中原区 申请调用 金水区 的监察员" in mine.inner_text()
        assert mine.locator(".lw-loan-withdraw").count() == 1
        assert mine.locator(".lw-loan-approve").count() == 0  # not their own to decide
        page.screenshot(path=str(ARTIFACTS / "dispatch-loan-request-desktop.png"))

        phone = signed_in(browser, live_server, PHONE, "/dispatch", county_name)
        pages.append(phone)
        _open_job(phone, job)
        phone.wait_for_selector(".lw-loan-form", timeout=30_000)
        phone.locator(".lw-loan-offer").scroll_into_view_if_needed()
        phone.screenshot(path=str(ARTIFACTS / "dispatch-loan-request-phone.png"))

        # the city dispatcher (whose territory holds 金水区) approves it in the panel
        city = signed_in(browser, live_server, DESKTOP, "/dispatch", city_name)
        pages.append(city)
        city.wait_for_selector(READY, timeout=60_000)
        theirs = city.locator(f'.lw-loan[data-id="{loan.id}"]')
        theirs.wait_for(timeout=30_000)
        assert theirs.locator(".lw-loan-approve").count() == 1
        theirs.locator(".lw-loan-note").fill("同意，用后请及时归还")
        theirs.locator(".lw-loan-approve").click()
        city.wait_for_selector(f'.lw-loan[data-id="{loan.id}"][data-status="approved"]',
                               timeout=30_000)
        done = city.locator(f'.lw-loan[data-id="{loan.id}"]').inner_text()
        assert "已批准" in done and "有效期至" in done and "同意，用后请及时归还" in done, done
        assert city.locator("#lw-loans-message").inner_text() == "已批准跨区调用申请"
        city.screenshot(path=str(ARTIFACTS / "dispatch-loan-approved-desktop.png"))

        # the county dispatcher's page picks the approval up with its poll
        page.wait_for_selector(f'.lw-loan[data-id="{loan.id}"][data-status="approved"]',
                               timeout=30_000)
        with sessions() as s:
            names = s.execute(text("SELECT name FROM officers WHERE id = ANY(:o) ORDER BY id"),
                              {"o": lent}).scalars().all()
        page.wait_for_function(  # the top team is the lent pair, named (not "#id")
            "names => names.every(n => document.querySelector('#lw-teams .lw-team strong')"
            "?.innerText.includes(n))", arg=names, timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "dispatch-loan-lent-desktop.png"))
        for p in pages:
            assert not p.errors, p.errors
            assert p.hosts <= {"127.0.0.1", "localhost"}, p.hosts

        phone_city = signed_in(browser, live_server, PHONE, "/dispatch", city_name)
        pages.append(phone_city)
        phone_city.wait_for_selector(f'.lw-loan[data-id="{loan.id}"]', timeout=60_000)
        phone_city.locator(f'.lw-loan[data-id="{loan.id}"]').scroll_into_view_if_needed()
        phone_city.screenshot(path=str(ARTIFACTS / "dispatch-loan-approved-phone.png"))
        assert not phone.errors and not phone_city.errors, phone.errors + phone_city.errors

        # command sees the request, read-only
        command = signed_in(browser, live_server, DESKTOP, "/dispatch", "test-command")
        pages.append(command)
        seen = command.locator(f'.lw-loan[data-id="{loan.id}"]')
        seen.wait_for(timeout=60_000)
        assert "已批准" in seen.inner_text()
        assert seen.locator("button").count() == 0 and command.locator(".lw-loan-form").count() == 0
        assert not command.errors, command.errors
    finally:
        for p in pages:
            p.context.close()
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM officer_loans WHERE inspection_id = :i "
                           "OR requested_by = ANY(:n)"), {"i": job, "n": [county_name, city_name]})
            for user, name in ((county_id, county_name), (city_id, city_name)):
                s.execute(text("DELETE FROM user_sessions WHERE user_id = :u"), {"u": user})
                s.execute(text("DELETE FROM login_attempts WHERE username = :n"), {"n": name})
                s.execute(text("DELETE FROM users WHERE id = :u"), {"u": user})
