"""What `rallypoynt worker` says: one line per batch of jobs, not two lines per job.

django_tasks logs each job's start and end at INFO, and db_worker sets its loggers to INFO at
the default verbosity, so the 350 jobs a demo queues scrolled everything else off the screen.
At the default verbosity those loggers pass only warnings and errors (a failed job is still
logged, with its traceback); the worker counts its jobs from the task signals instead and
says how many ran when the queue runs dry. `--verbose` keeps the per-job lines as well.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from django_tasks_db.compat import (
    DEFAULT_TASK_BACKEND_ALIAS,
    DEFAULT_TASK_QUEUE_NAME,
    TASKS_LOGGER,
    TaskResultStatus,
    task_finished,
    task_started,
)
from django_tasks_db.models import DBTaskResult

from rallypoynt.core.console import console

# django_tasks' per-job lines, and db_worker's own ("Starting worker", "No more tasks").
JOB_LOGGERS = (TASKS_LOGGER, "django_tasks_db")


class WarningsOnly(logging.Filter):
    """Pass records from WARNING up. A filter, not a level: db_worker resets the levels."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


WARNINGS_ONLY = WarningsOnly()


def job_logging_quiet() -> None:
    """Keep the job queue's INFO lines (two per job) out of the worker's output."""
    for name in JOB_LOGGERS:
        job_logger = logging.getLogger(name)
        if WARNINGS_ONLY not in job_logger.filters:
            job_logger.addFilter(WARNINGS_ONLY)


def console_line(line: str) -> None:
    """One plain line on the console (stderr), never wrapped or coloured."""
    console.print(line, markup=False, highlight=False, soft_wrap=True)


def batch_line(ok: int, failed: int, seconds: float) -> str:
    """'worker: ran 12 jobs (11 ok, 1 failed) in 0.8 s'."""
    ran = ok + failed
    counts = f"{ok} ok" + (f", {failed} failed" if failed else "")
    return f"worker: ran {ran} job{'' if ran == 1 else 's'} ({counts}) in {seconds:.1f} s"


class BatchReport:
    """Counts the jobs this process runs and reports them when the queue has none ready.

    A batch ends when a job finishes and no other job is ready on the worker's queues (one
    EXISTS query per job). `on_idle` is called once, the first time the worker has nothing to
    do: at start with an empty queue, or after its first batch.
    """

    def __init__(
        self,
        *,
        say: Callable[[str], None] = console_line,
        queue_names: Sequence[str] = (DEFAULT_TASK_QUEUE_NAME,),
        backend_name: str = DEFAULT_TASK_BACKEND_ALIAS,
        on_idle: Callable[[], None] | None = None,
    ) -> None:
        self.say = say
        self.queue_names = list(queue_names)
        self.backend_name = backend_name
        self.on_idle = on_idle
        self.ok = 0
        self.failed = 0
        self.started_at: float | None = None

    def start(self) -> None:
        task_started.connect(self.job_started, dispatch_uid=f"batch-report-{id(self)}")
        task_finished.connect(self.job_finished, dispatch_uid=f"batch-report-{id(self)}")
        if not self.queue_has_work():
            self.idle()

    def stop(self) -> None:
        """Report what ran since the last line (a worker stopped mid-batch) and disconnect."""
        task_started.disconnect(dispatch_uid=f"batch-report-{id(self)}")
        task_finished.disconnect(dispatch_uid=f"batch-report-{id(self)}")
        self.flush()

    def queue_has_work(self) -> bool:
        jobs = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        return jobs.filter(queue_name__in=self.queue_names).exists()

    def job_started(self, sender: Any, **kwargs: Any) -> None:
        if self.started_at is None:
            self.started_at = time.perf_counter()

    def job_finished(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        if task_result.status == TaskResultStatus.SUCCESSFUL:
            self.ok += 1
        else:
            self.failed += 1
        if not self.queue_has_work():
            self.flush()
            self.idle()

    def flush(self) -> None:
        if self.ok + self.failed:
            seconds = time.perf_counter() - (self.started_at or time.perf_counter())
            self.say(batch_line(self.ok, self.failed, seconds))
        self.ok = self.failed = 0
        self.started_at = None

    def idle(self) -> None:
        callback, self.on_idle = self.on_idle, None
        if callback is not None:
            callback()


def ready_signal(fd: int) -> Callable[[], None]:
    """A callback that tells the parent (`serve`, through an inherited pipe) we are idle."""

    def signal() -> None:
        try:
            os.write(fd, b"ready")
            os.close(fd)
        except OSError:  # serve stopped waiting, or is gone
            pass

    return signal
