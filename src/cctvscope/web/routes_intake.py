"""Survey intake for borough managers, and business registration of private cameras."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import HTMLResponse

from cctvscope.errors import InputError, StoreError
from cctvscope.evidence.registry import (
    Actor,
    PrivateCameraSpec,
    list_registrations,
    register_camera,
)
from cctvscope.model.assumptions import read_assumptions
from cctvscope.model.entities import AREA_CODE_PATTERN
from cctvscope.web import audit, intake
from cctvscope.web.accounts import User
from cctvscope.web.data import clean, records
from cctvscope.web.deps import (
    AppState,
    Business,
    FormCsrf,
    HeaderCsrf,
    RegistryReader,
    State,
    Surveyor,
    WebError,
    client_ip,
)
from cctvscope.web.pages import render
from cctvscope.web.schemas import (
    RegistrationIn,
    RegistrationOut,
    SurveyConfirm,
    SurveyPreview,
    SurveyResult,
)
from cctvscope.web.security import UserRole
from cctvscope.web.views import audit_private_view

router = APIRouter()
BoroughField = Annotated[str, Form(pattern=AREA_CODE_PATTERN)]


def _borough_choices(state: AppState, user: User) -> list[dict[str, Any]]:
    boroughs = state.data.current().estate.boroughs[["gss_code", "name"]].sort_values("name")
    return [b for b in records(boroughs) if user.may_read_borough(str(b["gss_code"]))]


def _preview(state: AppState, user: User, borough: str, file: UploadFile) -> SurveyPreview:
    data = intake.read_upload(state, file.filename or "", file.file)
    return intake.preview(state, user, borough, file.filename or "upload", data)


def _confirm(state: AppState, request: Request, user: User, upload_id: str) -> SurveyResult:
    result, _borough = intake.confirm(state, user, upload_id, ip=client_ip(request))
    return result


@router.get("/survey", response_class=HTMLResponse, include_in_schema=False)
def survey_page(request: Request, state: State, user: Surveyor) -> Response:
    """The survey upload form."""
    return render(request, "survey.html", user, {"boroughs": _borough_choices(state, user)})


@router.post("/survey/preview", include_in_schema=False, dependencies=[FormCsrf])
def survey_preview_page(
    request: Request,
    state: State,
    user: Surveyor,
    file: Annotated[UploadFile, File()],
    borough: BoroughField,
) -> Response:
    """Every finding by row and field, and the merge the import would make; nothing saved."""
    view = _preview(state, user, borough, file)
    return render(request, "survey_preview.html", user, {"view": view})


@router.post("/api/survey/preview", response_model=SurveyPreview, tags=["intake"])
def survey_preview_api(
    state: State,
    user: Surveyor,
    file: Annotated[UploadFile, File(description="Filled survey template (.xlsx) or CSV")],
    borough: BoroughField,
    _csrf: None = HeaderCsrf,
) -> SurveyPreview:
    """Check a survey against a borough: every finding by row and field (default-value
    warnings summarised per field) and the merge plan of the replace import; nothing is
    saved."""
    return _preview(state, user, borough, file)


@router.get(
    "/api/survey/{upload_id}/findings.csv",
    response_class=Response,
    tags=["intake"],
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "no such preview"}},
)
def survey_findings_csv(
    state: State, user: Surveyor, upload_id: Annotated[str, Path(min_length=8, max_length=64)]
) -> Response:
    """Every finding of one of the caller's previews, as CSV (the preview lists the first)."""
    name, data = intake.findings_file(state, user, upload_id)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/api/survey/confirm",
    response_model=SurveyResult,
    tags=["intake"],
    responses={409: {"description": "the estate changed since the preview; nothing saved"}},
)
def survey_confirm_api(
    request: Request, state: State, user: Surveyor, body: SurveyConfirm, _csrf: None = HeaderCsrf
) -> SurveyResult:
    """Import a previewed survey (only when it has no errors): it replaces the borough's
    cameras of its owner types and saves a new estate version (409 when the estate changed
    meanwhile)."""
    return _confirm(state, request, user, body.upload_id)


def registrations_shown(state: AppState, request: Request, user: User) -> list[RegistrationOut]:
    loaded = state.data.current()
    actor = (
        Actor.business(user.business_id or "") if user.role is UserRole.BUSINESS else Actor.police()
    )
    regs = list_registrations(state.engine, state.settings.estate_name, actor)
    cams = loaded.cameras.set_index("camera_id")[["lon_deg", "lat_deg", "owner_type"]]
    joined = regs.join(cams, on="camera_id")
    shown = joined.dropna(subset=["lon_deg"]).assign(owner_type="private")
    audit_private_view(state, request, user, shown, "private camera registrations")
    fields = list(RegistrationOut.model_fields)
    return [
        RegistrationOut.model_validate({k: clean(r.get(k)) for k in fields})
        for r in records(joined)
    ]


def register(state: AppState, ip: str, user: User, body: RegistrationIn) -> RegistrationOut:
    """Register one of the business's cameras (a new estate version, audited with it)."""
    spec = PrivateCameraSpec(
        heading_deg=body.heading_deg,
        hfov_deg=body.hfov_deg,
        resolution_h_px=body.resolution_h_px,
        resolution_v_px=body.resolution_v_px,
        retention_days=body.retention_days,
        contact=body.contact,
        consent_contact=body.consent_contact,
        consent_share=body.consent_share,
        lon=body.lon_deg,
        lat=body.lat_deg,
        location_text=body.location_text,
    )
    actor = Actor.business(user.business_id or "")
    # Saved with the camera's estate version (its target names the camera id).
    entry = audit.row(audit.DATA_CHANGE, "registration", username=user.username, ip=ip)
    try:
        reg = register_camera(
            state.engine,
            state.settings.estate_name,
            actor,
            spec,
            assumptions=read_assumptions(),
            audit=entry,
        )
    except InputError as exc:
        reasons = "; ".join(str(f) for f in exc.findings) or str(exc)
        raise WebError(422, f"the camera was not registered: {reasons}") from exc
    except StoreError as exc:
        raise WebError(409, f"{exc}; the camera was not registered") from exc
    return RegistrationOut(
        camera_id=reg.camera_id,
        business_id=reg.business_id,
        contact=reg.contact,
        consent_contact=reg.consent_contact,
        consent_share=reg.consent_share,
        verification_status=reg.verification_status.value,
        registered_at=reg.registered_at,
        lon_deg=body.lon_deg,
        lat_deg=body.lat_deg,
    )


@router.get("/api/registrations", response_model=list[RegistrationOut], tags=["registry"])
def registrations_api(request: Request, state: State, user: RegistryReader) -> Any:
    """A business's own registrations; police and admin: those consenting to share."""
    return registrations_shown(state, request, user)


@router.post(
    "/api/registrations", response_model=RegistrationOut, status_code=201, tags=["registry"]
)
def register_api(
    request: Request, state: State, user: Business, body: RegistrationIn, _csrf: None = HeaderCsrf
) -> RegistrationOut:
    """Register one of the business's cameras (it joins a new estate version)."""
    return register(state, client_ip(request), user, body)


@router.get("/registrations", response_class=HTMLResponse, include_in_schema=False)
def registrations_page(request: Request, state: State, user: RegistryReader) -> Response:
    """Registered private cameras, and (for a business) the registration form."""
    rows = registrations_shown(state, request, user)
    return render(request, "registrations.html", user, {"rows": rows, "errors": [], "form": {}})
