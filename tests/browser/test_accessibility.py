"""Every page through axe-core in headless Chromium (WCAG 2.1 A and AA, tests/browser/a11y.py):
no serious or critical violation, at desktop size and for the pages worked on a phone at
390×844; the map pages at province, city and county level, with a screenshot of each in
test-artifacts/. On the maps, the hundreds of markers and shapes stay out of the tab order."""
from __future__ import annotations

import pytest

from dispatch.analytics import kpis
from tests.browser.a11y import serious_violations
from tests.browser.test_cases_page import DESKTOP, PHONE
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import accounts, leave_quietly, sign_in  # noqa: F401
from tests.conftest import ARTIFACTS
from webapp.pages.cases import OWN_PAGES

MAP_READY = '.folium-map[data-ready="1"]'
LEVELS = {"province": "410000", "city": "410100", "county": "410102"}
# name -> (path, role, what says the page is ready: None = the network is quiet)
PAGES = {
    **{f"map-{level}": (f"/map?area={code}", "command", MAP_READY + "[data-kpis]")
       for level, code in LEVELS.items()},
    **{f"dispatch-{level}": (f"/dispatch?area={code}", "dispatcher", MAP_READY)
       for level, code in LEVELS.items()},
    "planner": ("/planner?county=410102", "planner", MAP_READY),
    "field": ("/field", "inspector", 'body[data-ready="1"]'),
    **{name: (f"/{name}", "admin", None) for name in (
        "cases", "complaints", "staff", "grading", "disclosures", "projects", "referrals",
        "rewards", "reviews", "audits", "random-checks", "incidents")},
    **{f"list-{name}": (f"/lists/{name}?area=410100", "command", None)
       for name in kpis.LISTS if name not in OWN_PAGES},
    "jobs": ("/admin/jobs", "admin", None),
    "login": ("/login", None, None),
    **{f"public-{name or 'home'}": (f"/public/{name}", None, None)
       for name in ("", "disclosures", "random-checks", "guide")},
}
ON_A_PHONE = ("map-county", "dispatch-county", "field", "cases", "complaints", "projects",
              "login", "public-home", "public-disclosures")
CASES = [(name, "desktop") for name in PAGES] + [(name, "phone") for name in ON_A_PHONE]


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_no_serious_accessibility_violation(browser, live_server, accounts, name, size):  # noqa: F811
    path, role, ready = PAGES[name]
    viewport = DESKTOP if size == "desktop" else PHONE
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    try:
        if role is None:
            page.goto(live_server + path)
        else:
            sign_in(page, live_server, accounts[role], path)
        if ready:
            page.wait_for_selector(ready, timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        assert serious_violations(page) == []
        if name.startswith(("map-", "dispatch-", "planner")):
            # Markers and shapes are reached through the lists and search, not by tabbing
            # through hundreds of map objects.
            tabbable = page.evaluate("""() => document.querySelectorAll(
                '.leaflet-marker-pane [tabindex]:not([tabindex="-1"]),'
                + ' .leaflet-overlay-pane [tabindex]:not([tabindex="-1"])').length""")
            assert tabbable == 0
            if name.startswith("map-"):
                leave_quietly(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{name}-{size}.png"))
    finally:
        context.close()
