"""Offers and counteroffers: a chain of versions per buyer; accepting one makes it the contract.

Each counter is a new version carrying every term (so any two can be compared); an offer
expires on time by itself (a job). The terms live in offer_terms, acceptance in offer_accept;
every public name of the three is importable from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import OFFER_LIVE, DealStatus, OfferStatus
from rallypoynt.transactions.models import Offer, OfferVersion
from rallypoynt.transactions.services.acceptance import offer_accept
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.journey_link import journeys_follow
from rallypoynt.transactions.services.offer_terms import (
    MONEY_TERMS,
    TERMS,
    offers_compare,
    terms_clean,
    terms_diff,
    terms_of,
)
from rallypoynt.transactions.services.offer_versions import (
    offer_close,
    offer_for_update,
    offer_record,
    version_latest,
)

__all__ = [
    "MONEY_TERMS",
    "TERMS",
    "offer_accept",
    "offer_counter",
    "offer_create",
    "offer_decide",
    "offer_expire",
    "offer_submit",
    "offers_compare",
    "terms_clean",
    "terms_diff",
    "terms_of",
]


def _expiry_schedule(version: OfferVersion) -> None:
    if version.expires_at is None:
        return
    # Imported here: tasks.py imports offer_expire from this module at its top.
    from rallypoynt.transactions.tasks import offer_expire

    enqueue_on_commit(offer_expire, version.pk, when=version.expires_at)


@transaction.atomic
def offer_create(
    *,
    actor: Membership,
    deal_id: int,
    buyer_name: str,
    terms: dict[str, Any],
    buyer_agent: str = "",
    is_submitted: bool = True,
) -> Offer:
    """A buyer's first offer on the deal (submitted unless saved as a draft)."""
    deal = deal_for_update(actor, deal_id)
    if deal.status not in (DealStatus.OFFER,):
        raise Conflict("This deal is past the offer stage.", fields={"status": [deal.status]})
    if not buyer_name.strip():
        raise ValidationFailed("Who is the buyer?", fields={"buyer_name": ["required"]})
    now = timezone.now()
    clean = terms_clean(terms, now=now)
    status = OfferStatus.SUBMITTED if is_submitted else OfferStatus.DRAFT
    offer = Offer.objects.create(
        org_id=actor.org_id,
        deal=deal,
        status=status,
        buyer_name=buyer_name.strip()[:200],
        buyer_agent=buyer_agent.strip()[:200],
    )
    version = OfferVersion.objects.create(
        org_id=actor.org_id,
        offer=offer,
        number=1,
        proposed_by="buy",
        status=status,
        submitted_at=now if is_submitted else None,
        created_by=actor,
        **clean,
    )
    if is_submitted:
        _expiry_schedule(version)
    kind = "offer.submitted" if is_submitted else "offer.created"
    event = offer_record(offer, actor, kind, status=status, price=str(version.price))
    if is_submitted:
        journeys_follow(deal, event)
    return offer


@transaction.atomic
def offer_counter(
    *, actor: Membership, offer_id: int, changes: dict[str, Any], proposed_by: str
) -> OfferVersion:
    """Answer the live version with a counter: the terms it changes, the rest carried over."""
    offer, _ = offer_for_update(actor, offer_id)
    current = version_latest(offer)
    if offer.status != OfferStatus.SUBMITTED:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    if proposed_by not in ("buy", "sell") or proposed_by == current.proposed_by:
        raise ValidationFailed(
            "A counter comes from the other side.",
            fields={"proposed_by": ["the side that received the offer"]},
        )
    now = timezone.now()
    merged = {**terms_of(current), **changes}
    if "expires_at" not in changes:
        merged["expires_at"] = None  # a counter sets its own deadline or none
    clean = terms_clean(merged, now=now)
    current.status, current.decided_at = OfferStatus.COUNTERED, now
    current.save(update_fields=["status", "decided_at", "updated_at"])
    version = OfferVersion.objects.create(
        org_id=offer.org_id,
        offer=offer,
        number=current.number + 1,
        proposed_by=proposed_by,
        status=OfferStatus.SUBMITTED,
        submitted_at=now,
        created_by=actor,
        **clean,
    )
    _expiry_schedule(version)
    offer_record(
        offer, actor, "offer.countered", number=version.number, changes=terms_diff(current, version)
    )
    return version


@transaction.atomic
def offer_submit(*, actor: Membership, offer_id: int) -> Offer:
    """Send a draft offer."""
    offer, deal = offer_for_update(actor, offer_id)
    version = version_latest(offer)
    if offer.status != OfferStatus.DRAFT:
        raise Conflict("Only a draft can be submitted.", fields={"status": [offer.status]})
    now = timezone.now()
    if version.expires_at and version.expires_at <= now:
        raise ValidationFailed("It would expire at once.", fields={"expires_at": ["in the past"]})
    offer.status = version.status = OfferStatus.SUBMITTED
    version.submitted_at = now
    version.save(update_fields=["status", "submitted_at", "updated_at"])
    offer.save(update_fields=["status", "updated_at"])
    _expiry_schedule(version)
    journeys_follow(deal, offer_record(offer, actor, "offer.submitted", number=version.number))
    return offer


@transaction.atomic
def offer_decide(*, actor: Membership, offer_id: int, decision: str) -> Offer:
    """Reject or withdraw a live offer, or accept it (see offer_accept)."""
    if decision == OfferStatus.ACCEPTED:
        return offer_accept(actor=actor, offer_id=offer_id)
    if decision not in (OfferStatus.REJECTED, OfferStatus.WITHDRAWN):
        raise ValidationFailed(
            "Accept, reject or withdraw?", fields={"decision": ["accepted, rejected or withdrawn"]}
        )
    offer, _ = offer_for_update(actor, offer_id)
    if offer.status not in OFFER_LIVE:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    offer_close(offer, version_latest(offer), decision, timezone.now())
    offer_record(offer, actor, f"offer.{decision}")
    return offer


def offer_expire(*, version_id: int, now: datetime | None = None) -> str:
    """Expire a submitted version whose time passed (safe to run twice or early)."""
    now = now or timezone.now()
    with transaction.atomic():
        version = (
            OfferVersion.objects.select_for_update()
            .select_related("offer")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            return "missing"
        if version.status != OfferStatus.SUBMITTED:
            return version.status
        if version.expires_at is None or now < version.expires_at:
            return "not_due"
        offer = Offer.objects.select_for_update().get(pk=version.offer_id)
        offer_close(offer, version, OfferStatus.EXPIRED, now)
        offer_record(offer, None, "offer.expired", number=version.number)
    return "expired"
