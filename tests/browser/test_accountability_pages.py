"""错案追究 and 执法责任制 on the pages, in headless Chromium: an administrator opens a
wrong-case review of a closed case from the case page and concludes it with a finding for each
handler; the handler's officer page lists the review with that finding and what the officer
answers for. The command centre may open a review but not conclude one; a dispatcher neither.
Both pages at desktop and phone sizes."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.test_cases_page import DESKTOP, PHONE, signed_in
from tests.browser.test_pages import browser  # noqa: F401  (the module's Chromium fixture)
from tests.browser.test_pages_language import problems
from tests.casework_fixtures import accepted_as_case, employer, post  # noqa: F401 (fixture)
from tests.conftest import ARTIFACTS, bearer
from tests.dispatch_fixtures import committed  # noqa: F401  (fixture)

GROUNDS = "当事人申诉：撤回申请系受用人单位胁迫"
CONCLUSION = "主办人未核实撤回申请的真实意愿"
MEASURES = "批评教育，年度考核扣分"


@pytest.fixture()
def closed_case(client, tokens, employer):  # noqa: F811
    """A case accepted from a complaint, handled by two of 中原区's inspectors, withdrawn."""
    _, case_id = accepted_as_case(client, tokens, employer)
    r = post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="withdrawn",
             summary="申请人撤回投诉")
    assert r.status_code == 200, r.get_json()
    handlers = client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["dispatcher"])
                          ).get_json()["handlers"]
    assert len(handlers) == 2
    return case_id, sorted(handlers, key=lambda h: h["id"])


def _reviews_ready(page):
    page.wait_for_selector('#lw-case[data-ready="1"]', timeout=30_000)
    page.wait_for_selector('#lw-reviews[data-ready="1"]', timeout=30_000)


def test_admin_opens_and_concludes_a_review_and_the_handler_page_shows_it(
        browser, live_server, closed_case, db):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    case_id, handlers = closed_case
    page = signed_in(browser, live_server, DESKTOP, f"/cases/{case_id}", "test-admin")
    _reviews_ready(page)
    assert "本案没有错案追究记录" in page.locator("#lw-reviews").inner_text()
    assert page.locator("#lw-act-review").is_visible()  # the case is closed
    # the officers default to the case's handlers, each a labelled checkbox
    boxes = page.locator("#lw-review-officers input[type=checkbox]")
    assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
    for h in handlers:
        assert page.get_by_label(h["name"], exact=True).is_checked()

    # Blank grounds: the server's message in the form, no review.
    form = page.locator("#lw-review-open-form")
    form.locator("button[type=submit]").click()
    error = form.locator(".lw-form-error")
    expect(error).to_contain_text("请写明启动错案追究的理由", timeout=30_000)
    assert db.execute(text("SELECT count(*) FROM case_reviews WHERE case_id = :c"),
                      {"c": case_id}).scalar_one() == 0

    # By keyboard: the grounds, then Enter on the submit button.
    page.get_by_label("启动理由").fill(GROUNDS)
    form.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")
    card = page.locator("#lw-reviews .lw-review")
    expect(card).to_have_count(1, timeout=30_000)
    expect(page.locator("#lw-reviews-message")).to_contain_text("已启动错案追究")
    assert "审查中" in card.inner_text() and GROUNDS in card.inner_text()
    review_id = int(card.get_attribute("data-review"))

    # Conclude: a finding is asked for each officer.
    conclude = card.locator("form.lw-review-form")
    conclude.locator("textarea[name=conclusion]").fill(CONCLUSION)
    conclude.locator("button[type=submit]").click()
    expect(conclude.locator(".lw-form-error")).to_contain_text("请对每一名涉及人员作出认定")
    page.get_by_label(f"对 {handlers[0]['name']} 的认定").select_option("minor_fault")
    page.get_by_label(f"对 {handlers[1]['name']} 的认定").select_option("no_fault")
    page.get_by_label("处理措施").fill(MEASURES)

    # Someone else changed the review meanwhile: the server's 409 message.
    db.execute(text("UPDATE case_reviews SET version = version + 1 WHERE id = :i"),
               {"i": review_id})
    db.commit()
    conclude.locator("button[type=submit]").click()
    expect(conclude.locator(".lw-form-error")).to_contain_text("已被他人修改", timeout=30_000)
    assert "HTTP" not in conclude.locator(".lw-form-error").inner_text()
    page.screenshot(path=str(ARTIFACTS / "case-review-open-desktop.png"), full_page=True)

    page.reload()
    _reviews_ready(page)
    card = page.locator("#lw-reviews .lw-review")
    page.get_by_label(f"对 {handlers[0]['name']} 的认定").select_option("minor_fault")
    page.get_by_label(f"对 {handlers[1]['name']} 的认定").select_option("no_fault")
    page.get_by_label("追究结论").fill(CONCLUSION)
    page.get_by_label("处理措施").fill(MEASURES)
    card.locator("form.lw-review-form button[type=submit]").click()
    expect(card).to_have_attribute("data-status", "concluded", timeout=30_000)
    expect(page.locator("#lw-reviews-message")).to_contain_text("已作出追究结论")
    words = card.inner_text()
    assert "已作结论" in words and "轻微过错" in words and "无过错" in words
    assert CONCLUSION in words and MEASURES in words
    assert card.locator("form").count() == 0  # concluded once
    assert db.execute(text("SELECT findings FROM case_reviews WHERE id = :i"),
                      {"i": review_id}).scalar_one() == {
        str(handlers[0]["id"]): "minor_fault", str(handlers[1]["id"]): "no_fault"}
    assert page.errors == [] and len(page.refused) == 2  # the blank grounds, the stale version
    assert page.hosts == {"127.0.0.1"}

    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(live_server + f"/cases/{case_id}")
        _reviews_ready(page)
        page.locator("#lw-h-reviews").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert problems(page.evaluate("document.body.innerText"), "zh") == []
        page.screenshot(path=str(ARTIFACTS / f"case-review-{name}.png"), full_page=True)

        # The first handler's page: the review with their finding, and what they answer for.
        page.goto(live_server + f"/staff/{handlers[0]['id']}")
        page.wait_for_selector('#lw-officer[data-ready="1"]', timeout=30_000)
        item = page.locator(f'#lw-officer-reviews .lw-case-review[data-review="{review_id}"]')
        expect(item).to_have_count(1)
        words = item.inner_text()
        assert f"案件 {case_id}" in words and "已作结论" in words and GROUNDS in words
        assert "轻微过错" in words and "无过错" not in words and CONCLUSION in words
        assert item.locator("a").get_attribute("href") == f"/cases/{case_id}"
        acts = page.locator("#lw-case-acts tbody")
        assert "结案" in acts.inner_text()
        assert int(acts.locator('tr[data-kind="close"] td').nth(1).inner_text()
                   .replace(",", "")) >= 1
        assert "参与检查" in page.locator("#lw-responsibility-facts").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        # (the two sections: the demo officers' 专长 are free codes such as working_hours)
        for section in ("lw-h-responsibility", "lw-h-reviews"):
            words = page.locator(f'section[aria-labelledby="{section}"]').inner_text()
            assert problems(words, "zh") == []
        page.locator("#lw-h-responsibility").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"officer-accountability-{name}.png"),
                        full_page=True)
    assert page.errors == [] and page.hosts == {"127.0.0.1"}

    # The link leads back to the case.
    item.locator("a").click()
    page.wait_for_url(f"**/cases/{case_id}", timeout=30_000)
    page.context.close()


def test_command_opens_but_does_not_conclude_and_a_dispatcher_only_reads(
        browser, live_server, closed_case, client, tokens):  # noqa: F811
    case_id, handlers = closed_case
    r = post(client, tokens, f"/api/v1/cases/{case_id}/reviews", role="admin",
             grounds=GROUNDS)
    assert r.status_code == 201, r.get_json()
    page = signed_in(browser, live_server, DESKTOP, f"/cases/{case_id}", "test-command")
    _reviews_ready(page)
    assert page.locator("#lw-act-review").is_visible()
    card = page.locator("#lw-reviews .lw-review")
    expect(card).to_have_count(1)
    assert "审查中" in card.inner_text() and "尚未认定" in card.inner_text()
    assert card.locator("form").count() == 0  # only the administrator concludes
    assert page.errors == page.refused == []
    page.context.close()

    page = signed_in(browser, live_server, DESKTOP, f"/cases/{case_id}")  # a dispatcher
    _reviews_ready(page)
    assert page.locator("#lw-review-open-form").count() == 0
    expect(page.locator("#lw-reviews .lw-review")).to_have_count(1)
    assert page.locator("#lw-reviews form").count() == 0
    assert page.errors == page.refused == []
    page.context.close()
