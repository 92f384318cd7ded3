"""Assignment: two certified inspectors, recusal, atomicity, state machine, and a 16-thread race."""
import threading

import pytest
from sqlalchemy import text

from dispatch.inspections import assign
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.core.db import unit_of_work
from geo.core.errors import Conflict, Unprocessable
from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, add_employer, add_inspection, add_inspector, metres_east

SETTINGS = DispatchSettings()


@pytest.fixture()
def team(sessions):
    """An employer, a pending inspection at it and four available certified inspectors nearby."""
    with unit_of_work(sessions) as s:
        employer = add_employer(s, lon=SITE[0], lat=SITE[1])
        inspection = add_inspection(s, lon=SITE[0], lat=SITE[1], employer_id=employer)
        ids = [add_inspector(s, lon=metres_east(*SITE, 200 * (i + 1))[0], lat=SITE[1])
               for i in range(4)]
    return {"employer": employer, "inspection": inspection, "officers": ids}


def state(db, inspection_id):
    status = db.execute(text("SELECT status FROM inspections WHERE id = :i"),
                        {"i": inspection_id}).scalar_one()
    active = db.execute(text("SELECT officer_id FROM assignments WHERE inspection_id = :i "
                             "AND released_at IS NULL ORDER BY officer_id"),
                        {"i": inspection_id}).scalars().all()
    return status, active


def test_assigning_two_certified_inspectors_marks_everyone_and_writes_history(client, tokens,
                                                                              team, db):
    ids = team["officers"][:2]
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign",
                    json={"officer_ids": ids}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "assigned" and r.get_json()["due_at"]
    assert state(db, team["inspection"]) == ("assigned", ids)
    statuses = db.execute(text("SELECT status FROM officers WHERE id = ANY(:ids)"),
                          {"ids": ids}).scalars().all()
    assert statuses == ["assigned", "assigned"]
    history = db.execute(text("SELECT count(*) FROM officer_history WHERE officer_id = ANY(:ids) "
                              "AND to_status = 'assigned'"), {"ids": ids}).scalar_one()
    audited = db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'inspection' "
                              "AND entity_id = :i AND action = 'assign'"),
                         {"i": str(team["inspection"])}).scalar_one()
    assert history == 2 and audited == 1


def test_a_team_of_one_is_refused_and_nothing_changes(client, tokens, team, db):
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign",
                    json={"officer_ids": team["officers"][:1]}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422 and "at least 2" in r.get_json()["error"]["message"]
    assert state(db, team["inspection"]) == ("pending", [])


def test_an_uncertified_officer_is_refused(client, tokens, team, sessions, db):
    with unit_of_work(sessions) as s:
        grid_worker = add_inspector(s, lon=SITE[0], lat=SITE[1], certified=False,
                                    kind="grid_worker")
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign",
                    json={"officer_ids": [team["officers"][0], grid_worker]},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422 and str(grid_worker) in r.get_json()["error"]["message"]
    assert state(db, team["inspection"]) == ("pending", [])


def test_a_recused_inspector_is_refused(client, tokens, team, sessions, db):
    with unit_of_work(sessions) as s:
        s.execute(text("INSERT INTO recusals (officer_id, employer_id, reason, county_adcode) "
                       "VALUES (:o, :e, '亲属', '410102')"),
                  {"o": team["officers"][1], "e": team["employer"]})
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign",
                    json={"officer_ids": team["officers"][:2]}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 422 and "recused" in r.get_json()["error"]["message"]
    assert state(db, team["inspection"]) == ("pending", [])


@pytest.mark.parametrize("body, status", [
    ({"officer_ids": "1,2"}, 400), ({"officer_ids": [1, True]}, 400), ({}, 400),
    ({"officer_ids": [5, 5]}, 422), ({"officer_ids": [999998, 999999]}, 404),
])
def test_malformed_teams_get_a_clear_4xx(client, tokens, team, db, body, status):
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign", json=body,
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == status, r.get_json()
    assert state(db, team["inspection"]) == ("pending", [])


def test_malformed_json_and_unknown_inspection(client, tokens, team):
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign", data="{oops",
                    content_type="application/json", headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 400
    r = client.post("/api/v1/inspections/999999/assign", json={"officer_ids": [1, 2]},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 404


def test_an_officer_taken_meanwhile_gives_409_and_changes_nothing(client, tokens, team, sessions,
                                                                  db):
    with unit_of_work(sessions) as s:
        officers.change_status(s, team["officers"][1], "off_duty", actor="tests")
    r = client.post(f"/api/v1/inspections/{team['inspection']}/assign",
                    json={"officer_ids": team["officers"][:2]}, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409 and str(team["officers"][1]) in r.get_json()["error"]["message"]
    assert state(db, team["inspection"]) == ("pending", [])
    first = db.execute(text("SELECT status FROM officers WHERE id = :o"),
                       {"o": team["officers"][0]}).scalar_one()
    assert first == "available"


def test_reassign_and_cancel_free_the_officers(client, tokens, team, db):
    a, b, c, d = team["officers"]
    h = bearer(tokens["dispatcher"])
    url = f"/api/v1/inspections/{team['inspection']}"
    assert client.post(url + "/assign", json={"officer_ids": [a, b]}, headers=h).status_code == 200
    r = client.post(url + "/reassign", json={"officer_ids": [c, d]}, headers=h)
    assert r.status_code == 400  # a reason is required
    r = client.post(url + "/reassign", json={"officer_ids": [c, d], "reason": "closer team"},
                    headers=h)
    assert r.status_code == 200 and r.get_json()["officer_ids"] == [c, d]
    r = client.post(url + "/cancel", json={"reason": "employer closed"}, headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    statuses = db.execute(text("SELECT status FROM officers WHERE id = ANY(:ids) ORDER BY id"),
                          {"ids": [a, b, c, d]}).scalars().all()
    assert statuses == ["available"] * 4
    assert client.post(url + "/cancel", json={"reason": "again"}, headers=h).status_code == 409


def test_reassigning_can_keep_one_officer_of_the_old_team(client, tokens, team, db):
    a, b, c, _ = team["officers"]
    h = bearer(tokens["dispatcher"])
    url = f"/api/v1/inspections/{team['inspection']}"
    assert client.post(url + "/assign", json={"officer_ids": [a, b]}, headers=h).status_code == 200
    r = client.post(url + "/reassign", json={"officer_ids": [a, c], "reason": "b fell ill"},
                    headers=h)
    assert r.status_code == 200, r.get_json()
    assert state(db, team["inspection"]) == ("assigned", sorted([a, c]))
    status_b = db.execute(text("SELECT status FROM officers WHERE id = :o"), {"o": b}).scalar_one()
    assert status_b == "available"


def test_state_machine_allows_the_field_cycle_and_refuses_shortcuts(sessions, team):
    o = team["officers"][0]
    with unit_of_work(sessions) as s:
        with pytest.raises(Conflict):
            officers.change_status(s, o, "on_site", actor="tests")  # available → on_site
    with unit_of_work(sessions) as s:
        with pytest.raises(Conflict):
            officers.change_status(s, o, "assigned", actor="tests", self_service=True)
    with unit_of_work(sessions) as s:
        for to in ("off_duty", "available", "unavailable", "available"):
            officers.change_status(s, o, to, actor="tests", self_service=True)
    with unit_of_work(sessions) as s:
        assign.assign(s, team["inspection"], team["officers"][:2], actor="tests",
                      settings=SETTINGS)
    with unit_of_work(sessions) as s:
        for to in ("en_route", "on_site", "available"):
            officers.change_status(s, o, to, actor="tests", self_service=True)
        rows = s.execute(text("SELECT from_status || '>' || to_status FROM officer_history "
                              "WHERE officer_id = :o ORDER BY id"), {"o": o}).scalars().all()
    assert rows == ["available>off_duty", "off_duty>available", "available>unavailable",
                    "unavailable>available", "available>assigned", "assigned>en_route",
                    "en_route>on_site", "on_site>available"]


def test_illegal_transition_via_api_is_409(client, tokens, team):
    r = client.post(f"/api/v1/officers/{team['officers'][0]}/status", json={"status": "on_site"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409 and "cannot become on_site" in r.get_json()["error"]["message"]


def test_sixteen_dispatchers_racing_never_double_book(app, sessions, tokens, db):
    """16 threads assign overlapping pairs of 8 officers to 16 inspections at once."""
    with unit_of_work(sessions) as s:
        pool = [add_inspector(s, lon=metres_east(*SITE, 50 * i)[0], lat=SITE[1] + 0.01)
                for i in range(8)]
        jobs = [add_inspection(s, lon=SITE[0], lat=SITE[1] + 0.01) for _ in range(16)]
    barrier = threading.Barrier(16)
    results: list[int] = [0] * 16

    def dispatcher(i: int) -> None:
        c = app.test_client()
        barrier.wait()
        r = c.post(f"/api/v1/inspections/{jobs[i]}/assign",
                   json={"officer_ids": [pool[i % 8], pool[(i + 1) % 8]]},
                   headers=bearer(tokens["dispatcher"]))
        results[i] = r.status_code

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {200, 409}, results
    wins = results.count(200)
    assert 1 <= wins <= 4
    per_officer = db.execute(text("""
        SELECT officer_id, count(*) FROM assignments
        WHERE officer_id = ANY(:ids) AND released_at IS NULL GROUP BY officer_id
    """), {"ids": pool}).all()
    assert all(n == 1 for _, n in per_officer)
    assert len(per_officer) == 2 * wins
    assigned = db.execute(text("SELECT count(*) FROM inspections WHERE id = ANY(:ids) "
                               "AND status = 'assigned'"), {"ids": jobs}).scalar_one()
    assert assigned == wins


def test_assign_service_refuses_a_busy_team_inside_one_transaction(sessions, team):
    with unit_of_work(sessions) as s:
        assign.assign(s, team["inspection"], team["officers"][:2], actor="t", settings=SETTINGS)
    with unit_of_work(sessions) as s:
        other = add_inspection(s, lon=SITE[0], lat=SITE[1])
    with pytest.raises(Conflict):
        with unit_of_work(sessions) as s:
            assign.assign(s, other, team["officers"][1:3], actor="t", settings=SETTINGS)
    with pytest.raises(Unprocessable):
        with unit_of_work(sessions) as s:
            assign.assign(s, other, team["officers"][2:3], actor="t", settings=SETTINGS)


def officer_row(db, officer_id):
    db.rollback()
    return db.execute(text("SELECT status, version, (SELECT count(*) FROM officer_history h "
                           "WHERE h.officer_id = o.id) FROM officers o WHERE id = :o"),
                      {"o": officer_id}).one()


def test_the_status_route_cannot_make_an_officer_assigned(client, tokens, team, db):
    o = team["officers"][0]
    before = officer_row(db, o)
    r = client.post(f"/api/v1/officers/{o}/status", json={"status": "assigned"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409 and "assigned to an inspection" in r.get_json()["error"]["message"]
    assert officer_row(db, o) == before


@pytest.mark.parametrize("status, to", [("assigned", "en_route"), ("en_route", "on_site")])
def test_an_officer_without_an_assignment_cannot_go_on_the_job(client, tokens, sessions, db,
                                                               status, to):
    with unit_of_work(sessions) as s:  # as the old demo data left ~500 officers
        o = add_inspector(s, lon=SITE[0], lat=SITE[1], status=status)
    before = officer_row(db, o)
    r = client.post(f"/api/v1/officers/{o}/status", json={"status": to},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 409 and "no active assignment" in r.get_json()["error"]["message"]
    assert officer_row(db, o) == before
    r = client.post(f"/api/v1/officers/{o}/status", json={"status": "available"},
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == 200  # a dispatcher can still release them
