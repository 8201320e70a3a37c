"""Resolving a deadline (removed, waived, failed) and what that does to the deal: a failed
contingency starts the termination flow, the last one removed makes the deal pending."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import (
    RESOLVED,
    UNRESOLVED,
    DeadlineStatus,
    DealStatus,
)
from rallypoynt.transactions.models import Deadline, Deal
from rallypoynt.transactions.selectors import deal_visible_q
from rallypoynt.transactions.services.closing import termination_start
from rallypoynt.transactions.services.deal_lock import deal_lock
from rallypoynt.transactions.services.journey_link import journeys_follow


@transaction.atomic
def deadline_resolve(
    *, actor: Membership, deadline_id: int, status: str, note: str = ""
) -> Deadline:
    """Remove (satisfy), waive or fail a deadline; the resolution time goes on the event."""
    deal_id = (
        Deadline.objects.filter(org_id=actor.org_id, pk=deadline_id)
        .values_list("deal_id", flat=True)
        .first()
    )
    if deal_id is None or not Deal.objects.filter(deal_visible_q(actor), pk=deal_id).exists():
        raise NotFound("No such deadline.")
    # The deal first, then the deadline (as terminating does): two contingencies removed at
    # once see each other, so the last one makes the deal pending.
    deal_lock(deal_id)
    row = Deadline.objects.select_for_update().select_related("deal").get(pk=deadline_id)
    if status not in RESOLVED:
        raise ValidationFailed("How was it resolved?", fields={"status": sorted(RESOLVED)})
    if row.status in RESOLVED:
        raise Conflict(
            f"It is {row.get_status_display().lower()} already.", fields={"status": [row.status]}
        )
    now = timezone.now()
    row.status, row.resolved_at, row.resolved_by = status, now, actor
    row.save(update_fields=["status", "resolved_at", "resolved_by", "updated_at"])
    accepted = row.deal.accepted_on
    days = (local_today(actor.org, now) - accepted).days if accepted else None
    event_emit(
        org_id=row.org_id,
        kind=f"deadline.{status}",
        subject=row,
        actor_id=actor.user_id,
        payload={
            "deal_id": row.deal_id,
            "kind": row.kind,
            "note": note[:300],
            "resolution_days": days,
            "is_late": bool(row.due_at and now > row.due_at),
        },
    )
    _deal_follows(row, actor)
    return row


def _deal_follows(row: Deadline, actor: Membership) -> None:
    """A failed contingency starts the termination flow; the last contingency removed makes
    the deal pending (nothing left that lets the buyer walk away)."""
    deal = row.deal
    if not row.is_contingency or deal.status != DealStatus.UNDER_CONTRACT:
        return
    if row.status == DeadlineStatus.FAILED:
        termination_start(deal, row, actor)
        return
    others = deal.deadlines.filter(is_contingency=True).exclude(pk=row.pk)
    if not others.filter(status__in=UNRESOLVED | {DeadlineStatus.FAILED}).exists():
        deal.status = DealStatus.PENDING
        deal.save(update_fields=["status", "updated_at"])
        event = event_emit(
            org_id=deal.org_id,
            kind="transaction.contingencies_cleared",
            subject=deal,
            actor_id=actor.user_id,
            payload={"last_deadline_id": row.pk},
        )
        journeys_follow(deal, event)
