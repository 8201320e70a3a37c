"""The offers API: create, counter with a diff, compare by net to seller, accept, outsiders."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.journeys.tests.factories import engagement_for

pytestmark = pytest.mark.django_db

TERMS = {
    "price": "640000",
    "earnest_money": "10000",
    "contingencies": [{"kind": "inspection", "days": 10}],
    "closing_on": "2027-02-26",
    "seller_concessions": "5000",
}


def test_offers_from_first_to_contract(brokerage, other):
    api = ApiClient(brokerage.ben)
    engagement = engagement_for(brokerage.ben, side="sell")
    deal = api.post(
        "/api/v1/transactions",
        {"engagement_id": engagement.pk, "kind": "sale", "street": "22 Elm St", "state": "CO"},
    ).json()
    url = f"/api/v1/transactions/{deal['id']}/offers"
    first = api.post(url, {"buyer_name": "The Linds", "terms": TERMS})
    assert first.status_code == 201, first.content
    second = api.post(
        url,
        {"buyer_name": "Parks", "terms": {**TERMS, "price": "650000", "seller_concessions": "0"}},
    ).json()
    countered = api.post(
        f"/api/v1/offers/{first.json()['id']}/counter",
        {"proposed_by": "sell", "changes": {"price": "648000"}},
    ).json()
    assert countered["versions"][1]["changes"] == {"price": ["640000.00", "648000.00"]}
    compared = api.get(f"{url}?commission_rate=0.05&closing_costs=3000").json()
    assert [o["buyer_name"] for o in compared] == ["Parks", "The Linds"]
    assert compared[0]["net_to_seller"] == "614500.00"
    bad = api.post(url, {"buyer_name": "X", "terms": {**TERMS, "financing": "barter"}})
    assert bad.status_code == 422 and "financing" in bad.json()["error"]["fields"]

    for outsider in (brokerage.maria, other.broker):
        stranger = ApiClient(outsider)
        assert stranger.get(f"/api/v1/offers/{second['id']}").status_code == 404
        assert (
            stranger.post(
                f"/api/v1/offers/{second['id']}/decide", {"decision": "accepted"}
            ).status_code
            == 404
        )
    accepted = api.post(f"/api/v1/offers/{second['id']}/decide", {"decision": "accepted"})
    assert accepted.json()["status"] == "accepted"
    contract = api.get(f"/api/v1/transactions/{deal['id']}").json()
    assert contract["status"] == "under_contract" and contract["contract_price"] == "650000.00"
    assert [d["kind"] for d in contract["deadlines"]] == ["inspection"]
    assert api.get(f"/api/v1/offers/{first.json()['id']}").json()["status"] == "rejected"
