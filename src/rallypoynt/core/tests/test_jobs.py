"""enqueue_on_commit: a job is queued exactly when the transaction that asked for it commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rallypoynt.accounts.tasks import login_attempts_prune
from rallypoynt.core.jobs import enqueue_on_commit

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Boom(Exception):
    pass


def test_the_database_queue_writes_the_job_inside_the_callers_transaction(settings):
    settings.TASKS = DATABASE_QUEUE
    with transaction.atomic():
        enqueue_on_commit(login_attempts_prune, 7)
        # Already written: it commits together with the rows it is about.
        assert DBTaskResult.objects.filter(args_kwargs__args=[7]).count() == 1


def test_a_rolled_back_transaction_leaves_no_job_behind(settings):
    settings.TASKS = DATABASE_QUEUE
    with pytest.raises(Boom), transaction.atomic():
        enqueue_on_commit(login_attempts_prune, 8)
        raise Boom
    assert not DBTaskResult.objects.filter(args_kwargs__args=[8]).exists()


def test_a_deferred_job_keeps_its_time(settings):
    settings.TASKS = DATABASE_QUEUE
    when = timezone.now() + timedelta(hours=2)
    with transaction.atomic():
        enqueue_on_commit(login_attempts_prune, 9, when=when)
    job = DBTaskResult.objects.get(args_kwargs__args=[9])
    assert job.run_after == when


def test_other_backends_enqueue_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        enqueue_on_commit(login_attempts_prune, 10)
    assert len(callbacks) == 1
