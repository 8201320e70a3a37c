"""Jobs of a worker that stopped beating go back to the queue; a live worker's stay its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from rallypoynt.core.models import WorkerHeartbeat
from rallypoynt.core.worker import Heartbeat, jobs_reclaim, worker_id_new

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = timedelta(seconds=30)


def _beat(worker_id: str, age: timedelta) -> WorkerHeartbeat:
    at = timezone.now() - age
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="h", pid=1, started_at=at, beat_at=at
    )


def _running(*worker_ids: str, started: timedelta = timedelta(minutes=5)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rallypoynt.core.tasks.housekeeping",
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=list(worker_ids),
        started_at=timezone.now() - started,
    )


def test_a_dead_workers_job_goes_back_to_ready_and_a_live_workers_stays():
    _beat("dead", age=timedelta(minutes=2))
    _beat("alive", age=timedelta(seconds=2))
    orphan = _running("alive", "dead")  # ran on "alive" once; "dead" holds it now
    held = _running("dead", "alive")
    assert jobs_reclaim(timeout=TIMEOUT) == 1
    orphan.refresh_from_db()
    held.refresh_from_db()
    assert (orphan.status, orphan.started_at) == (TaskResultStatus.READY, None)
    assert orphan.worker_ids == ["alive", "dead"]  # the history stays
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()
    assert held.status == TaskResultStatus.RUNNING and held.started_at is not None
    # The stale heartbeat is forgotten, the fresh one kept.
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]
    assert jobs_reclaim(timeout=TIMEOUT) == 0


def test_a_job_of_a_worker_without_heartbeat_is_reclaimed_only_after_the_timeout():
    old = _running("gone")
    new = _running("gone", started=timedelta(seconds=1))
    assert jobs_reclaim(timeout=TIMEOUT) == 1
    assert DBTaskResult.objects.get(pk=old.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=new.pk).status == TaskResultStatus.RUNNING


def test_finished_and_waiting_jobs_are_left_alone():
    job = _running("gone")
    DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert jobs_reclaim(timeout=TIMEOUT) == 0
    assert DBTaskResult.objects.get(pk=job.pk).status == TaskResultStatus.SUCCESSFUL


def test_the_heartbeat_writes_its_row_and_removes_it_when_it_stops():
    _beat("dead", age=timedelta(minutes=2))
    orphan = _running("dead")
    heartbeat = Heartbeat(timeout=timedelta(seconds=1.2))
    heartbeat.start()  # reclaims once at start
    try:
        assert DBTaskResult.objects.get(pk=orphan.pk).status == TaskResultStatus.READY
        first = WorkerHeartbeat.objects.get(worker_id=heartbeat.worker_id)
        for _ in range(50):
            row = WorkerHeartbeat.objects.get(worker_id=heartbeat.worker_id)
            if row.beat_at > first.beat_at:
                break
            heartbeat._stop.wait(0.1)
        assert row.beat_at > first.beat_at
        assert (row.pid, row.started_at) == (first.pid, first.started_at)
    finally:
        heartbeat.stop()
    assert not heartbeat._thread.is_alive()
    assert not WorkerHeartbeat.objects.filter(worker_id=heartbeat.worker_id).exists()


def test_worker_ids_are_unique_and_fit_db_worker():
    ids = {worker_id_new() for _ in range(50)}
    assert len(ids) == 50
    assert all(0 < len(i) <= 64 for i in ids)
