"""Every route checks the role: a table of role × route, and no route without a declaration."""
import re

import pytest

from geo.accounts.models import ROLES
from tests.conftest import bearer

ALL = set(ROLES)
# (method, path, roles allowed). Public routes are listed with None.
ROUTES = [
    ("GET", "/healthz", None),
    ("GET", "/metrics", None),
    ("GET", "/admin/jobs", {"admin"}),
    ("POST", "/admin/jobs/nothing/run", {"admin"}),  # an unknown job: 404 once allowed
    ("GET", "/ogc", ALL),
    ("GET", "/ogc/", ALL),
    ("GET", "/ogc/api", ALL),
    ("GET", "/ogc/conformance", ALL),
    ("GET", "/ogc/collections", ALL),
    ("GET", "/ogc/collections/grids", ALL),
    ("GET", "/ogc/collections/grids/items?limit=5", ALL),
    ("GET", "/ogc/collections/grids/items/999999", ALL),  # from this machine; elsewhere an admin token (test_metrics)
    ("GET", "/api/openapi.json", None),
    ("GET", "/login", None),
    ("GET", "/public/", None),
    ("GET", "/public/disclosures", None),
    ("GET", "/public/disclosures/999999", None),
    ("GET", "/public/random-checks", None),
    ("GET", "/public/guide", None),
    ("GET", "/vendor/leaflet/leaflet.js", None),
    ("GET", "/", ALL),
    ("GET", "/map", ALL),
    ("GET", "/map?area=410102", ALL),
    ("GET", "/api/v1/tiles/employers/7/104/50.pbf", ALL),
    ("GET", "/api/v1/tiles/employers/999999/999999/999999.pbf", ALL),
    ("GET", "/api/v1/grids/metrics?area=410102", ALL),
    ("GET", "/api/v1/grids/search?q=410102-00", ALL),
    ("GET", "/dispatch", {"dispatcher", "command", "admin"}),
    ("GET", "/planner", ALL),  # planner and admin edit; the others read
    ("GET", "/planner?county=411681", ALL),
    ("GET", "/api/v1/officers/live?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/officers/summary?area=410100", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/me", ALL),
    ("GET", "/api/v1/areas?level=city", ALL),
    ("GET", "/api/v1/grids?county=410102", ALL),
    ("GET", "/api/v1/audit?limit=5", {"admin"}),
    ("POST", "/api/v1/inspections", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/inspections?status=pending", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/inspections/board?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/inspections/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/inspections/999999/recommendations", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/inspections/999999/assign", {"dispatcher", "admin"}),
    ("POST", "/api/v1/inspections/999999/reassign", {"dispatcher", "admin"}),
    ("POST", "/api/v1/inspections/999999/cancel", {"dispatcher", "admin"}),
    ("POST", "/api/v1/inspections/999999/complete", {"dispatcher", "admin"}),
    ("POST", "/api/v1/officers/999999/status", {"inspector", "dispatcher", "admin"}),
    ("POST", "/api/v1/officers/999999/location", {"inspector", "dispatcher", "admin"}),
    ("POST", "/api/v1/complaints", {"dispatcher", "admin"}),
    ("GET", "/api/v1/complaints", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/complaints/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/complaints/999999/complainant", {"dispatcher", "admin"}),
    ("POST", "/api/v1/complaints/999999/decision", {"dispatcher", "admin"}),
    ("POST", "/api/v1/complaints/999999/information", {"dispatcher", "admin"}),
    ("GET", "/api/v1/complaints/999999/decisions/999999/notice", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/incidents", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/incidents/999999/escalate", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/incidents/999999/close", {"dispatcher", "admin"}),
    ("GET", "/api/v1/cases", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/cases/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/cases/999999/handlers", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/suspend", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/resume", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/supervision/reports", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/cases/999999/supervision/lift", {"admin", "command"}),
    ("GET", "/api/v1/supervisions", {"dispatcher", "command", "admin"}),
    ("GET", "/cases", {"dispatcher", "command", "admin"}),
    ("GET", "/cases?area=410102&status=overdue", {"dispatcher", "command", "admin"}),
    ("GET", "/cases/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/complaints", {"dispatcher", "command", "admin"}),
    ("GET", "/staff", {"dispatcher", "command", "admin"}),
    ("GET", "/staff?area=410102&kind=inspector&certificate=valid",
     {"dispatcher", "command", "admin"}),
    ("GET", "/staff/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/grading", {"dispatcher", "command", "admin"}),
    ("GET", "/grading/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/grading/999999?grade=C&changed=true", {"dispatcher", "command", "admin"}),
    ("GET", "/disclosures", {"dispatcher", "command", "admin"}),
    ("GET", "/disclosures/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/officers", {"admin"}),
    ("GET", "/api/v1/officers?area=410102&certificate=expired",
     {"dispatcher", "command", "admin", "planner"}),
    ("GET", "/api/v1/officers/999999", {"dispatcher", "command", "admin"}),
    ("PATCH", "/api/v1/officers/999999", {"admin"}),
    ("POST", "/api/v1/officers/999999/deactivate", {"admin"}),
    ("POST", "/api/v1/officers/999999/recusals", {"inspector", "admin"}),
    ("DELETE", "/api/v1/officers/999999/recusals/999999", {"admin"}),
    ("POST", "/api/v1/officers/999999/trainings", {"admin"}),
    ("GET", "/api/v1/officers/999999/trainings", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/officers/999999/assessments", {"admin"}),
    ("GET", "/api/v1/officers/999999/assessments", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/officers/999999/assessments/999999/review", {"admin"}),
    ("GET", "/api/v1/assessments?area=410102&year=2026", {"dispatcher", "command", "admin"}),
    ("GET", "/complaints/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/random-checks", {"dispatcher", "command", "admin"}),
    ("GET", "/random-checks?area=410102&year=2026", {"dispatcher", "command", "admin"}),
    ("GET", "/random-checks/draws/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/incidents", {"dispatcher", "command", "admin"}),
    ("GET", "/incidents?area=410102&open=true", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/employers-outside-grids?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/grids-without-staff?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/employers-per-staff?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/overdue-employers?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/open-complaints?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/case-deadlines?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/high-risk-uninspected?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/urgent-responses?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/check-items", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/check-items/coverage?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/urgent-responses?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/grids-understaffed?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/overdue-referrals?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/pending-rewards?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/review-missing?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/overdue-audits?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/lists/grids-understaffed?area=410102", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/cases", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/extend", {"admin"}),
    ("POST", "/api/v1/cases/999999/close", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/supervision", {"admin", "command"}),
    ("GET", "/api/v1/cases/alerts", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/random-draws", {"dispatcher", "admin"}),
    ("GET", "/api/v1/random-draws/999999/replay", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/scheduled-inspections", {"dispatcher", "admin"}),
    ("POST", "/api/v1/dispatch/plan", {"dispatcher", "admin"}),
    ("GET", "/api/v1/holidays", {"admin", "dispatcher", "command"}),
    ("PUT", "/api/v1/holidays/2026-10-01", {"admin"}),
    ("DELETE", "/api/v1/holidays/2026-10-01", {"admin"}),
    ("PUT", "/api/v1/holiday-years/999999", {"admin"}),
    ("DELETE", "/api/v1/holiday-years/999999", {"admin"}),
    ("GET", "/field", {"inspector", "admin"}),
    ("GET", "/api/v1/field/worklist?grid=999999", {"inspector", "admin"}),
    ("GET", "/api/v1/field/projects?grid=999999", {"inspector", "admin"}),
    ("GET", "/projects", {"dispatcher", "command", "admin"}),
    ("GET", "/projects?level=red&sort=end&page=2", {"dispatcher", "command", "admin"}),
    ("GET", "/projects/999999", {"dispatcher", "command", "admin", "inspector"}),
    ("GET", "/referrals", {"dispatcher", "command", "admin"}),
    ("GET", "/referrals?department=housing&direction=outgoing&status=sent&overdue=true",
     {"dispatcher", "command", "admin"}),
    ("GET", "/rewards", {"dispatcher", "command", "admin"}),
    ("GET", "/reviews", {"dispatcher", "command", "admin"}),
    ("GET", "/reviews/999999", {"dispatcher", "command", "admin", "inspector"}),
    ("GET", "/audits", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/review-campaigns", {"admin", "dispatcher"}),
    ("GET", "/api/v1/review-campaigns", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/review-campaigns/999999", {"dispatcher", "command", "admin", "inspector"}),
    ("GET", "/api/v1/review-campaigns/999999/submissions",
     {"dispatcher", "command", "admin", "inspector"}),
    ("POST", "/api/v1/review-campaigns/999999/schedule-missing", {"admin", "dispatcher"}),
    ("POST", "/api/v1/review-submissions/999999/submit", {"admin", "dispatcher", "inspector"}),
    ("POST", "/api/v1/review-submissions/999999/review", {"admin", "dispatcher", "inspector"}),
    ("POST", "/api/v1/audits", {"admin", "dispatcher"}),
    ("GET", "/api/v1/audits", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/audits/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/audits/999999/report", {"admin", "dispatcher"}),
    ("POST", "/api/v1/attachments", {"admin", "dispatcher", "command", "inspector"}),
    ("GET", "/api/v1/attachments?owner_kind=case&owner_id=999999",
     {"admin", "dispatcher", "command", "inspector"}),
    ("GET", "/api/v1/attachments/999999", {"admin", "dispatcher", "command", "inspector"}),
    ("GET", "/rewards?status=proposed", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/rewards/range?fine=20000", {"dispatcher", "command", "admin", "inspector"}),
    ("POST", "/api/v1/rewards", {"dispatcher", "admin", "inspector"}),
    ("GET", "/api/v1/rewards", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/rewards/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/rewards/999999/approve", {"command", "admin"}),
    ("POST", "/api/v1/rewards/999999/refuse", {"command", "admin"}),
    ("POST", "/api/v1/rewards/999999/payment", {"dispatcher", "admin"}),
    ("GET", "/api/v1/rewards/999999/tipster", {"dispatcher", "admin"}),
    ("PATCH", "/api/v1/employers/999999", {"inspector", "admin"}),
    ("GET", "/api/v1/employers/duplicates?area=410102", {"admin"}),
    ("POST", "/api/v1/employers/merge", {"admin"}),
    ("POST", "/api/v1/employers/import", {"admin", "planner"}),
    ("GET", "/api/v1/employers/imports/999999/rejected.csv", {"admin", "planner"}),
    ("GET", "/api/v1/employers?q=有限公司", ALL),
    ("GET", "/api/v1/employers/999999", ALL),
    ("POST", "/api/v1/employers/999999/location", {"inspector", "admin"}),
    ("GET", "/api/v1/employers/999999/risk", ALL),
    ("GET", "/api/v1/warnings?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/hotspots?area=410102&metric=risk&res=8", ALL),
    ("GET", "/api/v1/kpis?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/employers-outside-grids?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/grids-without-staff?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/employers-per-staff?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/overdue-employers?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/open-complaints?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/case-deadlines?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/kpis/high-risk-uninspected?area=410102",
     {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/grid-edits", {"planner", "admin"}),
    ("POST", "/api/v1/grids/999999/split", {"planner", "admin"}),
    ("POST", "/api/v1/grids/merge", {"planner", "admin"}),
    ("POST", "/api/v1/grids/999999/revert", {"planner", "admin"}),
    ("GET", "/api/v1/grids/999999/history", ALL),
    ("GET", "/api/v1/coverage?area=410102", ALL),
    ("POST", "/api/v1/counties/410102/partition", {"planner", "admin"}),
    ("GET", "/api/v1/counties/410102/grids/export?format=geojson", ALL),
    ("POST", "/api/v1/counties/410102/grids/import", {"planner", "admin"}),
    ("POST", "/api/v1/officer-loans", {"dispatcher", "admin"}),
    ("POST", "/api/v1/cases/999999/reviews", {"admin", "command"}),
    ("POST", "/api/v1/grading/runs", {"admin", "command"}),
    ("GET", "/api/v1/grading/runs", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/grading/runs/999999", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/grading/runs/999999/proposals", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/grading/runs/999999/proposals/999999", {"admin", "command"}),
    ("POST", "/api/v1/grading/runs/999999/approve", {"admin", "command"}),
    ("GET", "/api/v1/employers/999999/grades", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/employers/999999/grade-objections", {"admin", "dispatcher"}),
    ("POST", "/api/v1/grade-objections/999999/decision", {"admin", "command"}),
    ("POST", "/api/v1/disclosure-lists", {"admin", "command"}),
    ("GET", "/api/v1/disclosure-lists", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/disclosure-lists/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/disclosure-lists/999999/entries", {"admin", "command"}),
    ("DELETE", "/api/v1/disclosure-lists/999999/entries/999999", {"admin", "command"}),
    ("PATCH", "/api/v1/disclosure-lists/999999/entries/999999", {"admin", "command"}),
    ("POST", "/api/v1/disclosure-lists/999999/approve", {"admin", "command"}),
    ("POST", "/api/v1/disclosure-lists/999999/publish", {"admin", "command"}),
    ("POST", "/api/v1/disclosure-lists/999999/entries/999999/withdraw", {"admin", "command"}),
    ("GET", "/api/v1/disclosed-employers?area=410102", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/public/disclosures", None),
    ("GET", "/api/v1/public/disclosure-lists", None),
    ("GET", "/api/v1/public/disclosure-lists/999999", None),
    ("GET", "/api/v1/public/disclosure-lists/999999.xlsx", None),
    ("GET", "/api/v1/public/disclosure-lists/999999.pdf", None),
    ("POST", "/api/v1/cases/999999/reviews/999999/conclusion", {"admin"}),
    ("GET", "/api/v1/cases/999999/reviews", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/officer-loans", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/projects", {"admin", "dispatcher"}),
    ("POST", "/api/v1/projects/import", {"admin", "dispatcher"}),
    ("GET", "/api/v1/projects", {"dispatcher", "command", "admin", "inspector"}),
    ("GET", "/api/v1/projects/999999", {"dispatcher", "command", "admin", "inspector"}),
    ("PATCH", "/api/v1/projects/999999", {"admin", "dispatcher"}),
    ("POST", "/api/v1/projects/999999/checks", {"admin", "dispatcher", "inspector"}),
    ("POST", "/api/v1/projects/999999/deposit", {"admin", "dispatcher"}),
    ("POST", "/api/v1/projects/999999/payments", {"admin", "dispatcher"}),
    ("POST", "/api/v1/projects/999999/reports", {"admin", "dispatcher", "inspector"}),
    ("GET", "/api/v1/projects/999999/warnings", {"dispatcher", "command", "admin", "inspector"}),
    ("GET", "/api/v1/projects/alerts", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/map/projects?area=410102", {"dispatcher", "command", "admin", "inspector"}),
    ("POST", "/api/v1/projects/999999/alert/acknowledge", {"admin", "dispatcher"}),
    ("POST", "/api/v1/referrals", {"admin", "dispatcher", "command"}),
    ("GET", "/api/v1/referrals", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/referrals/999999/feedback", {"admin", "dispatcher", "command"}),
    ("POST", "/api/v1/referrals/incoming", {"admin", "dispatcher"}),
    ("GET", "/api/v1/referrals/counts", {"dispatcher", "command", "admin"}),
    ("GET", "/api/v1/referrals/999999", {"dispatcher", "command", "admin"}),
    ("POST", "/api/v1/referrals/999999/receive", {"admin", "dispatcher", "command"}),
    ("POST", "/api/v1/referrals/999999/remind", {"admin", "dispatcher", "command"}),
    ("POST", "/api/v1/referrals/999999/close", {"admin", "dispatcher", "command"}),
    ("POST", "/api/v1/officer-loans/999999/decision", {"dispatcher", "admin"}),
    ("POST", "/api/v1/officer-loans/999999/withdraw", {"dispatcher", "admin"}),
]
# Routes are probed with an empty JSON body or an unknown id: an allowed role gets past the
# role check (any answer but 401/403), a refused role gets 403 before anything runs.


@pytest.mark.parametrize("method, path, allowed", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_role_table(client, tokens, method, path, allowed, role):
    kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    r = client.open(path, method=method, headers=bearer(tokens[role]), **kwargs)
    if allowed is None or role in allowed:
        assert r.status_code not in (401, 403, 500), (role, path, r.status_code)
        if method == "GET" and "999999" not in path:
            assert r.status_code in (200, 302), (role, path, r.status_code)
    else:
        assert r.status_code == 403, (role, path, r.status_code)


@pytest.mark.parametrize("method, path, allowed", [r for r in ROUTES if r[2] is not None])
def test_anonymous_requests_are_refused(client, method, path, allowed):
    r = client.open(path, method=method, **({"json": {}} if method in ("POST", "PUT", "PATCH") else {}))
    if path.startswith(("/api/", "/ogc")):
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    else:
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_every_route_declares_who_may_use_it_and_is_in_the_table(app):
    tested = {p.split("?")[0] for _, p, _ in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access", None) is not None, f"{rule.rule} declares no roles"
        concrete = rule.rule.replace("<package>", "leaflet").replace("<path:filename>", "leaflet.js")
        concrete = re.sub(r"<int:\w+>", "999999", concrete).replace("<day>", "2026-10-01")
        concrete = concrete.replace("<year>", "999999")
        concrete = concrete.replace("<z>/<x>/<y>", "999999/999999/999999")
        concrete = concrete.replace("<adcode>", "410102").replace("<job>", "nothing")
        concrete = concrete.replace("<collection_id>", "grids").replace("<feature_id>", "999999")
        assert concrete in tested or rule.rule in {"/logout", "/api/v1/auth/token"}, \
            f"{rule.rule} is missing from the role table"


def test_every_path_variable_is_checked_against_the_territory(app):
    """A path variable names a territorial record (checked before the view) or is listed
    as naming none: a new route cannot forget its territory."""
    from webapp.core import territory
    for rule in app.url_map.iter_rules():
        for name in rule.arguments:
            assert name in territory.VIEW_ARGS or name in territory.UNSCOPED, \
                f"{rule.rule}: path variable {name} has no territory check"
            if name in territory.VIEW_ARGS:
                assert territory.VIEW_ARGS[name] in territory.RESOLVERS


def test_logout_is_for_signed_in_users_only(client):
    r = client.post("/logout")  # no session: sent to sign in first, before any CSRF check
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/logout")
