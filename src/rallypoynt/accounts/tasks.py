"""Background jobs for accounts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from rallypoynt.accounts.models import LoginAttempt


@task()
def login_attempts_prune(days: int = 30) -> int:
    """Delete login attempts older than `days`; safe to run twice. Returns rows deleted."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LoginAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted
