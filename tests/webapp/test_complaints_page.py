"""The complaints page as served: who may open it, who may write, filters, catalog texts."""
import json
import re

import pytest

from tests.conftest import bearer


def page(client, tokens, role, query="", **headers):
    return client.get("/complaints" + query, headers={**bearer(tokens[role]), **headers})


def config_of(html: str) -> dict:
    """The page's JSON config (the argument of start(map, …) in the module script)."""
    found = re.search(r"start\((?:null|map_\w+), (\{.*\})\)\)?;", html)
    assert found, "no start(…) call in the page"
    return json.loads(found.group(1))


@pytest.mark.parametrize("role", ["dispatcher", "admin"])
def test_dispatchers_and_admins_get_the_intake_form_the_map_and_the_decision_dialog(
        client, tokens, role):
    r = page(client, tokens, role)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for marker in ('id="lw-c-form"', 'id="lw-c-decision"', 'id="lw-c-employer"',
                   'class="folium-map"', 'type="datetime-local"', 'id="lw-c-continuing"'):
        assert marker in html, marker
    config = config_of(html)
    assert config["canDecide"] is True and config["area"] == "410000"  # the province by default
    assert config["perPage"] == 50 and config["bounds"]
    assert config["strings"]["complaints.action.accept_inspect"] == "受理（检查）"
    assert "登记投诉举报" in html and "违法行为仍在持续" in html and "不予受理" in html


def test_command_reads_the_list_without_the_form_or_any_decision(client, tokens):
    r = page(client, tokens, "command")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="lw-c-form"' not in html and 'id="lw-c-decision"' not in html
    assert "folium-map" not in html and "leaflet.js" not in html  # no intake map either
    assert 'id="lw-c-rows"' in html and 'id="lw-c-detail"' in html
    assert config_of(html)["canDecide"] is False
    assert "指挥中心只读" in html
    assert "操作" not in re.search(r"<thead>.*?</thead>", html, re.S).group(0)


@pytest.mark.parametrize("role", ["inspector", "planner"])
def test_inspectors_and_planners_may_not_open_the_page(client, tokens, role):
    assert page(client, tokens, role).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    r = client.get("/complaints?area=410100")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["dispatcher", "command"])
def test_nothing_on_the_page_loads_from_another_host(client, tokens, role):
    html = page(client, tokens, role).get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/css/complaints.css" in html and "js/complaints/main.js" in html


def test_the_kpi_links_open_the_page_on_their_area_and_deadline_class(client, tokens):
    html = page(client, tokens, "dispatcher",
                "?area=410100&deadline=past_limit&status=received&q=%E5%85%AC%E5%8F%B8").get_data(
        as_text=True)
    config = config_of(html)
    assert config["area"] == "410100"
    assert config["filters"] == {"status": "received", "deadline": "past_limit", "q": "公司",
                                 "page": 1}
    assert '<option value="past_limit" selected>已超期</option>' in html
    assert '<option value="received" selected>待决定</option>' in html
    assert '<option value="410100" selected>郑州市</option>' in html


def test_a_county_is_added_to_the_area_choices_and_its_outlines_are_its_citys_counties(
        client, tokens):
    html = page(client, tokens, "dispatcher", "?area=410102").get_data(as_text=True)
    assert '<option value="410102" selected>' in html
    assert config_of(html)["boundaries"] == \
        "/api/v1/areas?level=county&simplify=50&parent=410100"


@pytest.mark.parametrize("query, status", [("?deadline=tomorrow", 400), ("?status=open", 400),
                                           ("?area=41010x", 400), ("?area=419999", 404),
                                           ("?page=0", 400)])
def test_bad_filters_are_refused_with_a_message(client, tokens, query, status):
    assert page(client, tokens, "dispatcher", query).status_code == status


def test_selects_show_catalog_texts_and_send_codes(client, tokens):
    html = page(client, tokens, "dispatcher").get_data(as_text=True)
    assert '<option value="wage_arrears">拖欠工资</option>' in html
    assert '<option value="no_contract">未签劳动合同</option>' in html
    assert '<option value="jurisdiction">移送有管辖权的劳动保障监察机构</option>' in html
    # No option shows its code: every text differs from its value.
    for value, text in re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', html):
        assert text and text != value, value


def test_every_control_has_a_label(client, tokens):
    html = page(client, tokens, "dispatcher").get_data(as_text=True)
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for tag, attrs in re.findall(r"<(input|select|textarea)\b([^>]*)>", html):
        if 'type="hidden"' in attrs:
            continue
        ident = re.search(r'\bid="([^"]+)"', attrs)
        assert ident and (ident.group(1) in labelled or "aria-label" in attrs), (tag, attrs)


def test_the_page_is_in_english_when_asked(client, tokens):
    html = page(client, tokens, "dispatcher", "?lang=en").get_data(as_text=True)
    assert "Register a complaint" in html and "The violation is still going on" in html
    assert config_of(html)["strings"]["complaints.action.accept_case"] == "Accept (open case)"
    assert "登记投诉举报" not in html


def test_the_navigation_links_to_the_page_for_its_roles_only(client, tokens):
    for role, shown in (("dispatcher", True), ("command", True), ("inspector", False)):
        html = client.get("/map", headers=bearer(tokens[role])).get_data(as_text=True)
        assert ('href="/complaints"' in html) is shown, role


def test_both_catalogs_have_the_same_complaints_keys():
    from geo.core.text import catalog
    zh = {k for k in catalog("zh") if k.startswith("complaints.")}
    en = {k for k in catalog("en") if k.startswith("complaints.")}
    assert zh == en and len(zh) > 100


def test_one_complaint_opens_its_countys_list_searched_for_its_number(client, tokens, db):
    from sqlalchemy import text
    found = db.execute(text("SELECT id, county_adcode FROM complaints ORDER BY id LIMIT 1")).one()
    r = client.get(f"/complaints/{found.id}", headers=bearer(tokens["command"]))
    assert r.status_code == 302
    assert r.headers["Location"] == f"/complaints?area={found.county_adcode}&q={found.id}"
    assert client.get("/complaints/999999999", headers=bearer(tokens["command"])
                      ).status_code == 404
