"""What a deal does to the journeys of the engagements it serves: move them on a phase, put
the deal's deliverables on file, move them back when it falls through; what cannot happen
yet is recorded, never raised."""

from __future__ import annotations

from django.db import transaction as db_transaction

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import version_blueprint
from rallypoynt.journeys.services.phase_return import engagement_return
from rallypoynt.journeys.services.progress import deliverable_record, phase_advance
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import TransactionStatus
from rallypoynt.transactions.models import Transaction, TransactionEngagement


def _engagements(deal: Transaction) -> list:
    rows = deal.sides.select_related("engagement__journey")
    return [side.engagement for side in rows]


def journeys_advance(deal: Transaction, actor: Membership, from_phase: str) -> None:
    """Engagements in `from_phase` move to the next phase; a gate or a missing deliverable
    that holds one back is recorded as `engagement.advance_waiting` with the reason."""
    for engagement in _engagements(deal):
        if engagement.phase_key != from_phase:
            continue
        try:
            with db_transaction.atomic():
                phase_advance(actor=actor, engagement_id=engagement.pk)
        except ServiceError as exc:
            event_emit(
                org_id=deal.org_id,
                kind="engagement.advance_waiting",
                subject=engagement,
                actor_id=actor.user_id,
                payload={"transaction_id": deal.pk, "reason": exc.message},
            )


LIVE = (TransactionStatus.OFFER, TransactionStatus.UNDER_CONTRACT, TransactionStatus.PENDING)
# The deal's phases begin here; a deal that ends sends its engagements to the phase before.
DEAL_PHASE = "transaction_initiation"


def _before_deal(engagement) -> str | None:
    keys = [p.key for p in version_blueprint(engagement.journey).phases]
    if DEAL_PHASE not in keys or keys.index(DEAL_PHASE) == 0:
        return None
    if keys.index(engagement.phase_key) < keys.index(DEAL_PHASE):
        return None  # not in the deal's phases: nothing to undo
    return keys[keys.index(DEAL_PHASE) - 1]


def journeys_return(deal: Transaction, actor: Membership, reason: str) -> None:
    """Engagements in the deal's phases go back to the one before (the buyer searches again,
    the listing is back on the market); what holds one back is `engagement.return_waiting`."""
    for engagement in _engagements(deal):
        target = _before_deal(engagement)
        if target is None:
            continue
        live = TransactionEngagement.objects.filter(
            org_id=deal.org_id,
            engagement_id=engagement.pk,
            transaction__status__in=LIVE,
        ).exclude(transaction_id=deal.pk)
        if live.exists():
            # A backup contract still carries the journey: it stays where it is.
            event_emit(
                org_id=deal.org_id,
                kind="engagement.return_waiting",
                subject=engagement,
                actor_id=actor.user_id,
                payload={"transaction_id": deal.pk, "reason": "another deal is still live"},
            )
            continue
        try:
            with db_transaction.atomic():
                # The deal grants the right: its coordinator may end it, not work the journey.
                locked = Engagement.objects.select_for_update(of=("self",)).select_related(
                    "journey", "pipeline", "org"
                )
                engagement_return(
                    engagement=locked.get(org_id=deal.org_id, pk=engagement.pk),
                    actor=actor,
                    phase_key=target,
                    reason=reason,
                )
        except ServiceError as exc:
            event_emit(
                org_id=deal.org_id,
                kind="engagement.return_waiting",
                subject=engagement,
                actor_id=actor.user_id,
                payload={"transaction_id": deal.pk, "reason": exc.message},
            )


def journeys_deliver(deal: Transaction, actor: Membership, key: str, note: str) -> int:
    """File deliverable `key` on each engagement whose current phase asks for it."""
    filed = 0
    for engagement in _engagements(deal):
        try:
            with db_transaction.atomic():
                deliverable_record(
                    actor=actor, engagement_id=engagement.pk, deliverable_key=key, note=note
                )
        except ServiceError:
            continue  # not in this phase (or not the actor's to file): nothing to do
        filed += 1
    return filed
