"""Won by a closing (the journey goes on through closing and care, its clients become past
clients) and the wrap-up period after a closing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.models import Contact
from rallypoynt.core.clock import local_today, zone_of
from rallypoynt.core.events import event_emit
from rallypoynt.core.models import Event
from rallypoynt.journeys.choices import EngagementStatus
from rallypoynt.journeys.models import Engagement, EngagementContact
from rallypoynt.journeys.services.engagements import OPEN, engagement_record
from rallypoynt.journeys.services.follow import journey_follow
from rallypoynt.orgs.models import Membership

# After a closing, the wrap-up steps count as done this many days on (nobody ticked them).
WRAP_UP_DAYS = 14
WRAP_UP_PHASE = "closing_transition"
WRAP_UP_EVENT = "engagement.wrap_up_elapsed"
ENGAGEMENT = "journeys.engagement"


def _clients_past(
    engagement: Engagement, closed_on: date | None, actor: Membership | None
) -> list[int]:
    """The engagement's clients become past clients as of the closing."""
    ids = list(
        EngagementContact.objects.filter(
            org_id=engagement.org_id, engagement=engagement
        ).values_list("contact_id", flat=True)
    )
    busy = set(
        EngagementContact.objects.filter(
            org_id=engagement.org_id, contact_id__in=ids, engagement__status__in=OPEN
        )
        .exclude(engagement=engagement)
        .values_list("contact_id", flat=True)
    )
    rows = Contact.objects.select_for_update().filter(org_id=engagement.org_id, pk__in=ids)
    for contact in rows.order_by("pk"):
        before = contact.stage
        if closed_on and (contact.past_client_on is None or closed_on > contact.past_client_on):
            contact.past_client_on = closed_on
        # Still buying or selling with us: a client until that journey ends too.
        contact.stage = before if contact.pk in busy else Stage.PAST_CLIENT
        contact.save(update_fields=["stage", "past_client_on", "updated_at"])
        if contact.stage == before:
            continue
        event_emit(
            org_id=contact.org_id,
            kind="contact.stage_changed",
            subject=contact,
            actor_id=actor.user_id if actor else None,
            payload={"from": before, "to": Stage.PAST_CLIENT, "engagement_id": engagement.pk},
        )
    return ids


def _won_at(engagement: Engagement, closed_on: date | None) -> datetime:
    """When it was won: the closing day (noon, the org's time) when recorded later, so the
    wrap-up period counts from the closing, not from the day someone typed it in."""
    now = timezone.now()
    if closed_on is None or closed_on >= local_today(engagement.org, now):
        return now
    return datetime.combine(closed_on, time(12), tzinfo=zone_of(engagement.org))


@transaction.atomic
def engagement_win(
    *,
    engagement_id: int,
    actor: Membership | None,
    price: Decimal | None,
    commission: Decimal | None,
    closed_on: date | None,
    event: Event | None = None,
) -> Engagement | None:
    """Won by a closing: the deal's price and commission are its value, its clients past
    clients. Its journey goes on (closing, then care); a lost one stays lost."""
    engagement = (
        Engagement.objects.select_for_update(of=("self",))
        .filter(pk=engagement_id)
        .select_related("org")
        .first()
    )
    if engagement is None or engagement.status in (EngagementStatus.LOST, EngagementStatus.WON):
        return None  # lost stays lost; won once (a second deal closing changes nothing)
    engagement.status, engagement.closed_at = EngagementStatus.WON, _won_at(engagement, closed_on)
    engagement.won_price, engagement.won_commission = price, commission
    engagement.save(
        update_fields=["status", "closed_at", "won_price", "won_commission", "updated_at"]
    )
    clients = _clients_past(engagement, closed_on, actor)
    engagement_record(
        engagement,
        actor,
        "engagement.won",
        price=str(price) if price is not None else None,
        commission=str(commission) if commission is not None else None,
        closed_on=closed_on.isoformat() if closed_on else None,
        event_id=event.pk if event else None,
        past_clients=clients,
    )
    return engagement


# Wrap-up ---------------------------------------------------------------------------------------


def wrap_ups_due(now: datetime | None = None) -> int:
    """Won engagements still in Closing & Transition WRAP_UP_DAYS after their closing: the
    wrap-up period ends (once per engagement) and the journey moves on to care."""
    now = now or timezone.now()
    due = Engagement.objects.filter(
        status=EngagementStatus.WON,
        phase_key=WRAP_UP_PHASE,
        closed_at__lte=now - timedelta(days=WRAP_UP_DAYS),
    ).values_list("org_id", "pk")
    moved = 0
    for org_id, pk in list(due):
        with transaction.atomic():
            # Locked and checked again: another worker may have done it meanwhile.
            engagement = (
                Engagement.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=EngagementStatus.WON, phase_key=WRAP_UP_PHASE)
                .first()
            )
            done = Event.objects.filter(
                org_id=org_id, kind=WRAP_UP_EVENT, subject_type=ENGAGEMENT, subject_id=pk
            )
            if engagement is None or done.exists():
                continue
            event = event_emit(
                org_id=org_id,
                kind=WRAP_UP_EVENT,
                subject=engagement,
                payload={"days": WRAP_UP_DAYS},
            )
            journey_follow(
                engagement_id=pk,
                event=event,
                via=f"{WRAP_UP_DAYS} days passed since the closing",
                now=now,
            )
        moved += 1
    return moved
