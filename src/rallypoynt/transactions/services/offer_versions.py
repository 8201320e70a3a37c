"""An offer's chain of versions as the offer services share it: the live version, the offer
locked with its deal, a version closed, and what happened recorded."""

from __future__ import annotations

from datetime import datetime

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import NotFound
from rallypoynt.core.models import Event
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deal, Offer, OfferVersion
from rallypoynt.transactions.services.deal_lock import deal_for_update


def version_latest(offer: Offer) -> OfferVersion:
    """The offer's newest version: the live one while the offer is."""
    latest = offer.versions.order_by("-number").first()
    assert latest is not None, "an offer is created with its first version"
    return latest


def offer_for_update(actor: Membership, offer_id: int) -> tuple[Offer, Deal]:
    """The offer and its deal, both locked (the deal first, as every deal write locks it);
    NotFound for another org's offer or a deal the actor cannot work."""
    offer = Offer.objects.filter(org_id=actor.org_id, pk=offer_id).first()
    if offer is None:
        raise NotFound("No such offer.")
    deal = deal_for_update(actor, offer.deal_id)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    return offer, deal


def offer_close(offer: Offer, version: OfferVersion, status: str, now: datetime) -> None:
    """End the offer and its version with `status` (accepted, rejected, withdrawn, expired)."""
    offer.status = version.status = status
    version.decided_at = now
    version.save(update_fields=["status", "decided_at", "updated_at"])
    offer.save(update_fields=["status", "updated_at"])


def offer_record(offer: Offer, actor: Membership | None, kind: str, **payload: object) -> Event:
    """The audit entry and the domain event of one step of the offer (no actor: a job)."""
    actor_user = actor.user_id if actor else None
    return audit_and_emit(
        org_id=offer.org_id,
        actor_id=actor_user,
        action=kind,
        target=offer,
        changes=payload,
        kind=kind,
        payload={"deal_id": offer.deal_id, **payload},
    )
