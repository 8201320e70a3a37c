"""Background jobs for accounts."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.accounts.services import login_attempts_prune as prune


@task()
def login_attempts_prune(days: int = 30) -> int:
    """Delete login attempts older than `days`; safe to run twice. Returns rows deleted."""
    return prune(days=days)
