"""Factories for deals: opened through the real services, priced for commissions, closed, and
the split plans commissions are figured from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from django.db import transaction

from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import (
    Commission,
    Deal,
    DealEngagement,
    SplitPlan,
)
from rallypoynt.transactions.services.commission import commission_set, commissions_finalize
from rallypoynt.transactions.services.commission_plans import split_plan_assign, split_plan_create
from rallypoynt.transactions.services.deals import deal_open

KINDS = {"buy": "purchase", "sell": "sale"}


def deal_for(member, *, side: str = "buy", team=None, dual: bool = False, **values) -> Deal:
    """A deal of `member` on `side` (both sides when `dual`, on `team` if given) through the
    real service, under contract since today unless `accepted_on` says otherwise; the other
    `values` (street, city, state, prices, closing_on...) go to deal_open."""
    engagement = engagement_for(member, side=side, team_id=team.pk if team else None)
    values.setdefault("street", "1550 Blake St")
    values.setdefault("city", "Denver")
    values.setdefault("state", "CO")
    values.setdefault("accepted_on", org_today())
    deal = deal_open(actor=member, engagement_id=engagement.pk, kind=KINDS[side], **values)
    if dual:
        other_side = engagement_for(member, side="sell" if side == "buy" else "buy")
        DealEngagement.objects.create(
            org=deal.org, deal=deal, engagement=other_side, side=other_side.side
        )
    return deal


def priced_deal(
    member, *, price: D | None = D(500000), closing_on: date = date(2026, 6, 1), **options
) -> Deal:
    """A deal listed at `price` that closes on `closing_on` and is not under contract yet: the
    commission tests' deal (its cap year is the closing date's)."""
    return deal_for(member, list_price=price, closing_on=closing_on, accepted_on=None, **options)


def close(deal: Deal, *, on: date, price: D | None = None) -> list[Commission]:
    """What the closing service does: lock the deal, set its final price and date, finalize."""
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        deal.final_price = price if price is not None else deal.list_price
        deal.closed_on, deal.status = on, "closed"
        deal.save()
        return commissions_finalize(deal=deal, closed_on=on, actor=None)


def closed_deal(member, *, on: date = date(2026, 3, 1), amount: D = D(10000)) -> Deal:
    """A priced deal of `member` with a flat buy-side commission, closed on `on`."""
    deal = priced_deal(member)
    commission_set(actor=member, deal_id=deal.pk, side="buy", flat_amount=amount)
    close(deal, on=on)
    return deal


def plan_for(brokerage, member, *, starts_on: date = date(2020, 1, 1), **terms) -> SplitPlan:
    """A split plan the broker creates and assigns to `member` from `starts_on`."""
    terms.setdefault("name", f"Plan {terms.get('agent_percent', 70)}/{terms.get('annual_cap')}")
    terms.setdefault("agent_percent", D(70))
    plan = split_plan_create(actor=brokerage.broker, **terms)
    split_plan_assign(
        actor=brokerage.broker, member_id=member.pk, plan_id=plan.pk, starts_on=starts_on
    )
    return plan


def splits(row: Commission) -> dict[str, D]:
    """A commission's split amounts by payee."""
    return {s.payee: s.amount for s in row.splits.all()}
