"""Sessions, CSRF, cookies, rate limit, tokens, uploads, validation and server errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cctvscope.web import audit
from cctvscope.web.app import create_app
from cctvscope.web.security import (
    SESSION_COOKIE,
    Session,
    decode_session,
    encode_session,
)
from tests.reliability.malformed import sheet_xml, xfd_workbook, xlsx_parts, zipped
from tests.web.conftest import CAMDEN, CSRF_RE, ROLES, csrf_of, login


def _login_form(client: TestClient, username: str, password: str):
    token = CSRF_RE.search(client.get("/login").text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_login_page_has_the_form(clients):
    page = clients["anonymous"].get("/login").text
    for needle in ('name="username"', 'name="password"', 'name="csrf_token"', 'type="submit"'):
        assert needle in page


def test_login_wrong_password_is_401_and_audited(env):
    client = TestClient(env.app)
    username = env.users["analyst"][0]
    response = _login_form(client, username, "not the password")
    assert response.status_code == 401
    assert "wrong username or password" in response.text
    rows = audit.entries(env.engine, action=audit.LOGIN_FAILED, limit=5)
    assert rows[0].username == username


def test_login_success_is_audited_and_redirects_home(env):
    username, password = env.users["police"]
    response = _login_form(TestClient(env.app), username, password)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert audit.entries(env.engine, action=audit.LOGIN, limit=1)[0].username == username


def test_login_next_is_local_only(env):
    username, password = env.users["analyst"]
    client = TestClient(env.app)
    token = CSRF_RE.search(client.get("/login").text).group(1)
    data = {"username": username, "password": password, "csrf_token": token}
    evil = client.post("/login", data=data | {"next": "//evil.example/"}, follow_redirects=False)
    assert evil.headers["location"] == "/"


def test_login_rate_limited_per_username_and_ip(env):
    client = TestClient(env.app, client=("192.0.2.5", 50000))
    username, password = env.users["business"]
    codes = [_login_form(client, username, "wrong password!").status_code for _ in range(5)]
    assert codes == [401] * 5
    blocked = _login_form(client, username, password)  # even the right password now waits
    assert blocked.status_code == 429
    other = _login_form(client, env.users["admin"][0], env.users["admin"][1])
    assert other.status_code == 303  # another username is not blocked
    env.app.state.cctvscope.limiter.succeeded(username, "192.0.2.5")


def test_password_spraying_from_one_address_is_throttled(env):
    """25 usernames, one wrong password each, from one address: after the per-IP limit
    (20 in the tests' settings) every further try is 429, even for a real account with its
    right password; another address is not affected."""
    limit = env.settings.login_ip_rate_limit
    sprayer = TestClient(env.app, client=("198.51.100.7", 50000))
    codes = [_login_form(sprayer, f"user{n:02d}", "Summer2026!!").status_code for n in range(25)]
    assert codes == [401] * limit + [429] * (25 - limit)
    username, password = env.users["analyst"]
    assert _login_form(sprayer, username, password).status_code == 429
    elsewhere = TestClient(env.app, client=("198.51.100.8", 50000))
    assert _login_form(elsewhere, username, password).status_code == 303
    limited = audit.entries(env.engine, action=audit.LOGIN_FAILED, limit=5)
    assert all(e.ip == "198.51.100.7" and e.detail["reason"] == "rate limited" for e in limited)


def test_post_without_csrf_token_is_403(clients, env):
    client = clients["analyst"]
    assert client.post("/options/run", data={"room_counts": "2"}).status_code == 403
    wrong = {"room_counts": "2", "csrf_token": "forged"}
    assert client.post("/options/run", data=wrong).status_code == 403
    body = {"room_counts": [2]}
    assert client.post("/api/options/control-rooms", json=body).status_code == 403
    # an anonymous login post without the token is refused too
    fresh = TestClient(env.app)
    data = {"username": "admin", "password": env.users["admin"][1]}
    assert fresh.post("/login", data=data).status_code == 403


def test_token_authenticated_writes_need_no_csrf(env):
    client = TestClient(env.app)
    headers = {"Authorization": f"Bearer {env.tokens['analyst']}"}
    response = client.post(
        "/api/options/control-rooms", json={"room_counts": [1], "time_limit_s": 5}, headers=headers
    )
    assert response.status_code == 202
    job = env.app.state.cctvscope.jobs.wait(response.json()["id"])
    assert job.state == "done"


def test_bad_token_is_401(env):
    client = TestClient(env.app)
    response = client.get("/api/overview", headers={"Authorization": "Bearer cst_nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_tampered_or_expired_session_is_anonymous(env):
    secret = env.settings.secret_key
    admin_id = 1
    forged = encode_session(Session.new(admin_id), "another secret")
    client = TestClient(env.app, cookies={SESSION_COOKIE: forged})
    assert client.get("/api/me").status_code == 401
    old = Session(admin_id, "csrf", 0.0)
    assert decode_session(encode_session(old, secret), secret, 60.0) is None


def _session_cookie_header(response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert headers
    return headers[-1].lower()


def test_cookie_flags_http(env):
    username, password = env.users["analyst"]
    cookie = _session_cookie_header(_login_form(TestClient(env.app), username, password))
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie


def test_cookie_secure_over_https(env):
    client = TestClient(env.app, base_url="https://testserver")
    username, password = env.users["analyst"]
    cookie = _session_cookie_header(_login_form(client, username, password))
    assert "secure" in cookie
    assert "httponly" in cookie


def test_cookie_secure_when_configured(env):
    settings = env.settings.model_copy(update={"secure_cookies": True})
    client = TestClient(create_app(settings))
    assert "secure" in _session_cookie_header(client.get("/login"))


@pytest.mark.parametrize("role", ROLES)
def test_logout_for_every_role(env, role):
    client = login(TestClient(env.app), *env.users[role])
    assert client.get("/api/me").json()["role"] == role
    assert client.post("/logout", data={}).status_code == 403  # no CSRF token
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(client, env)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/api/me").status_code == 401


def test_anonymous_page_redirects_to_login(clients):
    response = clients["anonymous"].get("/cameras", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/cameras"


def _upload(client, env, name: str, content: bytes, media: str):
    files = {"file": (name, content, media)}
    data = {"borough": CAMDEN, "csrf_token": csrf_of(client, env)}
    return client.post("/survey/preview", data=data, files=files)


def test_upload_over_the_limit_is_413(clients, env):
    limit = env.settings.max_upload_bytes
    big = b"camera_id,lon,lat\n" + b"x" * (limit + 10)
    assert _upload(clients["borough_manager"], env, "big.csv", big, "text/csv").status_code == 413
    api = clients["borough_manager"].post(
        "/api/survey/preview",
        data={"borough": CAMDEN},
        files={"file": ("big.csv", big, "text/csv")},
        headers={"X-CSRF-Token": csrf_of(clients["borough_manager"], env)},
    )
    assert api.status_code == 413
    assert api.json()["detail"] == f"the file is over the {limit:,}-byte limit"
    huge = big + b"y" * 200_000  # over the body limit: refused before it is read
    page = _upload(clients["borough_manager"], env, "huge.csv", huge, "text/csv")
    assert page.status_code == 413
    assert "request body over" in page.text


def test_upload_wrong_type_is_415(clients, env):
    client = clients["borough_manager"]
    assert (
        _upload(client, env, "survey.exe", b"MZ\x00", "application/octet-stream").status_code == 415
    )
    assert (
        _upload(client, env, "survey.xlsx", b"not a zip", "application/vnd.ms-excel").status_code
        == 415
    )
    assert _upload(client, env, "survey.csv", b"a,b\x00\n", "text/csv").status_code == 415


def test_upload_past_a_reading_limit_is_413_with_the_finding(clients, env):
    client = clients["borough_manager"]
    far = '<c r="XFD2" t="inlineStr"><is><t>far</t></is></c>'
    wide = zipped(xlsx_parts(sheet_xml(extra_cells=far)))
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page = _upload(client, env, "wide.xlsx", wide, media)
    assert page.status_code == 413
    assert "over the limit of 1,000 columns" in page.text
    api = client.post(
        "/api/survey/preview",
        data={"borough": CAMDEN},
        files={"file": ("wide.xlsx", wide, media)},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert api.status_code == 413
    assert "row 1 has a value in column 16,384" in api.json()["detail"]
    # The workbook whose sheet claims XFD1048576 is read as it is: findings, not a 500.
    claims = _upload(client, env, "xfd.xlsx", xfd_workbook(), media)
    assert claims.status_code == 200
    assert '<table class="findings' in claims.text


def test_manager_may_not_survey_another_borough(clients, env):
    client = clients["borough_manager"]
    files = {"file": ("s.csv", b"camera_id,lon,lat\nx,-0.13,51.51\n", "text/csv")}
    data = {"borough": "E09000033", "csrf_token": csrf_of(client, env)}
    assert client.post("/survey/preview", data=data, files=files).status_code == 403


def test_invalid_json_body_is_422_with_the_field(env):
    client = TestClient(env.app)
    headers = {"Authorization": f"Bearer {env.tokens['business']}"}
    response = client.post(
        "/api/registrations", json={"lon_deg": "east", "contact": "x"}, headers=headers
    )
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("body", "lon_deg") in fields
    assert ("body", "heading_deg") in fields


def test_server_error_is_generic(env, monkeypatch):
    from cctvscope.web import views

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(views, "overview", boom)
    client = TestClient(env.app, raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {env.tokens['admin']}"}
    api = client.get("/api/overview", headers=headers)
    assert api.status_code == 500
    assert api.json() == {"detail": "internal server error; the log has the details"}
    page = client.get("/", headers=headers)
    assert page.status_code == 500
    for leak in ("Traceback", "RuntimeError", "secret internals"):
        assert leak not in api.text
        assert leak not in page.text


def test_security_headers(clients):
    response = clients["analyst"].get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_leaflet_is_served_from_the_package(clients):
    js = clients["anonymous"].get("/vendor/leaflet/leaflet.js")
    assert js.status_code == 200
    assert "Leaflet" in js.text[:500]
    assert (
        clients["anonymous"].get("/vendor/markercluster/leaflet.markercluster.js").status_code
        == 200
    )
    page = clients["analyst"].get("/").text
    assert "unpkg" not in page and "cdn" not in page.lower() and "tile" not in page.lower()
