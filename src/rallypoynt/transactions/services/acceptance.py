"""Accepting an offer: its live version becomes the contract, its contingencies deadlines
counted from today, every other live offer on the deal is rejected, and the engagements move
on to Transaction Management when their gate allows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import OFFER_LIVE, Anchor, DealStatus, OfferStatus
from rallypoynt.transactions.domain import Roll
from rallypoynt.transactions.models import Deal, Offer, OfferVersion
from rallypoynt.transactions.services.checklists import checklists_apply
from rallypoynt.transactions.services.commission import commissions_reproject
from rallypoynt.transactions.services.deadline_build import DeadlineSpec, deadlines_create
from rallypoynt.transactions.services.journey_link import journeys_follow
from rallypoynt.transactions.services.offer_versions import (
    offer_close,
    offer_for_update,
    offer_record,
    version_latest,
)


@transaction.atomic
def offer_accept(*, actor: Membership, offer_id: int) -> Offer:
    """The live version becomes the contract: price, earnest money, closing date, accepted
    today; its contingencies become deadlines; every other live offer on the deal is
    rejected; the engagements move on to Transaction Management when their gate allows."""
    offer, deal = offer_for_update(actor, offer_id)
    version = version_latest(offer)
    now = timezone.now()
    if offer.status != OfferStatus.SUBMITTED:
        raise Conflict(
            f"This offer is {offer.get_status_display().lower()}.",
            fields={"status": [offer.status]},
        )
    if version.expires_at and version.expires_at <= now:
        raise Conflict("This offer has expired.", fields={"expires_at": ["passed"]})
    offer_close(offer, version, OfferStatus.ACCEPTED, now)
    _others_reject(deal, offer, actor, now)
    _contract(deal, version, now)
    _contingency_deadlines(deal, version, actor)
    checklists_apply(deal=deal, kinds=["due_diligence", "pre_closing", "closing"], actor=actor)
    commissions_reproject(deal=deal, actor=actor)
    event = offer_record(
        offer, actor, "offer.accepted", number=version.number, price=str(version.price)
    )
    journeys_follow(deal, event, f"the accepted offer from {offer.buyer_name} on {deal}")
    return offer


def _others_reject(deal: Deal, accepted: Offer, actor: Membership, now: datetime) -> None:
    for other in (
        Offer.objects.select_for_update()
        .filter(org_id=deal.org_id, deal=deal, status__in=OFFER_LIVE)
        .exclude(pk=accepted.pk)
    ):
        offer_close(other, version_latest(other), OfferStatus.REJECTED, now)
        offer_record(other, actor, "offer.rejected", reason="another offer was accepted")


def _contract(deal: Deal, version: OfferVersion, now: datetime) -> None:
    deal.status = DealStatus.UNDER_CONTRACT
    deal.offer_price = deal.offer_price or _first_price(version)
    deal.contract_price, deal.earnest_money = version.price, version.earnest_money
    deal.closing_on = version.closing_on or deal.closing_on
    deal.accepted_on = local_today(deal.org, now)
    deal.save()


def _first_price(version: OfferVersion) -> Decimal | None:
    return version.offer.versions.order_by("number").values_list("price", flat=True).first()


def _contingency_deadlines(deal: Deal, version: OfferVersion, actor: Membership) -> None:
    """Each contingency counted from acceptance, rolled off weekends and holidays; the recount
    also moves any deadline already waiting on the acceptance date."""
    specs = [
        DeadlineSpec(
            kind=row["kind"],
            amount=row["days"],
            day_type=row["day_type"],
            anchor=Anchor.ACCEPTANCE,
            roll=Roll.NEXT_BUSINESS_DAY,
        )
        for row in version.contingencies
    ]
    deadlines_create(deal=deal, specs=specs, actor=actor, reason="Offer accepted")
