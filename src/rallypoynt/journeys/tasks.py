"""Background jobs of the journeys app."""

from __future__ import annotations

from django_tasks import task

from rallypoynt.journeys.services.client_work import (
    engagement_profile_replay,
    engagements_profile_follow,
)
from rallypoynt.journeys.services.lead_work import engagement_lead_follow


@task()
def engagement_open_for_lead(event_id: int) -> int | None:
    """A lead was routed or answered: open its journey in phase 1 if it has none, and record
    the lead's work on it (safe to run twice)."""
    return engagement_lead_follow(event_id=event_id)


@task()
def engagements_follow_profile(event_id: int) -> list[int]:
    """A client's buyer or seller profile was completed: file the needs assessment on their
    engagements of that side (safe to run twice)."""
    return engagements_profile_follow(event_id=event_id)


@task()
def engagement_replay_profile(event_id: int) -> int | None:
    """A journey opened: a client profile of its side completed before files the needs
    assessment now (safe to run twice)."""
    return engagement_profile_replay(event_id=event_id)
