"""双随机 over HTTP: the drawn team is kept, an admin's change is audited and replayed,
check items are listed and their yearly coverage shown."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

COUNTY = "410102"


def post_draw(client, tokens, committed, role="dispatcher", **body):  # noqa: F811
    body = {"area": COUNTY, "check_item": "wage_payment", "share": 0.05, "seed": 4242, **body}
    r = client.post("/api/v1/random-draws", json=body, headers=bearer(tokens[role]))
    assert r.status_code == 201, r.get_json()
    result = r.get_json()
    committed.draws.append(result["id"])
    committed.inspections += result["inspection_ids"]
    return result


def team_of(db, inspection_id: int) -> dict:
    row = db.execute(text("""
        SELECT i.status, i.drawn_officer_ids, i.team_override_reason, i.team_override_by,
               (SELECT array_agg(officer_id ORDER BY officer_id) FROM assignments
                WHERE inspection_id = i.id AND released_at IS NULL) AS active
        FROM inspections i WHERE i.id = :i"""), {"i": inspection_id}).mappings().one()
    return dict(row)


@pytest.fixture()
def drawn(client, tokens, committed, db):  # noqa: F811
    """A draw in 中原区 and its complete teams of inspectors on no other job (inspection id,
    drawn officers), with the county's officer statuses put back afterwards."""
    committed.statuses(COUNTY)
    result = post_draw(client, tokens, committed, share=0.25)
    busy = set(db.execute(text("SELECT officer_id FROM assignments "
                               "WHERE released_at IS NULL")).scalars())
    # Teams on no other job first (the demo keeps some inspectors busy).
    complete = [(result["inspection_ids"][n], item["officer_ids"])
                for n, item in enumerate(result["items"])
                if item["complete"] and not busy & set(item["officer_ids"])]
    assert len(complete) >= 2, result
    return result, complete


def test_the_drawn_team_stays_unless_an_admin_changes_it_with_a_reason(client, tokens, db,
                                                                       committed,  # noqa: F811
                                                                       drawn):
    result, complete = drawn
    inspection, team = complete[0]
    assert team_of(db, inspection)["drawn_officer_ids"] == team
    badges = db.execute(text("SELECT badge FROM officers WHERE id = ANY(:o)"),
                        {"o": team}).scalars().all()
    others = sorted(committed.inspector(lon=SITE[0], lat=SITE[1]) for _ in range(2))
    url = f"/api/v1/inspections/{inspection}/assign"

    r = client.post(url, json={"officer_ids": others}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert all(b in error["message"] for b in badges), error
    assert error["details"]["drawn_officer_ids"] == team
    # A dispatcher's reason does not unlock it: only an administrator may change the team.
    r = client.post(url, json={"officer_ids": others, "override_reason": "就近"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422
    for body in ({"officer_ids": others}, {"officer_ids": others, "override_reason": "  "}):
        r = client.post(url, json=body, headers=bearer(tokens["admin"]))
        assert r.status_code == 422 and "override_reason" in r.get_json()["error"]["message"]
    r = client.post(url, json={"officer_ids": others}, headers={
        **bearer(tokens["admin"]), "Accept-Language": "zh"})
    assert "更换理由" in r.get_json()["error"]["message"]
    unchanged = team_of(db, inspection)
    assert unchanged["status"] == "pending" and unchanged["active"] is None
    assert unchanged["team_override_reason"] is None

    reason = "抽中的检查人员之一正在处置群体性事件"
    r = client.post(url, json={"officer_ids": others, "override_reason": reason},
                    headers=bearer(tokens["admin"]))
    assert r.status_code == 200, r.get_json()
    changed = team_of(db, inspection)
    assert changed["status"] == "assigned" and changed["active"] == others
    assert (changed["team_override_reason"], changed["team_override_by"]) == (reason,
                                                                              "test-admin")
    audited = db.execute(text("""
        SELECT actor, before, after FROM audit_log
        WHERE entity = 'inspection' AND entity_id = :i AND action = 'team_override'"""),
                         {"i": str(inspection)}).one()
    assert audited.actor == "test-admin"
    assert audited.before["drawn_officer_ids"] == team
    assert audited.after == {"officer_ids": others, "reason": reason}

    replay = client.get(f"/api/v1/random-draws/{result['id']}/replay",
                        headers=bearer(tokens["command"])).get_json()
    assert replay["matches"] is True and replay["check_item"] == "wage_payment"
    shown = {t["inspection_id"]: t for t in replay["teams"]}
    assert set(shown) == set(result["inspection_ids"])
    assert shown[inspection]["drawn_officer_ids"] == team
    assert shown[inspection]["assigned_officer_ids"] == others
    assert shown[inspection]["team_changed"] is True
    assert shown[inspection]["override"] == {"reason": reason, "by": "test-admin"}


def test_a_dispatcher_assigns_the_drawn_team_as_before(client, tokens, db, sessions,
                                                       drawn):
    result, complete = drawn
    inspection, team = complete[1]
    with sessions() as s:
        s.execute(text("UPDATE officers SET status = 'available' WHERE id = ANY(:o)"),
                  {"o": team})
        s.commit()
    r = client.post(f"/api/v1/inspections/{inspection}/assign", json={"officer_ids": team},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["officer_ids"] == team
    replay = client.get(f"/api/v1/random-draws/{result['id']}/replay",
                        headers=bearer(tokens["dispatcher"])).get_json()
    shown = next(t for t in replay["teams"] if t["inspection_id"] == inspection)
    assert shown["assigned_officer_ids"] == team and shown["team_changed"] is False
    assert shown["override"] is None
    untouched = next(t for t in replay["teams"] if t["inspection_id"] == complete[0][0])
    assert untouched["assigned_officer_ids"] == [] and untouched["status"] == "pending"


def test_an_unknown_check_item_is_422_naming_the_known_ones(client, tokens, db):
    before = db.execute(text("SELECT count(*) FROM random_draws")).scalar_one()
    r = client.post("/api/v1/random-draws", json={"area": COUNTY, "check_item": "劳动合同签订",
                                                  "seed": 1},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert "labour_contract (Labour contracts)" in error["message"]
    assert "labour_contract" in error["details"]["known"]
    assert db.execute(text("SELECT count(*) FROM random_draws")).scalar_one() == before


def test_check_items_are_listed_with_their_legal_basis_in_the_readers_language(client,
                                                                               tokens):
    r = client.get("/api/v1/check-items", headers=bearer(tokens["command"]))
    assert r.status_code == 200
    items = {i["code"]: i for i in r.get_json()["items"]}
    assert items["rosters"]["name_text"] == "Employee roster"
    assert "劳动合同法" in items["rosters"]["legal_basis"]
    zh = client.get("/api/v1/check-items", headers={**bearer(tokens["command"]),
                                                    "Accept-Language": "zh"}).get_json()
    assert {i["code"]: i["name_text"] for i in zh["items"]}["rosters"] == "职工名册"
    assert client.get("/api/v1/check-items",
                      headers=bearer(tokens["inspector"])).status_code == 403


def test_coverage_counts_the_employers_drawn_in_that_beijing_year_only(client, tokens, db,
                                                                       committed,  # noqa: F811
                                                                       beijing_day):
    beijing_day("2015-05-01")
    first = post_draw(client, tokens, committed, check_item="rosters", seed=1505, share=0.05)
    beijing_day("2016-05-01")
    second = post_draw(client, tokens, committed, check_item="rosters", seed=1605, share=0.1)
    supervised = db.execute(text("SELECT count(*) FROM employers WHERE county_adcode = :c"),
                            {"c": COUNTY}).scalar_one()
    h = bearer(tokens["command"])

    def coverage(query: str) -> dict:
        r = client.get(f"/api/v1/check-items/coverage?{query}", headers=h)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    year_2015 = coverage(f"area={COUNTY}&year=2015")
    assert year_2015["year"] == 2015 and year_2015["supervised_employers"] == supervised
    rosters = {i["code"]: i for i in year_2015["items"]}["rosters"]
    drawn = len({i["employer_id"] for i in first["items"]})
    assert rosters["name_text"] == "Employee roster"
    assert rosters["drawn_employers"] == drawn and rosters["supervised_employers"] == supervised
    assert rosters["share"] == round(drawn / supervised, 4)
    assert rosters["target_share"] == 0.05 and rosters["met"] is True
    others = [i for i in year_2015["items"] if i["code"] != "rosters"]
    assert others and all(i["drawn_employers"] == 0 and not i["met"] for i in others)
    # No year: this Beijing year (2016), whose draw alone counts.
    this_year = coverage(f"area={COUNTY}")
    assert this_year["year"] == 2016
    rosters_2016 = {i["code"]: i for i in this_year["items"]}["rosters"]
    assert rosters_2016["drawn_employers"] == len({i["employer_id"] for i in second["items"]})
    # The city holds the county's draws; a neighbouring county has none.
    city = {i["code"]: i for i in coverage("area=410100&year=2015")["items"]}["rosters"]
    assert city["drawn_employers"] == drawn and city["supervised_employers"] > supervised
    assert {i["code"]: i for i in coverage("area=410103&year=2015")["items"]}[
        "rosters"]["drawn_employers"] == 0


def test_coverage_needs_an_area_and_a_sensible_year(client, tokens):
    h = bearer(tokens["dispatcher"])
    assert client.get("/api/v1/check-items/coverage", headers=h).status_code == 400
    assert client.get("/api/v1/check-items/coverage?area=410102&year=1900",
                      headers=h).status_code == 400
    assert client.get("/api/v1/check-items/coverage?area=419999",
                      headers=h).status_code == 404
