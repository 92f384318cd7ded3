"""Annual procedures: a written-review campaign over a county's employers (the rules select
them set-wise), submissions reviewed with a problem opening an inspection, and after the due
date one inspection per non-submitter; an entrusted audit whose report finds unpaid wages
and opens a case."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (fixture)
from tests.geo.test_attachments import PDF, PNG

COUNTY = "411725"  # no other test works in this county
DAY, LATER = "2026-11-30", "2027-01-20"
ITEMS = ("labour_contracts", "wage_payment", "minimum_wage", "working_hours",
         "social_insurance", "rest_leave", "special_protection", "labour_dispatch")


@pytest.fixture()
def campaign_area(committed, beijing_day):  # noqa: F811
    beijing_day(DAY)
    committed.undo("""
        DELETE FROM inspections WHERE id IN (
            SELECT s.inspection_id FROM review_submissions s JOIN review_campaigns c
            ON c.id = s.campaign_id WHERE c.area_adcode = :a)""", a=COUNTY)
    committed.undo("DELETE FROM review_campaigns WHERE area_adcode = :a", a=COUNTY)
    return COUNTY


def post(client, tokens, url, role="dispatcher", **body):
    return client.post(url, json=body, headers=bearer(tokens[role]))


def test_a_campaign_reviews_and_schedules_the_non_submitters(client, tokens, campaign_area, db,
                                                             beijing_day):
    expected = db.execute(text("SELECT count(*) FROM employers WHERE county_adcode = :c AND "
                               "employees >= 5 AND grade IN ('B', 'C', 'unrated')"),
                          {"c": COUNTY}).scalar()
    assert expected >= 3
    bad = post(client, tokens, "/api/v1/review-campaigns", area=COUNTY, year=2026,
               due_on="2026-12-31", grades=["D"])
    assert bad.status_code == 422
    r = post(client, tokens, "/api/v1/review-campaigns", area=COUNTY, year=2026,
             due_on="2026-12-31", min_employees=5, grades=["B", "C", "unrated"])
    assert r.status_code == 201, r.get_json()
    campaign = r.get_json()
    assert campaign["employers"] == expected == campaign["progress"]["pending"]
    assert post(client, tokens, "/api/v1/review-campaigns", area=COUNTY, year=2026,
                due_on="2026-12-31").status_code == 409
    url = f"/api/v1/review-campaigns/{campaign['id']}"
    subs = client.get(url + "/submissions?per_page=500",
                      headers=bearer(tokens["command"])).get_json()["items"]
    clean, problem = subs[0], subs[1]

    # Materials: every item needed.
    short = post(client, tokens, f"/api/v1/review-submissions/{clean['id']}/submit",
                 items={"labour_contracts": "已签订 12 份"})
    assert short.status_code == 422
    for s in (clean, problem):
        r = post(client, tokens, f"/api/v1/review-submissions/{s['id']}/submit",
                 items={i: "按规定执行，附台账" for i in ITEMS})
        assert r.status_code == 200, r.get_json()
    assert post(client, tokens, f"/api/v1/review-submissions/{clean['id']}/submit",
                items={i: "x" for i in ITEMS}).status_code == 409

    # The review: all in order, or a problem that opens an inspection.
    ok = [{"item": i, "ok": True} for i in ITEMS]
    assert post(client, tokens, f"/api/v1/review-submissions/{clean['id']}/review",
                role="inspector", findings=ok[:3]).status_code == 422
    r = post(client, tokens, f"/api/v1/review-submissions/{clean['id']}/review",
             role="inspector", findings=ok)
    assert r.status_code == 200 and r.get_json()["outcome"] == "ok"
    assert r.get_json()["inspection_id"] is None
    findings = [{**f, "ok": f["item"] != "social_insurance",
                 "note": "少缴 3 人社保" if f["item"] == "social_insurance" else None}
                for f in ok]
    r = post(client, tokens, f"/api/v1/review-submissions/{problem['id']}/review",
             role="inspector", findings=findings)
    assert r.status_code == 200 and r.get_json()["outcome"] == "problems"
    opened = db.execute(text("SELECT employer_id, status, description FROM inspections "
                             "WHERE id = :i"), {"i": r.get_json()["inspection_id"]}).one()
    assert (opened.employer_id, opened.status) == (problem["employer_id"], "pending")
    assert "社会保险" in opened.description

    # Before the due date nobody is scheduled; after it, each non-submitter once.
    assert post(client, tokens, url + "/schedule-missing").status_code == 409
    beijing_day(LATER)
    r = post(client, tokens, url + "/schedule-missing")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["inspections"] == expected - 2
    assert r.get_json()["progress"]["inspections"] == expected - 1
    pending = db.execute(text("""
        SELECT count(*) FILTER (WHERE i.id IS NULL), count(*) FILTER (WHERE i.status = 'pending'
               AND i.employer_id = s.employer_id AND i.description LIKE '%逾期未报送%')
        FROM review_submissions s LEFT JOIN inspections i ON i.id = s.inspection_id
        WHERE s.campaign_id = :c AND s.status = 'pending'"""), {"c": campaign["id"]}).one()
    assert tuple(pending) == (0, expected - 2)
    assert post(client, tokens, url + "/schedule-missing").get_json()["inspections"] == 0
    progress = client.get(url, headers=bearer(tokens["command"])).get_json()
    assert [c["county_adcode"] for c in progress["counties"]] == [COUNTY]


def test_an_audit_finding_opens_a_case(client, tokens, committed, db, beijing_day):  # noqa: F811
    beijing_day(DAY)
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    r = post(client, tokens, "/api/v1/audits", employer_id=employer, firm="河南某会计师事务所",
             scope=["wages", "social_insurance"], period_from="2026-01-01",
             period_to="2026-10-31", fee=18000, due_on="2026-12-31")
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert post(client, tokens, "/api/v1/audits", employer_id=employer, firm="x", scope=["tax"],
                period_from="2026-01-01", period_to="2026-10-31", fee=1,
                due_on="2026-12-31").status_code == 422
    url = f"/api/v1/audits/{made['id']}"

    def attach(data, name):
        r = client.post("/api/v1/attachments", headers=bearer(tokens["dispatcher"]), data={
            "owner_kind": "audit", "owner_id": str(made["id"]),
            "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]
    photo = attach(PNG, "photo.png")
    findings = [{"kind": "unpaid_wages", "amount": 236000, "workers": 31,
                 "note": "2026 年 7—9 月工资未发"}]
    assert post(client, tokens, url + "/report", attachment_id=photo,
                findings=findings).status_code == 422  # a report is a document
    report = attach(PDF, "审计报告.pdf")
    r = post(client, tokens, url + "/report", attachment_id=report, findings=findings)
    assert r.status_code == 200, r.get_json()
    got = r.get_json()
    assert got["status"] == "reported" and got["case_id"] and got["inspection_id"]
    case = db.execute(text("SELECT employer_id, inspection_id, summary, closed_on FROM cases "
                           "WHERE id = :c"), {"c": got["case_id"]}).one()
    assert (case.employer_id, case.inspection_id, case.closed_on) == \
        (employer, got["inspection_id"], None)
    assert "拖欠工资" in case.summary and "236,000.00" in case.summary
    assert post(client, tokens, url + "/report", attachment_id=report,
                findings=[]).status_code == 409


def test_a_clean_audit_opens_nothing(client, tokens, committed, beijing_day):  # noqa: F811
    beijing_day(DAY)
    employer = committed.employer(lon=SITE[0], lat=SITE[1])
    made = post(client, tokens, "/api/v1/audits", employer_id=employer, firm="某事务所",
                scope=["wages"], period_from="2026-01-01", period_to="2026-06-30", fee=5000,
                due_on="2026-12-31").get_json()
    report = client.post("/api/v1/attachments", headers=bearer(tokens["dispatcher"]), data={
        "owner_kind": "audit", "owner_id": str(made["id"]), "file": (io.BytesIO(PDF), "r.pdf")},
        content_type="multipart/form-data").get_json()["id"]
    r = post(client, tokens, f"/api/v1/audits/{made['id']}/report", attachment_id=report,
             findings=[])
    assert r.status_code == 200 and r.get_json()["case_id"] is None


def test_the_kpi_panel_counts_missing_materials(client, tokens, campaign_area, beijing_day):
    made = post(client, tokens, "/api/v1/review-campaigns", area=COUNTY, year=2026,
                due_on="2026-12-31", min_employees=0).get_json()
    panel = client.get(f"/api/v1/kpis?area={COUNTY}", headers=bearer(tokens["command"]))
    assert panel.get_json()["review_missing"]["value"] == 0  # not due yet
    beijing_day(LATER)
    figure = client.get(f"/api/v1/kpis?area={COUNTY}",
                        headers=bearer(tokens["command"])).get_json()["review_missing"]
    assert figure["value"] == made["employers"]
    listed = client.get(figure["list"], headers=bearer(tokens["command"])).get_json()
    assert listed["total"] == made["employers"]
    post(client, tokens, f"/api/v1/review-campaigns/{made['id']}/schedule-missing")
    assert client.get(f"/api/v1/kpis?area={COUNTY}", headers=bearer(tokens["command"])
                      ).get_json()["review_missing"]["value"] == 0
