"""双随机 draws: check items, inspections bound to the inspectors drawn, yearly coverage."""
from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import text

from dispatch.inspections import assign, check_items, random_draw
from dispatch.settings import DispatchSettings
from geo.core.db import unit_of_work
from geo.core.errors import Conflict, InvalidInput, Unprocessable
from geo.core.text import Text
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)

SETTINGS = DispatchSettings()
COUNTY = "410102"
STANDARD = {"labour_contract", "wage_payment", "minimum_wage", "working_hours",
            "social_insurance", "child_labour", "women_minors", "rosters", "wage_deposit"}


def draw(committed, **kw):  # noqa: F811
    """A draw through the service, committed, its draw and inspections removed afterwards."""
    args = {"area": COUNTY, "share": 0.05, "seed": 20261202, "actor": "tests", **kw}
    with unit_of_work(committed.sessions) as s:
        result = random_draw.draw(s, **args)
    committed.draws.append(result["id"])
    committed.inspections += result["inspection_ids"]
    return result


def drawn_inspections(db, draw_id: int) -> dict[int, dict]:
    rows = db.execute(text("""
        SELECT id, employer_id, kind, check_item, drawn_officer_ids, description
        FROM inspections WHERE random_draw_id = :d"""), {"d": draw_id}).mappings().all()
    return {r["employer_id"]: dict(r) for r in rows}


def test_each_inspection_of_a_draw_keeps_its_draw_check_item_and_the_team_drawn(
        committed, db):  # noqa: F811
    result = draw(committed, check_item="labour_contract")
    assert result["check_item"] == "labour_contract" and result["drawn"] > 0
    found = drawn_inspections(db, result["id"])
    assert len(found) == result["drawn"] == len(result["inspection_ids"])
    description = Text("random_checks.inspection_description", draw_id=result["id"],
                       check_item=Text("random_checks.item.labour_contract")).render("zh")
    assert description == f"双随机抽查 #{result['id']}: 劳动合同签订"
    for item in result["items"]:
        row = found[item["employer_id"]]
        assert row["kind"] == "random" and row["check_item"] == "labour_contract"
        assert row["description"] == description
        assert row["drawn_officer_ids"] == (item["officer_ids"] if item["complete"] else None)
    assert any(i["complete"] for i in result["items"])
    stored = db.execute(text("SELECT check_item FROM random_draws WHERE id = :d"),
                        {"d": result["id"]}).scalar_one()
    assert stored == "labour_contract"


@pytest.mark.parametrize("code", ["劳动合同签订", "no_such_item", "LABOUR_CONTRACT"])
def test_a_check_item_that_is_not_on_the_list_is_refused_naming_the_list(sessions, db, code):
    before = db.execute(text("SELECT count(*) FROM random_draws")).scalar_one()
    with pytest.raises(Unprocessable) as refused, unit_of_work(sessions) as s:
        random_draw.draw(s, area=COUNTY, check_item=code, share=0.05, seed=1, actor="tests")
    assert STANDARD <= set(refused.value.details["known"])
    english = str(refused.value.message)
    assert code in english and "wage_deposit (Migrant workers' wage deposit)" in english
    assert "labour_contract（劳动合同签订）" in refused.value.message.render("zh")
    assert db.execute(text("SELECT count(*) FROM random_draws")).scalar_one() == before


def test_an_empty_check_item_is_a_bad_request(sessions):
    with pytest.raises(InvalidInput), unit_of_work(sessions) as s:
        random_draw.draw(s, area=COUNTY, check_item="  ", share=0.05, seed=1, actor="tests")


def test_a_retired_check_item_cannot_be_drawn_for(committed, sessions):  # noqa: F811
    committed.undo("DELETE FROM check_items WHERE code = 'retired_test'")
    with unit_of_work(sessions) as s:
        s.execute(text("INSERT INTO check_items (code, name, legal_basis, active) "
                       "VALUES ('retired_test', '已停用事项', NULL, false)"))
    with pytest.raises(Unprocessable) as refused, unit_of_work(sessions) as s:
        random_draw.draw(s, area=COUNTY, check_item="retired_test", share=0.05, seed=1,
                         actor="tests")
    assert "retired_test" not in refused.value.details["known"]
    with sessions() as s:
        assert "retired_test" not in {i["code"] for i in check_items.listing(s)}


def test_the_standard_list_names_each_item_in_the_readers_language(db):
    items = {i["code"]: i for i in check_items.listing(db)}
    assert STANDARD <= set(items)
    assert items["child_labour"]["name"] == "禁止使用童工"
    assert items["child_labour"]["name_text"].render("en") == "Ban on child labour"
    assert "国务院令第364号" in items["child_labour"]["legal_basis"]
    assert all(items[c]["legal_basis"] for c in STANDARD)


def _free_team(sessions, result) -> tuple[int, list[int]]:
    """A drawn inspection whose drawn inspectors are on no other job (the demo's are busy)."""
    with sessions() as s:
        busy = set(s.execute(text("SELECT officer_id FROM assignments "
                                  "WHERE released_at IS NULL")).scalars())
    index = next(n for n, i in enumerate(result["items"])
                 if i["complete"] and not busy & set(i["officer_ids"]))
    return result["inspection_ids"][index], result["items"][index]["officer_ids"]


def test_reassigning_a_drawn_team_is_bound_like_assigning_it(committed, sessions,
                                                               db):  # noqa: F811
    committed.statuses(COUNTY)
    result = draw(committed, check_item="wage_payment", seed=77, share=0.25)
    inspection, drawn = _free_team(sessions, result)
    others = [committed.inspector(lon=SITE[0], lat=SITE[1]) for _ in range(2)]
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE officers SET status = 'available' WHERE id = ANY(:o)"),
                  {"o": drawn})
        assign.assign(s, inspection, drawn, actor="tests", settings=SETTINGS,
                      role="dispatcher")
    with pytest.raises(Unprocessable) as refused, unit_of_work(sessions) as s:
        assign.reassign(s, inspection, others, "路远", actor="tests", settings=SETTINGS,
                        role="dispatcher", override_reason="路远")
    assert refused.value.details["drawn_officer_ids"] == drawn
    active = db.execute(text("SELECT array_agg(officer_id ORDER BY officer_id) FROM assignments "
                             "WHERE inspection_id = :i AND released_at IS NULL"),
                        {"i": inspection}).scalar_one()
    assert active == drawn  # the failed reassignment released nobody
    with unit_of_work(sessions) as s:
        assign.reassign(s, inspection, others, "抽中人员之一病休", actor="tests-admin",
                        settings=SETTINGS, role="admin", override_reason="抽中人员之一病休")
    with sessions() as s:
        team = next(t for t in random_draw.replay(s, result["id"])["teams"]
                    if t["inspection_id"] == inspection)
    assert team["drawn_officer_ids"] == drawn and team["assigned_officer_ids"] == sorted(others)
    assert team["team_changed"] is True
    assert team["override"] == {"reason": "抽中人员之一病休", "by": "tests-admin"}


def test_a_busy_drawn_inspector_makes_the_dispatcher_wait(committed, sessions):  # noqa: F811
    committed.statuses(COUNTY)
    result = draw(committed, check_item="wage_payment", seed=78, share=0.25)
    inspection, drawn = _free_team(sessions, result)
    with unit_of_work(sessions) as s:
        s.execute(text("UPDATE officers SET status = 'available' WHERE id = :a"), {"a": drawn[0]})
        s.execute(text("UPDATE officers SET status = 'on_site' WHERE id = :b"), {"b": drawn[1]})
    with pytest.raises(Conflict), unit_of_work(sessions) as s:
        assign.assign(s, inspection, drawn, actor="tests", settings=SETTINGS, role="dispatcher")


def test_coverage_counts_draws_by_their_beijing_year(committed, sessions):  # noqa: F811
    # 23:30 on New Year's Eve in Beijing is 15:30 UTC, 00:30 on New Year's Day 16:30 UTC:
    # both the same UTC date, two Beijing years.
    with time_machine.travel("2013-12-31T23:30:00+08:00", tick=False):
        late = draw(committed, check_item="minimum_wage", seed=5, share=0.05)
    with time_machine.travel("2014-01-01T00:30:00+08:00", tick=False):
        early = draw(committed, check_item="minimum_wage", seed=6, share=0.1)
    with sessions() as s:
        supervised = s.execute(text("SELECT count(*) FROM employers WHERE county_adcode = :c"),
                               {"c": COUNTY}).scalar_one()
        by_year = {year: {i["code"]: i for i in check_items.coverage(
            s, area=COUNTY, year=year, target_share=0.05)["items"]} for year in (2012, 2013, 2014)}
    first = {i["employer_id"] for i in late["items"]}
    second = {i["employer_id"] for i in early["items"]}
    assert second - first  # a year counting the other's draw would show it
    item = by_year[2013]["minimum_wage"]
    assert item["supervised_employers"] == supervised and item["drawn_employers"] == len(first)
    assert item["share"] == round(len(first) / supervised, 4)
    assert item["target_share"] == 0.05 and item["met"] is True
    assert by_year[2014]["minimum_wage"]["drawn_employers"] == len(second)
    assert by_year[2012]["minimum_wage"]["drawn_employers"] == 0
    assert by_year[2012]["minimum_wage"]["met"] is False
    assert by_year[2013]["wage_payment"]["drawn_employers"] == 0
    assert by_year[2013]["wage_payment"]["met"] is False


def test_coverage_of_a_year_beyond_reason_is_refused(db):
    with pytest.raises(Unprocessable):
        check_items.coverage(db, area=COUNTY, year=1900, target_share=0.05)
