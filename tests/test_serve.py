"""`rallypoynt serve --with-worker`: the first README command's server really serves."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from rallypoynt.demo.loader import demo_load
from tests.subprocess_env import database_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def _wait_until_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not come up")


def test_serve_with_worker_serves_pages_static_files_and_api_then_stops(tmp_path):
    demo_load(scale=20, seed=3)
    port = free_port()
    env = {**database_env(), "RALLYPOYNT_VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rallypoynt.cli",
            "serve",
            "--port",
            str(port),
            "--with-worker",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", proc)
        status, body = _get(f"{base}/accounts/login/")
        assert status == 200 and b"Log in" in body
        css = body.split(b'href="/static/rallypoynt/app')[1].split(b'"')[0]
        assert _get(f"{base}/static/rallypoynt/app{css.decode()}")[0] == 200
        assert _get(f"{base}/api/v1/openapi.json")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "background worker" in out
    assert "Starting worker" in out
