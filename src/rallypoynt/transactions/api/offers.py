"""API: offers and counteroffers on a deal, side by side with net to seller."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import (
    BoundedDate,
    BoundedDateTime,
    Int32,
    Int64,
    Money,
    PositiveInt32,
)
from rallypoynt.core.errors import NotFound
from rallypoynt.transactions import selectors
from rallypoynt.transactions.models import Offer
from rallypoynt.transactions.services import offers

router = Router(tags=["offers"])


class Contingency(Schema):
    kind: str
    days: Int32  # the service allows 0 to 365; a deadline's 32-bit amount on acceptance
    day_type: str = "calendar"


class TermsIn(Schema):
    price: Money
    earnest_money: Money | None = None
    financing: str = "conventional"
    down_payment: Money | None = None
    contingencies: list[Contingency] = []
    closing_on: BoundedDate | None = None
    seller_concessions: Money | None = None
    inclusions: str = ""
    exclusions: str = ""
    expires_at: BoundedDateTime | None = None


class TermsChangesIn(Schema):
    """The terms a counter changes (any subset of an offer's terms; null clears one)."""

    # An unknown term is refused, not dropped: the counter would silently differ.
    model_config = ConfigDict(extra="forbid")

    price: Money | None = None
    earnest_money: Money | None = None
    financing: str | None = None
    down_payment: Money | None = None
    contingencies: list[Contingency] | None = None
    closing_on: BoundedDate | None = None
    seller_concessions: Money | None = None
    inclusions: str | None = None
    exclusions: str | None = None
    expires_at: BoundedDateTime | None = None


class OfferIn(Schema):
    buyer_name: str
    buyer_agent: str = ""
    terms: TermsIn
    is_submitted: bool = True


class CounterIn(Schema):
    proposed_by: str
    changes: TermsChangesIn


class CompareQuery(Schema):
    commission_rate: Decimal = Field(
        Decimal("0.05"), ge=0, le=1, max_digits=7, decimal_places=6, allow_inf_nan=False
    )
    closing_costs: Money = Field(Decimal("0"), ge=0)


class DecideIn(Schema):
    decision: str


class OfferVersionOut(Schema):
    number: PositiveInt32
    proposed_by: str
    status: str
    price: Decimal
    earnest_money: Decimal | None
    financing: str
    down_payment: Decimal | None
    contingencies: list[dict[str, Any]]
    closing_on: date | None
    seller_concessions: Decimal | None
    inclusions: str
    exclusions: str
    expires_at: datetime | None
    changes: dict[str, list] = {}


class OfferOut(Schema):
    id: Int64
    deal_id: Int64
    buyer_name: str
    buyer_agent: str
    status: str
    versions: list[OfferVersionOut]
    net_to_seller: Decimal | None = None


def _offer_out(offer: Offer, net: Decimal | None = None) -> dict:
    versions, previous = [], None
    # sorted in Python: the compare list prefetched every offer's versions
    for version in sorted(offer.versions.all(), key=lambda v: v.number):
        names = (name for name in OfferVersionOut.model_fields if name != "changes")
        row = {name: getattr(version, name) for name in names}
        row["changes"] = offers.terms_diff(previous, version) if previous else {}
        versions.append(row)
        previous = version
    return {
        "id": offer.pk,
        "deal_id": offer.deal_id,
        "buyer_name": offer.buyer_name,
        "buyer_agent": offer.buyer_agent,
        "status": offer.status,
        "versions": versions,
        "net_to_seller": net,
    }


def _visible_offer(request, offer_id: Int64) -> Offer:
    offer = selectors.offer_get(actor=request.auth, offer_id=offer_id)
    if offer is None:
        raise NotFound("No such offer.")
    return offer


@router.post("/transactions/{deal_id}/offers", response={201: OfferOut, **ERRORS})
def offer_create_endpoint(request, deal_id: Int64, body: OfferIn):
    """A buyer's offer on the deal (submitted, or a draft)."""
    terms = body.terms.dict()
    offer = offers.offer_create(
        actor=request.auth,
        deal_id=deal_id,
        buyer_name=body.buyer_name,
        buyer_agent=body.buyer_agent,
        terms=terms,
        is_submitted=body.is_submitted,
    )
    return Status(201, _offer_out(offer))


@router.get("/transactions/{deal_id}/offers", response={200: list[OfferOut], **ERRORS})
def offer_compare_endpoint(request, deal_id: Int64, query: Query[CompareQuery]):
    """Every offer's latest terms side by side, best net to seller first (price less seller
    concessions, commission at `commission_rate` and `closing_costs`)."""
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    rows = offers.offers_compare(
        deal, commission_rate=query.commission_rate, closing_costs=query.closing_costs
    )
    return [_offer_out(row["offer"], row["net_to_seller"]) for row in rows]


@router.get("/offers/{offer_id}", response={200: OfferOut, **ERRORS})
def offer_read_endpoint(request, offer_id: Int64):
    """The chain, each version with what it changed from the one before."""
    return _offer_out(_visible_offer(request, offer_id))


@router.post("/offers/{offer_id}/counter", response={200: OfferOut, **ERRORS})
def offer_counter_endpoint(request, offer_id: Int64, body: CounterIn):
    offers.offer_counter(
        actor=request.auth,
        offer_id=offer_id,
        changes=body.changes.dict(exclude_unset=True),
        proposed_by=body.proposed_by,
    )
    return _offer_out(_visible_offer(request, offer_id))


@router.post("/offers/{offer_id}/decide", response={200: OfferOut, **ERRORS})
def offer_decide_endpoint(request, offer_id: Int64, body: DecideIn):
    """accepted (the contract), rejected or withdrawn."""
    offers.offer_decide(actor=request.auth, offer_id=offer_id, decision=body.decision)
    return _offer_out(_visible_offer(request, offer_id))
