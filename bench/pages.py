"""Pages as a person meets them: time until a page is usable and bytes on the wire, cold.

Against a running app (default `make run`'s demo at http://127.0.0.1:5000, accounts from
var/demo-accounts.json), in headless Chromium, each page opened N times in a fresh browser
context (empty cache): from navigation start until its own "ready" mark (the map with its key
figures, the console's board, the planner's grids, the phone page's cards), and the bytes of
every response (compressed sizes as sent); the mark is read in the page every 10 ms
(performance.now(), navigation start = 0). Peer, in the same run: the sign-in page (the same
template, fonts and Bootstrap: the floor every page pays) and, for the console's data, the
board request beside the plain pending list it replaced.
Run: .venv/bin/python -m bench.pages [runs] [base_url]
"""
from __future__ import annotations

import json
import shutil
import statistics
import sys

import requests

from geo.core.config import ROOT

READY = '.folium-map[data-ready="1"]'
PAGES = [  # name, account, path, what says it is usable
    ("login (peer: the floor)", None, "/login", "#username"),
    ("dispatch console 郑州市", "demo-zhengzhou-dispatcher", "/dispatch?area=410100",
     READY),
    ("dispatch console 中原区", "demo-zhongyuan-dispatcher", "/dispatch?area=410102", READY),
    ("planner 中原区", "demo-planner", "/planner?county=410102", READY),
    ("phone page (390×844)", "demo-zhongyuan-inspector", "/field", 'body[data-ready="1"]'),
    ("command map 中原区", "demo-command", "/map?area=410102", READY + "[data-kpis]"),
    ("command map 郑州市", "demo-command", "/map?area=410100", READY + "[data-kpis]"),
    ("command map province", "demo-command", "/map?area=410000", READY + "[data-kpis]"),
]


def cookies_for(browser, base: str, user: str, password: str) -> list:
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    cookies = context.cookies()
    context.close()
    return cookies


def measure(browser, base: str, path: str, ready: str, cookies, phone: bool) -> tuple[float, int]:
    context = browser.new_context(viewport={"width": 390, "height": 844} if phone
                                  else {"width": 1400, "height": 900}, locale="zh-CN")
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    sizes: list[int] = []
    page.on("requestfinished", lambda r: sizes.append(
        r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]))
    page.goto(base + path, wait_until="commit")
    # Read in the page, every 10 ms: milliseconds from navigation start to the ready mark.
    page.wait_for_function("sel => document.querySelector(sel) && (window.__benchReady = "
                           "window.__benchReady || performance.now())", arg=ready,
                           polling=10, timeout=120_000)
    took = page.evaluate("window.__benchReady") / 1000
    page.wait_for_timeout(300)  # responses in flight at the mark
    context.close()
    return took, sum(sizes)


def api(base: str, cookies, path: str, runs: int) -> tuple[float, float]:
    import time
    session = requests.Session()
    for c in cookies:
        session.cookies.set(c["name"], c["value"])
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = session.get(base + path, timeout=60)
        r.raise_for_status()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return statistics.median(ms), ms[max(0, int(round(0.95 * len(ms))) - 1)]


def main(runs: int = 5, base: str = "http://127.0.0.1:5000") -> None:
    from playwright.sync_api import sync_playwright
    accounts = {a["username"]: a["password"]
                for a in json.loads((ROOT / "var" / "demo-accounts.json").read_text())}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    print(f"{'page':32} {'ready p50 s':>11} {'p95 s':>7} {'kB':>8}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        jar = {}
        for name, user, path, ready in PAGES:
            cookies = None
            if user:
                jar.setdefault(user, cookies_for(browser, base, user, accounts[user]))
                cookies = jar[user]
            got = [measure(browser, base, path, ready, cookies, "phone" in name)
                   for _ in range(runs)]
            times = sorted(t for t, _ in got)
            kb = statistics.median(b for _, b in got) / 1024
            print(f"{name:32} {statistics.median(times):11.2f} {times[-1]:7.2f} {kb:8.0f}")
        browser.close()
    cookies = jar["demo-zhengzhou-dispatcher"]
    for label, path in (("board (console)", "/api/v1/inspections/board?area=410100&tab=waiting"),
                        ("peer: pending list", "/api/v1/inspections?area=410100&status=pending"),
                        ("board, sent tab", "/api/v1/inspections/board?area=410100&tab=assigned")):
        p50, p95 = api(base, cookies, path, 20)
        print(f"{label:32} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5,
         sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:5000")
