"""Lead intake's events on the journey: a routed lead opens phase 1, and the lead's capture
and its first response complete the steps they stand for, whichever job runs first."""

from __future__ import annotations

from rallypoynt.core.models import Event
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.services.engagements import LEAD_EVENTS, OPEN, engagement_from_lead
from rallypoynt.journeys.services.follow import journey_follow

# The lead's own work, in the order it happens.
LEAD_WORK = ("lead.received", "lead.responded")
INQUIRY = "leads.leadinquiry"


def _lead_work(org_id: int, inquiry_id: int) -> list[Event]:
    return list(
        Event.objects.filter(
            org_id=org_id, kind__in=LEAD_WORK, subject_type=INQUIRY, subject_id=inquiry_id
        ).order_by("occurred_at", "pk")
    )


def engagement_lead_follow(*, event_id: int) -> int | None:
    """Open the lead's journey if it is routed, then record the lead's work on it (safe to
    run twice and in any order: a response seen before the journey opened is replayed)."""
    event = Event.objects.filter(pk=event_id, subject_type=INQUIRY).first()
    if event is None or event.subject_id is None:
        return None
    if event.kind in LEAD_EVENTS:
        engagement_from_lead(event_id=event.pk)
    engagement = (
        Engagement.objects.filter(org_id=event.org_id, status__in=OPEN)
        .filter(inquiry_id=event.subject_id)
        .order_by("pk")
        .first()
    )
    if engagement is None:
        return None  # not routed yet (a pond): the claim's event replays the work
    for work in _lead_work(event.org_id, event.subject_id):
        journey_follow(engagement_id=engagement.pk, event=work)
    return engagement.pk
