
"""The public portal in headless Chromium, as an anonymous visitor: the published lists,
one list's entries, no draft anywhere, a draft's id and a made-up id answer the portal's
404 page; nothing loads from another host; desktop and phone screenshots."""
from urllib.parse import urlparse

from sqlalchemy import text

from geo.core.db import unit_of_work
from tests.browser.test_cases_page import DESKTOP, PHONE
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.conftest import ARTIFACTS, bearer
from tests.dispatch_fixtures import committed  # noqa: F401  (fixture)
from tests.webapp import test_public_pages as portal
from tests.webapp.test_public_pages import portal_lists  # noqa: F401  (fixture)


def anonymous_page(browser, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN")  # no cookies, no token
    page = context.new_page()
    page.errors, page.hosts = [], set()
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith(
        "Failed to load resource: the server responded with a status of 404")
        and page.errors.append(msg.text))
    page.on("request", lambda req: page.hosts.add(urlparse(req.url).hostname))
    return page


def test_an_anonymous_visitor_reads_published_lists_and_never_a_draft(
        browser, live_server, portal_lists, client, tokens, committed):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    r = client.post("/api/v1/random-draws", headers=bearer(tokens["dispatcher"]),
                    json={"area": portal.COUNTY, "check_item": "wage_payment", "share": 0.1,
                          "seed": 31})
    assert r.status_code == 201, r.get_json()
    committed.draws.append(r.get_json()["id"])
    committed.inspections += r.get_json()["inspection_ids"]
    with unit_of_work(committed.sessions) as s:  # results are published once checks are over
        s.execute(text("UPDATE inspections SET status = 'done' WHERE id = ANY(:i)"),
                  {"i": r.get_json()["inspection_ids"]})
    published, draft, approved = (portal_lists[k] for k in ("published", "draft", "approved"))
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = anonymous_page(browser, viewport)
        page.goto(live_server + "/public/")
        assert "政务公开" in page.locator(".lw-portal-brand").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"public-index-{name}.png"), full_page=True)

        page.goto(live_server + "/public/disclosures")
        rows = page.locator("#lw-lists tr.lw-list-row")
        ids = {int(rows.nth(i).get_attribute("data-id")) for i in range(rows.count())}
        assert published["id"] in ids and not {draft["id"], approved["id"]} & ids
        words = page.evaluate("document.body.innerText")
        assert draft["employer"] not in words and problems(words, "zh") == []
        page.screenshot(path=str(ARTIFACTS / f"public-disclosures-{name}.png"), full_page=True)

        page.locator(f'tr.lw-list-row[data-id="{published["id"]}"] a').click()
        page.wait_for_url(f"**/public/disclosures/{published['id']}")
        assert page.locator("#lw-entries tr.lw-entry").count() == 1
        words = page.evaluate("document.body.innerText")
        assert published["employer"] in words and published["credit_code"] in words
        assert portal.COMPLAINANT not in words and portal.PHONE not in words
        assert problems(words, "zh") == []
        assert page.locator("#lw-xlsx").get_attribute("href") == \
            f"/api/v1/public/disclosure-lists/{published['id']}.xlsx?lang=zh"
        with page.expect_download() as got:  # the PDF downloads from the page itself
            page.locator("#lw-pdf").click()
        assert got.value.suggested_filename.endswith(".pdf")
        if name == "phone":  # stacked cards: the labels show, the header row does not
            first = page.locator("#lw-entries tr.lw-entry td").first
            assert page.evaluate("e => getComputedStyle(e).display", first.element_handle()) \
                == "grid"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
        page.screenshot(path=str(ARTIFACTS / f"public-disclosure-{name}.png"), full_page=True)

        for list_id in (draft["id"], approved["id"], 2_000_000_000):
            response = page.goto(live_server + f"/public/disclosures/{list_id}")
            assert response.status == 404
            assert page.locator("#lw-not-found h1").inner_text() == "未找到该页面"
            words = page.evaluate("document.body.innerText")
            assert draft["employer"] not in words and approved["employer"] not in words
        page.screenshot(path=str(ARTIFACTS / f"public-404-{name}.png"), full_page=True)

        for path in ("/public/random-checks", "/public/guide"):
            assert page.goto(live_server + path).status == 200
            if path == "/public/random-checks":
                assert page.locator("#lw-draws tr.lw-draw").count() >= 1
                page.locator("#lw-draws details summary").first.click()
            assert problems(page.evaluate("document.body.innerText"), "zh") == []
            page.screenshot(path=str(ARTIFACTS / f"public-{path.rsplit('/', 1)[1]}-{name}.png"),
                            full_page=True)
        assert page.errors == [] and page.hosts == {"127.0.0.1"}, (page.errors, page.hosts)
        page.context.close()
