"""Demo deals: engagements in phases 4-6 get a transaction, made by the real services: an
accepted offer, contingencies, parties (the team's TC among them), checklists, commission on
split plans, and the deals in Closing & Transition closed with their summary."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from rallypoynt.core.clock import local_today
from rallypoynt.demo.journeys import Planned
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import version_blueprint
from rallypoynt.journeys.services import gate_decide, wrap_ups_due
from rallypoynt.orgs.models import Membership, Organization
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.services import (
    CoAgent,
    commission_set,
    deadline_resolve,
    deal_close,
    deal_dates_amend,
    deal_open,
    offer_accept,
    offer_create,
    party_add,
    split_plan_assign,
    split_plan_create,
)

CONTINGENCIES = ("inspection", "appraisal", "financing")
STREETS = ["Larimer St", "Pearl St", "Walnut St", "Spruce St", "Mapleton Ave", "Cedar Ave"]
VENDORS = [
    ("lender", "Peak Mortgage", "Pat Rivera", "pat@peakmortgage.example"),
    ("title_escrow", "Alpine Title", "Lee Chen", "closings@alpinetitle.example"),
    ("inspector", "Summit Home Inspections", "Robin Hale", "robin@summitinspect.example"),
]


def _member(org: Organization, role: str) -> Membership | None:
    return (
        Membership.objects.filter(org=org, is_active=True, role_assignments__role=role)
        .order_by("pk")
        .first()
    )


def _plans(org: Organization, broker: Membership) -> None:
    split_plan_create(
        actor=broker,
        name="70/30, $18k cap",
        agent_percent=Decimal(70),
        annual_cap=Decimal(18000),
        post_cap_fee=Decimal(250),
        is_default=True,
    )
    team = split_plan_create(
        actor=broker,
        name="Team 60/10/30, $20k cap",
        agent_percent=Decimal(60),
        team_percent=Decimal(10),
        annual_cap=Decimal(20000),
    )
    year_start = local_today(org).replace(month=1, day=1)
    for member in Membership.objects.filter(org=org, team_memberships__isnull=False).distinct():
        split_plan_assign(actor=broker, member_id=member.pk, plan_id=team.pk, starts_on=year_start)


def _parties(agent: Membership, deal: Deal, tc: Membership | None, n: int) -> None:
    for role, company, name, email in VENDORS:
        party_add(actor=agent, deal_id=deal.pk, role=role, name=name, company=company, email=email)
    co_op = "listing_agent" if deal.kind == "purchase" else "buyer_agent"
    party_add(
        actor=agent,
        deal_id=deal.pk,
        role=co_op,
        name=f"Casey Co-op {n}",
        company="Mile High Homes",
        email=f"casey{n}@milehigh.example",
    )
    if tc is not None and n % 2 == 0:
        party_add(actor=agent, deal_id=deal.pk, role="transaction_coordinator", member_id=tc.pk)


def _offer(agent: Membership, deal: Deal, price: int) -> int:
    today = local_today(deal.org)
    offer = offer_create(
        actor=agent,
        deal_id=deal.pk,
        buyer_name=f"Buyer of {deal.street}",
        terms={
            "price": str(price),
            "earnest_money": str(price // 50),
            "closing_on": today + timedelta(days=30),
            "contingencies": [
                {"kind": "inspection", "days": 10},
                {"kind": "appraisal", "days": 17},
                {"kind": "financing", "days": 21},
            ],
        },
    )
    return offer.pk


def _contract(agent: Membership, deal: Deal, offer_id: int, days_ago: int) -> None:
    offer_accept(actor=agent, offer_id=offer_id)
    deal_dates_amend(
        actor=agent,
        deal_id=deal.pk,
        reason="Demo: accepted earlier",
        accepted_on=local_today(deal.org) - timedelta(days=days_ago),
    )


def _approve(officer: Membership | None, engagement: Engagement) -> None:
    """The brokerage's compliance officer clears the gate the engagement waits at."""
    engagement.refresh_from_db()
    phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
    if officer is None or phase is None or phase.gate is None or not phase.gate.approval_role:
        return
    gate_decide(actor=officer, engagement_id=engagement.pk, verdict="approved")


def _resolve(agent: Membership, deal: Deal, kinds: tuple[str, ...]) -> None:
    for row in deal.deadlines.filter(kind__in=kinds, status="open"):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")


def _co_listing(agent: Membership, n: int) -> list[CoAgent]:
    """Every fourth deal is shared with another agent of the org, 40% to them."""
    if n % 4 != 1:
        return []
    agents = Membership.objects.filter(org_id=agent.org_id, is_active=True)
    other = agents.filter(role_assignments__role="agent").exclude(pk=agent.pk).order_by("pk")
    partner = other.first()
    return [CoAgent(partner.pk, Decimal(40))] if partner else []


# Per target phase: days since acceptance, and days since the closing (None: not closed).
TIMING = {4: (14, None), 5: (35, 3), 6: (75, 40)}


def _deal(planned: Planned, tc, officer, n: int, rng: random.Random) -> None:
    """A deal that carries the engagement to its target phase through the real services."""
    engagement, target = planned.engagement, planned.target
    agent = engagement.agent
    price = rng.choice([425000, 515000, 640000, 785000, 960000])
    deal = deal_open(
        actor=agent,
        engagement_id=engagement.pk,
        kind="purchase" if engagement.side == "buy" else "sale",
        street=f"{100 + 37 * n} {STREETS[n % len(STREETS)]}",
        city="Denver" if n % 2 else "Boulder",
        state="CO",
        list_price=Decimal(price + 10000),
    )
    _parties(agent, deal, tc, n)
    offer_id = _offer(agent, deal, price)
    if target < 4:
        return  # an offer out: Transaction Initiation
    accepted, closed = TIMING[target]
    _contract(agent, deal, offer_id, days_ago=accepted)
    _approve(officer, engagement)
    commission_set(
        actor=agent,
        deal_id=deal.pk,
        side=engagement.side,
        rate_percent=Decimal("2.5"),
        co_agents=_co_listing(agent, n),
    )
    _resolve(agent, deal, ("inspection",) if closed is None else CONTINGENCIES)
    if closed is None:
        return
    closed_on = local_today(agent.org) - timedelta(days=closed)
    deal_close(actor=agent, deal_id=deal.pk, closed_on=closed_on, final_price=Decimal(price))
    if target == 6:
        _approve(officer, engagement)


@transaction.atomic
def demo_deals(org: Organization, planned: list[Planned], *, seed: int = 42) -> int:
    """Deals that take the planned engagements to phases 4-7: an offer out, under contract,
    closed days ago, closed and cared for; once (returns how many)."""
    broker = _member(org, "broker_owner")
    if broker is None or Deal.objects.filter(org=org).exists():
        return 0
    rng = random.Random(seed)
    _plans(org, broker)
    tc = _member(org, "transaction_coordinator")
    officer = _member(org, "compliance_officer")
    for n, item in enumerate(planned):
        _deal(item, tc, officer, n, rng)
    # The wrap-up period of deals closed weeks ago has ended: on to Ongoing Relationship.
    wrap_ups_due()
    return len(planned)
