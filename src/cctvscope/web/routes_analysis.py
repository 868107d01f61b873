"""Compliance by rule, the control-room options explorer, and the reports."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from cctvscope.web import audit
from cctvscope.web.accounts import User
from cctvscope.web.compliance_rules import rule_failures
from cctvscope.web.data import clean, records
from cctvscope.web.deps import Analyst, AppState, FormCsrf, HeaderCsrf, Reader, State, WebError
from cctvscope.web.deps import client_ip as ip_of
from cctvscope.web.job_work import control_rooms_work, options_job
from cctvscope.web.pages import render
from cctvscope.web.schemas import (
    ComplianceView,
    OptionRow,
    OptionsJob,
    OptionsRequest,
    OptionsView,
    ReportFile,
    ReportsView,
    RuleFailures,
)
from cctvscope.web.views import compliance_view
from cctvscope.workflows.results import PUBLISHABLE, OutputFile

router = APIRouter()


@router.get("/api/compliance", response_model=ComplianceView, tags=["analyses"])
def compliance_api(state: State, user: Reader) -> ComplianceView:
    """Compliance with london-v1 by rule, and by borough."""
    return compliance_view(state.data, user)


@router.get("/compliance", response_class=HTMLResponse, include_in_schema=False)
def compliance_page(request: Request, state: State, user: Reader) -> Response:
    """Compliance by rule."""
    return render(request, "compliance.html", user, {"view": compliance_view(state.data, user)})


RuleId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="Rule id")]
FailPage = Annotated[int, Query(ge=1, le=100_000)]


@router.get("/api/compliance/rules/{rule_id}", response_model=RuleFailures, tags=["analyses"])
def rule_api(
    state: State,
    user: Reader,
    rule_id: RuleId,
    page: FailPage = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RuleFailures:
    """One rule in words, and the cameras (that you may see) failing it, with why."""
    return rule_failures(state.data, user, rule_id, page, page_size)


@router.get("/compliance/rules/{rule_id}", response_class=HTMLResponse, include_in_schema=False)
def rule_page(
    request: Request, state: State, user: Reader, rule_id: RuleId, page: FailPage = 1
) -> Response:
    """One rule and its failing cameras."""
    view = rule_failures(state.data, user, rule_id, page, 100)
    return render(request, "rule.html", user, {"view": view})


def _stored_options(state: AppState) -> list[OptionRow]:
    table = state.data.output_csv(OutputFile.CONTROL_ROOM_OPTIONS)
    if table is None:
        return []
    rows = []
    for r in records(table):
        rooms = r.get("open_rooms")
        rows.append(
            OptionRow(
                rooms=int(r["rooms"]),
                status=str(r["status"]),
                annual_cost_gbp_per_year=clean(r.get("annual_cost_gbp_per_year")),
                one_off_gbp=clean(r.get("one_off_gbp")),
                npv_gbp=clean(r.get("npv_gbp")),
                payback_year=clean(r.get("payback_year")),
                open_rooms=str(rooms).split(";") if isinstance(rooms, str) and rooms else [],
                reason="" if pd.isna(r.get("reason")) else str(r.get("reason") or ""),
            )
        )
    return rows


def _options_view(state: AppState) -> OptionsView:
    runs = [options_job(j) for j in state.jobs.all("control_rooms")]
    return OptionsView(stored=_stored_options(state), jobs=runs)


def _start(state: AppState, request: Request, user: User, body: OptionsRequest) -> OptionsJob:
    loaded = state.data.current()  # 503 now rather than a failed job when there is no estate
    audit.record(
        state.engine,
        audit.RUN,
        "control-room options",
        username=user.username,
        ip=ip_of(request),
        detail=body.model_dump(),
    )
    work = control_rooms_work(body, lambda: loaded.estate)
    job = state.jobs.submit("control_rooms", user.username, body.model_dump(mode="json"), work)
    return options_job(job)


@router.get("/api/options/control-rooms", response_model=OptionsView, tags=["analyses"])
def options_api(state: State, _user: Analyst) -> OptionsView:
    """The demo's stored options and the runs started from the web (newest first)."""
    return _options_view(state)


@router.post(
    "/api/options/control-rooms",
    response_model=OptionsJob,
    status_code=202,
    tags=["analyses"],
)
def options_run_api(
    request: Request, state: State, user: Analyst, body: OptionsRequest, _csrf: None = HeaderCsrf
) -> OptionsJob:
    """Start a control-room consolidation run; poll its status."""
    return _start(state, request, user, body)


@router.get(
    "/api/options/control-rooms/{job_id}",
    response_model=OptionsJob,
    tags=["analyses"],
    responses={404: {"description": "no such run"}},
)
def options_job_api(state: State, _user: Analyst, job_id: str) -> OptionsJob:
    """A run's state, status line and (when done) result."""
    try:
        job = state.jobs.get(job_id)
    except KeyError:
        job = None
    if job is None or job.kind != "control_rooms":
        raise WebError(404, f"no run {job_id!r}")
    return options_job(job)


@router.get("/options", response_class=HTMLResponse, include_in_schema=False)
def options_page(request: Request, state: State, user: Analyst, job: str | None = None) -> Response:
    """The options explorer: set the options, run, follow the status, see the result."""
    view = _options_view(state)
    return render(request, "options.html", user, {"view": view, "job": job or ""})


@router.post("/options/run", include_in_schema=False, dependencies=[FormCsrf])
def options_run_page(
    request: Request,
    state: State,
    user: Analyst,
    room_counts: Annotated[str, Form(max_length=100)] = "3,5,8",
    max_distance_km: Annotated[str, Form(max_length=20)] = "",
    resilience: Annotated[bool, Form()] = False,
) -> Response:
    """Start a run from the form and come back to the explorer, which polls it."""
    try:
        counts = [int(c) for c in room_counts.replace(" ", "").split(",") if c]
        body = OptionsRequest(
            room_counts=counts,
            max_distance_km=float(max_distance_km) if max_distance_km.strip() else None,
            resilience=resilience,
        )
    except ValueError as exc:
        raise WebError(422, f"invalid options: {exc}") from exc
    job = _start(state, request, user, body)
    return RedirectResponse(f"/options?job={job.id}", status_code=303)


def _reports(state: AppState) -> ReportsView:
    outputs = state.data.outputs
    files = [
        ReportFile(name=name.value, size_bytes=size, url=f"/reports/{name.value}")
        for name, size in outputs.publishable()
    ]
    return ReportsView(files=files, guide_available=outputs.path(OutputFile.GUIDE_PDF) is not None)


@router.get("/api/reports", response_model=ReportsView, tags=["reports"])
def reports_api(state: State, _user: Reader) -> ReportsView:
    """The downloadable outputs."""
    return _reports(state)


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports_page(request: Request, state: State, user: Reader) -> Response:
    """The reports page (download the guide)."""
    return render(request, "reports.html", user, {"view": _reports(state)})


@router.get("/reports/{name}", include_in_schema=False)
def report_file(state: State, _user: Reader, name: str) -> Response:
    """One output file; only names on the list (no paths) are served."""
    allowed = {n.value: n for n in PUBLISHABLE}
    path = state.data.outputs.path(allowed[name]) if name in allowed else None
    if path is None:
        raise WebError(404, f"no report {name!r}")
    return FileResponse(path, filename=name)
