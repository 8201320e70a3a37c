"""The lead review queue: messages no parser could turn into a lead wait here for a person.

Who may work the queue (the `leads.review` action, can_review) and the queue's reads are in
contacts/selectors_review.py; the same rule guards the writes here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Channel
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import LeadReviewItem
from rallypoynt.leads.selectors.review import require_reviewer
from rallypoynt.leads.services.intake import IntakeResult, LeadIn, lead_intake
from rallypoynt.orgs.models import Membership


@transaction.atomic
def review_item_create(
    *,
    org_id: int,
    subject: str,
    sender: str,
    raw: str,
    reason: str,
    channel: str = Channel.EMAIL,
) -> LeadReviewItem:
    """Keep a message that could not become a lead, with the reason why."""
    item = LeadReviewItem.objects.create(
        org_id=org_id,
        channel=channel,
        subject=subject[:300],
        sender=sender[:300],
        raw=raw,
        reason=reason,
        received_at=timezone.now(),
    )
    audit_and_emit(
        org_id=org_id,
        actor_id=None,
        action="lead_review.create",
        target=item,
        changes={"reason": reason},
        kind="lead.review_queued",
        payload={"channel": channel, "reason": reason},
    )
    return item


def _open_item_locked(actor: Membership, item_id: int) -> LeadReviewItem:
    require_reviewer(actor)
    item = (
        LeadReviewItem.objects.select_for_update().filter(org_id=actor.org_id, pk=item_id).first()
    )
    if item is None:
        raise NotFound("No such review item.")
    if item.status != ReviewStatus.OPEN:
        raise Conflict(
            f"This item is already {item.get_status_display().lower()}.",
            fields={"status": [item.status]},
        )
    return item


def _close(item: LeadReviewItem, actor: Membership, status: str) -> None:
    item.status = status
    item.resolved_by = actor
    item.resolved_at = timezone.now()
    item.save()


@transaction.atomic
def review_item_resolve(*, actor: Membership, item_id: int, lead: LeadIn) -> IntakeResult:
    """Turn an open item into a lead (e-mail channel) and link the inquiry to it."""
    item = _open_item_locked(actor, item_id)
    lead.channel = item.channel
    lead.raw = {**lead.raw, "review_item_id": item.pk}
    result = lead_intake(org_id=actor.org_id, lead=lead, actor=actor)
    item.inquiry = result.inquiry
    _close(item, actor, ReviewStatus.RESOLVED)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="lead_review.resolve",
        target=item,
        changes={"inquiry_id": result.inquiry.pk},
        kind="lead.review_resolved",
        payload={"inquiry_id": result.inquiry.pk, "contact_id": result.contact.pk},
    )
    return result


@transaction.atomic
def review_item_discard(*, actor: Membership, item_id: int) -> LeadReviewItem:
    """Close an open item without a lead (spam, a duplicate, not a real inquiry)."""
    item = _open_item_locked(actor, item_id)
    _close(item, actor, ReviewStatus.DISCARDED)
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="lead_review.discard",
        target=item,
        kind="lead.review_discarded",
    )
    return item
