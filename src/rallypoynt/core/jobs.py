"""Queue jobs for later, on any task backend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend


def enqueue_at(job: Task[..., Any], when: datetime, *args: Any) -> None:
    """Queue `job` to run at `when`; a backend that cannot defer runs it now (jobs re-check)."""
    if job.get_backend().supports_defer and when > timezone.now():
        job.using(run_after=when).enqueue(*args)
    else:
        job.enqueue(*args)


def enqueue_on_commit(job: Task[..., Any], *args: Any, when: datetime | None = None) -> None:
    """Queue `job` (at `when`, if given) so that it runs only if the caller's transaction commits.

    The database queue writes its row inside that transaction: the job commits with the rows
    it is about, so a crash right after commit cannot lose it, and it costs no write
    transaction of its own. Other backends (the immediate one in tests) enqueue after commit.
    """

    def enqueue() -> None:
        if when is None:
            job.enqueue(*args)
        else:
            enqueue_at(job, when, *args)

    if connection.in_atomic_block and isinstance(job.get_backend(), DatabaseBackend):
        enqueue()
    else:
        transaction.on_commit(enqueue)
