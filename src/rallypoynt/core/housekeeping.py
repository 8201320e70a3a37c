"""Housekeeping: pruning jobs each app registers, run every hour by the worker.

Apps register in their AppConfig.ready (core never imports them). The worker keeps one
`housekeeping` job queued: each run does the chores, then queues the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

INTERVAL = timedelta(hours=1)
FINISHED_JOBS_KEPT = timedelta(days=14)
# Rows ANALYZE samples per index on SQLite: enough for the planner, milliseconds to run.
ANALYSIS_LIMIT = 1000

_chores: dict[str, Callable[[], int]] = {}


def chore_register(name: str, chore: Callable[[], int]) -> None:
    """Run `chore` (returns how many rows it tidied) on every housekeeping pass."""
    _chores[name] = chore


def housekeeping_run() -> dict[str, int | str]:
    """Run every chore; one failing chore is logged and does not stop the others."""
    done: dict[str, int | str] = {}
    for name, chore in sorted(_chores.items()):
        try:
            done[name] = chore()
        except Exception as exc:  # a chore's bug must not starve the others
            logger.exception("Housekeeping chore %s failed", name)
            done[name] = f"failed: {exc}"
    return done


def finished_jobs_prune() -> int:
    """Forget finished background jobs after two weeks (the queue is not an archive)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - FINISHED_JOBS_KEPT
    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    deleted, _ = DBTaskResult.objects.filter(status__in=finished, finished_at__lt=cutoff).delete()
    return deleted


def planner_statistics_refresh() -> int:
    """Fresh planner statistics on SQLite, which has no autovacuum to keep them: without them
    it may pick a worse index as tables grow (PostgreSQL's autovacuum analyses by itself)."""
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM sqlite_stat1")
        analysed: int = cursor.fetchone()[0]
        return analysed


def housekeeping_schedule() -> bool:
    """Queue the next pass unless one is already waiting; True when one was queued."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from rallypoynt.core.jobs import enqueue_at
    from rallypoynt.core.tasks import housekeeping

    backend = housekeeping.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=housekeeping.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    enqueue_at(housekeeping, timezone.now() + INTERVAL)
    return True


chore_register("core.finished_jobs", finished_jobs_prune)
chore_register("core.planner_statistics", planner_statistics_refresh)
