"""Worker heartbeats and the reclaim of jobs whose worker died.

The database queue marks a job RUNNING when a worker claims it and finishes it when the job
returns; a worker killed in between (kill -9, power loss, OOM) would leave it RUNNING forever.
Every `rallypoynt worker` therefore keeps a heartbeat row fresh from a daemon thread, and every
few seconds each worker puts the RUNNING jobs of workers without a fresh heartbeat back to
READY. Jobs are idempotent (DESIGN rule 7), so running one again is safe.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 30.0
# db_worker accepts worker ids of up to 64 characters.
WORKER_ID_MAX = 64


def worker_timeout() -> timedelta:
    """How long a worker may stay silent before its running jobs are given to others."""
    value = getattr(settings, "RALLYPOYNT_WORKER_TIMEOUT", None)
    if value is None:
        value = os.environ.get("RALLYPOYNT_WORKER_TIMEOUT") or DEFAULT_TIMEOUT_SECONDS
    seconds = float(value)
    if seconds <= 0:
        raise ValueError("RALLYPOYNT_WORKER_TIMEOUT must be a positive number of seconds")
    return timedelta(seconds=seconds)


def beat_interval(timeout: timedelta) -> float:
    """Seconds between beats: several beats fit in one timeout, so one slow write is harmless."""
    return max(0.2, min(5.0, timeout.total_seconds() / 6))


def worker_id_new() -> str:
    """A worker id unique across machines and restarts: host, pid and a random tail."""
    tail = f"-{os.getpid()}-{get_random_string(12)}"
    host = socket.gethostname().split(".")[0] or "host"
    return host[: WORKER_ID_MAX - len(tail)] + tail


def heartbeat_beat(worker_id: str, *, started_at: datetime | None = None) -> None:
    """Record that `worker_id` is alive now (creating its row if it is missing)."""
    from rallypoynt.core.models import WorkerHeartbeat

    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        # A worker declared dead (a long pause) comes back: its row is written again.
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": started_at or now,
                "beat_at": now,
            },
        )


def heartbeat_forget(worker_id: str) -> None:
    """Remove the row of a worker that stops cleanly (it runs nothing any more)."""
    from rallypoynt.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _last_worker_sql(vendor: str, column: str) -> str:
    # The worker that claimed the current run is the last id of the JSON list.
    if vendor == "sqlite":
        return f"json_extract({column}, '$[#-1]')"
    if vendor == "postgresql":
        return f"({column} ->> -1)"
    raise NotImplementedError(f"No job reclaim for the {vendor} database")


def jobs_reclaim(*, timeout: timedelta | None = None, using: str = "default") -> int:
    """Put RUNNING jobs of dead workers back to READY; then forget stale heartbeats.

    A worker is dead when its heartbeat is older than `timeout` (or gone). One UPDATE does
    the decision and the change together, so two workers reclaiming at once cannot both
    take a job; the row keeps its `worker_ids`, which tell the history. A job that started
    less than `timeout` ago is left alone too, whatever its worker. Returns the count.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from rallypoynt.core.models import WorkerHeartbeat

    timeout = timeout or worker_timeout()
    connection = connections[using]
    cutoff_at = timezone.now() - timeout
    cutoff = connection.ops.adapt_datetimefield_value(cutoff_at)
    jobs = connection.ops.quote_name(DBTaskResult._meta.db_table)
    beats = connection.ops.quote_name(WorkerHeartbeat._meta.db_table)
    last_worker = _last_worker_sql(connection.vendor, f"{jobs}.worker_ids")
    sql = (
        f"UPDATE {jobs} SET status = %s, started_at = NULL "
        f"WHERE status = %s AND (started_at IS NULL OR started_at < %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {beats} b "
        f"WHERE b.worker_id = {last_worker} AND b.beat_at >= %s)"
    )
    params = [TaskResultStatus.READY, TaskResultStatus.RUNNING, cutoff, cutoff]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        reclaimed: int = cursor.rowcount
    WorkerHeartbeat.objects.using(using).filter(beat_at__lt=cutoff_at).delete()
    if reclaimed:
        logger.warning("Reclaimed %d job(s) of workers that stopped beating", reclaimed)
    return reclaimed


@dataclass
class Heartbeat:
    """The daemon thread that keeps one worker's heartbeat fresh and reclaims dead workers' jobs.

    It runs on its own database connection (Django's are per thread) and closes it on exit.
    """

    worker_id: str = field(default_factory=worker_id_new)
    timeout: timedelta = field(default_factory=worker_timeout)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def start(self) -> None:
        """Beat and reclaim once (so a fresh worker first frees what a dead one held), then
        keep doing it in the background."""
        started_at = timezone.now()
        heartbeat_beat(self.worker_id, started_at=started_at)
        jobs_reclaim(timeout=self.timeout)
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{self.worker_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and remove the row: a cleanly stopped worker runs no job any more."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            heartbeat_forget(self.worker_id)
        except Exception:  # the database may be the reason we stop
            logger.exception("Could not remove the heartbeat of worker %s", self.worker_id)

    def _run(self) -> None:
        interval = beat_interval(self.timeout)
        try:
            while not self._stop.wait(interval):
                try:
                    heartbeat_beat(self.worker_id)
                    jobs_reclaim(timeout=self.timeout)
                except Exception:  # a database hiccup: try again next beat on a new connection
                    logger.exception("Worker heartbeat failed")
                    connections["default"].close()
        finally:
            connections.close_all()
