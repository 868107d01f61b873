"""Page helpers: render a template with the caller, the CSRF token and the navigation."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from cctvscope.web.accounts import User
from cctvscope.web.deps import app_state, session_of
from cctvscope.web.security import SESSION_COOKIE, Session, UserRole, encode_session

R = UserRole
#: Navigation: (path, label, roles that may open it).
NAV: tuple[tuple[str, str, frozenset[UserRole]], ...] = (
    ("/", "Overview", frozenset(R)),
    ("/cameras", "Cameras", frozenset(R)),
    ("/compliance", "Compliance", frozenset({R.ADMIN, R.ANALYST, R.BOROUGH_MANAGER})),
    ("/options", "Control rooms", frozenset({R.ADMIN, R.ANALYST})),
    ("/reports", "Reports", frozenset({R.ADMIN, R.ANALYST, R.BOROUGH_MANAGER})),
    ("/survey", "Survey intake", frozenset({R.ADMIN, R.BOROUGH_MANAGER})),
    ("/registrations", "Private cameras", frozenset({R.ADMIN, R.POLICE, R.BUSINESS})),
    ("/search", "Police search", frozenset({R.ADMIN, R.POLICE})),
    ("/audit", "Audit log", frozenset({R.ADMIN})),
)


def set_session(request: Request, response: Response, session: Session) -> None:
    """Set the signed session cookie: HttpOnly, SameSite=Lax, Secure over TLS."""
    settings = app_state(request).settings
    response.set_cookie(
        SESSION_COOKIE,
        encode_session(session, settings.secret_key),
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies or request.url.scheme == "https",
        path="/",
    )


def render(
    request: Request,
    template: str,
    user: User | None,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template``; an anonymous visitor without a session gets one (for CSRF)."""
    state = app_state(request)
    session = session_of(request)
    fresh = session is None
    if session is None:
        session = Session.new(None)
    nav = [(path, label) for path, label, roles in NAV if user is not None and user.role in roles]
    response = state.templates.TemplateResponse(
        request,
        template,
        {"user": user, "csrf_token": session.csrf, "nav": nav, **context},
        status_code=status_code,
    )
    if fresh:
        set_session(request, response, session)
    return response
