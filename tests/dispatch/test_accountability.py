"""执法责任制 and 错案追究: every case act and complaint decision names the officers who
answer for it; a wrong-case review of a closed case names the officers involved and is
concluded once, with a finding for each."""
from sqlalchemy import text

from tests.casework_fixtures import (  # noqa: F401 (fixtures)
    accepted_as_case,
    employer,
    post,
)
from tests.conftest import bearer
from tests.dispatch_fixtures import committed  # noqa: F401 (fixture)


def _case_with_handlers(client, tokens, employer):  # noqa: F811
    _, case_id = accepted_as_case(client, tokens, employer)
    handlers = client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["dispatcher"])
                          ).get_json()["handlers"]
    return case_id, sorted(h["id"] for h in handlers)


def test_case_acts_name_their_responsible_officers(client, tokens, employer, db):  # noqa: F811
    case_id, handlers = _case_with_handlers(client, tokens, employer)
    r = post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="withdrawn",
             summary="申请人撤回")
    assert r.status_code == 200, r.get_json()
    rows = db.execute(text("SELECT kind, responsible_officer_ids FROM case_events "
                           "WHERE case_id = :c ORDER BY id"), {"c": case_id}).all()
    closed = [ids for kind, ids in rows if kind == "close"]
    assert closed == [handlers]
    officer = client.get(f"/api/v1/officers/{handlers[0]}", headers=bearer(tokens["admin"]))
    assert officer.get_json()["responsibility"]["case_acts"].get("close", 0) >= 1


def test_a_review_needs_a_closed_case_and_concludes_once(client, tokens, employer):  # noqa: F811
    case_id, handlers = _case_with_handlers(client, tokens, employer)
    url = f"/api/v1/cases/{case_id}/reviews"
    r = post(client, tokens, url, role="admin", grounds="当事人申诉认定事实不清")
    assert r.status_code == 409  # still open
    assert post(client, tokens, f"/api/v1/cases/{case_id}/close", outcome="withdrawn"
                ).status_code == 200
    assert post(client, tokens, url, role="dispatcher", grounds="x").status_code == 403
    assert post(client, tokens, url, role="admin", grounds=" ").status_code == 422
    assert post(client, tokens, url, role="admin", grounds="x",
                officer_ids=[2_000_000_000]).status_code == 422
    r = post(client, tokens, url, role="command", grounds="当事人申诉认定事实不清")
    assert r.status_code == 201, r.get_json()
    review = r.get_json()
    assert [o["id"] for o in review["officers"]] == handlers and review["status"] == "open"
    done = f"{url}/{review['id']}/conclusion"
    some = {str(handlers[0]): "fault"}
    assert post(client, tokens, done, role="admin", findings=some, conclusion="x",
                version=review["version"]).status_code == 422  # not every officer
    every = {str(i): "no_fault" for i in handlers} | {str(handlers[0]): "minor_fault"}
    assert post(client, tokens, done, role="admin", findings=every | {str(handlers[1]): "bad"},
                conclusion="x", version=review["version"]).status_code in (400, 422)
    assert post(client, tokens, done, role="admin", findings=every, conclusion="x",
                version=review["version"] + 5).status_code == 409
    r = post(client, tokens, done, role="admin", findings=every, conclusion="主办人证据审查不严",
             measures="批评教育，年度考核扣分", version=review["version"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "concluded"
    assert {o["id"]: o["finding"] for o in body["officers"]} == {int(k): v for k, v in every.items()}
    assert post(client, tokens, done, role="admin", findings=every, conclusion="again",
                version=body["version"]).status_code == 409
    # on the case and on each officer's record
    listed = client.get(url, headers=bearer(tokens["command"])).get_json()["items"]
    assert [x["id"] for x in listed] == [review["id"]]
    officer = client.get(f"/api/v1/officers/{handlers[0]}",
                         headers=bearer(tokens["admin"])).get_json()
    assert review["id"] in [x["id"] for x in officer["reviews"]]
