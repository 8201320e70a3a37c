"""Background jobs of the journeys app."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.journeys.services.lead_work import engagement_lead_follow


@task()
def engagement_open_for_lead(event_id: int) -> int | None:
    """A lead was routed or answered: open its journey in phase 1 if it has none, and record
    the lead's work on it (safe to run twice)."""
    return engagement_lead_follow(event_id=event_id)
