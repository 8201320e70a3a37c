"""The deals' search: the street and the MLS number, kept by triggers, read within the deals
the reader may see."""

from __future__ import annotations

import pytest

from rallypoynt.orgs.tests.brokerage import build_brokerage
from rallypoynt.transactions.models import Deal, DealSearchTerm
from rallypoynt.transactions.selectors import deal_search
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


def found(member, text: str) -> list[int]:
    return [d.pk for d in deal_search(actor=member, text=text, limit=8)]


def test_a_deal_is_found_by_its_street_and_mls_number_and_follows_changes(firm):
    deal = deal_for(firm.ben, street="4471 Tennyson St")
    for typed in ("4471", "4471 tenn", "tennyson", "Tennyson St."):
        assert found(firm.ben, typed) == [deal.pk], typed
    Deal.objects.filter(pk=deal.pk).update(mls_number="REC-8814402", street="9 Oak Ct")
    assert found(firm.ben, "tennyson") == []
    assert found(firm.ben, "rec 8814402") == found(firm.ben, "8814402") == [deal.pk]
    assert found(firm.ben, "oak") == [deal.pk]
    Deal.objects.filter(pk=deal.pk).delete()
    assert not DealSearchTerm.objects.filter(deal_id=deal.pk).exists()


def test_only_deals_the_reader_may_see_are_found(firm):
    deal = deal_for(firm.maria, street="4470 Tennyson Pl")
    assert found(firm.maria, "tennyson") == [deal.pk]
    assert found(firm.chris, "tennyson") == [deal.pk]
    assert found(firm.broker, "tennyson") == [deal.pk]
    assert found(firm.ben, "tennyson") == []
    assert found(build_brokerage("Elsewhere").broker, "tennyson") == []
