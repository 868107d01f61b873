"""Request dependencies: the app's state, the caller, role checks and CSRF checks.

A caller is identified by an ``Authorization: Bearer`` API token or by the signed
session cookie whose session is still open in the store (not logged out or
revoked). Pages send an anonymous caller to the login page; the API answers 401.
A role outside a route's list gets 403. Form posts must carry the session's CSRF
token; cookie-authenticated JSON writes must send it as ``X-CSRF-Token``
(token-authenticated scripts have no cookie for a forged request to ride on).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Form, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from cctvscope.web.accounts import User, user_for_session, user_for_token
from cctvscope.web.security import (
    SESSION_COOKIE,
    Session,
    UserRole,
    csrf_matches,
    decode_session,
)
from cctvscope.web.settings import WebSettings
from cctvscope.web.throttle import LoginThrottle

if TYPE_CHECKING:
    from cctvscope.web.data import EstateData
    from cctvscope.web.jobs import JobRunner


class WebError(Exception):
    """An error the app answers deliberately (status and a message safe to show)."""

    def __init__(self, status_code: int, detail: str, *, loc: tuple[str, ...] = ("body",)) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.loc = loc
        """Where a 422 points (FastAPI's validation-error shape, so clients parse one form)."""


class LoginRequiredError(WebError):
    """No caller: pages redirect to the login page, the API answers 401."""

    def __init__(self) -> None:
        super().__init__(401, "log in, or send an API token as Authorization: Bearer")


@dataclass(frozen=True)
class Upload:
    """A previewed survey: its uploader, the file's bytes (None when the preview had errors:
    nothing to confirm, so nothing kept), its name and borough (kept in the store by
    :mod:`cctvscope.web.upload_store`)."""

    user_id: int
    data: bytes | None
    name: str
    borough: str
    findings_csv: bytes = b""
    """Every finding of the preview as CSV (the answer lists the first few only)."""


@dataclass
class AppState:
    """Everything a request needs, built once by ``create_app``."""

    settings: WebSettings
    engine: Engine
    data: EstateData
    jobs: JobRunner
    templates: Jinja2Templates
    limiter: LoginThrottle


def app_state(request: Request) -> AppState:
    """The app's state."""
    state: AppState = request.app.state.cctvscope
    return state


async def _state(request: Request) -> AppState:
    # The dependencies that do no I/O are coroutines: FastAPI runs a plain function
    # dependency in the thread pool, a hop that cost more than the work of a cached answer.
    return app_state(request)


State = Annotated[AppState, Depends(_state)]

bearer = HTTPBearer(
    auto_error=False,
    description="API token from `cctvscope user token USERNAME`.",
)


def session_of(request: Request) -> Session | None:
    """The request's valid session cookie, if any."""
    settings = app_state(request).settings
    return decode_session(
        request.cookies.get(SESSION_COOKIE), settings.secret_key, settings.session_max_age_s
    )


def client_ip(request: Request) -> str:
    """The peer address (no proxy headers are trusted)."""
    return request.client.host if request.client else "unknown"


def current_user(
    request: Request,
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User | None:
    """The caller: by API token if one is sent (a bad one is 401), else by session."""
    if credentials is not None:
        user = user_for_token(state.engine, credentials.credentials)
        if user is None:
            raise WebError(401, "unknown or revoked API token")
        request.state.via_token = True
        return user
    request.state.via_token = False
    session = session_of(request)
    if session is None or session.user_id is None:
        return None
    # The signature proves the cookie is ours; the store says whether it still counts.
    return user_for_session(state.engine, session.user_id, session.sid)


OptionalUser = Annotated[User | None, Depends(current_user)]


def require(*roles: UserRole) -> Callable[[User | None], Awaitable[User]]:
    """A dependency admitting the given roles (every role when none are given)."""

    async def dependency(user: OptionalUser) -> User:
        if user is None:
            raise LoginRequiredError
        if roles and user.role not in roles:
            raise WebError(403, f"the {user.role.value} role may not use this page")
        return user

    return dependency


ALL_ROLES = tuple(UserRole)
R = UserRole
AnyUser = Annotated[User, Depends(require())]
Reader = Annotated[User, Depends(require(R.ADMIN, R.ANALYST, R.BOROUGH_MANAGER))]
"""Readers of borough profiles, compliance and reports."""
Analyst = Annotated[User, Depends(require(R.ADMIN, R.ANALYST))]
CameraReader = Annotated[
    User, Depends(require(R.ADMIN, R.ANALYST, R.BOROUGH_MANAGER, R.POLICE, R.BUSINESS))
]
Police = Annotated[User, Depends(require(R.ADMIN, R.POLICE))]
Surveyor = Annotated[User, Depends(require(R.ADMIN, R.BOROUGH_MANAGER))]
Business = Annotated[User, Depends(require(R.BUSINESS))]
RegistryReader = Annotated[User, Depends(require(R.ADMIN, R.POLICE, R.BUSINESS))]
Admin = Annotated[User, Depends(require(R.ADMIN))]


def _check_csrf(request: Request, given: str | None) -> None:
    if getattr(request.state, "via_token", False):
        return
    session = session_of(request)
    if session is None or not csrf_matches(session.csrf, given):
        raise WebError(403, "missing or wrong CSRF token; reload the page and try again")


async def form_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Check the form's hidden ``csrf_token`` against the session's."""
    _check_csrf(request, csrf_token)


async def header_csrf(
    request: Request,
    x_csrf_token: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """Check ``X-CSRF-Token`` on cookie-authenticated JSON writes."""
    _check_csrf(request, x_csrf_token)


FormCsrf = Depends(form_csrf)
HeaderCsrf = Depends(header_csrf)
