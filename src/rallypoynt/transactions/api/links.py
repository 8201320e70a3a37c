"""API: what serves what. A deal's engagements and an engagement's deals, with phase, stage
and status, so an integration can follow a client from lead to past client."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from rallypoynt.core.api.schemas import ERRORS
from rallypoynt.core.api.types import Int64
from rallypoynt.core.errors import NotFound
from rallypoynt.transactions import selectors
from rallypoynt.transactions.selectors import deal_engagements, engagement_deals

router = Router(tags=["transactions"])


class ServedEngagementOut(Schema):
    id: Int64
    title: str
    side: str
    status: str
    phase_key: str
    phase_name: str
    stage_key: str
    stage_name: str
    won_price: Decimal | None


class ServingDealOut(Schema):
    id: Int64
    property: str
    kind: str
    status: str
    status_label: str
    side: str
    accepted_on: date | None
    closing_on: date | None
    closed_on: date | None
    final_price: Decimal | None
    is_visible: bool


@router.get(
    "/transactions/{deal_id}/engagements",
    response={200: list[ServedEngagementOut], **ERRORS},
)
def deal_engagements_endpoint(request, deal_id: Int64):
    """The client journeys this deal serves, and where each stands."""
    deal = selectors.deal_get(actor=request.auth, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    return deal_engagements(deal=deal)


@router.get(
    "/engagements/{engagement_id}/transactions",
    response={200: list[ServingDealOut], **ERRORS},
)
def engagement_deals_endpoint(request, engagement_id: Int64):
    """The deals serving this engagement, newest first (`is_visible`: the caller may open it)."""
    found = engagement_deals(actor=request.auth, engagement_id=engagement_id)
    if found is None:
        raise NotFound("No such engagement.")
    return found
