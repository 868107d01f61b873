"""Browser tests: Playwright driving Debian's Chromium against a live uvicorn server.

Chromium is the system executable (``scripts/chromium.sh`` installs the Debian package and
``make test`` passes its path in ``CCTVSCOPE_CHROMIUM``); Playwright's own browser download
is never used. Without Chromium these tests skip, except under CI (``CI`` set), where a
missing browser is a failure. Screenshots go to ``test-output/browser/`` at the repository
root; a failing test leaves ``test-output/browser/failures/<test>.png`` behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

REPO_ROOT = Path(__file__).resolve().parents[3]
OUTPUT_DIR = REPO_ROOT / "test-output" / "browser"
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"]
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under this folder ``browser`` (``-m 'not browser'`` skips them)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium: ``$CCTVSCOPE_CHROMIUM``, else ``chromium`` on the PATH."""
    configured = os.environ.get("CCTVSCOPE_CHROMIUM", "").strip()
    path = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    why = (
        f"CCTVSCOPE_CHROMIUM={configured!r} is not an executable file"
        if configured
        else "no chromium executable on the PATH"
    )
    message = f"{why}; install it with `bash scripts/chromium.sh` (make test does)"
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need Chromium under CI: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for this folder's tests, launched from the system executable.

    Package scope, not session: while the sync API is active its asyncio loop counts as
    running in this thread, so ``asyncio.run`` in any later test would fail.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    shutil.rmtree(OUTPUT_DIR / "failures", ignore_errors=True)  # only this run's failures
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=LAUNCH_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; a screenshot is kept when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            failures = OUTPUT_DIR / "failures"
            failures.mkdir(parents=True, exist_ok=True)
            name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
            try:
                new_page.screenshot(path=str(failures / f"{name}.png"), full_page=True)
            except Exception as exc:  # the page may be gone; the report says why it failed
                request.node.add_report_section("teardown", "screenshot", repr(exc))
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item so the ``page`` fixture can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """``test-output/browser/`` at the repository root (ignored by git)."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


# --- live servers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL (``http://127.0.0.1:PORT``) and what it serves."""

    url: str
    app: Any


@contextmanager
def serve(app: Any, *, startup_timeout_s: float = 30.0) -> Iterator[LiveServer]:
    """Serve an ASGI app with uvicorn on a free loopback port in a background thread.

    The socket is bound here (port 0), so there is no race for the port; on exit the server
    is asked to stop and its thread joined.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the test thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the live server did not start: {failure[:1] or 'it exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            thread.join(10)
            sock.close()
            raise RuntimeError(f"the live server did not start within {startup_timeout_s} s")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the live server did not shut down within 15 s")


@pytest.fixture(scope="session")
def live_server_factory() -> Callable[[Any], AbstractContextManager[LiveServer]]:
    """``serve``, as a fixture: ``with live_server_factory(app) as server: ...``."""
    return serve


@dataclass(frozen=True)
class DemoSite:
    """The web app over a store holding the London demo estate and the demo users."""

    url: str
    database_url: str
    users: dict[str, tuple[str, str]]
    borough_names: dict[str, str]


@pytest.fixture(scope="package")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The cctvscope web app on a temporary SQLite store seeded with the demo estate and users."""
    from cctvscope.store import init_store
    from cctvscope.web.app import create_app
    from cctvscope.web.settings import WebSettings
    from cctvscope.web.testing import seed_demo_users
    from cctvscope.workflows import build_demo

    base = tmp_path_factory.mktemp("web-live")
    database_url = f"sqlite:///{base / 'cctvscope.db'}"
    engine = init_store(database_url)
    try:
        demo = build_demo(engine)
        users = seed_demo_users(engine)
    finally:
        engine.dispose()
    borough_names = dict(
        zip(demo.estate.boroughs["gss_code"], demo.estate.boroughs["name"], strict=True)
    )
    settings = WebSettings(
        database_url=database_url,
        output_dir=base / "output",
        secret_key="browser-tests-secret-key-0123456789abcdef",
        secure_cookies=False,
    )
    app = create_app(settings)
    # What the overview shows, computed before the first login: on a busy machine, loading the
    # whole demo estate and its compliance on the first page outlasts the login's timeout.
    data = app.state.cctvscope.data
    loaded = data.current()
    data.compliance(loaded)
    data.confidence(loaded)
    data.basemap_tiles(loaded)
    with serve(app) as server:
        yield DemoSite(server.url, database_url, users, borough_names)
