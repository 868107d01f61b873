"""Every route × every role (and anonymous): allowed roles get 2xx/3xx, others are refused.

Routes are collected from ``app.routes``: a route with no entry in MATRIX (or EXEMPT,
with the test that covers it) fails ``test_every_route_has_a_matrix_entry``. Writes
run last so the reads above them share one loaded estate version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from cctvscope.web.job_work import control_rooms_work
from cctvscope.web.schemas import OptionsRequest
from cctvscope.web.security import SESSION_COOKIE
from tests.web.conftest import CAMDEN, ROLES, csrf_of

ALL = frozenset(ROLES)
PUBLIC = ALL | {"anonymous"}
READER = frozenset({"admin", "analyst", "borough_manager"})
ANALYST = frozenset({"admin", "analyst"})
POLICE = frozenset({"admin", "police"})
SURVEYOR = frozenset({"admin", "borough_manager"})
REGISTRY = frozenset({"admin", "police", "business"})
BUSINESS = frozenset({"business"})
ADMIN = frozenset({"admin"})
#: A council camera of Camden (public): every camera reader but a business may open it.
CAMDEN_CAMERA = "cam-E09000007-c00001"
CAMERA_READERS = frozenset({"admin", "analyst", "borough_manager", "police"})

Call = Callable[..., object]


@dataclass(frozen=True)
class Entry:
    """How to call a route, and who may."""

    allowed: frozenset[str]
    call: Call
    write: bool = False


def get(path: str) -> Call:
    return lambda client, env: client.get(path, follow_redirects=False)


def survey_csv() -> bytes:
    camera = f"RM-{uuid.uuid4().hex[:10]}"
    return (
        f"camera_id,lon,lat,owner_type,operator\n{camera},-0.1426,51.5392,council,Camden Council\n"
    ).encode()


def survey_form(client, env):
    files = {"file": ("survey.csv", survey_csv(), "text/csv")}
    data = {"borough": CAMDEN, "csrf_token": csrf_of(client, env)}
    return client.post("/survey/preview", data=data, files=files, follow_redirects=False)


def survey_api(client, env):
    files = {"file": ("survey.csv", survey_csv(), "text/csv")}
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    return client.post(
        "/api/survey/preview", data={"borough": CAMDEN}, files=files, headers=headers
    )


def _upload_id(client, env) -> str:
    preview = survey_api(client, env)
    return preview.json()["upload_id"] if preview.status_code == 200 else "x" * 22


def survey_findings(client, env):
    """The findings CSV of the caller's own preview (anonymous: of none)."""
    upload_id = _upload_id(client, env) if client.cookies.get(SESSION_COOKIE) else "x" * 22
    return client.get(f"/api/survey/{upload_id}/findings.csv")


def finished(env, response):
    """The response of a call that started a job, once the job has finished (a job left
    running would save a version under the next test)."""
    location = response.headers.get("location", "")
    if response.status_code == 202:
        env.app.state.cctvscope.jobs.wait(response.json()["id"])
    elif response.status_code == 303 and location.startswith("/jobs/"):
        env.app.state.cctvscope.jobs.wait(location.removeprefix("/jobs/"))
    return response


def survey_confirm_form(client, env):
    data = {"upload_id": _upload_id(client, env), "csrf_token": csrf_of(client, env)}
    return finished(env, client.post("/survey/confirm", data=data, follow_redirects=False))


def survey_import_job(client, env):
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    body = {"upload_id": _upload_id(client, env)}
    return finished(env, client.post("/api/jobs/survey-import", json=body, headers=headers))


def survey_confirm_api(client, env):
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    body = {"upload_id": _upload_id(client, env)}
    return client.post("/api/survey/confirm", json=body, headers=headers)


REGISTRATION = {
    "lon_deg": -0.1410,
    "lat_deg": 51.5400,
    "heading_deg": 90,
    "hfov_deg": 70,
    "resolution_h_px": 1920,
    "resolution_v_px": 1080,
    "retention_days": 31,
    "contact": "shop@example.org",
    "consent_contact": True,
    "consent_share": True,
}


def register_form(client, env):
    data = {k: str(v) for k, v in REGISTRATION.items() if not isinstance(v, bool)}
    data |= {"consent_share": "on", "csrf_token": csrf_of(client, env)}
    return finished(env, client.post("/registrations", data=data, follow_redirects=False))


def register_job(client, env):
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    return finished(env, client.post("/api/jobs/registration", json=REGISTRATION, headers=headers))


def register_api(client, env):
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    return client.post("/api/registrations", json=REGISTRATION, headers=headers)


def options_form(client, env):
    data = {"room_counts": "2", "csrf_token": csrf_of(client, env)}
    return client.post("/options/run", data=data, follow_redirects=False)


def options_api(client, env):
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    body = {"room_counts": [2], "time_limit_s": 5}
    return client.post("/api/options/control-rooms", json=body, headers=headers)


def options_job(client, env):
    state = env.app.state.cctvscope
    jobs = state.jobs.all("control_rooms")
    if not jobs:
        estate = state.data.current().estate
        request = OptionsRequest(room_counts=[2])
        work = control_rooms_work(request, lambda: estate)
        jobs = [state.jobs.submit("control_rooms", "admin", request.model_dump(), work)]
    return client.get(f"/api/options/control-rooms/{jobs[0].id}")


def run_job(path: str) -> Call:
    """GET a control-room run's ``path`` (``{id}`` filled in; readable by analysts)."""

    def call(client, env):
        state = env.app.state.cctvscope
        jobs = state.jobs.all("control_rooms")
        if not jobs:
            options_job(client, env)
            jobs = state.jobs.all("control_rooms")
        return client.get(path.format(id=jobs[0].id), follow_redirects=False)

    return call


def disable_user(client, env):
    """Disable a throwaway account (made here, so no other test's user is touched)."""
    from cctvscope.web.accounts import add_user

    username = f"rm-{uuid.uuid4().hex[:10]}"
    add_user(env.engine, username, uuid.uuid4().hex, "analyst")
    headers = {"X-CSRF-Token": csrf_of(client, env)}
    return client.post(f"/api/users/{username}/active?active=false", headers=headers)


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/login"): Entry(PUBLIC, get("/login")),
    ("GET", "/healthz"): Entry(PUBLIC, get("/healthz")),
    ("GET", "/api/openapi.json"): Entry(PUBLIC, get("/api/openapi.json")),
    ("GET", "/"): Entry(ALL, get("/")),
    ("GET", "/api/overview"): Entry(ALL, get("/api/overview")),
    ("GET", "/api/me"): Entry(ALL, get("/api/me")),
    ("GET", "/boroughs/{code}"): Entry(READER, get(f"/boroughs/{CAMDEN}")),
    ("GET", "/api/boroughs/{code}"): Entry(READER, get(f"/api/boroughs/{CAMDEN}")),
    ("GET", "/cameras"): Entry(ALL, get("/cameras")),
    ("GET", "/api/cameras"): Entry(ALL, get("/api/cameras")),
    ("GET", "/api/cameras.{fmt}"): Entry(ALL, get("/api/cameras.geojson")),
    ("GET", "/cameras/{camera_id}"): Entry(CAMERA_READERS, get(f"/cameras/{CAMDEN_CAMERA}")),
    ("GET", "/api/cameras/{camera_id}/wedges"): Entry(
        CAMERA_READERS, get(f"/api/cameras/{CAMDEN_CAMERA}/wedges")
    ),
    ("GET", "/api/layers/wedges"): Entry(
        ALL, get("/api/layers/wedges?bbox=-0.1430,51.5380,-0.1420,51.5390")
    ),
    ("GET", "/api/cameras/{camera_id}"): Entry(
        CAMERA_READERS, get(f"/api/cameras/{CAMDEN_CAMERA}")
    ),
    ("GET", "/api/layers/boroughs"): Entry(ALL, get("/api/layers/boroughs")),
    ("GET", "/api/layers/cameras"): Entry(ALL, get("/api/layers/cameras")),
    ("GET", "/api/layers/coverage/{layer}"): Entry(READER, get("/api/layers/coverage/gaps")),
    ("GET", "/api/layers/basemap"): Entry(ALL, get("/api/layers/basemap")),
    ("GET", "/tiles/basemap/{z}/{x}/{y}.geojson"): Entry(
        ALL, get("/tiles/basemap/14/8186/5446.geojson")
    ),
    ("GET", "/tiles/coverage/{z}/{x}/{y}.geojson"): Entry(
        READER, get("/tiles/coverage/12/2046/1361.geojson")
    ),
    ("GET", "/compliance"): Entry(READER, get("/compliance")),
    ("GET", "/api/compliance"): Entry(READER, get("/api/compliance")),
    ("GET", "/options"): Entry(ANALYST, get("/options")),
    ("GET", "/api/options/control-rooms"): Entry(ANALYST, get("/api/options/control-rooms")),
    ("GET", "/api/options/control-rooms/{job_id}"): Entry(ANALYST, options_job),
    ("GET", "/api/jobs"): Entry(ALL, get("/api/jobs")),
    ("GET", "/api/jobs/{job_id}"): Entry(ANALYST, run_job("/api/jobs/{id}")),
    ("GET", "/jobs/{job_id}"): Entry(ANALYST, run_job("/jobs/{id}")),
    ("GET", "/reports"): Entry(READER, get("/reports")),
    ("GET", "/api/reports"): Entry(READER, get("/api/reports")),
    ("GET", "/reports/{name}"): Entry(READER, get("/reports/control_room_options.csv")),
    ("GET", "/survey"): Entry(SURVEYOR, get("/survey")),
    ("GET", "/registrations"): Entry(REGISTRY, get("/registrations")),
    ("GET", "/api/registrations"): Entry(REGISTRY, get("/api/registrations")),
    ("GET", "/search"): Entry(POLICE, get("/search?x_m=529900&y_m=180500")),
    ("GET", "/api/search"): Entry(POLICE, get("/api/search?x_m=529900&y_m=180500")),
    ("GET", "/audit"): Entry(ADMIN, get("/audit")),
    ("GET", "/api/audit"): Entry(ADMIN, get("/api/audit")),
    ("GET", "/api/audit.csv"): Entry(ADMIN, get("/api/audit.csv")),
    ("GET", "/compliance/rules/{rule_id}"): Entry(READER, get("/compliance/rules/IQ-01")),
    ("GET", "/api/compliance/rules/{rule_id}"): Entry(READER, get("/api/compliance/rules/IQ-01")),
    ("POST", "/options/run"): Entry(ANALYST, options_form),
    ("POST", "/api/options/control-rooms"): Entry(ANALYST, options_api),
    ("POST", "/survey/preview"): Entry(SURVEYOR, survey_form),
    ("POST", "/api/survey/preview"): Entry(SURVEYOR, survey_api),
    ("GET", "/api/survey/{upload_id}/findings.csv"): Entry(SURVEYOR, survey_findings),
    ("POST", "/survey/confirm"): Entry(SURVEYOR, survey_confirm_form, write=True),
    ("POST", "/api/survey/confirm"): Entry(SURVEYOR, survey_confirm_api, write=True),
    ("POST", "/api/jobs/survey-import"): Entry(SURVEYOR, survey_import_job, write=True),
    ("POST", "/registrations"): Entry(BUSINESS, register_form, write=True),
    ("POST", "/api/jobs/registration"): Entry(BUSINESS, register_job, write=True),
    ("POST", "/api/registrations"): Entry(BUSINESS, register_api, write=True),
    ("POST", "/api/users/{username}/active"): Entry(ADMIN, disable_user, write=True),
}

#: Routes covered by their own tests (they change the caller's session).
EXEMPT = {
    ("POST", "/login"): "test_security.py::test_login_* and the clients fixture",
    ("POST", "/logout"): "test_security.py::test_logout_for_every_role",
    ("POST", "/api/me/password"): "test_sessions.py::test_a_password_change_ends_every_session*",
}


def flat_routes(routes) -> list[Route]:
    """Routes with included routers expanded (FastAPI >= 0.16x keeps them as one entry;
    the routers of this app have no prefix)."""
    out: list[Route] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            out += flat_routes(included.routes)
        elif not isinstance(route, Mount):  # static files: public by design
            assert isinstance(route, APIRoute | Route), route
            out.append(route)
    return out


def app_routes(app) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in flat_routes(app.routes)
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_every_route_has_a_matrix_entry(env):
    routes = app_routes(env.app)
    missing = routes - set(MATRIX) - set(EXEMPT)
    assert not missing, f"routes without a role-matrix entry: {sorted(missing)}"
    stale = (set(MATRIX) | set(EXEMPT)) - routes
    assert not stale, f"matrix entries for routes that do not exist: {sorted(stale)}"


CASES = sorted(
    ((key, role) for key in MATRIX for role in (*ROLES, "anonymous")),
    key=lambda case: (MATRIX[case[0]].write, case[0]),
)


@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{k[0]} {k[1]} {r}" for k, r in CASES])
def test_route_for_role(clients, env, key, role):
    entry = MATRIX[key]
    response = entry.call(clients[role], env)
    code = response.status_code
    api = key[1].startswith(("/api/", "/tiles/")) and key[1] != "/api/openapi.json"
    if role in entry.allowed:
        assert 200 <= code < 400, f"{role} refused on {key}: {code} {response.text[:300]}"
    elif role == "anonymous":
        if api:
            assert code == 401, f"anonymous got {code} on {key}"
        else:
            assert code in (303, 403), f"anonymous got {code} on {key}"
            if code == 303:
                assert response.headers["location"].startswith("/login")
    else:
        # A camera or a job another may not see is 404: its existence is not revealed.
        hidden = "{camera_id}" in key[1] or "{job_id}" in key[1]
        refused = (403, 404) if hidden else (403,)
        assert code in refused, f"{role} got {code} on {key}: {response.text[:300]}"
