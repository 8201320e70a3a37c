"""The first run speaks where it should: migrate counts what it applied, the worker says one
line per batch of jobs (not two per job), and serve ends with where to sign in."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys

import pytest
from django_tasks_db.models import DBTaskResult

from rallypoynt.accounts.tasks import login_attempts_prune
from tests.subprocess_env import database_env

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def rp(env, *args):
    result = subprocess.run(
        [sys.executable, "-m", "rallypoynt.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow_cli
@pytest.mark.own_database
def test_migrate_counts_what_it_applied_then_says_the_database_is_up_to_date(tmp_path):
    skip = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(RALLYPOYNT_VAR_DIR=str(tmp_path), COLUMNS="120")

    first = rp(env, "migrate")
    applied = re.fullmatch(r"Applied (\d+) migrations in \d+\.\d s\.\n", first.stderr)
    assert applied, first.stderr
    # Not a terminal: no bar redrawn line by line, no escape codes, just the sentence.
    assert "\x1b" not in first.stderr and "\r" not in first.stderr and first.stdout == ""

    again = rp(env, "migrate")
    assert again.stderr == f"Database is up to date ({applied[1]} migrations).\n"
    # Django's own migrate ran: its post_migrate handlers made the permissions.
    count = rp(
        env,
        "manage",
        "shell",
        "-c",
        "from django.contrib.auth.models import Permission; print(Permission.objects.count())",
    )
    assert int(count.stdout.split()[-1]) > 100
    verbose = rp(env, "migrate", "--verbose")
    assert "No migrations to apply." in verbose.stdout
    assert verbose.stderr.endswith("migrations).\n")


@pytest.fixture
def worker_env(settings):
    settings.TASKS = DB_BACKEND
    return database_env()


@pytest.mark.slow_cli
@pytest.mark.django_db(transaction=True)
def test_the_worker_says_one_line_per_batch_and_every_job_only_when_verbose(worker_env):
    ids = [login_attempts_prune.enqueue(days=30).id for _ in range(19)]
    ids.append(login_attempts_prune.enqueue(days="not a number").id)

    quiet = rp(worker_env, "worker", "--batch")
    out = quiet.stdout + quiet.stderr
    assert DBTaskResult.objects.filter(id__in=ids, status="SUCCESSFUL").count() == 19
    assert "state=RUNNING" not in out and "state=SUCCESSFUL" not in out
    assert "Starting worker" not in out
    assert "worker: ran 20 jobs (19 ok, 1 failed) in " in out
    # A failed job is still logged, with its traceback.
    assert out.count("Task id=") == 1 and "state=FAILED" in out and "TypeError" in out

    for _ in range(3):
        login_attempts_prune.enqueue(days=30)
    verbose = rp(worker_env, "worker", "--batch", "--verbose")
    out = verbose.stdout + verbose.stderr
    assert out.count("state=SUCCESSFUL") == 3
    assert "worker: ran 3 jobs (3 ok) in " in out


@pytest.mark.slow_cli
def test_serve_refuses_a_port_another_server_listens_on(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "rallypoynt.cli", "serve", "--port", str(port)],
            env={**os.environ, "RALLYPOYNT_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"Port {port} is in use" in result.stderr
