"""`rallypoynt worker` runs queued jobs from the database, each exactly once."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rallypoynt.accounts.models import LoginAttempt
from rallypoynt.accounts.tasks import login_attempts_prune
from tests.subprocess_env import database_env

pytestmark = pytest.mark.django_db(transaction=True)
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rallypoynt.cli", "worker", "--batch"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def worker_env(settings):
    settings.TASKS = DB_BACKEND
    return database_env()


def test_two_workers_run_every_queued_job_exactly_once(worker_env):
    old = timezone.now() - timedelta(days=90)
    LoginAttempt.objects.bulk_create(LoginAttempt(email=f"x{i}@e.com", at=old) for i in range(5))
    results = [login_attempts_prune.enqueue(days=30) for _ in range(24)]
    workers = [_worker(worker_env), _worker(worker_env)]
    for proc in workers:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
    rows = DBTaskResult.objects.filter(id__in=[r.id for r in results])
    assert rows.count() == 24
    assert all(row.status == "SUCCESSFUL" and len(row.worker_ids) == 1 for row in rows)
    assert sum(row.return_value for row in rows) == 5
    assert not LoginAttempt.objects.exists()
