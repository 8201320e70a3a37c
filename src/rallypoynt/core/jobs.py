"""Queue jobs for later, on any task backend."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks.base import Task


def enqueue_at(job: Task, when: datetime, *args) -> None:
    """Queue `job` to run at `when`; a backend that cannot defer runs it now (jobs re-check)."""
    if job.get_backend().supports_defer and when > timezone.now():
        job.using(run_after=when).enqueue(*args)
    else:
        job.enqueue(*args)
