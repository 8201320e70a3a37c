from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.accounts.models import LoginAttempt
from rallypoynt.accounts.tasks import login_attempts_prune

pytestmark = pytest.mark.django_db


def test_prune_deletes_only_old_attempts_and_is_safe_to_run_twice():
    old = LoginAttempt.objects.create(email="a@example.com", at=timezone.now() - timedelta(days=31))
    recent = LoginAttempt.objects.create(email="a@example.com")
    assert login_attempts_prune.call(days=30) == 1
    assert login_attempts_prune.call(days=30) == 0
    assert list(LoginAttempt.objects.all()) == [recent]
    assert not LoginAttempt.objects.filter(pk=old.pk).exists()


def test_prune_runs_through_the_tasks_backend():
    LoginAttempt.objects.create(email="a@example.com", at=timezone.now() - timedelta(days=40))
    result = login_attempts_prune.enqueue(days=30)
    assert result.return_value == 1
    assert not LoginAttempt.objects.exists()
