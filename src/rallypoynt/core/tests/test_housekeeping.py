"""Housekeeping: every app's chores run hourly from one self-renewing job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rallypoynt.accounts.models import LoginAttempt
from rallypoynt.contacts.choices import ImportStatus
from rallypoynt.contacts.models import ImportJob
from rallypoynt.contacts.services.csv_import import import_job_create
from rallypoynt.core import housekeeping
from rallypoynt.core.housekeeping import housekeeping_run, housekeeping_schedule
from rallypoynt.core.tasks import housekeeping as housekeeping_task
from rallypoynt.leads.models import IdempotencyKey

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
LONG_AGO = timedelta(days=60)


def aged(model, pk: int, **moments) -> None:
    model.objects.filter(pk=pk).update(**moments)


def test_every_app_registers_its_chores():
    assert {
        "accounts.login_attempts",
        "leads.idempotency_keys",
        "contacts.interrupted_imports",
        "contacts.import_uploads",
        "core.finished_jobs",
        "core.planner_statistics",
    } <= set(housekeeping._chores)


def test_sqlite_gets_fresh_planner_statistics_and_postgresql_is_left_to_autovacuum(brokerage):
    from django.db import connection

    from rallypoynt.orgs.tests.brokerage import contact_for

    for n in range(3):
        contact_for(brokerage.ben, first_name=f"Stat{n}")
    rows = housekeeping.planner_statistics_refresh()
    if connection.vendor != "sqlite":
        assert rows == 0
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'contacts_contact'")
        assert cursor.fetchone()[0] > 0
    assert rows > 0


def test_a_failing_chore_is_reported_and_the_others_still_run(monkeypatch):
    def broken() -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(housekeeping._chores, "zz.broken", broken)
    monkeypatch.setitem(housekeeping._chores, "zz.fine", lambda: 3)
    done = housekeeping_run()
    assert done["zz.broken"] == "failed: disk on fire"
    assert done["zz.fine"] == 3


def test_old_login_attempts_and_idempotency_keys_go_recent_ones_stay(brokerage):
    LoginAttempt.objects.create(email="a@example.com", at=timezone.now() - LONG_AGO)
    new = LoginAttempt.objects.create(email="a@example.com")
    stale = IdempotencyKey.objects.create(org=brokerage.org, key="k1", scope="leads")
    fresh = IdempotencyKey.objects.create(org=brokerage.org, key="k2", scope="leads")
    aged(IdempotencyKey, stale.pk, created_at=timezone.now() - timedelta(hours=25))
    done = housekeeping_run()
    assert done["accounts.login_attempts"] == 1
    assert done["leads.idempotency_keys"] == 1
    assert set(LoginAttempt.objects.values_list("pk", flat=True)) == {new.pk}
    assert set(IdempotencyKey.objects.values_list("pk", flat=True)) == {fresh.pk}


def upload(member) -> ImportJob:
    data = b"First Name,Email\nAda,ada@example.com\n"
    return import_job_create(
        actor=member,
        org_id=member.org_id,
        upload=SimpleUploadedFile("people.csv", data),
        filename="people.csv",
    )


def test_an_import_a_stopped_worker_left_running_is_closed_with_the_reason(brokerage):
    stuck, running = upload(brokerage.broker), upload(brokerage.broker)
    aged(ImportJob, stuck.pk, status=ImportStatus.RUNNING, started_at=timezone.now() - LONG_AGO)
    aged(ImportJob, running.pk, status=ImportStatus.RUNNING, started_at=timezone.now())
    assert housekeeping_run()["contacts.interrupted_imports"] == 1
    stuck.refresh_from_db()
    assert stuck.status == ImportStatus.FAILED
    assert "interrupted" in stuck.errors[-1]["reason"]
    assert ImportJob.objects.get(pk=running.pk).status == ImportStatus.RUNNING


def test_uploaded_files_are_deleted_a_month_after_the_import_finished(brokerage):
    old, recent = upload(brokerage.broker), upload(brokerage.broker)
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    aged(ImportJob, old.pk, status=ImportStatus.DONE, finished_at=timezone.now() - LONG_AGO)
    aged(ImportJob, recent.pk, status=ImportStatus.DONE, finished_at=timezone.now())
    assert housekeeping_run()["contacts.import_uploads"] == 1
    assert not storage.exists(name)
    assert ImportJob.objects.get(pk=old.pk).file.name == ""
    assert ImportJob.objects.get(pk=recent.pk).file.name != ""


def test_the_worker_keeps_exactly_one_pass_queued_an_hour_ahead(settings):
    settings.TASKS = DATABASE_QUEUE
    assert housekeeping_schedule() is True
    assert housekeeping_schedule() is False
    waiting = DBTaskResult.objects.filter(task_path=housekeeping_task.module_path)
    assert waiting.count() == 1
    assert waiting.get().run_after > timezone.now() + timedelta(minutes=59)


def test_a_pass_prunes_old_finished_jobs_and_queues_the_next(settings):
    settings.TASKS = DATABASE_QUEUE
    housekeeping_task.enqueue()
    old = DBTaskResult.objects.get(task_path=housekeeping_task.module_path)
    aged(
        DBTaskResult,
        old.pk,
        status=TaskResultStatus.SUCCESSFUL,
        finished_at=timezone.now() - timedelta(days=15),
    )
    done = housekeeping_task.call()
    assert done["core.finished_jobs"] == 1
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()
    assert DBTaskResult.objects.filter(
        task_path=housekeeping_task.module_path, status=TaskResultStatus.READY
    ).exists()
