"""Offers: a chain of versions, a diff between them, expiry on time, acceptance into the
contract (deadlines, competing offers, the journey moving on), net to seller."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.journeys.tests.factories import advance_to, engagement_for
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import Deadline, Offer
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import (
    offer_accept,
    offer_counter,
    offer_create,
    offer_decide,
    offer_expire,
    offers_compare,
    terms_diff,
)

pytestmark = pytest.mark.django_db

TERMS = {
    "price": "640000",
    "earnest_money": "10000",
    "financing": "conventional",
    "down_payment": "128000",
    "contingencies": [
        {"kind": "inspection", "days": 10},
        {"kind": "financing", "days": 21, "day_type": "calendar"},
    ],
    "closing_on": date(2027, 2, 26),
    "seller_concessions": "5000",
}


@pytest.fixture
def listing(brokerage):
    engagement = engagement_for(brokerage.ben, side="sell")
    return deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="sale",
        street="22 Elm St",
        state="CO",
        list_price=Decimal("650000"),
    )


def test_a_counter_is_a_new_version_and_the_diff_names_what_changed(brokerage, listing):
    offer = offer_create(
        actor=brokerage.ben, deal_id=listing.pk, buyer_name="The Linds", terms=TERMS
    )
    counter = offer_counter(
        actor=brokerage.ben,
        offer_id=offer.pk,
        proposed_by="sell",
        changes={"price": "648000", "seller_concessions": "0"},
    )
    first = offer.versions.get(number=1)
    assert first.status == "countered" and counter.number == 2 and counter.status == "submitted"
    assert terms_diff(first, counter) == {
        "price": ["640000.00", "648000.00"],
        "seller_concessions": ["5000.00", "0.00"],
    }
    with pytest.raises(ValidationFailed):
        offer_counter(actor=brokerage.ben, offer_id=offer.pk, proposed_by="sell", changes={})


def test_bad_terms_are_named_and_nothing_is_written(brokerage, listing):
    bad = {**TERMS, "price": "-1", "financing": "barter", "contingencies": [{"kind": "vibes"}]}
    with pytest.raises(ValidationFailed) as caught:
        offer_create(actor=brokerage.ben, deal_id=listing.pk, buyer_name="X", terms=bad)
    assert {"price", "financing", "contingencies.0.kind"} <= set(caught.value.fields)
    assert not Offer.objects.exists()


def test_an_offer_expires_on_time_by_itself(brokerage, listing):
    expires = timezone.now() + timedelta(hours=2)
    offer = offer_create(
        actor=brokerage.ben,
        deal_id=listing.pk,
        buyer_name="A",
        terms={**TERMS, "expires_at": expires},
    )
    version = offer.versions.get()
    assert offer_expire(version_id=version.pk, now=expires - timedelta(minutes=1)) == "not_due"
    assert offer_expire(version_id=version.pk, now=expires) == "expired"
    offer.refresh_from_db()
    assert offer.status == "expired"
    with pytest.raises(Conflict):
        offer_accept(actor=brokerage.ben, offer_id=offer.pk)


def test_accepting_makes_the_contract_counts_deadlines_and_rejects_the_others(brokerage, listing):
    winner = offer_create(actor=brokerage.ben, deal_id=listing.pk, buyer_name="Linds", terms=TERMS)
    loser = offer_create(
        actor=brokerage.ben,
        deal_id=listing.pk,
        buyer_name="Parks",
        terms={**TERMS, "price": "630000", "contingencies": []},
    )
    offer_accept(actor=brokerage.ben, offer_id=winner.pk)
    listing.refresh_from_db()
    assert listing.status == "under_contract" and listing.contract_price == Decimal("640000")
    assert listing.accepted_on == org_today() and listing.closing_on == date(2027, 2, 26)
    kinds = set(Deadline.objects.filter(deal=listing).values_list("kind", flat=True))
    assert kinds == {"inspection", "financing"}
    assert all(d.due_on for d in Deadline.objects.filter(deal=listing))
    loser.refresh_from_db()
    assert loser.status == "rejected"
    # The listing engagement is still in Discovery: nothing to advance, nothing recorded.
    assert Event.objects.filter(kind="offer.accepted").count() == 1
    with pytest.raises(Conflict):
        offer_create(actor=brokerage.ben, deal_id=listing.pk, buyer_name="Late", terms=TERMS)


def test_net_to_seller_puts_the_best_offer_first(brokerage, listing):
    offer_create(
        actor=brokerage.ben,
        deal_id=listing.pk,
        buyer_name="High price",
        terms={**TERMS, "price": "660000", "seller_concessions": "25000"},
    )
    offer_create(
        actor=brokerage.ben,
        deal_id=listing.pk,
        buyer_name="Clean",
        terms={**TERMS, "price": "650000", "seller_concessions": "0"},
    )
    rows = offers_compare(listing, commission_rate=Decimal("0.05"), closing_costs=Decimal(3000))
    assert [r["offer"].buyer_name for r in rows] == ["Clean", "High price"]
    assert rows[0]["net_to_seller"] == Decimal("614500.00")


def test_net_to_seller_rounds_half_cents_up(brokerage, listing):
    offer_create(
        actor=brokerage.ben,
        deal_id=listing.pk,
        buyer_name="Odd cents",
        terms={**TERMS, "price": "100000.50", "seller_concessions": "0"},
    )
    # 100,000.50 less 3% (3,000.015): 97,000.485 is 97,000.49, not the banker's 97,000.48.
    rows = offers_compare(listing, commission_rate=Decimal("0.03"), closing_costs=Decimal(0))
    assert rows[0]["net_to_seller"] == Decimal("97000.49")


def test_withdrawn_offers_and_outsiders(brokerage, other, listing):
    offer = offer_create(actor=brokerage.ben, deal_id=listing.pk, buyer_name="A", terms=TERMS)
    for outsider in (brokerage.maria, other.broker):
        with pytest.raises(NotFound):
            offer_accept(actor=outsider, offer_id=offer.pk)
        with pytest.raises(NotFound):
            offer_create(actor=outsider, deal_id=listing.pk, buyer_name="B", terms=TERMS)
    offer_decide(actor=brokerage.ben, offer_id=offer.pk, decision="withdrawn")
    with pytest.raises(Conflict):
        offer_decide(actor=brokerage.ben, offer_id=offer.pk, decision="rejected")


def test_acceptance_moves_the_journey_on_or_records_what_it_waits_for(brokerage):
    engagement = engagement_for(brokerage.ben, side="sell", level="brokerage")
    advance_to(brokerage.ben, engagement, "transaction_initiation", timezone.now(), finish=True)
    deal = deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="sale",
        street="22 Elm St",
        state="CO",
    )
    offer = offer_create(actor=brokerage.ben, deal_id=deal.pk, buyer_name="A", terms=TERMS)
    offer_accept(actor=brokerage.ben, offer_id=offer.pk)
    engagement.refresh_from_db()
    # The brokerage level's compliance gate holds: the journey waits, and says why.
    assert engagement.phase_key == "transaction_initiation"
    waiting = Event.objects.get(kind="engagement.advance_waiting", subject_id=engagement.pk)
    assert "compliance officer" in waiting.payload["reason"]


def test_acceptance_moves_a_team_journey_into_transaction_management(brokerage):
    engagement = engagement_for(brokerage.ben, side="sell", level="team")
    advance_to(brokerage.ben, engagement, "transaction_initiation", timezone.now(), finish=True)
    deal = deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="sale",
        street="22 Elm St",
        state="CO",
    )
    offer = offer_create(actor=brokerage.ben, deal_id=deal.pk, buyer_name="A", terms=TERMS)
    offer_accept(actor=brokerage.ben, offer_id=offer.pk)
    engagement.refresh_from_db()
    assert engagement.phase_key == "transaction_management"


def test_the_contract_brings_its_checklists_and_projected_commission(brokerage, listing):
    from rallypoynt.transactions.models import ChecklistItem, Commission
    from rallypoynt.transactions.services.commission import commission_set
    from rallypoynt.transactions.services.commission_plans import split_plan_create
    from rallypoynt.transactions.services.deadlines import deal_dates_amend

    split_plan_create(actor=brokerage.broker, name="70/30", agent_percent=70, is_default=True)
    commission_set(actor=brokerage.ben, deal_id=listing.pk, side="sell", rate_percent=Decimal(3))
    assert Commission.objects.get(deal=listing).gross == Decimal("19500.00")  # list
    offer = offer_create(
        actor=brokerage.ben, deal_id=listing.pk, buyer_name="The Linds", terms=TERMS
    )
    offer_accept(actor=brokerage.ben, offer_id=offer.pk)
    items = ChecklistItem.objects.filter(deal=listing)
    assert {"due_diligence", "pre_closing", "closing"} <= set(items.values_list("kind", flat=True))
    assert Commission.objects.get(deal=listing).gross == Decimal("19200.00")  # contract
    dated = items.filter(anchor="closing").first()
    before = dated.due_on
    deal_dates_amend(
        actor=brokerage.ben,
        deal_id=listing.pk,
        reason="Closing a week later",
        closing_on=date(2027, 3, 5),
    )
    dated.refresh_from_db()
    assert dated.due_on > before
