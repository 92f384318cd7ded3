"""The complaints page in headless Chromium: register, list, accept, download the notice."""
import zipfile
from urllib.parse import quote, urlparse

import pytest
from sqlalchemy import text

from tests.browser.test_pages import browser  # noqa: F401  (fixture)
from tests.browser.test_pages_language import problems, visible_text
from tests.conftest import ARTIFACTS, PASSWORD, bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401  (fixture)

AREA = "410100"  # 郑州市; the employer is in 中原区 (410102)


def open_page(browser, live_server, username, viewport, path=f"/complaints?area={AREA}"):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.errors, page.hosts = [], set()
    page.on("request", lambda req: page.hosts.add(urlparse(req.url).hostname))
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    # The 4xx answers a test provokes are logged by Chromium too; the page shows them (checked).
    page.on("console", lambda msg: msg.type in ("error", "warning") and not msg.text.startswith(
        "Failed to load resource") and page.errors.append(msg.text))
    page.goto(f"{live_server}/login?next={quote(path, safe='/')}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('body[data-ready="1"]', timeout=60_000)
    return page


def test_a_dispatcher_registers_a_complaint_accepts_it_and_downloads_the_notice(
        browser, live_server, committed, db):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1], county="410102")
    code, name = db.execute(text("SELECT credit_code, name FROM employers WHERE id = :e"),
                            {"e": employer}).one()
    page = open_page(browser, live_server, "test-dispatcher", {"width": 1400, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)

    # A bad figure: the server's message, in Chinese, next to the form; nothing is stored.
    page.select_option("#lw-c-category", "wage_arrears")
    page.fill("#lw-c-workers", "0")
    page.click("#lw-c-submit")
    page.wait_for_selector("#lw-c-error:not(.d-none)")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in page.inner_text("#lw-c-error"))

    page.fill("#lw-c-workers", "3")
    page.fill("#lw-c-description", "三名员工反映十月工资未发放")
    page.fill("#lw-c-employer", code)  # search as you type, by credit code
    pick = page.locator(f'.lw-c-pick[data-id="{employer}"]')
    pick.wait_for(timeout=30_000)
    pick.click()
    assert name in page.inner_text("#lw-c-chosen")
    assert page.locator(".lw-c-map .leaflet-marker-icon").count() == 1
    page.fill("#lw-c-name", "张三")
    page.fill("#lw-c-phone", "13800000000")
    page.click("#lw-c-submit")
    page.wait_for_selector("#lw-c-result:not(.d-none)", timeout=30_000)
    assert page.locator("#lw-c-error.d-none").count() == 1
    complaint = db.execute(text("SELECT id FROM complaints WHERE employer_id = :e"),
                           {"e": employer}).scalar_one()
    committed.complaints.append(complaint)
    assert f"第 {complaint} 号" in page.inner_text("#lw-c-result")

    row = page.locator(f'tr.lw-c-row[data-id="{complaint}"]')
    row.wait_for()
    assert name in row.inner_text() and "待决定" in row.inner_text()
    assert "个工作日" in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "complaints-desktop.png"))

    # The reason is required: the dialog says so and sends nothing.
    row.locator(".lw-c-act-accept_inspect").click()
    page.wait_for_selector("#lw-c-decision[open]")
    page.click("#lw-c-decision-submit")
    assert page.inner_text("#lw-c-decision-error") == "请填写理由"
    page.fill("#lw-c-reason", "属于本局管辖的劳动保障监察事项，依法受理并安排检查")
    page.screenshot(path=str(ARTIFACTS / "complaints-decision.png"))
    page.click("#lw-c-decision-submit")
    link = page.locator("#lw-message .lw-c-notice")
    link.wait_for(timeout=30_000)
    assert page.locator("#lw-c-decision[open]").count() == 0
    assert "已受理" in row.inner_text() and row.locator(".lw-c-act").count() == 0
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = ARTIFACTS / "complaints-notice.docx"
    download.save_as(str(saved))
    with zipfile.ZipFile(saved) as docx:
        assert "word/document.xml" in docx.namelist()
    status = db.execute(text("SELECT status FROM complaints WHERE id = :c"),
                        {"c": complaint}).scalar_one()
    assert status == "accepted"

    # The detail: the decision with its notice, the timeline.
    row.locator(".lw-c-open").click()
    page.wait_for_selector("#lw-c-detail[open] .lw-c-decision", timeout=30_000)
    assert page.locator("#lw-c-detail .lw-c-notice").count() == 1
    assert page.locator("#lw-c-detail .lw-c-timeline li").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "complaints-detail.png"))
    page.keyboard.press("Escape")
    assert page.locator("#lw-c-detail[open]").count() == 0
    assert page.hosts == {"127.0.0.1"}, page.hosts
    assert page.errors == []
    page.context.close()


def test_on_a_phone_the_form_is_folded_above_the_list_and_opens(browser, live_server):  # noqa: F811
    page = open_page(browser, live_server, "test-dispatcher", {"width": 390, "height": 844})
    assert page.evaluate("document.getElementById('lw-c-intake').open") is False
    page.screenshot(path=str(ARTIFACTS / "complaints-phone.png"))
    page.click("#lw-c-intake > summary")
    page.wait_for_selector("#lw-c-category", state="visible")
    box = page.locator(".lw-c-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    page.screenshot(path=str(ARTIFACTS / "complaints-phone-form.png"), full_page=True)
    assert page.errors == []
    page.context.close()


def test_the_command_centre_reads_the_list_and_a_detail_without_form_or_decisions(
        browser, live_server, client, tokens, committed):  # noqa: F811
    employer = committed.employer(lon=SITE[0], lat=SITE[1], county="410102")
    r = client.post("/api/v1/complaints", headers=bearer(tokens["dispatcher"]), json={
        "category": "overtime", "workers_affected": 2, "employer": {"credit_code": code_of(
            client, tokens, employer)}, "complainant": {"name": "李四", "phone": "13900000000"}})
    assert r.status_code == 201, r.get_json()
    complaint = r.get_json()["id"]
    committed.complaints.append(complaint)
    page = open_page(browser, live_server, "test-command", {"width": 1400, "height": 900},
                     path="/complaints?area=410000&deadline=within_limit")
    assert page.locator("#lw-c-form").count() == 0 and page.locator(".lw-c-act").count() == 0
    assert page.input_value("#lw-c-deadline") == "within_limit"
    row = page.locator(f'tr.lw-c-row[data-id="{complaint}"]')
    row.wait_for()
    assert "李四" not in page.inner_text("body")  # lists never name the complainant
    page.screenshot(path=str(ARTIFACTS / "complaints-command.png"))
    row.click()
    page.wait_for_selector("#lw-c-detail[open] .lw-c-timeline li", timeout=30_000)
    assert page.locator("#lw-c-detail .lw-c-complainant").count() == 0
    assert "李四" not in page.inner_text("#lw-c-detail")
    page.click("#lw-c-detail-close")
    page.select_option("#lw-c-status", "accepted")
    page.wait_for_function("() => location.search.includes('status=accepted')")
    page.wait_for_function(
        "() => !document.getElementById('lw-c-rows').hasAttribute('aria-busy')")
    assert row.count() == 0
    assert page.hosts == {"127.0.0.1"} and page.errors == []
    page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_no_codes_keys_or_stray_english(browser, live_server, lang):  # noqa: F811
    page = open_page(browser, live_server, "test-dispatcher", {"width": 1400, "height": 900},
                     path=f"/complaints?area=410000&lang={lang}")
    assert problems(visible_text(page), lang) == []
    first = page.locator("tr.lw-c-row .lw-c-open").first
    if first.count():
        first.click()
        page.wait_for_selector("#lw-c-detail[open] .lw-c-timeline li", timeout=30_000)
        assert problems(page.inner_text("#lw-c-detail"), lang) == []
    assert page.errors == []
    page.context.close()


def code_of(client, tokens, employer: int) -> str:
    return client.get(f"/api/v1/employers/{employer}",
                      headers=bearer(tokens["dispatcher"])).get_json()["credit_code"]

