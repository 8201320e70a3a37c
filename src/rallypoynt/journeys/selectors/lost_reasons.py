"""Reads of the org's lost reasons (the defaults are written on the first read)."""

from __future__ import annotations

from django.db.models import QuerySet

from rallypoynt.journeys.models import LostReason
from rallypoynt.orgs.models import Membership


def lost_reason_list(*, actor: Membership, is_active: bool | None = None) -> QuerySet[LostReason]:
    """The org's reasons for losing an engagement, in its order (the defaults at first);
    `is_active` keeps only those offered when closing, or only the retired ones."""
    from rallypoynt.journeys.services.lost_reasons import lost_reasons_ensure

    lost_reasons_ensure(actor.org_id)
    reasons = LostReason.objects.filter(org_id=actor.org_id)
    if is_active is not None:
        reasons = reasons.filter(is_active=is_active)
    return reasons.order_by("position", "id")
