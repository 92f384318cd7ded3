"""An administrator adds an officer from the staff page, in headless Chromium, with a 执法证
that expired before today, and sees 已过期 on the officer's page; adds a training record and
sees its hours. The list and the officer page at desktop and phone sizes."""
import re
import uuid
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import text

from geo.core import clock
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

# Dates relative to today: the server's own clock (gunicorn) cannot be moved by the test.
ISSUED, EXPIRED, TRAINED = ((clock.today() - timedelta(days=d)).isoformat()
                            for d in (800, 10, 3))


def test_admin_adds_an_officer_with_an_expired_certificate_and_a_training(
        browser, live_server, committed, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    number = "豫劳监" + uuid.uuid4().hex[:12]
    page = signed_in(browser, live_server, DESKTOP, "/staff?area=410102", "test-admin")
    page.wait_for_selector('#lw-staff[data-ready="1"]', timeout=30_000)
    page.locator("#lw-new-officer summary").click()
    page.fill("#lw-new-name", "测试监察员")
    page.select_option("#lw-new-kind", "inspector")
    page.select_option("#lw-new-county", "410102")
    page.fill("#lw-new-certificate_no", number)
    page.fill("#lw-new-certificate_issued_on", ISSUED)
    page.fill("#lw-new-certificate_expires_on", EXPIRED)
    page.fill("#lw-new-phone", "0371-12345678")
    page.screenshot(path=str(ARTIFACTS / "staff-new-desktop.png"), full_page=True)
    page.locator("#lw-new-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/\d+$"), timeout=30_000)
    officer_id = int(page.url.rsplit("/", 1)[1])
    committed.officers.append(officer_id)  # removed after the test
    assert db.execute(text("SELECT certificate_no FROM officers WHERE id = :i"),
                      {"i": officer_id}).scalar_one() == number
    page.wait_for_selector('#lw-officer[data-ready="1"]', timeout=30_000)
    head = page.locator("#lw-headline").inner_text()
    assert "已过期" in head and number in head
    assert "测试监察员" in page.locator("#lw-name").inner_text()

    # The same certificate number again: the server's 409 message shows on the list page.
    page.goto(live_server + "/staff?area=410102")
    page.wait_for_selector('#lw-staff[data-ready="1"]', timeout=30_000)
    page.locator("#lw-new-officer summary").click()
    page.fill("#lw-new-name", "重复证号")
    page.fill("#lw-new-certificate_no", number)
    page.locator("#lw-new-form button[type=submit]").click()
    expect(page.locator("#lw-new-message")).to_contain_text(number, timeout=30_000)
    assert "HTTP" not in page.locator("#lw-new-message").inner_text()

    page.goto(live_server + f"/staff/{officer_id}")
    page.wait_for_selector('#lw-officer[data-ready="1"]', timeout=30_000)
    page.fill("#lw-training-course", "劳动保障监察执法培训")
    page.fill("#lw-training-hours", "12.5")
    page.fill("#lw-training-held_on", TRAINED)
    page.fill("#lw-training-provider", "河南省人社厅")
    page.locator("#lw-training-form button[type=submit]").click()
    expect(page.locator("#lw-trainings")).to_contain_text("劳动保障监察执法培训", timeout=30_000)
    assert "12.5" in page.locator("#lw-trainings").inner_text()
    expect(page.locator("#lw-hours")).to_contain_text("12.5 学时")

    # A stale version: the server's 409 message.
    db.execute(text("UPDATE officers SET version = version + 1 WHERE id = :i"),
               {"i": officer_id})
    db.commit()
    page.fill("#lw-edit-certificate_reviewed_on", TRAINED)
    page.locator("#lw-edit-form button[type=submit]").click()
    expect(page.locator("#lw-edit-message")).to_have_class(re.compile("text-danger"),
                                                           timeout=30_000)
    assert page.locator("#lw-edit-message").inner_text().strip()
    page.screenshot(path=str(ARTIFACTS / "officer-created-desktop.png"), full_page=True)
    assert page.errors == [] and page.hosts == {"127.0.0.1"}
    page.context.close()


def test_the_staff_pages_read_well_on_a_desktop_and_a_phone(browser, live_server,
                                                            committed):  # noqa: F811
    officer_id = committed.inspector(lon=SITE[0], lat=SITE[1])
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = signed_in(browser, live_server, viewport, "/staff?area=410102", "test-admin")
        page.wait_for_selector('#lw-staff[data-ready="1"]', timeout=30_000)
        assert page.locator(f'tr.lw-row[data-id="{officer_id}"] a').count() == 1
        assert page.locator("#lw-total").inner_text().startswith("共")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        page.screenshot(path=str(ARTIFACTS / f"staff-{name}.png"), full_page=True)
        page.goto(live_server + f"/staff/{officer_id}")
        page.wait_for_selector('#lw-officer[data-ready="1"]', timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        page.screenshot(path=str(ARTIFACTS / f"officer-{name}.png"), full_page=True)
        assert page.errors == page.refused == [] and page.hosts == {"127.0.0.1"}
        page.context.close()
