"""/metrics (Prometheus text format) and /healthz for the bureau's IT department."""
import re

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import bearer

ELSEWHERE = {"REMOTE_ADDR": "10.20.30.40"}


def families(body: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(body)}


def requests_of(fams: dict, route: str) -> float:
    return sum(s.value for s in fams["liangwang_http_requests"].samples
               if s.name == "liangwang_http_requests_total" and s.labels["route"] == route
               and s.labels["status"] == "200")


def test_an_admin_token_reads_request_counts_and_database_figures(client, tokens):
    admin = bearer(tokens["admin"])
    first = families(client.get("/metrics", headers=admin, environ_base=ELSEWHERE)
                     .get_data(as_text=True))
    for _ in range(3):
        assert client.get("/api/v1/areas?level=city", headers=admin).status_code == 200
    r = client.get("/metrics", headers=admin, environ_base=ELSEWHERE)
    assert r.status_code == 200 and r.mimetype == "text/plain"
    fams = families(r.get_data(as_text=True))
    assert requests_of(fams, "/api/v1/areas") - requests_of(first, "/api/v1/areas") == 3
    durations = [s for s in fams["liangwang_http_request_duration_seconds"].samples
                 if s.labels.get("route") == "/api/v1/areas" and s.name.endswith("_count")]
    assert durations and durations[0].value >= 3
    tables = {s.labels["table"] for s in fams["liangwang_table_rows"].samples}
    assert {"employers", "grids", "complaints"} <= tables
    assert fams["liangwang_db_size_bytes"].samples[0].value > 1e6
    assert fams["liangwang_replicas_streaming"].samples[0].value == 0
    states = {s.labels["state"] for s in fams["liangwang_db_connections"].samples}
    assert "active" in states  # this scrape's own statement


def test_other_roles_and_anonymous_callers_elsewhere_are_refused(client, tokens):
    r = client.get("/metrics", environ_base=ELSEWHERE, headers={"Accept-Language": "zh"})
    assert r.status_code == 401 and "管理员令牌" in r.get_json()["error"]["message"]
    r = client.get("/metrics", headers={**bearer(tokens["dispatcher"]), "Accept-Language": "zh"},
                   environ_base=ELSEWHERE)
    assert r.status_code == 403 and "只有管理员" in r.get_json()["error"]["message"]


def test_this_machine_may_scrape_without_a_token_but_not_through_a_proxy(client):
    assert client.get("/metrics").status_code == 200
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 401


def test_route_labels_are_templates_not_raw_paths(client, tokens):
    admin = bearer(tokens["admin"])
    client.get("/api/v1/inspections/987654", headers=admin)
    body = client.get("/metrics", headers=admin).get_data(as_text=True)
    routes = set(re.findall(r'route="([^"]*)"', body))  # (timestamps may hold the digits)
    assert not [r for r in routes if "987654" in r]
    assert "/api/v1/inspections/<int:inspection_id>" in routes


def test_healthz_says_primary_replicas_and_when_derived_data_was_computed(client):
    body = client.get("/healthz").get_json()
    assert body["database"] == {"role": "primary", "replicas_streaming": 0,
                                "replicas_configured": 0}
    assert "derived_data_at" in body["jobs"]
