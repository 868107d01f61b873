"""Long actions started as jobs, and their status: the survey confirm and the registration
forms, their JSON twins, and the job pages that follow their progress.

A form starts its job, waits up to :data:`PAGE_WAIT_S` (a small import is done by then)
and sends the browser to the job's page: the result when done, else a progress bar
that ``static/jobs.js`` keeps up to date. A job is readable by whoever started it and
by an admin; control-room runs by every analyst too. Anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from cctvscope.web import intake
from cctvscope.web.accounts import User
from cctvscope.web.deps import (
    AnyUser,
    AppState,
    Business,
    FormCsrf,
    HeaderCsrf,
    State,
    Surveyor,
    WebError,
    client_ip,
)
from cctvscope.web.job_work import failing_as_job, prepare_new_version
from cctvscope.web.jobs import Job, Progress
from cctvscope.web.pages import render
from cctvscope.web.routes_intake import register, registrations_shown
from cctvscope.web.schemas import (
    JobStatus,
    RegistrationIn,
    RegistrationOut,
    SurveyConfirm,
    SurveyResult,
)
from cctvscope.web.security import UserRole

router = APIRouter()
#: How long a form waits for its job before showing the progress page [s].
PAGE_WAIT_S = 2.0


def job_status(job: Job) -> JobStatus:
    """A stored job as the API answers it."""
    return JobStatus(
        id=job.id,
        kind=job.kind,
        state=job.state,
        message=job.message,
        progress=job.progress,
        created_at=job.created_at,
        updated_at=job.updated_at,
        url=f"/jobs/{job.id}",
        result=job.result if job.state == "done" else None,
    )


def readable_job(state: AppState, user: User, job_id: str) -> Job:
    """The job, if ``user`` may read it (404 otherwise: its existence is not revealed)."""
    try:
        job = state.jobs.get(job_id)
    except KeyError:
        job = None
    analyst_run = job is not None and job.kind == "control_rooms" and user.role is UserRole.ANALYST
    if job is None or not (
        job.username == user.username or user.role is UserRole.ADMIN or analyst_run
    ):
        raise WebError(404, f"no job {job_id!r}")
    return job


def start_survey_import(state: AppState, user: User, upload_id: str, ip: str) -> Job:
    """Queue the import of a previewed survey (404 / 422 at once when it cannot be)."""
    entry = intake.confirmable(state, user, upload_id)

    def work(progress: Progress) -> tuple[str, dict[str, Any]]:
        def run() -> SurveyResult:
            return intake.confirm(state, user, upload_id, ip=ip, progress=progress)[0]

        result: SurveyResult = failing_as_job(run)
        prepare_new_version(state, progress)
        return (
            f"imported {result.imported} cameras: estate version {result.estate.version}",
            result.model_dump(mode="json"),
        )

    request = {"upload_id": upload_id, "file": entry.name, "borough": entry.borough}
    return state.jobs.submit("survey_import", user.username, request, work)


def start_registration(state: AppState, user: User, body: RegistrationIn, ip: str) -> Job:
    """Queue a business's camera registration."""

    def work(progress: Progress) -> tuple[str, dict[str, Any]]:
        progress(0.1, "registering the camera and saving a new estate version")
        created: RegistrationOut = failing_as_job(lambda: register(state, ip, user, body))
        prepare_new_version(state, progress)
        return f"registered camera {created.camera_id}", created.model_dump(mode="json")

    return state.jobs.submit("registration", user.username, body.model_dump(mode="json"), work)


def _to_page(state: AppState, job: Job) -> RedirectResponse:
    state.jobs.wait(job.id, PAGE_WAIT_S)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/survey/confirm", include_in_schema=False, dependencies=[FormCsrf])
def survey_confirm_page(
    request: Request,
    state: State,
    user: Surveyor,
    upload_id: Annotated[str, Form(min_length=8, max_length=64)],
) -> Response:
    """Import a previewed survey as a job, and follow it on its page."""
    return _to_page(state, start_survey_import(state, user, upload_id, client_ip(request)))


@router.post("/registrations", include_in_schema=False, dependencies=[FormCsrf])
async def register_page(request: Request, state: State, user: Business) -> Response:
    """Register a camera from the form (a job); errors are shown beside the form (422)."""
    form = await request.form()
    values: dict[str, Any] = {
        k: form.get(k) for k in RegistrationIn.model_fields if form.get(k) not in (None, "")
    }
    for flag in ("consent_contact", "consent_share"):
        values[flag] = form.get(flag) in ("on", "true", "1", "yes")
    try:
        body = RegistrationIn.model_validate(values)
    except ValidationError as exc:
        errors = [
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
        rows = await run_in_threadpool(registrations_shown, state, request, user)
        context = {"rows": rows, "errors": errors, "form": {k: str(v) for k, v in values.items()}}
        return render(request, "registrations.html", user, context, status_code=422)
    job = await run_in_threadpool(start_registration, state, user, body, client_ip(request))
    return await run_in_threadpool(_to_page, state, job)


@router.post(
    "/api/jobs/survey-import",
    response_model=JobStatus,
    status_code=202,
    tags=["jobs"],
    responses={404: {"description": "no such preview"}, 422: {"description": "it had errors"}},
)
def survey_import_job_api(
    request: Request, state: State, user: Surveyor, body: SurveyConfirm, _csrf: None = HeaderCsrf
) -> JobStatus:
    """Import a previewed survey as a job (``POST /api/survey/confirm`` waits instead);
    poll ``GET /api/jobs/{id}``: its result is the confirm's answer."""
    return job_status(start_survey_import(state, user, body.upload_id, client_ip(request)))


@router.post("/api/jobs/registration", response_model=JobStatus, status_code=202, tags=["jobs"])
def registration_job_api(
    request: Request, state: State, user: Business, body: RegistrationIn, _csrf: None = HeaderCsrf
) -> JobStatus:
    """Register a camera as a job (``POST /api/registrations`` waits instead); poll
    ``GET /api/jobs/{id}``: its result is the registration."""
    return job_status(start_registration(state, user, body, client_ip(request)))


@router.get("/api/jobs", response_model=list[JobStatus], tags=["jobs"])
def jobs_api(state: State, user: AnyUser) -> list[JobStatus]:
    """The caller's jobs, newest first (an admin's: everyone's)."""
    mine = None if user.role is UserRole.ADMIN else user.username
    return [job_status(j) for j in state.jobs.all(username=mine)]


@router.get(
    "/api/jobs/{job_id}",
    response_model=JobStatus,
    tags=["jobs"],
    responses={404: {"description": "no such job"}},
)
def job_api(state: State, user: AnyUser, job_id: str) -> JobStatus:
    """A job's state, status line, progress [0-1] and, when done, result."""
    return job_status(readable_job(state, user, job_id))


@router.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(request: Request, state: State, user: AnyUser, job_id: str) -> Response:
    """A job's progress; once done, its result as the action's own page shows it."""
    job = readable_job(state, user, job_id)
    if job.state == "done" and job.result is not None:
        if job.kind == "survey_import":
            result = SurveyResult.model_validate(job.result)
            return render(request, "survey_done.html", user, {"result": result})
        if job.kind == "registration":
            created = RegistrationOut.model_validate(job.result)
            rows = registrations_shown(state, request, user)
            context = {"rows": rows, "errors": [], "form": {}, "created": created}
            return render(request, "registrations.html", user, context)
        if job.kind == "control_rooms":
            return RedirectResponse(f"/options?job={job.id}", status_code=303)
    return render(request, "job.html", user, {"job": job_status(job)})
