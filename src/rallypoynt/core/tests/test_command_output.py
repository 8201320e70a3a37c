"""What the worker and serve say, without subprocesses (tests/test_first_run.py runs them)."""

from __future__ import annotations

import logging
import socket
from types import SimpleNamespace

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rallypoynt.accounts.tasks import login_attempts_prune
from rallypoynt.core.joblog import (
    JOB_LOGGERS,
    WARNINGS_ONLY,
    BatchReport,
    batch_line,
    job_logging_quiet,
)
from rallypoynt.core.serve import port_taken, url_host

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_batch_line_counts_the_jobs_and_names_failures_only_when_there_are_some():
    assert batch_line(12, 0, 0.84) == "worker: ran 12 jobs (12 ok) in 0.8 s"
    assert batch_line(0, 1, 2.0) == "worker: ran 1 job (0 ok, 1 failed) in 2.0 s"


def test_quiet_job_logging_drops_each_job_line_but_keeps_failures(caplog):
    job_logging_quiet()
    try:
        job_logger = logging.getLogger(JOB_LOGGERS[0])
        job_logger.setLevel(logging.INFO)  # as db_worker sets it
        with caplog.at_level(logging.INFO):
            job_logger.info("Task id=1 path=x state=SUCCESSFUL")
            job_logger.error("Task id=2 path=x state=FAILED")
        assert [r.getMessage() for r in caplog.records] == ["Task id=2 path=x state=FAILED"]
    finally:
        for name in JOB_LOGGERS:
            logging.getLogger(name).removeFilter(WARNINGS_ONLY)
        logging.getLogger(JOB_LOGGERS[0]).setLevel(logging.NOTSET)


@pytest.mark.django_db
def test_a_batch_is_reported_once_the_queue_has_nothing_ready(settings):
    settings.TASKS = DB_BACKEND
    said, idle = [], []
    report = BatchReport(say=said.append, on_idle=lambda: idle.append(True))
    jobs = [login_attempts_prune.enqueue().id for _ in range(2)]
    report.start()
    assert idle == []  # jobs are waiting: the worker is not idle yet
    try:
        for done, job in enumerate(jobs, start=1):
            report.job_started(sender=None)
            DBTaskResult.objects.filter(id=job).update(status=TaskResultStatus.SUCCESSFUL)
            ok = SimpleNamespace(status=TaskResultStatus.SUCCESSFUL)
            report.job_finished(sender=None, task_result=ok)
            assert len(said) == (done == len(jobs))
    finally:
        report.stop()
    assert said == [said[0]] and said[0].startswith("worker: ran 2 jobs (2 ok) in ")
    assert idle == [True]


def test_url_host_reaches_a_wildcard_bind_on_loopback():
    assert url_host("0.0.0.0") == "127.0.0.1"
    assert url_host("::") == "[::1]"
    assert url_host("crm.example.com") == "crm.example.com"


def test_a_port_with_a_listener_is_taken_and_a_free_one_is_not():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert port_taken("127.0.0.1", port)
    assert not port_taken("127.0.0.1", port)
