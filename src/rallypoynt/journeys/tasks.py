"""Background jobs of the journeys app."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.journeys.services.engagements import engagement_from_lead


@task()
def engagement_open_for_lead(event_id: int) -> int | None:
    """A lead was received: open its client journey in phase 1 (safe to run twice)."""
    engagement = engagement_from_lead(event_id=event_id)
    return engagement.pk if engagement else None
