"""Who may change an employer: inspectors only those of their own grid(s); others as before."""

import pytest
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer, unique
from tests.dispatch_fixtures import add_employer, add_inspector

COUNTY = "410103"  # 二七区 (not 410105: tests.employer_files.codes makes codes there)


def _employer_in(s, grid_id: int) -> int:
    """A new employer standing inside this grid (and assigned to it)."""
    x, y = s.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
                          "FROM grids WHERE id = :g) s"), {"g": grid_id}).one()
    employer = add_employer(s, lon=x, lat=y, county=COUNTY)
    s.execute(text("UPDATE employers SET grid_id = :g WHERE id = :e"),
              {"g": grid_id, "e": employer})
    return employer


@pytest.fixture()
def field(sessions, client):
    """An inspector account linked to an officer record of one grid; an employer there and one
    in another grid of the county."""
    with unit_of_work(sessions) as s:
        mine, other = s.execute(text("SELECT id FROM grids WHERE county_adcode = :c "
                                     "ORDER BY id LIMIT 2"), {"c": COUNTY}).scalars().all()
        user = create_user(s, username=unique("authz"), password=PASSWORD,
                           role="inspector", actor="tests")
        # An officer record in that grid (not a grid worker: the demo's 1–2 per grid stay so).
        add_inspector(s, lon=113.7, lat=34.8, county=COUNTY, certified=False, grid_id=mine,
                      user_id=user.id)
        own, foreign = _employer_in(s, mine), _employer_in(s, other)
    token = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": PASSWORD}).get_json()["token"]
    return {"headers": bearer(token), "own": own, "foreign": foreign, "other_grid": other}


def snapshot(db, employer_id: int) -> tuple:
    db.rollback()
    return db.execute(text("SELECT employees, updated_at, ST_AsEWKB(geom) FROM employers "
                           "WHERE id = :e"), {"e": employer_id}).one()


def detail(client, headers, employer_id: int) -> dict:
    return client.get(f"/api/v1/employers/{employer_id}", headers=headers).get_json()


def correct(client, headers, employer_id: int, employees: int):
    updated_at = detail(client, headers, employer_id)["updated_at"]
    return client.patch(f"/api/v1/employers/{employer_id}", headers=headers,
                        json={"updated_at": updated_at, "changes": {"employees": employees}})


def relocate(client, headers, employer_id: int, db):
    x, y = db.execute(text("SELECT ST_X(geom) + 0.0001, ST_Y(geom) FROM employers "
                           "WHERE id = :e"), {"e": employer_id}).one()
    return client.post(f"/api/v1/employers/{employer_id}/location", headers=headers,
                       json={"lon": x, "lat": y, "accuracy_m": 5})


def test_an_inspector_corrects_an_employer_of_their_own_grid(client, field, db):
    r = correct(client, field["headers"], field["own"], 17)
    assert r.status_code == 200, r.get_json()
    assert snapshot(db, field["own"])[0] == 17


def test_an_inspector_cannot_correct_an_employer_of_another_grid(client, field, db):
    before = snapshot(db, field["foreign"])
    r = correct(client, field["headers"], field["foreign"], 17)
    assert r.status_code == 403, r.get_json()
    error = r.get_json()["error"]
    assert "own grid" in error["message"] and error["details"]["grid_id"] == field["other_grid"]
    assert snapshot(db, field["foreign"]) == before


def test_an_inspector_relocates_only_employers_of_their_own_grid(client, field, db):
    before = snapshot(db, field["foreign"])
    r = relocate(client, field["headers"], field["foreign"], db)
    assert r.status_code == 403, r.get_json()
    assert snapshot(db, field["foreign"]) == before
    own_before = snapshot(db, field["own"])
    r = relocate(client, field["headers"], field["own"], db)
    assert r.status_code == 200, r.get_json()
    assert snapshot(db, field["own"])[2] != own_before[2]


def test_an_inspector_linked_to_no_grid_changes_no_employer(client, tokens, field, db):
    h = bearer(tokens["inspector"])  # test-inspector has no officer record
    before = snapshot(db, field["own"])
    for r in (correct(client, h, field["own"], 3), relocate(client, h, field["own"], db)):
        assert r.status_code == 403 and "not linked" in r.get_json()["error"]["message"]
    assert snapshot(db, field["own"]) == before


def test_an_administrator_still_changes_any_employer(client, tokens, field, db):
    r = correct(client, bearer(tokens["admin"]), field["foreign"], 23)
    assert r.status_code == 200, r.get_json()
    assert snapshot(db, field["foreign"])[0] == 23


def test_an_unknown_employer_is_404_for_an_inspector(client, field):
    r = client.patch("/api/v1/employers/987654321", headers=field["headers"],
                     json={"updated_at": "2026-01-01T00:00:00+00:00",
                           "changes": {"employees": 1}})
    assert r.status_code == 404


def test_a_fix_queued_offline_is_refused_when_the_location_moved_since(client, field, db):
    """A phone without signal sends its survey later with `surveyed_at`: kept when nothing
    moved the employer since; refused (409, nothing changed) when a newer survey exists."""
    from datetime import timedelta

    from geo.core import clock
    headers, own = field["headers"], field["own"]
    # Location history is stamped by PostgreSQL's now(): the fix's time is set against it.
    x, y, db_now = db.execute(text("SELECT ST_X(geom), ST_Y(geom), now() FROM employers "
                                   "WHERE id = :e"), {"e": own}).one()
    taken = db_now - timedelta(minutes=20)
    first = client.post(f"/api/v1/employers/{own}/location", headers=headers, json={
        "lon": x + 0.0001, "lat": y, "accuracy_m": 5, "surveyed_at": taken.isoformat()})
    assert first.status_code == 200, first.get_json()  # no survey since: the late fix counts
    before = snapshot(db, own)
    late = client.post(f"/api/v1/employers/{own}/location", headers=headers, json={
        "lon": x + 0.0002, "lat": y, "accuracy_m": 5,
        "surveyed_at": (taken - timedelta(minutes=5)).isoformat()})
    assert late.status_code == 409
    assert "晚于这次定位" in late.get_json()["error"]["message"] or \
        "after this fix" in late.get_json()["error"]["message"]
    assert snapshot(db, own) == before
    for bad, status in (("2026-12-03T10:00:00", 400), ("yesterday", 400),
                        ((clock.now() + timedelta(hours=1)).isoformat(), 422)):
        r = client.post(f"/api/v1/employers/{own}/location", headers=headers, json={
            "lon": x + 0.0003, "lat": y, "accuracy_m": 5, "surveyed_at": bad})
        assert r.status_code == status, (bad, r.get_json())
        assert snapshot(db, own) == before
