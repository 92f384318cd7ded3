"""Creating inspections and recording officer positions: validation and ownership."""
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import text

from geo.accounts.service import create_user
from geo.core import clock
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, bearer
from tests.dispatch_fixtures import SITE, add_inspector, committed  # noqa: F401 (fixture)


def test_incident_at_a_location_is_created_urgent_in_the_right_county(client, tokens, db,
                                                                      committed):  # noqa: F811
    r = client.post("/api/v1/inspections", json={
        "kind": "incident", "location": {"lat": SITE[1], "lon": SITE[0]},
        "description": "30 名农民工聚集讨薪"}, headers=bearer(tokens["command"]))
    body = r.get_json()
    assert r.status_code == 201 and body["priority"] == "urgent"
    committed.inspections.append(body["id"])
    assert body["county_adcode"] == "410102" and body["status"] == "pending"
    audited = db.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'inspection' "
                              "AND entity_id = :i"), {"i": str(body["id"])}).scalar_one()
    assert audited == 1


def test_inspection_at_an_employer_takes_its_location(client, tokens, db,
                                                      committed):  # noqa: F811
    site = (113.7312, 34.7719)  # 金水区
    employer = committed.employer(lon=site[0], lat=site[1], county="410105")
    r = client.post("/api/v1/inspections", json={"kind": "scheduled", "employer_id": employer},
                    headers=bearer(tokens["dispatcher"]))
    body = r.get_json()
    assert r.status_code == 201 and body["county_adcode"] == "410105"
    assert db.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM inspections WHERE id = :i"),
                      {"i": body["id"]}).one() == pytest.approx(site)


@pytest.mark.parametrize("body, status, words", [
    ({"kind": "incident", "location": {"lat": 39.9, "lon": 116.4}}, 422, "outside Henan"),
    ({"kind": "incident", "location": {"lat": SITE[0], "lon": SITE[1]}}, 422, "swapped"),
    ({"kind": "incident", "location": {"lat": 95, "lon": 113}}, 422, "between -90 and 90"),
    ({"kind": "incident", "location": {"lat": 34.7, "lon": 300}}, 422, "between -180 and 180"),
    ({"kind": "incident", "location": {"lat": "34", "lon": 113}}, 400, "must be a number"),
    ({"kind": "incident"}, 400, "employer_id"),
    ({"kind": "party", "employer_id": 1}, 400, "kind"),
    ({"kind": "scheduled", "employer_id": 999999999}, 404, "does not exist"),
    ({"kind": "scheduled", "employer_id": 1, "priority": "asap"}, 400, "priority"),
])
def test_bad_inspections_are_refused_and_nothing_is_written(client, tokens, db, body, status,
                                                            words):
    before = db.execute(text("SELECT count(*) FROM inspections")).scalar_one()
    r = client.post("/api/v1/inspections", json=body, headers=bearer(tokens["dispatcher"]))
    assert r.status_code == status and words in r.get_json()["error"]["message"]
    assert db.execute(text("SELECT count(*) FROM inspections")).scalar_one() == before


def test_listing_is_ordered_by_priority(client, tokens, committed):  # noqa: F811
    ours = [committed.inspection(lon=SITE[0], lat=SITE[1], priority=p)
            for p in ("normal", "high", "urgent")]  # oldest first: priority must win over age
    items = client.get("/api/v1/inspections?status=pending&area=410102&limit=1000",
                       headers=bearer(tokens["command"])).get_json()["items"]
    ranks = [{"urgent": 0, "high": 1, "normal": 2}[i["priority"]] for i in items]
    assert ranks == sorted(ranks)
    assert [i["id"] for i in items if i["id"] in ours] == ours[::-1]


@pytest.fixture()
def own_officer(sessions, committed):  # noqa: F811
    with unit_of_work(sessions) as s:
        user = create_user(s, username=f"field-{secrets.token_hex(6)}", password=PASSWORD,
                           role="inspector", actor="tests")
        mine = add_inspector(s, lon=SITE[0], lat=SITE[1], user_id=user.id)
        other = add_inspector(s, lon=SITE[0], lat=SITE[1])
        committed.users.append(user.id)
        committed.officers.append(other)
    return user.username, mine, other


def test_an_inspector_posts_only_their_own_position(client, own_officer):
    username, mine, other = own_officer
    token = client.post("/api/v1/auth/token", json={"username": username,
                                                    "password": PASSWORD}).get_json()["token"]
    fix = {"lat": SITE[1] + 0.001, "lon": SITE[0], "accuracy_m": 8,
           "recorded_at": clock.now().isoformat()}
    assert client.post(f"/api/v1/officers/{mine}/location", json=fix,
                       headers=bearer(token)).status_code == 200
    assert client.post(f"/api/v1/officers/{other}/location", json=fix,
                       headers=bearer(token)).status_code == 403
    r = client.post(f"/api/v1/officers/{mine}/status", json={"status": "off_duty"},
                    headers=bearer(token))
    assert r.status_code == 200 and r.get_json()["status"] == "off_duty"


@pytest.mark.parametrize("fix, status", [
    ({"lat": 39.9, "lon": 116.4}, 422),
    ({"lat": SITE[1], "lon": SITE[0], "recorded_at": (clock.now()
                                                     + timedelta(hours=1)).isoformat()}, 422),
    ({"lat": SITE[1], "lon": SITE[0], "recorded_at": "yesterday"}, 400),
    ({"lat": SITE[1], "lon": SITE[0], "recorded_at": "2026-11-29T08:00:00"}, 400),
    ({"lat": SITE[1], "lon": SITE[0], "accuracy_m": -3}, 422),
    ({"lat": SITE[1]}, 400),
])
def test_bad_positions_are_refused_and_the_old_one_kept(client, tokens, own_officer, db, fix,
                                                        status):
    _, mine, _ = own_officer
    before = db.execute(text("SELECT ST_AsText(geom), position_at FROM officers WHERE id = :o"),
                        {"o": mine}).one()
    r = client.post(f"/api/v1/officers/{mine}/location", json=fix,
                    headers=bearer(tokens["dispatcher"]))
    assert r.status_code == status, r.get_json()
    after = db.execute(text("SELECT ST_AsText(geom), position_at FROM officers WHERE id = :o"),
                       {"o": mine}).one()
    assert after == before
