"""The dispatcher's console board: tabs from the inspection and its team's reports, counted;
and the one-line reason each recommended team ranks where it does."""
import math
from datetime import timedelta

import pytest
from sqlalchemy import text

from dispatch.inspections import assign, board, recommend
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.core.errors import InvalidInput
from tests.dispatch_fixtures import SITE, add_inspection, add_inspector, metres_east

SETTINGS = DispatchSettings()
COUNTY = "410102"


def tab_of(db, inspection_id):
    """The tab that lists the inspection, checked against every tab's rows and counts."""
    found = []
    for tab in board.TABS:
        got = board.board(db, area=COUNTY, tab=tab, settings=SETTINGS, limit=1000)
        found += [(tab, item) for item in got["items"] if item["id"] == inspection_id]
        assert got["counts"][tab] >= len(got["items"])
    assert len(found) <= 1
    return found[0] if found else (None, None)


@pytest.fixture()
def job(db):
    db.execute(text("UPDATE officers SET status = 'off_duty' WHERE kind = 'inspector'"))
    team = [add_inspector(db, lon=metres_east(*SITE, 1000 * (i + 1))[0], lat=SITE[1])
            for i in range(2)]
    return add_inspection(db, lon=SITE[0], lat=SITE[1], priority="high"), team


def test_an_inspection_moves_from_waiting_to_assigned_to_on_site_to_done(db, job):
    inspection, team = job
    before = board.board(db, area=COUNTY, tab="waiting", settings=SETTINGS)["counts"]
    tab, item = tab_of(db, inspection)
    assert tab == "waiting" and item["county"] == "中原区" and item["team"] == []
    assert item["eta_min"] is None and item["priority"] == "high"

    assign.assign(db, inspection, team, actor="t", settings=SETTINGS)
    tab, item = tab_of(db, inspection)
    assert tab == "assigned" and [m["id"] for m in item["team"]] == sorted(team)
    assert [m["status"] for m in item["team"]] == ["assigned", "assigned"]
    assert 1900 < max(m["distance_m"] for m in item["team"]) < 2100
    # 2 km straight, × road factor 1.3, at the district speed: the farthest member decides
    expected = recommend.eta_minutes(max(m["distance_m"] for m in item["team"]), True, SETTINGS)
    assert item["eta_min"] == math.ceil(expected) and item["assigned_at"]
    after = board.board(db, area=COUNTY, tab="assigned", settings=SETTINGS)["counts"]
    assert after["waiting"] == before["waiting"] - 1
    assert after["assigned"] == before["assigned"] + 1

    officers.change_status(db, team[0], "en_route", actor="t", self_service=True)
    assert tab_of(db, inspection)[0] == "assigned"
    officers.change_status(db, team[0], "on_site", actor="t", self_service=True)
    tab, item = tab_of(db, inspection)
    assert tab == "on_site"
    assert item["eta_min"] == math.ceil(recommend.eta_minutes(
        next(m["distance_m"] for m in item["team"] if m["id"] == team[1]), True, SETTINGS))

    assign.complete(db, inspection, "无违法行为", actor="t")
    tab, item = tab_of(db, inspection)
    assert tab == "done" and item["closed_at"] and item["eta_min"] is None
    assert [m["id"] for m in item["team"]] == sorted(team)  # who went, after release


def test_done_means_done_today_in_beijing_time(db, job):
    inspection, team = job
    assign.assign(db, inspection, team, actor="t", settings=SETTINGS)
    assign.complete(db, inspection, "无违法行为", actor="t")
    db.execute(text("UPDATE inspections SET closed_at = :t WHERE id = :i"),
               {"t": board.day_start() - timedelta(minutes=1), "i": inspection})
    assert tab_of(db, inspection) == (None, None)
    db.execute(text("UPDATE inspections SET closed_at = :t WHERE id = :i"),
               {"t": board.day_start() + timedelta(minutes=1), "i": inspection})
    assert tab_of(db, inspection)[0] == "done"


def test_a_cancelled_inspection_leaves_the_board(db, job):
    inspection, _ = job
    assign.cancel(db, inspection, "重复任务", actor="t")
    assert tab_of(db, inspection) == (None, None)
    assert db.execute(text("SELECT closed_at FROM inspections WHERE id = :i"),
                      {"i": inspection}).scalar() is not None


def test_an_unknown_tab_is_refused(db):
    with pytest.raises(InvalidInput):
        board.board(db, area=COUNTY, tab="later", settings=SETTINGS)


def test_each_team_says_in_one_line_why_it_ranks_there(db, job):
    inspection, _ = job
    add_inspector(db, lon=metres_east(*SITE, 4000)[0], lat=SITE[1])
    add_inspector(db, lon=metres_east(*SITE, 300)[0], lat=SITE[1], county="410103")
    teams = recommend.recommend(db, inspection, SETTINGS)["teams"]
    lines = [str(t["why"]) for t in teams]
    assert lines[0].startswith("ranked 1: both in the site's county; farthest member 2.0 km")
    assert lines[1].startswith("ranked 2:") and "farther than team 1" in lines[1]
    other = next(t for t in teams if t["tier"] == 2)
    assert "a member from another county" in str(other["why"])
    assert "after the teams from the site's own area" in str(other["why"])
    assert teams[0]["why"].render("zh").startswith("排第 1：两人都在检查地点所在县区")
