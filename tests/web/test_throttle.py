"""The login rate limit in the store: shared by every app over one store, windows expire,
a good login keeps the address's count."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cctvscope.store.web_tables import login_failures
from cctvscope.web.accounts import add_user
from cctvscope.web.app import create_app
from cctvscope.web.security import UserRole
from cctvscope.web.settings import WebSettings
from cctvscope.web.throttle import LoginThrottle
from tests.web.conftest import CSRF_RE

PASSWORD = "correct horse battery"


def _try(client: TestClient, username: str, password: str) -> int:
    token = CSRF_RE.search(client.get("/login").text).group(1)
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data, follow_redirects=False).status_code


@pytest.fixture
def two_apps(store, tmp_path) -> Iterator[Callable[[str], tuple[TestClient, TestClient]]]:
    """Two app instances (as two server processes) on one store, each asked from an IP."""
    settings = WebSettings(
        database_url=store.url.render_as_string(hide_password=False),
        output_dir=tmp_path / "out",
        secret_key="throttle-test-secret",
        login_rate_limit=5,
        login_window_s=60.0,
        login_ip_rate_limit=20,
        login_ip_window_s=600.0,
    )
    apps = [create_app(settings), create_app(settings)]

    def clients(ip: str) -> tuple[TestClient, TestClient]:
        return TestClient(apps[0], client=(ip, 50000)), TestClient(apps[1], client=(ip, 50001))

    yield clients
    for app in apps:
        app.state.cctvscope.engine.dispose()  # else PostgreSQL connections outlive the test


def test_a_sprayer_is_refused_after_the_limit_whichever_process_it_asks(store, two_apps):
    add_user(store, "ana", PASSWORD, UserRole.ANALYST)
    a, b = two_apps("198.51.100.20")
    sprayed = [_try((a, b)[n % 2], f"user{n:02d}", "Summer2026!!") for n in range(10)]
    assert sprayed == [401] * 10
    # A good login from the address halfway does not give it a fresh budget.
    assert _try(b, "ana", PASSWORD) == 303
    sprayed = [_try((a, b)[n % 2], f"user{n:02d}", "Summer2026!!") for n in range(10, 25)]
    # 20 failures in all (10 on each app): per process it would have been 40.
    assert sprayed == [401] * 10 + [429] * 5
    assert _try(a, "ana", PASSWORD) == 429 and _try(b, "ana", PASSWORD) == 429
    elsewhere, _ = two_apps("198.51.100.21")
    assert _try(elsewhere, "ana", PASSWORD) == 303


def test_one_username_is_refused_after_its_limit_on_either_process(store, two_apps):
    add_user(store, "ana", PASSWORD, UserRole.ANALYST)
    a, b = two_apps("198.51.100.30")
    assert [_try((a, b)[n % 2], "ana", "wrong password!") for n in range(6)] == [401] * 5 + [429]
    assert _try(b, "ana", PASSWORD) == 429  # even the right password waits
    assert _try(a, "bob", "wrong password!") == 401  # another username is not blocked


def _rows(store, ip: str) -> int:
    with store.connect() as connection:
        query = sa.select(sa.func.count()).where(login_failures.c.ip == ip)
        return int(connection.execute(query).scalar_one())


def _throttle(store) -> tuple[LoginThrottle, list[float]]:
    """2 failures per username and IP a minute, 3 per IP in ten minutes, on a clock the
    test moves (the returned list's one item)."""
    now = [1_800_000_000.0]
    throttle = LoginThrottle(store, 2, 60.0, ip_limit=3, ip_window_s=600.0, clock=lambda: now[0])
    return throttle, now


def test_failures_expire_with_their_windows(store):
    throttle, now = _throttle(store)
    ip = "203.0.113.5"
    throttle.failed("Ana", ip)
    throttle.failed("ana", ip)
    assert throttle.blocked("ANA", ip)  # usernames count case-blind
    now[0] += 61  # past the pair's minute: 2 failures left in the address's ten minutes
    assert not throttle.blocked("ana", ip)
    throttle.failed("bob", ip)  # the address's third
    assert throttle.blocked("carol", ip)
    now[0] += 540  # 601 s after the first two: only bob's (540 s old) counts
    assert not throttle.blocked("carol", ip)
    assert _rows(store, ip) == 3
    now[0] += 61  # bob's is 601 s old too; a new failure drops all three
    throttle.failed("dan", ip)
    assert _rows(store, ip) == 1


def test_a_good_login_clears_the_pair_but_not_the_address(store):
    throttle, _ = _throttle(store)
    ip = "203.0.113.6"
    throttle.failed("ana", ip)
    throttle.failed("ana", ip)
    assert throttle.blocked("ana", ip)
    throttle.succeeded("ana", ip)
    assert not throttle.blocked("ana", ip)
    assert not throttle.blocked("ana", "203.0.113.7")  # other addresses never counted
    throttle.failed("bob", ip)  # the address's third failure, the success notwithstanding
    assert throttle.blocked("ana", ip) and throttle.blocked("erin", ip)
