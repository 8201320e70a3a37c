"""Background jobs of the transactions app."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.transactions.services.offers import offer_expire as expire


@task()
def offer_expire(version_id: int) -> str:
    """An offer's time ran out: expire it unless it was answered (safe to run twice)."""
    return expire(version_id=version_id)
