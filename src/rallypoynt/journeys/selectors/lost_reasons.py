"""Reads of the org's lost reasons (the defaults are written on the first read)."""

from __future__ import annotations

from django.db.models import QuerySet

from rallypoynt.journeys.models import LostReason
from rallypoynt.orgs.models import Membership


def lost_reason_list(*, actor: Membership) -> QuerySet[LostReason]:
    """The org's reasons for losing an engagement, in its order (the defaults at first)."""
    from rallypoynt.journeys.services.lost_reasons import lost_reasons_ensure

    lost_reasons_ensure(actor.org_id)
    return LostReason.objects.filter(org_id=actor.org_id).order_by("position", "id")
