"""The CRM's work on the journey: a client's completed buyer or seller profile stands for the
needs assessment, filed on each of the person's engagements on that side that is still
worked (the template's `done_by` names `contact.profile_completed`); a journey opened after
the profile was completed picks it up when it opens."""

from __future__ import annotations

from rallypoynt.core.models import Event
from rallypoynt.journeys.choices import WORKING
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.services.follow import journey_follow

PROFILE_COMPLETED = "contact.profile_completed"
CONTACT = "contacts.contact"
OPENED = "engagement.opened"
ENGAGEMENT = "journeys.engagement"
PROFILE_WORDS = {
    "buy": "the buyer profile was completed",
    "sell": "the seller profile was completed",
}


def engagements_profile_follow(*, event_id: int) -> list[int]:
    """Record a completed profile on the contact's working engagements of the same side
    (safe to run twice: what is on record stays); returns the engagements it reached."""
    event = Event.objects.filter(pk=event_id, kind=PROFILE_COMPLETED, subject_type=CONTACT).first()
    if event is None or event.subject_id is None:
        return []
    side = str(event.payload.get("side", ""))
    ids = list(
        Engagement.objects.filter(
            org_id=event.org_id,
            side=side,
            status__in=WORKING,
            clients__contact_id=event.subject_id,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    via = PROFILE_WORDS.get(side, "")
    for engagement_id in ids:
        journey_follow(engagement_id=engagement_id, event=event, via=via)
    return ids


def engagement_profile_replay(*, event_id: int) -> int | None:
    """A journey just opened for clients whose profile on its side was completed before: the
    needs assessment is on file from that event (the first such one); returns the engagement."""
    event = Event.objects.filter(pk=event_id, kind=OPENED, subject_type=ENGAGEMENT).first()
    if event is None or event.subject_id is None:
        return None
    side = event.payload.get("side")
    contact_ids = [i for i in event.payload.get("contact_ids", []) if isinstance(i, int)]
    completions = Event.objects.filter(
        org_id=event.org_id,
        kind=PROFILE_COMPLETED,
        subject_type=CONTACT,
        subject_id__in=contact_ids,
    ).order_by("occurred_at", "pk")
    done = next((e for e in completions if e.payload.get("side") == side), None)
    if done is None:
        return None
    journey_follow(engagement_id=event.subject_id, event=done, via=PROFILE_WORDS.get(side, ""))
    return event.subject_id
