"""The application factory: ``create_app(settings)``.

Security defaults: no interactive API docs (they would load scripts from a CDN);
the OpenAPI document is at ``/api/openapi.json``. Every response carries a strict
Content-Security-Policy (scripts and styles only from this server, no map tiles).
A server error answers a generic message; the traceback goes to the log only.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from cctvscope import __version__
from cctvscope.store import init_store
from cctvscope.store import web_tables as web_tables  # registers the web tables
from cctvscope.web.data import EstateData
from cctvscope.web.deps import AppState, LoginRequiredError, WebError
from cctvscope.web.jobs import JobRunner
from cctvscope.web.security import LoginRateLimiter
from cctvscope.web.settings import WebSettings

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)
#: Paths of files that are the same for everyone (cacheable); every other answer is no-store.
STATIC_PREFIXES = ("/static/", "/vendor/")
#: Uploads may exceed the file limit by this much for the multipart envelope [B].
MULTIPART_SLACK_BYTES = 64 * 1024


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error_page(request: Request, status_code: int, detail: str) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": detail}, status_code=status_code)
    state: AppState = request.app.state.cctvscope
    return state.templates.TemplateResponse(
        request,
        "error.html",
        {"status_code": status_code, "detail": detail, "user": None, "nav": [], "csrf_token": ""},
        status_code=status_code,
    )


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if isinstance(exc, LoginRequiredError) and not _is_api(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        if exc.status_code == 422 and _is_api(request):
            problem = {"loc": list(exc.loc), "msg": exc.detail, "type": "value_error"}
            return JSONResponse({"detail": [problem]}, status_code=422)
        response = _error_page(request, exc.status_code, exc.detail)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Where and what only: the raw input (which may be NaN, which JSON cannot carry,
        # hence a 500 before), the validator's context and its documentation links stay out.
        problems = [
            {"loc": [str(p) for p in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
            for e in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": problems}, status_code=422)
        listed = "; ".join(f"{'.'.join(p['loc'][1:]) or p['loc'][0]}: {p['msg']}" for p in problems)
        return _error_page(request, 422, f"invalid input — {listed}")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_page(request, 500, "internal server error; the log has the details")


def _install_middleware(app: FastAPI, settings: WebSettings) -> None:
    limit = settings.max_upload_bytes + MULTIPART_SLACK_BYTES

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            detail = f"request body over the {settings.max_upload_bytes:,}-byte limit"
            return _error_page(request, 413, detail)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(STATIC_PREFIXES):
            # Pages and API answers may carry private-camera locations: no copy is kept in a
            # browser or proxy cache (a shared computer's back button, a caching proxy).
            response.headers["Cache-Control"] = "no-store"
        return response


def _fmt(value: float | None, spec: str = ",.2f") -> str:
    if value is None or not math.isfinite(float(value)):
        return "—"
    return format(float(value), spec)


def _pct(value: float | None) -> str:
    return _fmt(None if value is None else float(value) * 100, ".1f") + (
        "%" if value is not None and math.isfinite(float(value)) else ""
    )


def _gbp(value: float | None) -> str:
    text = _fmt(value, ",.0f")
    return text if text == "—" else f"£{text}"


def templates() -> Jinja2Templates:
    """The page templates, with the number formats the pages use."""
    found = Jinja2Templates(directory=HERE / "templates")
    found.env.globals.update(fmt=_fmt, pct=_pct, gbp=_gbp)
    return found


def _vendor_dir(module: str) -> str:
    base: str = importlib.import_module(module).BASE_DIR
    return base


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web app over the store and output folder of ``settings`` (schema upgraded)."""
    from cctvscope.web import (
        intake,
        routes_analysis,
        routes_auth,
        routes_estate,
        routes_intake,
        routes_jobs,
        routes_police,
    )

    settings = settings or WebSettings()
    engine = init_store(settings.database_url)
    jobs = JobRunner(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        intake.discard_uploads(app.state.cctvscope)

    app = FastAPI(
        title="cctvscope",
        version=__version__,
        description="A region's CCTV estate: the JSON API behind the web pages. Authenticate "
        "with `Authorization: Bearer <token>` (from `cctvscope user token`).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.cctvscope = AppState(
        settings=settings,
        engine=engine,
        data=EstateData(engine, settings.estate_name, settings.output_dir),
        jobs=jobs,
        templates=templates(),
        limiter=LoginRateLimiter(
            settings.login_rate_limit,
            settings.login_window_s,
            settings.login_ip_rate_limit,
            settings.login_ip_window_s,
        ),
    )
    _install_handlers(app)
    _install_middleware(app, settings)
    app.add_middleware(GZipMiddleware, minimum_size=1024)  # the camera layer is megabytes
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount(
        "/vendor/leaflet",
        StaticFiles(directory=_vendor_dir("xstatic.pkg.leaflet")),
        name="leaflet",
    )
    app.mount(
        "/vendor/markercluster",
        StaticFiles(directory=_vendor_dir("xstatic.pkg.leaflet_markercluster")),
        name="markercluster",
    )
    for module in (
        routes_auth,
        routes_estate,
        routes_analysis,
        routes_intake,
        routes_jobs,
        routes_police,
    ):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
