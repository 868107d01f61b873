"""Login, logout, the caller, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from cctvscope.errors import InputError
from cctvscope.reporting.safe_csv import defuse_cell
from cctvscope.web import audit
from cctvscope.web.accounts import (
    MIN_PASSWORD_LENGTH,
    authenticate,
    end_session,
    set_active,
    set_password,
    start_session,
)
from cctvscope.web.deps import (
    Admin,
    AnyUser,
    FormCsrf,
    HeaderCsrf,
    OptionalUser,
    State,
    WebError,
    client_ip,
    session_of,
)
from cctvscope.web.pages import render, set_session
from cctvscope.web.schemas import AccountChange, AuditRow, Me, PasswordChange
from cctvscope.web.security import Session

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect would make the login page a phishing aid."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html", user, {"next": _safe_next(next), "error": ""})


@router.post("/login", include_in_schema=False, dependencies=[FormCsrf])
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=512)] = "/",
) -> Response:
    """Check the password (rate-limited per username and IP, and per IP); start a session."""
    ip = client_ip(request)
    if state.limiter.blocked(username, ip):
        audit.record(
            state.engine, audit.LOGIN_FAILED, username, username=username, ip=ip,
            detail={"reason": "rate limited"},
        )  # fmt: skip
        return render(
            request,
            "login.html",
            None,
            {"next": _safe_next(next), "error": "too many failed logins; wait and try later"},
            status_code=429,
        )
    user = authenticate(state.engine, username, password)
    if user is None:
        state.limiter.failed(username, ip)
        audit.record(
            state.engine, audit.LOGIN_FAILED, username, username=username, ip=ip,
            detail={"reason": "bad username or password"},
        )  # fmt: skip
        return render(
            request,
            "login.html",
            None,
            {"next": _safe_next(next), "error": "wrong username or password"},
            status_code=401,
        )
    state.limiter.succeeded(username, ip)
    audit.record(state.engine, audit.LOGIN, user.username, username=user.username, ip=ip)
    response = RedirectResponse(_safe_next(next), status_code=303)
    session = Session.new(user.id)
    assert session.sid is not None
    start_session(state.engine, user.id, session.sid, state.settings.session_max_age_s)
    set_session(request, response, session)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, state: State, user: AnyUser, _csrf: None = FormCsrf) -> Response:
    """End the session in the store (a copy of the cookie no longer works) and replace the
    cookie by an anonymous one."""
    session = session_of(request)
    end_session(state.engine, None if session is None else session.sid)
    audit.record(
        state.engine, audit.LOGOUT, user.username, username=user.username, ip=client_ip(request)
    )
    response = RedirectResponse("/login", status_code=303)
    set_session(request, response, Session.new(None))
    return response


@router.get("/api/me", response_model=Me, tags=["account"])
def me(user: AnyUser) -> Me:
    """Who the caller is."""
    return Me(
        username=user.username,
        role=user.role.value,
        boroughs=sorted(user.boroughs),
        business_id=user.business_id,
    )


@router.post("/api/me/password", response_model=AccountChange, tags=["account"])
def change_password(
    request: Request, state: State, user: AnyUser, body: PasswordChange, _csrf: None = HeaderCsrf
) -> AccountChange:
    """Change the caller's password; every session of the caller ends (log in again)."""
    if authenticate(state.engine, user.username, body.current_password) is None:
        raise WebError(403, "the current password is wrong", loc=("body", "current_password"))
    try:
        ended = set_password(state.engine, user.username, body.new_password)
    except InputError as exc:
        reason = f"at least {MIN_PASSWORD_LENGTH} characters"
        raise WebError(422, reason, loc=("body", "new_password")) from exc
    audit.record(
        state.engine, audit.ACCOUNT_CHANGE, user.username, username=user.username,
        ip=client_ip(request), detail={"change": "password", "sessions_ended": ended},
    )  # fmt: skip
    return AccountChange(username=user.username, active=True, sessions_ended=ended)


@router.post(
    "/api/users/{username}/active",
    response_model=AccountChange,
    tags=["account"],
)
def set_user_active(
    request: Request,
    state: State,
    admin: Admin,
    username: Annotated[str, Path(max_length=64)],
    active: Annotated[bool, Query()],
    _csrf: None = HeaderCsrf,
) -> AccountChange:
    """Enable or disable an account (admin only); disabling ends its sessions at once."""
    if username == admin.username and not active:
        raise WebError(409, "an admin may not disable their own account", loc=("path", "username"))
    try:
        ended = set_active(state.engine, username, active)
    except InputError as exc:
        raise WebError(404, f"no user {username!r}") from exc
    audit.record(
        state.engine, audit.ACCOUNT_CHANGE, username, username=admin.username,
        ip=client_ip(request), detail={"change": "enabled" if active else "disabled",
                                       "sessions_ended": ended},
    )  # fmt: skip
    return AccountChange(username=username, active=active, sessions_ended=ended)


def audit_filter(
    action: Annotated[str | None, Query(max_length=64)] = None,
    user: Annotated[str | None, Query(max_length=64, description="Username")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the target")] = None,
    since: Annotated[dt.datetime | None, Query(description="From (UTC if naive)")] = None,
    until: Annotated[dt.datetime | None, Query(description="Before (UTC if naive)")] = None,
) -> audit.AuditFilter:
    """The audit log's filters as the API and the page take them."""
    return audit.AuditFilter(action or None, user or None, q or None, since, until)


AuditQuery = Annotated[audit.AuditFilter, Depends(audit_filter)]
#: Most rows one audit export holds.
MAX_AUDIT_EXPORT = 100_000


def _audit_rows(
    state: State, chosen: audit.AuditFilter, limit: int, before: int | None = None
) -> list[AuditRow]:
    return [
        AuditRow.model_validate(e, from_attributes=True)
        for e in audit.entries(state.engine, chosen=chosen, limit=limit, before_id=before)
    ]


@router.get("/api/audit", response_model=list[AuditRow], tags=["account"])
def audit_api(
    state: State,
    _user: Admin,
    chosen: AuditQuery,
    before: Annotated[int | None, Query(ge=1, description="Rows older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditRow]:
    """The newest audit-log rows matching the filters (admin only); page back with ``before``."""
    return _audit_rows(state, chosen, limit, before)


@router.get("/api/audit.csv", tags=["account"])
def audit_export(state: State, _user: Admin, chosen: AuditQuery) -> Response:
    """Every matching audit row as CSV, detail as JSON (admin only)."""
    import csv
    import io
    import json

    rows = audit.entries(state.engine, chosen=chosen, limit=MAX_AUDIT_EXPORT)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "at", "username", "action", "target", "detail", "ip"])
    for r in rows:
        cells = [
            r.id,
            r.at.isoformat(),
            r.username or "",
            r.action,
            r.target,
            json.dumps(r.detail, sort_keys=True, default=str),
            r.ip or "",
        ]
        writer.writerow([defuse_cell(c) for c in cells])
    disposition = {"Content-Disposition": 'attachment; filename="audit-log.csv"'}
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=disposition)


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    state: State,
    user: Admin,
    chosen: AuditQuery,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The audit log (admin only): filters, readable detail, older rows page by page."""
    rows = _audit_rows(state, chosen, AUDIT_PAGE_ROWS, before)
    shown = [(r, audit.readable_detail(r.detail)) for r in rows]
    older = rows[-1].id if len(rows) == AUDIT_PAGE_ROWS else None
    return render(
        request, "audit.html", user,
        {"rows": shown, "filters": chosen, "older": older, "actions": audit.ACTIONS},
    )  # fmt: skip


#: Rows on one page of the audit log.
AUDIT_PAGE_ROWS = 100
