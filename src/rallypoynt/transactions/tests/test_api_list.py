"""GET /api/v1/transactions: my deals, newest first, filtered, paged, in constant queries,
and nobody else's."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import count_queries
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.services.parties import party_add
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/transactions"


def test_my_deals_newest_first_filtered_and_paged(brokerage):
    first = deal_for(brokerage.ben, street="1 First St")
    second = deal_for(brokerage.ben, street="2 Second St")
    closed = deal_for(brokerage.ben, street="3 Third St")
    Deal.objects.filter(pk=closed.pk).update(status="closed")
    api = ApiClient(brokerage.ben)

    page = api.get(URL).json()
    assert [row["id"] for row in page["items"]] == [closed.pk, second.pk, first.pk]
    assert page["items"][0]["property"].startswith("3 Third St")
    assert page["items"][0]["status"] == "closed" and page["next_cursor"] is None
    assert [r["id"] for r in api.get(f"{URL}?status=closed").json()["items"]] == [closed.pk]
    assert api.get(f"{URL}?kind=lease").json()["items"] == []

    one = api.get(f"{URL}?limit=1").json()
    rest = api.get(f"{URL}?limit=5&cursor={one['next_cursor']}").json()
    assert [r["id"] for r in one["items"] + rest["items"]] == [closed.pk, second.pk, first.pk]


def test_bad_filters_are_a_422_naming_the_field(brokerage):
    api = ApiClient(brokerage.ben)
    for query, field in (("status=sold", "status"), ("kind=rental", "kind"), ("limit=0", "limit")):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 422
        assert field in response.json()["error"]["fields"]
    assert api.get(f"{URL}?cursor=%%%").status_code == 422


def test_others_see_none_of_it_but_an_assigned_coordinator_sees_theirs(brokerage, other):
    from rallypoynt.orgs.tests.factories import MembershipFactory

    mine = deal_for(brokerage.ben, street="1 Main St")
    deal_for(brokerage.maria, street="9 Other Rd")
    for outsider in (other.broker, brokerage.maria):
        ids = [row["id"] for row in ApiClient(outsider).get(URL).json()["items"]]
        assert mine.pk not in ids
    tc = MembershipFactory(org=brokerage.org, roles=["transaction_coordinator"])
    assert ApiClient(tc).get(URL).json()["items"] == []
    party_add(actor=brokerage.ben, deal_id=mine.pk, role="transaction_coordinator", member_id=tc.pk)
    assert [row["id"] for row in ApiClient(tc).get(URL).json()["items"]] == [mine.pk]
    # The broker sees the whole org's deals; the other org's broker none of them.
    assert len(ApiClient(brokerage.broker).get(URL).json()["items"]) == 2
    assert ApiClient(other.broker).get(URL).json()["items"] == []


@pytest.mark.query_guard("GET /api/v1/transactions")
def test_the_page_costs_the_same_queries_at_any_size(brokerage):
    api = ApiClient(brokerage.ben)
    deal_for(brokerage.ben)
    api.get(URL)  # the token's last use and the member's roles are cached from here on
    few = count_queries(lambda: api.get(URL))
    for n in range(5):
        deal_for(brokerage.ben, street=f"{n} More St")
    assert count_queries(lambda: api.get(URL)) == few
