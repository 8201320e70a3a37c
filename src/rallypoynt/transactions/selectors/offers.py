"""Reads of offers: one offer of a deal the actor may see, and a deal's offers to pick from."""

from __future__ import annotations

from django.db.models import QuerySet

from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deal, Offer
from rallypoynt.transactions.selectors.deals import deal_visible_q


def offer_get(*, actor: Membership, offer_id: int) -> Offer | None:
    """One offer on a deal the actor may see (None otherwise: a 404, never a 403)."""
    return Offer.objects.filter(deal_visible_q(actor, "deal_id"), pk=offer_id).first()


def deal_offers(*, deal: Deal) -> QuerySet[Offer]:
    """The offers on a deal the caller already loaded (to accept one), oldest first."""
    return Offer.objects.filter(org_id=deal.org_id, deal=deal).order_by("pk")
