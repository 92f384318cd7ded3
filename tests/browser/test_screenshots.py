"""Every page of the navigation at province, city and county level, in Chinese, as an
administrator (who may open them all): a screenshot of each in test-artifacts/pages/, and on
each no script error, no request off the machine, no catalog key, raw code or English
sentence (the rules of test_pages_language)."""
from __future__ import annotations

import pytest

from tests.browser.test_cases_page import DESKTOP, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems, visible_text
from tests.conftest import ARTIFACTS

LEVELS = {"province": "410000", "city": "410100", "county": "410102"}
# page → its path with {area}, what says it is drawn; pages without an area: one level.
BY_AREA = {
    "map": ("/map?area={area}", '.folium-map[data-ready="1"][data-kpis]'),
    "dispatch": ("/dispatch?area={area}", '.folium-map[data-ready="1"]'),
    "cases": ("/cases?area={area}", "main"),
    "staff": ("/staff?area={area}", "main"),
    "complaints": ("/complaints?area={area}", "main"),
    "projects": ("/projects?area={area}", "main"),
    "referrals": ("/referrals?area={area}", "main"),
    "rewards": ("/rewards?area={area}", "main"),
    "random-checks": ("/random-checks?area={area}", "main"),
    "overdue-list": ("/lists/overdue-employers?area={area}", "#lw-list"),
}
ONCE = {
    "planner": ("/planner?county=410102", '.folium-map[data-ready="1"]'),
    "grading": ("/grading", "main"),
    "disclosures": ("/disclosures", "main"),
    "reviews": ("/reviews", "main"),
    "audits": ("/audits", "main"),
    "incidents": ("/incidents", "main"),
    "jobs": ("/admin/jobs", "main"),
}
CASES = [(name, level, path.format(area=adcode), ready)
         for name, (path, ready) in BY_AREA.items() for level, adcode in LEVELS.items()] + \
        [(name, "once", path, ready) for name, (path, ready) in ONCE.items()]


@pytest.mark.parametrize(("name", "level", "path", "ready"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_page_at_every_level_reads_as_chinese_and_is_on_file(
        browser, live_server, name, level, path, ready):  # noqa: F811
    page = signed_in(browser, live_server, DESKTOP, path, user="test-admin")
    page.wait_for_selector(ready, timeout=60_000)
    try:  # the last lists and layers in (a map polls on: its quiet moments are enough)
        page.wait_for_load_state("networkidle", timeout=15_000)
    except Exception:  # noqa: BLE001 - a page that keeps polling is still shot
        pass
    page.wait_for_timeout(500)
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{level}.png"))
    # A command to type (<code>) is not prose: left out of the language rules.
    page.evaluate("document.querySelectorAll('code').forEach(c => { c.style.display = 'none'; })")
    assert problems(visible_text(page), "zh") == [], path
    assert page.errors == [], (path, page.errors)
    assert page.hosts == {"127.0.0.1"}, page.hosts
    page.context.close()
