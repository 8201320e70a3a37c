"""`rallypoynt serve --with-worker`: the first README command's server really serves."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from rallypoynt.accounts.tasks import login_attempts_prune
from rallypoynt.demo.loader import DEMO_PASSWORD, demo_load
from tests.subprocess_env import database_env, free_port

pytestmark = pytest.mark.django_db(transaction=True)
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
BANNER = "RallyPoynt OS is running at"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def _wait_until_up(url: str, proc: subprocess.Popen, lines: list[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "".join(lines)
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("server did not come up")


def _wait_for_banner(proc: subprocess.Popen, lines: list[str]) -> None:
    deadline = time.monotonic() + 60
    while not any(BANNER in line for line in lines):
        assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.2)
    time.sleep(1)  # whatever else the processes say at start would come by now


def test_serve_with_worker_serves_pages_static_files_and_api_then_stops(tmp_path, settings):
    demo_load(scale=20, seed=3)
    settings.TASKS = DB_BACKEND
    for _ in range(5):
        login_attempts_prune.enqueue(days=30)
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
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", proc, lines)
        status, body = _get(f"{base}/accounts/login/")
        assert status == 200 and b"Log in" in body
        css = body.split(b'href="/static/rallypoynt/app')[1].split(b'"')[0]
        assert _get(f"{base}/static/rallypoynt/app{css.decode()}")[0] == 200
        assert _get(f"{base}/api/v1/openapi.json")[0] == 200
        # The banner comes last: after gunicorn's lines and the worker's report of the jobs
        # queued before it started, it names the URL, the password and the demo's logins.
        _wait_for_banner(proc, lines)
        at_start = list(lines)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    banner = at_start[-1]
    assert banner.startswith(f"{BANNER} {base}/ with a background worker"), at_start
    assert f"broker@demo.rallypoynt.test (password: {DEMO_PASSWORD})" in banner
    title = max(i for i, line in enumerate(at_start) if "Demo logins" in line)
    assert f"Demo logins (password: {DEMO_PASSWORD})" in at_start[title]
    table = at_start[title + 1 : -1]
    assert all(line[0] in "┏┃┡│└" for line in table), table
    for email in ("broker@", "compliance@", "tc@", "hannah@"):
        assert f"{email}demo.rallypoynt.test" in "".join(table)
    earlier = "".join(at_start[:title])
    assert "worker: started" in earlier and "worker: ran 5 jobs (5 ok)" in earlier
    assert "Task id=" not in "".join(lines)
