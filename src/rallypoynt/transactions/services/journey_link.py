"""What a deal does to the journeys of the engagements it serves: move them on a phase and
put the deal's deliverables on file; what cannot happen yet is recorded, never raised."""

from __future__ import annotations

from django.db import transaction as db_transaction

from rallypoynt.core.errors import ServiceError
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.services.progress import deliverable_record, phase_advance
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Transaction


def _engagements(deal: Transaction) -> list:
    return [side.engagement for side in deal.sides.select_related("engagement")]


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
