"""What a deal does to the journeys of the engagements it serves: its events prove journey
work (journeys.services.follow), a closing wins them, an ending sends them back. What cannot
happen yet is recorded on the engagement, never raised into the deal's own change."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.events import event_emit
from rallypoynt.core.models import Event
from rallypoynt.journeys.domain import work_label
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import VERSION_DATA, version_blueprint
from rallypoynt.journeys.services import (
    engagement_return,
    engagement_win,
    evidence_withdraw,
    journey_follow,
)
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import DealStatus
from rallypoynt.transactions.models import (
    Commission,
    Deal,
    DealEngagement,
    ProgressUpdate,
)

# A deal under contract carries the journey; one merely opened (offers out) does not.
CARRYING = (DealStatus.UNDER_CONTRACT, DealStatus.PENDING)
# The deal's phases begin here; a deal that ends sends its engagements to the phase before.
DEAL_PHASE = "transaction_initiation"


def _engagements(deal: Deal) -> list[Engagement]:
    rows = deal.sides.select_related("engagement__journey")
    return [side.engagement for side in rows]


def journeys_follow(deal: Deal, event: Event, via: str = "") -> None:
    """Let each engagement the deal serves record what `event` proves and move on (a deal
    that fell through proves nothing any more)."""
    if deal.status == DealStatus.TERMINATED:
        return
    via = via or f"{_label(event.kind)} ({deal})"
    for engagement in _engagements(deal):
        journey_follow(engagement_id=engagement.pk, event=event, via=via)


def _label(kind: str) -> str:

    return work_label(kind)


def journeys_win(deal: Deal, event: Event, actor: Membership) -> None:
    """A closing wins each engagement it serves: the price, and the commission its side
    brought, become the engagement's value; its clients become past clients."""
    gross: dict[str, Decimal] = {}
    for side, amount in Commission.objects.filter(org_id=deal.org_id, deal=deal).values_list(
        "side", "gross"
    ):
        gross[side] = gross.get(side, Decimal(0)) + (amount or Decimal(0))
    for link in deal.sides.all():
        engagement_win(
            engagement_id=link.engagement_id,
            actor=actor,
            price=deal.final_price,
            commission=gross.get(link.side),
            closed_on=deal.closed_on,
            event=event,
        )


def _before_deal(engagement: Engagement) -> str | None:
    keys = [p.key for p in version_blueprint(engagement.journey).phases]
    if DEAL_PHASE not in keys or keys.index(DEAL_PHASE) == 0:
        return None
    if keys.index(engagement.phase_key) < keys.index(DEAL_PHASE):
        return None  # not in the deal's phases: nothing to undo
    return keys[keys.index(DEAL_PHASE) - 1]


def _waiting(deal: Deal, engagement: Engagement, actor: Membership, reason: str) -> None:
    event_emit(
        org_id=deal.org_id,
        kind="engagement.return_waiting",
        subject=engagement,
        actor_id=actor.user_id,
        payload={"deal_id": deal.pk, "reason": reason},
    )


def _deal_events(deal: Deal) -> list[int]:
    """Every event about the deal, its offers and its progress updates: what they proved
    for the journey goes when the deal ends."""
    subjects = Q(subject_type="transactions.deal", subject_id=deal.pk)
    subjects |= Q(subject_type="transactions.offer", subject_id__in=deal.offers.values("pk"))
    subjects |= Q(
        subject_type="transactions.progressupdate",
        subject_id__in=ProgressUpdate.objects.filter(deal=deal).values("pk"),
    )
    return list(Event.objects.filter(subjects, org_id=deal.org_id).values_list("pk", flat=True))


def journeys_return(deal: Deal, actor: Membership, reason: str) -> None:
    """Engagements in the deal's phases go back to the one before (the buyer searches again,
    the listing is back on the market); what holds one back is `engagement.return_waiting`.
    Work the deal proved for phases not reached yet comes off the record."""
    events = _deal_events(deal)
    locked = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("journey", "pipeline", "org")
        .defer(*VERSION_DATA)
    )
    for link in deal.sides.order_by("engagement_id"):
        # Locked before looking at its other deals, so two deals ending at once see each other.
        engagement = locked.get(org_id=deal.org_id, pk=link.engagement_id)
        evidence_withdraw(engagement, events, actor, timezone.now())
        live = DealEngagement.objects.filter(
            org_id=deal.org_id, engagement_id=engagement.pk, deal__status__in=CARRYING
        ).exclude(deal_id=deal.pk)
        if live.exists():
            # A backup contract still carries the journey: it stays where it is.
            _waiting(deal, engagement, actor, "another deal is still under contract")
            continue
        target = _before_deal(engagement)
        if target is None:
            continue
        try:
            with transaction.atomic():
                # The deal grants the right: its coordinator may end it, not work the journey.
                engagement_return(
                    engagement=engagement, actor=actor, phase_key=target, reason=reason
                )
        except ServiceError as exc:
            _waiting(deal, engagement, actor, exc.message)
