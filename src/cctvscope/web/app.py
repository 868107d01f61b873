"""The application factory: ``create_app(settings)``.

Security defaults: no interactive API docs (they would load scripts from a CDN);
the OpenAPI document is at ``/api/openapi.json``. Every response carries a strict
Content-Security-Policy (scripts, styles and map tiles only from this server).
A server error answers a generic message; the traceback goes to the log only.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cctvscope import __version__
from cctvscope.store import init_store
from cctvscope.store import web_tables as web_tables  # registers the web tables
from cctvscope.store.engine import connect
from cctvscope.web.data import EstateData
from cctvscope.web.deps import AppState, LoginRequiredError, WebError
from cctvscope.web.jobs import JobRunner
from cctvscope.web.settings import WebSettings
from cctvscope.web.throttle import LoginThrottle

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)
#: Paths of files that are the same for everyone (cacheable); every other answer is no-store.
STATIC_PREFIXES = ("/static/", "/vendor/")
#: Answers that set their own Cache-Control (the street map's open-data tiles).
SELF_CACHED_PREFIXES = ("/tiles/basemap/",)
#: Uploads may exceed the file limit by this much for the multipart envelope [B].
MULTIPART_SLACK_BYTES = 64 * 1024
#: Compression level of answers compressed per request.
GZIP_LEVEL = 6


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(("/api", "/tiles/"))


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


class Guard:
    """Refuse an oversized body before it is read (413), and set the security headers on
    every answer. Plain ASGI: it passes each message on as it comes (a ``BaseHTTPMiddleware``
    runs every request through a task group and memory streams, a large share of a cached
    answer's cost)."""

    def __init__(self, app: ASGIApp, max_upload_bytes: int) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.limit = max_upload_bytes + MULTIPART_SLACK_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.limit:
            detail = f"request body over the {self.max_upload_bytes:,}-byte limit"
            response = _error_page(Request(scope), 413, detail)
            await self.app_headers(response)(scope, receive, send)
            return
        await self.app_headers(self.app)(scope, receive, send)

    def app_headers(self, inner: ASGIApp) -> ASGIApp:
        """``inner`` with the security headers added to its answer."""

        async def call(scope: Scope, receive: Receive, send: Send) -> None:
            path = str(scope["path"])
            cacheable = path.startswith(STATIC_PREFIXES)
            self_cached = path.startswith(SELF_CACHED_PREFIXES)

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableHeaders(scope=message)
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("X-Content-Type-Options", "nosniff")
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "same-origin")
                    own = self_cached and message["status"] == 200
                    if not cacheable and not own:
                        # Pages and API answers may carry private-camera locations: no copy is
                        # kept in a browser or proxy cache (a shared computer's back button,
                        # a caching proxy).
                        headers["Cache-Control"] = "no-store"
                await send(message)

            await inner(scope, receive, send_with_headers)

        return call


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
        routes_tiles,
    )

    settings = settings or WebSettings()
    engine = init_store(connect(settings.database_url, pool_size=settings.db_pool_size))
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
        limiter=LoginThrottle(
            engine,
            settings.login_rate_limit,
            settings.login_window_s,
            settings.login_ip_rate_limit,
            settings.login_ip_window_s,
        ),
    )
    _install_handlers(app)
    app.add_middleware(Guard, max_upload_bytes=settings.max_upload_bytes)
    # Level 6 (zlib's default): JSON compresses almost as well as at 9 for half the CPU;
    # the camera layer, megabytes, is kept compressed once per version (web/prepared.py).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
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
    routers = (
        routes_auth,
        routes_estate,
        routes_analysis,
        routes_intake,
        routes_jobs,
        routes_police,
        routes_tiles,
    )
    for module in routers:
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> HTMLResponse:
        return HTMLResponse("ok")

    return app
