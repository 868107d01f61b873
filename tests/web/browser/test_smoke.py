"""The browser machinery on its own: a tiny Starlette app, the live server, Chromium."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = """<!doctype html>
<html><head><title>smoke</title></head><body>
<h1 id="title">Smoke</h1>
<form method="post" action="/echo"><input name="word"><button type="submit">Send</button></form>
<script>document.getElementById("title").dataset.ready = "1";</script>
</body></html>"""


async def index(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def echo(request: Request) -> HTMLResponse:
    form = await request.form()
    return HTMLResponse(f"<h1>You said {form['word']}</h1>")


def test_live_server_and_chromium(page, live_server_factory, output_dir):
    app = Starlette(routes=[Route("/", index), Route("/echo", echo, methods=["POST"])])
    with live_server_factory(app) as server:
        page.goto(server.url + "/")
        page.wait_for_selector("#title[data-ready='1']")
        page.fill("input[name=word]", "hello")
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/echo")
        assert page.text_content("h1") == "You said hello"
        shot = output_dir / "smoke.png"
        page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
