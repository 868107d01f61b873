"""Long actions as jobs: progress in the store, read by any app over it; the survey confirm
and registration forms run as jobs and show their result on the job's page."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cctvscope.web import intake
from cctvscope.web.accounts import user_for_token
from cctvscope.web.app import create_app
from cctvscope.web.jobs import JobFailedError
from cctvscope.web.settings import WebSettings
from tests.web.conftest import CAMDEN, WebEnv, csrf_of, login

SURVEY = (
    "camera_id,location_text,lon,lat,owner_type,operator,mount_height_m,heading_deg,hfov_deg\n"
    "{id},Camden High Street,-0.1426,51.5392,council,Camden Council,6,90,70\n"
)


def store_copy(env: WebEnv, folder: Path) -> WebSettings:
    """Settings of a copy of the test store (its accounts and tokens included): a test
    that writes versions there leaves the shared store as it was."""
    source = env.settings.database_url.removeprefix("sqlite:///")
    target = folder / "copy.db"
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    return env.settings.model_copy(update={"database_url": f"sqlite:///{target}"})


@pytest.fixture
def two_apps(env, tmp_path):
    """Two apps over one copied store, as two server processes would be."""
    settings = store_copy(env, tmp_path)
    first, second = create_app(settings), create_app(settings)
    yield first, second
    for app in (first, second):
        app.state.cctvscope.jobs.shutdown()


def bearer(env: WebEnv, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.tokens[role]}"}


def test_progress_is_in_the_store_for_every_app(two_apps):
    first, second = two_apps
    halfway, release = threading.Event(), threading.Event()

    def work(progress):
        progress(0.4, "halfway there")
        halfway.set()
        assert release.wait(30)
        return "all done", {"answer": 42}

    job = first.state.cctvscope.jobs.submit("registration", "business", {"n": 1}, work)
    assert halfway.wait(30)
    seen = second.state.cctvscope.jobs.get(job.id)  # the other process reads the store
    assert (seen.state, seen.progress, seen.message) == ("running", 0.4, "halfway there")
    assert seen.request == {"n": 1}
    release.set()
    done = second.state.cctvscope.jobs.wait(job.id, 30)
    assert (done.state, done.progress, done.message) == ("done", 1.0, "all done")
    assert done.result == {"answer": 42}


def test_a_refused_job_fails_with_its_reason(two_apps):
    first, _ = two_apps

    def work(progress):
        raise JobFailedError("the estate changed meanwhile; nothing was saved")

    jobs = first.state.cctvscope.jobs
    job = jobs.wait(jobs.submit("survey_import", "camden", {}, work).id, 30)
    assert (job.state, job.message) == ("failed", "the estate changed meanwhile; nothing was saved")
    assert job.result is None


def test_a_control_room_run_is_answered_by_another_process(env, two_apps):
    first, second = two_apps
    started = TestClient(first).post(
        "/api/options/control-rooms",
        json={"room_counts": [1], "time_limit_s": 10},
        headers=bearer(env, "analyst"),
    )
    assert started.status_code == 202
    job_id = started.json()["id"]
    first.state.cctvscope.jobs.wait(job_id, 120)
    other = TestClient(second)
    run = other.get(f"/api/options/control-rooms/{job_id}", headers=bearer(env, "analyst"))
    assert run.status_code == 200, run.text
    assert (run.json()["state"], run.json()["progress"]) == ("done", 1.0)
    assert [o["rooms"] for o in run.json()["options"]] == [1]
    listed = other.get("/api/options/control-rooms", headers=bearer(env, "admin")).json()
    assert job_id in [j["id"] for j in listed["jobs"]]
    # a job is its starter's (and an admin's; a run every analyst's): others get 404
    assert other.get(f"/api/jobs/{job_id}", headers=bearer(env, "admin")).status_code == 200
    for role in ("police", "business", "borough_manager"):
        assert other.get(f"/api/jobs/{job_id}", headers=bearer(env, role)).status_code == 404


def test_the_survey_form_imports_as_a_job_and_shows_the_result(env, two_apps):
    first, second = two_apps
    client = login(TestClient(first), *env.users["borough_manager"])
    csrf = {"X-CSRF-Token": csrf_of(client, env)}
    headers = bearer(env, "borough_manager")
    files = {"file": ("camden.csv", SURVEY.format(id="JOB-SV-1").encode(), "text/csv")}
    preview = client.post(
        "/api/survey/preview", data={"borough": CAMDEN}, files=files, headers=csrf
    )
    assert preview.json()["can_confirm"] is True, preview.text
    before = second.state.cctvscope.data.latest_version()
    form = {"upload_id": preview.json()["upload_id"], "csrf_token": csrf_of(client, env)}
    posted = client.post("/survey/confirm", data=form, follow_redirects=False)
    assert posted.status_code == 303
    job_id = posted.headers["location"].removeprefix("/jobs/")
    first.state.cctvscope.jobs.wait(job_id, 120)
    status = TestClient(second).get(f"/api/jobs/{job_id}", headers=headers).json()
    assert (status["kind"], status["state"], status["progress"]) == ("survey_import", "done", 1.0)
    assert status["result"]["estate"]["version"] == before + 1
    assert status["result"]["imported"] == 1
    assert second.state.cctvscope.data.latest_version() == before + 1
    page = TestClient(second).get(f"/jobs/{job_id}", headers=headers)
    assert f"Imported 1 cameras into estate london version {before + 1}" in page.text
    assert [j["id"] for j in client.get("/api/jobs").json()] == [job_id]


def test_a_running_job_page_shows_its_progress(env, two_apps):
    first, _ = two_apps
    release = threading.Event()

    def work(progress):
        progress(0.25, "saving a new estate version")
        assert release.wait(30)
        return "done", {}

    jobs = first.state.cctvscope.jobs
    job = jobs.submit("registration", "business", {}, work)
    try:
        while jobs.get(job.id).progress < 0.25:
            release.wait(0.05)
        page = TestClient(first).get(f"/jobs/{job.id}", headers=bearer(env, "business"))
        assert page.status_code == 200
        assert 'id="job-progress" max="1" value="0.25"' in page.text
        assert "running: saving a new estate version" in page.text
        assert '<script src="/static/jobs.js"></script>' in page.text
    finally:
        release.set()
        jobs.wait(job.id, 30)


def test_the_registration_job_registers_the_camera(env, two_apps):
    first, _ = two_apps
    client = TestClient(first)
    body = {
        "lon_deg": -0.1410, "lat_deg": 51.5400, "heading_deg": 90, "hfov_deg": 70,
        "resolution_h_px": 1920, "resolution_v_px": 1080, "retention_days": 31,
        "contact": "shop@example.org", "consent_contact": True, "consent_share": False,
    }  # fmt: skip
    started = client.post("/api/jobs/registration", json=body, headers=bearer(env, "business"))
    assert started.status_code == 202, started.text
    job = first.state.cctvscope.jobs.wait(started.json()["id"], 120)
    assert job.state == "done", job.message
    camera_id = job.result["camera_id"]
    mine = client.get("/api/registrations", headers=bearer(env, "business")).json()
    assert camera_id in {r["camera_id"] for r in mine}
    page = client.get(f"/jobs/{job.id}", headers=bearer(env, "business"))
    assert f"Registered camera {camera_id}." in page.text


def test_a_survey_import_reports_each_step(env, two_apps):
    first, _ = two_apps
    state = first.state.cctvscope
    files = {"file": ("camden.csv", SURVEY.format(id="JOB-SV-2").encode(), "text/csv")}
    preview = TestClient(first).post(
        "/api/survey/preview",
        data={"borough": CAMDEN},
        files=files,
        headers=bearer(env, "borough_manager"),
    )
    assert preview.json()["can_confirm"] is True, preview.text
    user = user_for_token(state.engine, env.tokens["borough_manager"])
    seen: list[tuple[float, str]] = []
    intake.confirm(
        state,
        user,
        preview.json()["upload_id"],
        ip="127.0.0.1",
        progress=lambda share, text: seen.append((share, text)),
    )
    assert seen == [
        (0.05, f"checking camden.csv against {CAMDEN}"),
        (0.3, "loading the estate"),
        (0.35, "validating camden.csv"),
        (0.45, "planning the merge"),
        (0.6, "saving a new estate version"),
    ]


def test_a_job_whose_process_stopped_reads_as_interrupted(two_apps):
    import datetime as dt

    from cctvscope.store.web_tables import web_jobs
    from cctvscope.web.jobs import INTERRUPTED, STALE_HEARTBEATS, JobRunner

    runner = JobRunner(two_apps[0].state.cctvscope.jobs.engine, heartbeat_s=1.0)
    now = dt.datetime.now(dt.UTC)
    # Written by a process that died: last touched just beyond, and just within, the
    # six missed heartbeats (6 s at 1 s a beat).
    rows = {
        "dead": now - dt.timedelta(seconds=STALE_HEARTBEATS * 1.0 + 30),
        "alive": now - dt.timedelta(seconds=STALE_HEARTBEATS * 1.0 - 30),
    }
    with runner.engine.begin() as connection:
        for job_id, touched in rows.items():
            connection.execute(
                web_jobs.insert().values(
                    id=job_id,
                    kind="registration",
                    username="business",
                    state="running",
                    message="saving",
                    progress=0.5,
                    request={},
                    result=None,
                    created_at=touched,
                    updated_at=touched,
                )
            )
    dead = runner.get("dead")
    assert dead.state == "failed" and dead.finished
    assert dead.message == f"{INTERRUPTED} (saving)"
    assert runner.get("alive").state == "running"
    listed = {j.id: j.state for j in runner.all(username="business")}
    assert listed["dead"] == "failed" and listed["alive"] == "running"


def test_a_running_job_keeps_beating(two_apps):
    from cctvscope.web.jobs import STALE_HEARTBEATS, JobRunner

    runner = JobRunner(two_apps[0].state.cctvscope.jobs.engine, heartbeat_s=0.05)
    started, release = threading.Event(), threading.Event()

    def work(progress):
        started.set()
        assert release.wait(30)
        return "finished", {}

    job = runner.submit("registration", "business", {}, work)
    assert started.wait(30)
    # Three times the stale age passes with no progress reported: the heartbeat alone
    # keeps the job running.
    release.wait(0.05 * STALE_HEARTBEATS * 3)
    assert runner.get(job.id).state == "running"
    release.set()
    assert runner.wait(job.id, timeout_s=30).state == "done"
    runner.shutdown()


def test_jobs_cancelled_by_a_shutdown_say_so(two_apps):
    from cctvscope.web.jobs import JobRunner

    runner = JobRunner(two_apps[0].state.cctvscope.jobs.engine)
    started, release = threading.Event(), threading.Event()

    def first(progress):
        started.set()
        assert release.wait(30)
        return "first done", {}

    running = runner.submit("registration", "business", {}, first)
    queued = runner.submit("registration", "business", {}, lambda p: ("never", {}))
    assert started.wait(30)
    runner.shutdown()
    assert runner.get(queued.id).state == "failed"
    assert runner.get(queued.id).message == "cancelled: the server stopped"
    release.set()
    assert runner.wait(running.id, timeout_s=30).state == "done"


def test_a_preview_on_one_process_is_confirmed_on_another(env, two_apps):
    first, second = (TestClient(app) for app in two_apps)
    headers = bearer(env, "borough_manager")
    files = {"file": ("camden.csv", SURVEY.format(id="TWO-PROC-1").encode(), "text/csv")}
    preview = first.post(
        "/api/survey/preview", data={"borough": CAMDEN}, files=files, headers=headers
    )
    assert preview.json()["can_confirm"] is True, preview.text
    upload_id = preview.json()["upload_id"]
    before = two_apps[1].state.cctvscope.data.latest_version()
    # The findings file and the confirm are answered by the other process.
    findings = second.get(f"/api/survey/{upload_id}/findings.csv", headers=headers)
    assert findings.status_code == 200 and findings.text.startswith("\ufeffseverity,row,field")
    done = second.post("/api/survey/confirm", json={"upload_id": upload_id}, headers=headers)
    assert done.status_code == 200, done.text
    assert (done.json()["imported"], done.json()["estate"]["version"]) == (1, before + 1)
    # Claimed by that confirm: confirming the same upload again finds nothing.
    again = first.post("/api/survey/confirm", json={"upload_id": upload_id}, headers=headers)
    assert again.status_code == 404
