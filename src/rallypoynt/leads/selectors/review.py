"""Reads of the lead review queue, and who may work it.

Who may work the queue: lead agents, brokers/owners, office managers and administrative
support (the `leads.review` action in orgs/permissions.py). Items carry no owner, so those
roles see the whole org's queue; everyone else (agents, buyer specialists…) sees none of it.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.leads.choices import ReviewStatus
from rallypoynt.leads.models import LeadReviewItem
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import can

REVIEW_ACTION = "leads.review"


def can_review(actor: Membership | None) -> bool:
    """True when the member may open the review queue and act on its items."""
    return actor is not None and actor.is_active and can(actor, REVIEW_ACTION)


def require_reviewer(actor: Membership) -> None:
    """PermissionDenied unless the member may work the queue (reads and writes alike)."""
    if not can_review(actor):
        raise PermissionDenied(
            "Only lead agents, brokers, office managers and admin support "
            "may work the lead review queue."
        )


def review_item_list(*, actor: Membership, status: str = ReviewStatus.OPEN) -> QuerySet:
    """The org's review items with `status`, for a member allowed to see the queue."""
    require_reviewer(actor)
    if status not in ReviewStatus.values:
        raise ValidationFailed(
            "Invalid status.", fields={"status": [f"one of {', '.join(ReviewStatus.values)}"]}
        )
    return LeadReviewItem.objects.filter(org_id=actor.org_id, status=status).select_related(
        "resolved_by__user"
    )


def review_item_counts(*, actor: Membership) -> dict[str, int]:
    """How many of the org's items are in each status (for the queue's tabs)."""
    require_reviewer(actor)
    rows = (
        LeadReviewItem.objects.filter(org_id=actor.org_id)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def review_item_get(*, actor: Membership, item_id: int) -> LeadReviewItem:
    """One review item of the actor's org, or NotFound (never another org's)."""
    require_reviewer(actor)
    item = (
        LeadReviewItem.objects.filter(org_id=actor.org_id, pk=item_id)
        .select_related("resolved_by__user", "inquiry")
        .first()
    )
    if item is None:
        raise NotFound("No such review item.")
    return item
