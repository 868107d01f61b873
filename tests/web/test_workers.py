"""``cctvscope serve --workers N``: several server processes over one store, one session key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cctvscope.cli.web_cmd import worker_environment
from cctvscope.web.settings import WebSettings


def test_worker_environment_rebuilds_the_settings(monkeypatch, tmp_path: Path) -> None:
    settings = WebSettings(
        database_url=f"sqlite:///{tmp_path / 's.db'}",
        output_dir=tmp_path / "out",
        estate_name="heatons",
        secure_cookies=True,
        session_max_age_s=1234,
    )
    for key in list(os.environ):
        if key.startswith("CCTVSCOPE_WEB_"):
            monkeypatch.delenv(key)
    for key, value in worker_environment(settings).items():
        monkeypatch.setenv(key, value)
    rebuilt = WebSettings()
    assert rebuilt.model_dump() == settings.model_dump()  # the secret key included


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_two_workers_answer_over_one_store(web_env) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCTVSCOPE_WEB_")}
    args = [sys.executable, "-m", "cctvscope.cli.main", "serve", "--workers", "2",
            "--port", str(port), "--out", str(web_env.out),
            "--database-url", web_env.settings.database_url]  # fmt: skip
    server = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = _get(f"{base}/api/me", web_env.tokens["analyst"])
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        assert status == 200 and b'"role":"analyst"' in body
        answers = [_get(f"{base}/api/me", web_env.tokens["police"]) for _ in range(20)]
        assert all(s == 200 and b'"role":"police"' in b for s, b in answers)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    text = out.decode()
    assert "2 processes" in " ".join(text.split())  # the console may wrap the line
    # uvicorn's supervisor started two worker processes
    assert text.count("Started server process") >= 2, text
