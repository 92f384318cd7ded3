"""A county user in headless Chromium: the map opens on their county, the province and city
in the breadcrumb are names, not links; another county's map is a Chinese 404; the dispatch
page offers only their county; the page loads nothing from another host."""
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.core.db import unit_of_work
from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.conftest import ARTIFACTS, PASSWORD, unique


def test_county_dispatcher_works_in_their_county(browser, live_server, sessions):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    name = unique("county-dispatcher")
    with unit_of_work(sessions) as s:
        user = accounts.create_user(s, username=name, password=PASSWORD, role="dispatcher",
                                    actor="tests", area="410102").id
    try:
        page = signed_in(browser, live_server, DESKTOP, "/map", name)
        page.wait_for_selector(".lw-crumbs strong", timeout=30_000)
        assert page.locator(".lw-crumbs strong").inner_text() == "中原区"
        assert page.locator(".lw-crumbs a").count() == 0  # 河南省 › 郑州市 are not links
        assert "河南省" in page.locator(".lw-crumbs").inner_text()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(ARTIFACTS / "territory-county-map-desktop.png"))
        assert not page.errors, page.errors
        assert page.hosts <= {"127.0.0.1", "localhost"}, page.hosts

        r = page.goto(live_server + "/map?area=410105")
        assert r.status == 404
        assert "辖区" in page.locator("body").inner_text()

        page.goto(live_server + "/dispatch")
        page.wait_for_selector("select", timeout=30_000)
        options = page.locator("select option").all_inner_texts()
        assert options and all("郑州" not in o and "河南" not in o for o in options), options
        page.context.close()

        phone = signed_in(browser, live_server, PHONE, "/map", name)
        phone.wait_for_selector(".lw-crumbs strong", timeout=30_000)
        phone.wait_for_timeout(1000)
        phone.screenshot(path=str(ARTIFACTS / "territory-county-map-phone.png"))
        phone.context.close()
    finally:
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM user_sessions WHERE user_id = :u"), {"u": user})
            s.execute(text("DELETE FROM login_attempts WHERE username = :n"), {"n": name})
            s.execute(text("DELETE FROM users WHERE id = :u"), {"u": user})
