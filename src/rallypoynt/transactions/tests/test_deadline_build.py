"""Deadline rows built from rules: counted like deadline_add counts them, able to count from
each other or from saved deadlines, and saved with their first due time kept in history."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.transactions.models import Deadline, DeadlineChange, Deal
from rallypoynt.transactions.services.deadline_build import (
    DeadlineSpec,
    deadlines_build,
    deadlines_create,
)
from rallypoynt.transactions.services.deadlines import deadline_add
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_accept, offer_create

pytestmark = pytest.mark.django_db

INSPECTION = DeadlineSpec(
    kind="inspection", amount=10, day_type="business", time_of_day=time(17, 0)
)


@pytest.fixture
def deal(brokerage):
    engagement = engagement_for(brokerage.ben)
    opened = deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="purchase",
        street="1550 Blake St",
        city="Denver",
        state="CO",
        accepted_on=date(2026, 12, 18),
        closing_on=date(2027, 1, 22),
    )
    return Deal.objects.select_related("org").get(pk=opened.pk)


def test_built_rows_are_counted_as_deadline_add_counts_them_and_nothing_is_written(
    brokerage, deal, django_assert_num_queries
):
    with django_assert_num_queries(0):
        (row,) = deadlines_build(deal=deal, specs=[INSPECTION])
    assert row.pk is None and row.is_contingency and row.name == "Inspection contingency"
    added = deadline_add(
        actor=brokerage.ben,
        deal_id=deal.pk,
        kind="inspection",
        amount=10,
        day_type="business",
        time_of_day=time(17, 0),
    )
    assert row.due_on == added.due_on == date(2027, 1, 5) and row.due_at == added.due_at


def test_rows_with_reserved_ids_count_from_each_other_and_from_saved_ones(brokerage, deal):
    saved = deadline_add(actor=brokerage.ben, deal_id=deal.pk, kind="appraisal", amount=17)
    specs = [
        DeadlineSpec(kind="inspection", amount=5),
        DeadlineSpec(kind="financing", amount=4, anchor="deadline", anchor_deadline_id=901),
        DeadlineSpec(kind="title", amount=2, anchor="deadline", anchor_deadline_id=saved.pk),
    ]
    first, financing, hoa = deadlines_build(
        deal=deal, specs=specs, pks=[901, 902, 903], anchors=[saved]
    )
    assert financing.due_on == first.due_on + timedelta(days=4)
    assert hoa.due_on == saved.due_on + timedelta(days=2)
    with pytest.raises(ValueError):
        deadlines_build(deal=deal, specs=specs, pks=[1])


def test_created_rows_keep_their_first_due_time_in_history(brokerage, deal):
    (row,) = deadlines_create(deal=deal, specs=[INSPECTION], actor=brokerage.ben, reason="Why")
    assert row.pk and row.due_on == date(2027, 1, 5)
    assert Deadline.objects.get(pk=row.pk).due_at == row.due_at
    change = DeadlineChange.objects.get(deadline=row)
    assert (change.due_at_before, change.due_at_after) == (None, row.due_at)
    assert change.reason == "Why" and change.changed_by == brokerage.ben


def test_accepted_contingencies_keep_their_first_due_time_in_history(brokerage):
    engagement = engagement_for(brokerage.ben, side="sell")
    listing = deal_open(
        actor=brokerage.ben, engagement_id=engagement.pk, kind="sale", street="2 Elm St"
    )
    terms = {"price": "500000", "contingencies": [{"kind": "inspection", "days": 7}]}
    offer = offer_create(actor=brokerage.ben, deal_id=listing.pk, buyer_name="A", terms=terms)
    offer_accept(actor=brokerage.ben, offer_id=offer.pk)
    row = Deadline.objects.get(deal=listing)
    assert (row.anchor, row.amount, row.roll) == ("acceptance", 7, "next_business_day")
    change = DeadlineChange.objects.get(deadline=row)
    assert change.reason == "Offer accepted" and change.due_at_after == row.due_at
