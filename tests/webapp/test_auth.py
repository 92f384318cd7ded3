"""Sign-in, server-side sessions, tokens, CSRF, redirects and the audit of sign-ins."""
import hashlib
import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import text

from geo.accounts import service as accounts
from geo.accounts.models import User
from geo.core import clock
from geo.core.config import Settings
from geo.core.db import unit_of_work
from tests.conftest import PASSWORD, TEST_SECRET, bearer
from tests.webapp.test_signin_throttle import client_from, new_address, new_user
from webapp.core.auth import safe_next


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_page_signs_in_and_redirects_to_the_map(client):
    token = csrf_token(client)
    r = client.post("/login", data={"username": "test-command", "password": PASSWORD,
                                    "csrf_token": token, "next": "/map"})
    assert r.status_code == 302 and r.headers["Location"] == "/map"
    assert client.get("/api/v1/me").get_json()["role"] == "command"


def test_wrong_password_is_401_and_opens_no_session(app, sessions):
    client = client_from(app, new_address())
    token = csrf_token(client)
    r = client.post("/login", data={"username": new_user(sessions), "password": "nope",
                                    "csrf_token": token})
    assert r.status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_login_form_without_csrf_token_is_rejected(client):
    r = client.post("/login", data={"username": "test-command", "password": PASSWORD})
    assert r.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_logout_needs_csrf_and_ends_the_session(client):
    token = csrf_token(client)
    client.post("/login", data={"username": "test-admin", "password": PASSWORD,
                                "csrf_token": token})
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/api/v1/me").status_code == 200
    token = csrf_token(client, "/map")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def browser_target(location: str) -> str:
    """Where a browser goes for this Location: it drops tabs and newlines, trims control
    characters and spaces, and reads backslashes as slashes (WHATWG URL parsing)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(33))))
    return cleaned.replace("\\", "/")


HOSTILE_NEXT = [
    "//evil.example/x", "/%09/evil.example/phish", "/\t/evil.example/phish", "/\t/evil",
    "/\\evil.example", "\\\\evil.example", "//evil", "https://evil", "http:evil",
    "javascript:alert(1)", " //evil", "/\n/evil", "/\r\n/evil", "\x00//evil", "/./\t/evil",
    "/%5Cevil.example", "/%2F/evil", "evil.example", "", "///evil", "/\x7f/evil",
]


def assert_same_site(location: str) -> None:
    target = urlsplit(browser_target(location))
    assert not target.scheme and not target.netloc, location
    assert target.path.startswith("/") and not target.path.startswith("//"), location


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_safe_next_keeps_only_same_site_paths(next_url):
    assert safe_next(next_url) == "/map"


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_open_redirects_are_refused(app, sessions, next_url):
    client = client_from(app, new_address())
    username = new_user(sessions)
    page = client.get("/login", query_string={"next": next_url})
    # Control characters may already be refused (400) by input validation: no redirect at all.
    values = [next_url]
    if page.status_code == 200:
        html_ = page.get_data(as_text=True)
        values.append(html.unescape(re.search(r'name="next" value="([^"]*)"', html_).group(1)))
    else:
        assert page.status_code == 400
    for value in values:  # as typed, and as the form sends it back
        r = client.post("/login", data={"username": username, "password": PASSWORD,
                                        "csrf_token": csrf_token(client), "next": value})
        assert r.status_code in (302, 400)
        if r.status_code == 302:
            assert_same_site(r.headers["Location"])


def test_a_same_site_next_is_kept(app, sessions):
    client = client_from(app, new_address())
    r = client.post("/login", data={"username": new_user(sessions), "password": PASSWORD,
                                    "csrf_token": csrf_token(client),
                                    "next": "/dispatch?area=410108"})
    assert r.headers["Location"] == "/dispatch?area=410108"


def test_token_endpoint_gives_a_working_bearer_token(client):
    r = client.post("/api/v1/auth/token", json={"username": "test-planner", "password": PASSWORD})
    body = r.get_json()
    assert r.status_code == 200 and body["expires_at"] and body["role"] == "planner"
    assert client.get("/api/v1/me", headers=bearer(body["token"])).get_json()["role"] == "planner"


def test_token_endpoint_rejects_bad_bodies_with_the_field_named(app, sessions):
    client = client_from(app, new_address())
    assert client.post("/api/v1/auth/token", data="{not json",
                       content_type="application/json").status_code == 400
    r = client.post("/api/v1/auth/token", json={"username": "x"})
    assert r.status_code == 400 and r.get_json()["error"]["details"]["parameter"] == "password"
    r = client.post("/api/v1/auth/token",
                    json={"username": new_user(sessions), "password": "wrong"})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_missing_malformed_forged_and_expired_tokens_are_401(app, client, tokens, settings):
    assert client.get("/api/v1/areas?level=city").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(tokens["admin"] + "x")).status_code == 401
    token = client.post("/api/v1/auth/token", json={"username": "test-admin",
                                                    "password": PASSWORD}).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    # The token's signature carries its time: move the clock past its lifetime.
    later = clock.now() + timedelta(seconds=settings.token_ttl_s + 5)
    with time_machine.travel(later, tick=False):
        r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and "expired" in r.get_json()["error"]["message"]


def test_passwords_are_stored_hashed(db):
    stored = db.execute(text("SELECT password_hash FROM users WHERE username = 'test-admin'"))
    value = stored.scalar_one()
    assert PASSWORD not in value and value.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_and_user_creation_are_audited(client, db):
    client.post("/api/v1/auth/token", json={"username": "test-dispatcher", "password": PASSWORD})
    actions = set(db.execute(text("""
        SELECT action FROM audit_log WHERE actor IN ('test-dispatcher', 'tests')
    """)).scalars())
    assert {"sign_in", "create"} <= actions
    created = db.execute(text("""
        SELECT after FROM audit_log WHERE action = 'create' AND entity = 'user'
          AND after->>'username' = 'test-dispatcher'""")).scalar_one()
    assert created["role"] == "dispatcher" and "password" not in str(created)


def test_demo_accounts_have_random_passwords_in_a_private_file(sessions, tmp_path):
    path = tmp_path / "demo-accounts.json"
    with unit_of_work(sessions) as s:
        first = accounts.ensure_demo_accounts(s, path)
    province = {a["role"] for a in first if a["area"] == "410000"}
    assert province == {"admin", "command", "dispatcher", "planner", "inspector"}
    county = {a["role"]: a["username"] for a in first if a["area"] == "410102"}
    assert {"dispatcher", "planner", "inspector"} <= set(county)
    assert len({a["username"] for a in first}) == len(first)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len({a["password"] for a in first}) == len(first)
    assert all(len(a["password"]) >= 12 for a in first)
    with unit_of_work(sessions) as s:
        assert accounts.ensure_demo_accounts(s, path) == first  # reused on the next start


def test_demo_inspectors_get_a_grid_of_their_own_area(sessions, tmp_path):
    from dispatch.demo import link_demo_inspector
    with unit_of_work(sessions) as s:
        accounts.ensure_demo_accounts(s, tmp_path / "demo-accounts.json")
        link_demo_inspector(s)
        linked = dict(s.execute(text("""
            SELECT u.username, o.county_adcode FROM users u JOIN officers o ON o.user_id = u.id
            WHERE u.username IN ('demo-inspector', 'demo-zhongyuan-inspector')""")).all())
        s.execute(text("UPDATE officers SET user_id = NULL WHERE user_id IN "
                       "(SELECT id FROM users WHERE username LIKE 'demo-%')"))
    assert linked["demo-zhongyuan-inspector"] == "410102" and "demo-inspector" in linked


def test_admin_reads_the_audit_log_filtered_by_actor(client, tokens):
    client.post("/api/v1/auth/token", json={"username": "test-planner", "password": PASSWORD})
    r = client.get("/api/v1/audit?actor=test-planner&limit=3", headers=bearer(tokens["admin"]))
    items = r.get_json()["items"]
    assert r.status_code == 200 and items and all(i["actor"] == "test-planner" for i in items)
    assert items[0]["action"] == "sign_in"


# --- server-side sessions -----------------------------------------------------------------

def sign_in_page(app, sessions, **client_kw):
    """A fresh user signed in through the login page: (client, username)."""
    client = client_from(app, new_address())
    username = new_user(sessions)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": csrf_token(client)},
                    headers={"User-Agent": "pytest-browser/1.0"})
    assert r.status_code == 302
    return client, username


def test_the_cookie_holds_only_an_opaque_session_id_stored_hashed(app, sessions, db):
    client, username = sign_in_page(app, sessions)
    cookie = client.get_cookie("session").value
    data = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert "uid" not in data and set(data) <= {"sid", "csrf_token", "_permanent"}
    row = db.execute(text("""
        SELECT s.id, s.kind, s.ip, s.user_agent, s.revoked_at,
               s.expires_at - s.created_at AS ttl
        FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = :u"""),
        {"u": username}).one()
    assert row.id == hashlib.sha256(data["sid"].encode()).hexdigest() != data["sid"]
    assert row.kind == "cookie" and row.ip.startswith("10.78.") and row.revoked_at is None
    assert row.user_agent == "pytest-browser/1.0"
    assert row.ttl == timedelta(seconds=app.extensions["liangwang"]["settings"].session_ttl_s)


def test_use_of_a_session_is_noted(app, sessions, db):
    client, username = sign_in_page(app, sessions)
    mine = "user_id = (SELECT id FROM users WHERE username = :u)"
    with unit_of_work(sessions) as s:  # as if the last request had been two minutes ago
        s.execute(text(f"UPDATE user_sessions SET last_seen_at = now() - interval '2 minutes' "
                       f"WHERE {mine}"), {"u": username})
    assert client.get("/api/v1/me").status_code == 200
    idle = db.execute(text(f"SELECT now() - last_seen_at FROM user_sessions WHERE {mine}"),
                      {"u": username}).scalar_one()
    assert idle < timedelta(minutes=1)


def test_logout_revokes_the_session_so_a_copied_cookie_stops_working(app, sessions):
    client, _ = sign_in_page(app, sessions)
    copied = client.get_cookie("session").value
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/map")})
    assert r.status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    r = thief.get("/map")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert thief.get("/api/v1/me").status_code == 401


def test_a_session_ends_when_it_expires(app, sessions):
    client, username = sign_in_page(app, sessions)
    assert client.get("/api/v1/me").status_code == 200
    with unit_of_work(sessions) as s:  # as if session_ttl_s had passed
        s.execute(text("""
            UPDATE user_sessions SET expires_at = now() - interval '1 second'
            WHERE user_id = (SELECT id FROM users WHERE username = :u)"""), {"u": username})
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/map").headers["Location"].startswith("/login")


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, sessions, db):
    client, username = sign_in_page(app, sessions)
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}
                        ).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with unit_of_work(sessions) as s:
        user = s.scalar(text("SELECT id FROM users WHERE username = :u"), {"u": username})
        accounts.set_active(s, s.get(User, user), active=False, actor="tests")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    open_rows = db.execute(text("""
        SELECT count(*) FROM user_sessions s JOIN users u ON u.id = s.user_id
        WHERE u.username = :u AND s.revoked_at IS NULL"""), {"u": username}).scalar_one()
    assert open_rows == 0
    with unit_of_work(sessions) as s:  # reactivated, the old sessions stay ended
        accounts.set_active(s, s.get(User, user), active=True, actor="tests")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_bearer_token_can_be_revoked(app, sessions):
    client = client_from(app, new_address())
    username = new_user(sessions)
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}
                        ).get_json()["token"]
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and "revoked" in r.get_json()["error"]["message"]


def test_session_cookie_is_secure_outside_demo_mode_only(app, sessions, database_url, tmp_path):
    from webapp import create_app
    ttl = app.extensions["liangwang"]["settings"].session_ttl_s
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(seconds=ttl)
    client = client_from(app, new_address())
    r = client.post("/login", data={"username": new_user(sessions), "password": PASSWORD,
                                    "csrf_token": csrf_token(client)})
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "Expires=" in cookie
    demo = create_app(Settings(secret_key=TEST_SECRET, demo=True, var=tmp_path),
                      database_url=database_url)
    try:
        demo.config["TESTING"] = True
        c = client_from(demo, new_address())
        r = c.post("/login", data={"username": new_user(sessions), "password": PASSWORD,
                                   "csrf_token": csrf_token(c)})
        assert r.status_code == 302 and "Secure" not in r.headers["Set-Cookie"]
    finally:
        demo.extensions["liangwang"]["engine"].dispose()


def test_a_short_secret_key_is_refused_at_start(monkeypatch, database_url):
    from webapp import create_app
    monkeypatch.setenv("SECRET_KEY", "a")
    with pytest.raises(SystemExit, match="token_urlsafe"):
        Settings.from_env()
    with pytest.raises(SystemExit, match="at least 32"):
        create_app(Settings(secret_key="a" * 31), database_url=database_url)
    monkeypatch.setenv("SECRET_KEY", "k" * 32)
    assert Settings.from_env().secret_key == "k" * 32


def test_create_user_command_gives_the_user_a_territory(app, sessions):
    from tests.conftest import unique
    name = unique("cli-planner")
    runner = app.test_cli_runner()
    r = runner.invoke(args=["create-user", name, "--role", "planner", "--area", "410102",
                            "--password", PASSWORD])
    assert r.exit_code == 0, r.output
    bad = runner.invoke(args=["create-user", unique("cli-x"), "--role", "planner",
                              "--area", "999999", "--password", PASSWORD])
    assert bad.exit_code != 0
    with unit_of_work(sessions) as s:
        assert s.execute(text("SELECT area_adcode FROM users WHERE username = :u"),
                         {"u": name}).scalar_one() == "410102"
        s.execute(text("DELETE FROM users WHERE username = :u"), {"u": name})
