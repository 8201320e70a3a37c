"""Query-count guards for the deal pages and endpoints that list rows: the same number of
queries at a few rows and at more."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from rallypoynt.api.tests.helpers import ApiClient, client_for_url
from rallypoynt.core.testing import assert_queries_flat, client_for
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.services.checklist_templates import checklist_template_save
from rallypoynt.transactions.services.checklists import checklist_item_add
from rallypoynt.transactions.services.commission import CoAgent, commission_set
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.offers import offer_create
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.services.progress import progress_update_post
from rallypoynt.transactions.services.walkthrough import walkthrough_record
from rallypoynt.transactions.tests.factories import closed_deal, deal_for, plan_for, priced_deal

pytestmark = pytest.mark.django_db
YEAR = "start=2026-01-01&end=2026-12-31"


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Each guard calls the API a handful of times; token ids repeat across tests.
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def deal(brokerage) -> Deal:
    """Ben's deal under contract for a month, closing in three weeks."""
    today = org_today()
    return deal_for(
        brokerage.ben, accepted_on=today - timedelta(days=30), closing_on=today + timedelta(days=21)
    )


def parties(member, deal: Deal, count: int) -> None:
    for n in range(count):
        party_add(
            actor=member,
            deal_id=deal.pk,
            role="inspector",
            name=f"Inspector {n}",
            email=f"inspector{n}@example.com",
        )
        colleague = MembershipFactory(org=member.org, office=member.office)
        party_add(actor=member, deal_id=deal.pk, role="other", member_id=colleague.pk)


# The deal's own pages


@pytest.mark.query_guard("transactions:detail")
def test_the_deal_page_with_more_parties_and_deadlines(brokerage, deal):
    client = client_for(brokerage.ben)
    parties(brokerage.ben, deal, 1)

    def more() -> None:
        parties(brokerage.ben, deal, 3)
        for kind in ("inspection", "appraisal", "financing"):
            deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind=kind, amount=10)

    assert_queries_flat(lambda: client.get(f"/transactions/{deal.pk}/"), more)


@pytest.mark.query_guard("transactions:contacts_csv")
def test_the_deal_contacts_csv(brokerage, deal):
    client = client_for(brokerage.ben)
    parties(brokerage.ben, deal, 1)
    assert_queries_flat(
        lambda: client.get(f"/transactions/{deal.pk}/contacts.csv"),
        lambda: parties(brokerage.ben, deal, 4),
    )


def updates(member, deal: Deal, count: int) -> None:
    for n in range(count):
        progress_update_post(actor=member, deal_id=deal.pk, note=f"Week {n}: on track")


@pytest.mark.query_guard(
    "transactions:manage_progress", "GET /api/v1/transactions/{deal_id}/progress-updates"
)
@pytest.mark.parametrize(
    "path", ["/transactions/{pk}/progress/", "/api/v1/transactions/{pk}/progress-updates"]
)
def test_the_progress_updates(brokerage, deal, path):
    who, url = client_for_url(brokerage.ben, path), path.format(pk=deal.pk)
    updates(brokerage.ben, deal, 1)
    assert_queries_flat(lambda: who.get(url), lambda: updates(brokerage.ben, deal, 4))


def walkthroughs(member, deal: Deal, count: int) -> None:
    for n in range(count):
        walkthrough_record(
            actor=member,
            deal_id=deal.pk,
            done_on=org_today(),
            attendees=f"Buyers, visit {n}",
            findings=[{"area": "Kitchen", "ok": True}, {"area": "Roof", "ok": True}],
        )


@pytest.mark.query_guard(
    "transactions:manage_walkthrough", "GET /api/v1/transactions/{deal_id}/walkthroughs"
)
@pytest.mark.parametrize(
    "path", ["/transactions/{pk}/walkthrough/", "/api/v1/transactions/{pk}/walkthroughs"]
)
def test_the_walkthroughs(brokerage, deal, path):
    who, url = client_for_url(brokerage.ben, path), path.format(pk=deal.pk)
    walkthroughs(brokerage.ben, deal, 1)
    assert_queries_flat(lambda: who.get(url), lambda: walkthroughs(brokerage.ben, deal, 3))


@pytest.mark.query_guard("transactions:commission")
def test_the_deal_commission_page_with_more_co_agents(brokerage):
    plan_for(brokerage, brokerage.ben)
    listing = priced_deal(brokerage.ben, side="sell", price=D(600000))
    client = client_for(brokerage.ben)
    commission_set(actor=brokerage.ben, deal_id=listing.pk, side="sell", rate_percent=D(3))

    def co_agents() -> None:
        members = [MembershipFactory(org=brokerage.org) for _ in range(3)]
        for member in members:
            plan_for(brokerage, member, name=f"Plan of {member.pk}", agent_percent=D(80))
        shares = [CoAgent(member.pk, D(10)) for member in members]
        commission_set(
            actor=brokerage.ben,
            deal_id=listing.pk,
            side="sell",
            rate_percent=D(3),
            co_agents=shares,
        )

    assert_queries_flat(lambda: client.get(f"/transactions/{listing.pk}/commission/"), co_agents)


# Lists across deals


@pytest.mark.query_guard("GET /api/v1/transactions/{deal_id}/offers")
def test_a_listings_offers(brokerage):
    listing = deal_for(brokerage.ben, side="sell", accepted_on=None, list_price=D(650000))
    api = ApiClient(brokerage.ben)
    terms = {"price": "640000", "financing": "cash", "closing_on": date(2027, 2, 26)}

    def offers(count: int) -> None:
        for n in range(count):
            offer_create(
                actor=brokerage.ben, deal_id=listing.pk, buyer_name=f"Buyer {n}", terms=terms
            )

    offers(1)
    url = f"/api/v1/transactions/{listing.pk}/offers"
    assert_queries_flat(lambda: api.get(url), lambda: offers(4))


@pytest.mark.query_guard("GET /api/v1/checklist-items")
def test_the_checklist_items_due_soon(brokerage):
    api = ApiClient(brokerage.ben)
    soon = org_today() + timedelta(days=2)

    def items(count: int) -> None:
        for n in range(count):
            deal = deal_for(brokerage.ben, street=f"{n} Aspen Ct")
            checklist_item_add(
                actor=brokerage.ben,
                deal_id=deal.pk,
                kind="due_diligence",
                title=f"Call the lender {n}",
                due_on=soon,
            )

    items(1)
    assert_queries_flat(lambda: api.get("/api/v1/checklist-items?days=7"), lambda: items(3))


@pytest.mark.query_guard("GET /api/v1/checklist-templates")
def test_the_checklist_templates(brokerage):
    api = ApiClient(brokerage.broker)
    items = [{"key": "survey", "title": "Order the survey", "anchor": "closing", "days": -5}]

    def state_variants() -> None:
        for state in ("WY", "UT", "NM"):
            checklist_template_save(
                actor=brokerage.broker,
                kind="closing",
                side="",
                state=state,
                name=f"Closing in {state}",
                items=items,
            )

    assert_queries_flat(lambda: api.get("/api/v1/checklist-templates"), state_variants)


def plans_and_assignments(brokerage, count: int) -> None:
    """New agents, each on a plan of their own."""
    for n in range(count):
        member = MembershipFactory(org=brokerage.org, office=brokerage.denver)
        plan_for(brokerage, member, name=f"Plan of {member.pk}", agent_percent=D(60 + n))


@pytest.mark.query_guard("transactions:commission_plans", "GET /api/v1/split-plans")
@pytest.mark.parametrize("url", ["/transactions/commission/plans/", "/api/v1/split-plans"])
def test_the_split_plans(brokerage, url):
    who = client_for_url(brokerage.broker, url)
    plans_and_assignments(brokerage, 1)
    assert_queries_flat(lambda: who.get(url), lambda: plans_and_assignments(brokerage, 3))


@pytest.mark.query_guard("GET /api/v1/members/{member_id}/commission-statement.csv")
def test_the_statement_csv(brokerage):
    plan_for(brokerage, brokerage.ben, annual_cap=D(50000))
    closed_deal(brokerage.ben)
    api = ApiClient(brokerage.broker)
    url = f"/api/v1/members/{brokerage.ben.pk}/commission-statement.csv?{YEAR}"

    def more() -> None:
        for day in range(2, 6):
            closed_deal(brokerage.ben, on=date(2026, 3, day))

    assert_queries_flat(lambda: api.get(url), more)
