"""Sessions end on the server: a cookie saved before logout, a password change or the
account being disabled no longer answers (issue 16, item 1)."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient

from cctvscope.web.accounts import add_user
from cctvscope.web.security import SESSION_COOKIE, Session, encode_session
from tests.web.conftest import csrf_of, login


def _new_user(env, role: str = "analyst") -> tuple[str, str]:
    username, password = f"sess-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    add_user(env.engine, username, password, role)
    return username, password


def _replay(env, cookie: str) -> int:
    """The status of /api/me for a fresh client holding only ``cookie``."""
    with TestClient(env.app, cookies={SESSION_COOKIE: cookie}) as client:
        return client.get("/api/me").status_code


def test_a_cookie_saved_before_logout_is_refused_after_it(env):
    client = login(TestClient(env.app), *_new_user(env))
    saved = client.cookies.get(SESSION_COOKIE)
    assert _replay(env, saved) == 200
    client.post("/logout", data={"csrf_token": csrf_of(client, env)}, follow_redirects=False)
    assert _replay(env, saved) == 401


def test_a_password_change_ends_every_session_of_the_user(env):
    username, password = _new_user(env)
    first = login(TestClient(env.app), username, password)
    second = login(TestClient(env.app), username, password)
    other = login(TestClient(env.app), *_new_user(env))
    new_password = secrets.token_urlsafe(12)
    wrong = first.post(
        "/api/me/password",
        json={"current_password": "not it at all", "new_password": new_password},
        headers={"X-CSRF-Token": csrf_of(first, env)},
    )
    assert wrong.status_code == 403
    assert second.get("/api/me").status_code == 200
    changed = first.post(
        "/api/me/password",
        json={"current_password": password, "new_password": new_password},
        headers={"X-CSRF-Token": csrf_of(first, env)},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"username": username, "active": True, "sessions_ended": 2}
    assert first.get("/api/me").status_code == 401
    assert second.get("/api/me").status_code == 401
    assert other.get("/api/me").status_code == 200  # another user's session is untouched
    login(TestClient(env.app), username, new_password)


def test_a_short_new_password_is_422_and_changes_nothing(env):
    username, password = _new_user(env)
    client = login(TestClient(env.app), username, password)
    response = client.post(
        "/api/me/password",
        json={"current_password": password, "new_password": "short"},
        headers={"X-CSRF-Token": csrf_of(client, env)},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_password"]
    assert client.get("/api/me").status_code == 200


def test_disabling_an_account_ends_its_sessions(env):
    username, password = _new_user(env, "police")
    client = login(TestClient(env.app), username, password)
    saved = client.cookies.get(SESSION_COOKIE)
    admin = {"Authorization": f"Bearer {env.tokens['admin']}"}
    with TestClient(env.app) as api:
        off = api.post(f"/api/users/{username}/active?active=false", headers=admin)
        assert off.json() == {"username": username, "active": False, "sessions_ended": 1}
        assert _replay(env, saved) == 401
        on = api.post(f"/api/users/{username}/active?active=true", headers=admin)
        assert on.json()["active"] is True
        assert _replay(env, saved) == 401  # re-enabling does not revive the old session
        assert (
            api.post("/api/users/nobody-here/active?active=false", headers=admin).status_code == 404
        )
        admin_name = env.users["admin"][0]
        own = api.post(f"/api/users/{admin_name}/active?active=false", headers=admin)
        assert own.status_code == 409
    login(TestClient(env.app), username, password)


def test_only_an_admin_may_disable_an_account(clients, env):
    username, _ = _new_user(env)
    response = clients["analyst"].post(
        f"/api/users/{username}/active?active=false",
        headers={"X-CSRF-Token": csrf_of(clients["analyst"], env)},
    )
    assert response.status_code == 403


def test_a_signed_cookie_without_a_stored_session_is_anonymous(env):
    """A cookie signed with the right key but naming no open session (one made before
    sessions were stored, or with an invented id) does not log anyone in."""
    secret = env.settings.secret_key
    assert _replay(env, encode_session(Session(1, "csrf", Session.new(1).issued_at), secret)) == 401
    assert _replay(env, encode_session(Session.new(1), secret)) == 401
