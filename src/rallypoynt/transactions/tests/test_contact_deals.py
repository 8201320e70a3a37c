"""A person's deals on their contact page (the Deals panel): the deals of their journeys and
those naming them as a party, each with its status and closing date; a deal the viewer may not
see is not listed. The whole page keeps a flat query count as journeys and deals grow."""

from __future__ import annotations

from datetime import date

import pytest

from rallypoynt.contacts.tests.factories import BUYER_ESSENTIALS, ContactFactory, profile_for
from rallypoynt.core.testing import assert_queries_flat, client_for, page
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.transactions.selectors import contact_deals
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def nora(brokerage):
    return ContactFactory(
        org=brokerage.org, owner=brokerage.ben, first_name="Nora", last_name="Lind"
    )


def deal_of(member, contact, *, side: str = "buy", street: str = "1550 Blake St", **values):
    """A deal on a journey of `contact`'s, opened by `member`."""
    engagement = engagement_open(actor=member, contact_ids=[contact.pk], side=side, level="team")
    kind = {"buy": "purchase", "sell": "sale"}[side]
    return deal_open(
        actor=member, engagement_id=engagement.pk, kind=kind, street=street, city="Denver", **values
    )


def test_the_panel_lists_the_deals_of_the_persons_journeys_and_those_naming_them(brokerage, nora):
    own = deal_of(brokerage.ben, nora, closing_on=date(2026, 6, 1))
    named = deal_for(brokerage.ben, street="9 Aspen Ct")  # another client's deal
    party_add(actor=brokerage.ben, deal_id=named.pk, role="buyer", contact_id=nora.pk)
    unrelated = deal_for(brokerage.ben, street="77 Elm St")
    listed = contact_deals(actor=brokerage.ben, contact_id=nora.pk)
    assert [d.id for d in listed] == [named.pk, own.pk]
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    assert 'id="deals"' in html and "1550 Blake St, Denver" in html and "9 Aspen Ct" in html
    assert f'data-deal="{unrelated.pk}"' not in html
    assert "Offer" in html or own.get_status_display() in html
    assert "closing Mon Jun 1, 2026" in html


def test_a_deal_the_viewer_may_not_see_is_not_listed(brokerage, nora):
    bens = deal_of(brokerage.ben, nora)
    marias = deal_for(brokerage.maria, street="5 Pearl St")  # Boulder: out of Ben's sight
    party_add(actor=brokerage.broker, deal_id=marias.pk, role="buyer", contact_id=nora.pk)
    assert [d.id for d in contact_deals(actor=brokerage.ben, contact_id=nora.pk)] == [bens.pk]
    assert {d.id for d in contact_deals(actor=brokerage.broker, contact_id=nora.pk)} == {
        bens.pk,
        marias.pk,
    }
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    assert "5 Pearl St" not in html


def test_no_deal_no_panel(brokerage, nora):
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    assert 'id="deals"' not in html and 'id="engagements"' in html


def test_the_panels_show_engagements_first_then_deals_then_the_profile(brokerage, nora):
    deal_of(brokerage.ben, nora)
    html = page(client_for(brokerage.ben).get(f"/contacts/{nora.pk}/"))
    order = [html.index(f'id="{key}"') for key in ("engagements", "deals", "profiles", "activity")]
    assert order == sorted(order)


@pytest.mark.query_guard("contacts:detail")
def test_the_contact_page_query_count_is_flat_as_journeys_deals_and_profiles_grow(brokerage, nora):
    client = client_for(brokerage.ben)
    deal_of(brokerage.ben, nora)

    def more() -> None:
        for n in range(3):
            deal_of(brokerage.ben, nora, street=f"{n} Larimer St")
        deal_of(brokerage.ben, nora, side="sell", street="8 Sell St")
        profile_for(brokerage.ben, nora, **BUYER_ESSENTIALS)

    assert_queries_flat(lambda: client.get(f"/contacts/{nora.pk}/"), more)
