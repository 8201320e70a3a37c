"""Deal pages: deadlines this week, the deal page, and who may see them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rallypoynt.core.testing import client_for, count_queries
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.tests.factories import deal_for, plan_for

pytestmark = pytest.mark.django_db


def test_the_week_view_lists_my_deadlines_and_not_anyone_elses(brokerage):
    mine = deal_for(brokerage.ben, street="1 Main St")
    theirs = deal_for(brokerage.maria, street="9 Other Rd")
    deadline_add(actor=brokerage.ben, deal_id=mine.pk, kind="inspection", amount=3)
    deadline_add(actor=brokerage.maria, deal_id=theirs.pk, kind="inspection", amount=3)
    page = client_for(brokerage.ben).get("/transactions/").content.decode()
    assert "1 Main St" in page and "9 Other Rd" not in page
    assert client_for(brokerage.ben).get(f"/transactions/{theirs.pk}/").status_code == 404


def test_my_deals_by_status_a_page_at_a_time(brokerage, monkeypatch):
    from rallypoynt.transactions.models import Deal
    from rallypoynt.transactions.views import deals as deal_views

    monkeypatch.setattr(deal_views, "DEALS_PER_PAGE", 2)
    deals = [deal_for(brokerage.ben, street=f"{n} Aspen Ct") for n in range(3)]
    Deal.objects.filter(pk=deals[0].pk).update(status="closed")
    deal_for(brokerage.maria, street="9 Other Rd")
    client = client_for(brokerage.ben)

    first = client.get("/transactions/")
    assert [d.pk for d in first.context["deals"]] == [deals[2].pk, deals[1].pk]
    assert 'rel="next"' in first.content.decode()
    older = client.get(f"/transactions/?cursor={first.context['next_cursor']}")
    assert [d.pk for d in older.context["deals"]] == [deals[0].pk]
    assert older.context["next_cursor"] is None

    closed = client.get("/transactions/?status=closed")
    assert [d.pk for d in closed.context["deals"]] == [deals[0].pk]
    assert 'aria-current="page">Closed' in closed.content.decode()
    assert "9 Other Rd" not in closed.content.decode() + first.content.decode()
    # A status or cursor typed wrong says so and shows the first page of all.
    for query in ("status=sold", "cursor=%25%25"):
        bad = client.get(f"/transactions/?{query}", follow=True)
        assert bad.status_code == 200 and len(bad.context["deals"]) == 2
        assert any("Showing all deals" in str(m) for m in bad.context["messages"])


def test_the_deal_page_shows_the_timeline_and_a_removal_works(brokerage):
    deal = deal_for(brokerage.ben, closing_on=org_today() + timedelta(days=30))
    row = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="appraisal", amount=17)
    client = client_for(brokerage.ben)
    page = client.get(f"/transactions/{deal.pk}/").content.decode()
    assert "Appraisal contingency" in page and "Remove contingency" in page
    client.post(f"/transactions/{deal.pk}/resolve/", {"deadline_id": row.pk, "status": "satisfied"})
    row.refresh_from_db()
    assert row.status == "satisfied"


@pytest.mark.query_guard("transactions:list")
def test_the_week_view_costs_the_same_queries_for_more_deals(brokerage):
    client = client_for(brokerage.ben)
    deal = deal_for(brokerage.ben)
    deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection", amount=2)
    client.get("/transactions/")
    few = count_queries(lambda: client.get("/transactions/"))
    for _ in range(4):
        more = deal_for(brokerage.ben)
        deadline_add(actor=brokerage.ben, deal_id=more.pk, kind="inspection", amount=2)
    assert count_queries(lambda: client.get("/transactions/")) == few


def test_net_to_seller_shows_only_when_we_list_the_home_after_its_listing_commission(brokerage):
    from decimal import Decimal

    from rallypoynt.transactions.services.commission import commission_set
    from rallypoynt.transactions.services.offers import offer_create

    price = {"list_price": Decimal(400000), "accepted_on": None}
    buying = deal_for(brokerage.ben, street="1 Buyer Way", **price)
    listing = deal_for(brokerage.ben, side="sell", street="2 Listing Ln", **price)
    terms = {"price": Decimal(400000), "seller_concessions": Decimal(5000)}
    for deal in (buying, listing):
        offer_create(actor=brokerage.ben, deal_id=deal.pk, buyer_name="The Parks", terms=terms)
    client = client_for(brokerage.ben)
    assert "Net to seller" not in client.get(f"/transactions/{buying.pk}/").content.decode()
    page = client.get(f"/transactions/{listing.pk}/").content.decode()
    assert "listing commission not set" in page and "$395,000" in page
    plan_for(brokerage, brokerage.ben)
    commission_set(actor=brokerage.ben, deal_id=listing.pk, side="sell", rate_percent=Decimal(3))
    page = client.get(f"/transactions/{listing.pk}/").content.decode()
    assert "less 3% listing commission" in page and "$383,000" in page  # 400k - 5k - 12k


def test_each_deal_button_says_what_it_did(brokerage):
    deal = deal_for(brokerage.ben, street="3 Said St")
    row = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="inspection", amount=3)
    client = client_for(brokerage.ben)
    response = client.post(
        f"/transactions/{deal.pk}/resolve/",
        {"deadline_id": row.pk, "status": "waived"},
        follow=True,
    )
    assert f"{row.name} waived." in [str(m) for m in response.context["messages"]]
    response = client.post(
        f"/transactions/{deal.pk}/party/",
        {"role": "lender", "name": "Ann Loan"},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert "Ann Loan added to the team contact list as lender / loan officer." in said
