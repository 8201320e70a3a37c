"""The API says what serves what: a deal's engagements and an engagement's deals, with phase,
stage and status; the org's lost reasons; closing an engagement as lost with one of them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.transactions.services.deals import deal_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(brokerage):
    engagement = engagement_for(brokerage.ben, side="sell")
    deal = deal_open(
        actor=brokerage.ben,
        engagement_id=engagement.pk,
        kind="sale",
        street="22 Elm St",
        state="CO",
        list_price=Decimal("650000"),
    )
    return engagement, deal


def test_a_deal_lists_the_engagements_it_serves_with_where_each_stands(brokerage, listing):
    engagement, deal = listing
    response = ApiClient(brokerage.ben).get(f"/api/v1/transactions/{deal.pk}/engagements")
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert (row["id"], row["side"], row["status"]) == (engagement.pk, "sell", "active")
    assert (row["phase_name"], row["stage_name"]) == (
        "Discovery & Engagement",
        "Prospect Identification",
    )


def test_an_engagement_lists_the_deals_serving_it(brokerage, listing):
    engagement, deal = listing
    response = ApiClient(brokerage.ben).get(f"/api/v1/engagements/{engagement.pk}/transactions")
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert (row["id"], row["property"], row["status"], row["is_visible"]) == (
        deal.pk,
        str(deal),
        "offer",
        True,
    )


def test_someone_outside_either_side_gets_the_missing_row_answer(brokerage, other, listing):
    engagement, deal = listing
    for api in (ApiClient(other.ben), ApiClient(brokerage.maria)):
        missing = api.get("/api/v1/engagements/999999/transactions")
        theirs = api.get(f"/api/v1/engagements/{engagement.pk}/transactions")
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())
        missing = api.get("/api/v1/transactions/999999/engagements")
        theirs = api.get(f"/api/v1/transactions/{deal.pk}/engagements")
        assert (theirs.status_code, theirs.json()) == (missing.status_code, missing.json())


def test_the_org_lists_its_lost_reasons_and_a_manager_edits_them(brokerage):
    reasons = ApiClient(brokerage.ben).get("/api/v1/lost-reasons").json()
    assert [r["label"] for r in reasons] == [
        "Went with another agent",
        "Not ready",
        "Financing",
        "Unreachable",
        "Other",
    ]
    denied = ApiClient(brokerage.ben).put("/api/v1/lost-reasons/relocated", {"label": "Moved"})
    assert denied.status_code == 403
    api = ApiClient(brokerage.broker)
    added = api.put("/api/v1/lost-reasons/relocated", {"label": "Moved away"})
    assert added.status_code == 200 and added.json()["position"] == 5
    bad = api.put("/api/v1/lost-reasons/relocated", {"label": ""})
    assert bad.status_code == 422 and "body.label" in bad.json()["error"]["fields"]
    retired = api.put("/api/v1/lost-reasons/financing", {"label": "Financing", "is_active": False})
    assert retired.json()["is_active"] is False


def test_a_lost_engagement_keeps_its_reason_and_leaves_the_board(brokerage):
    engagement = engagement_for(brokerage.ben)
    api = ApiClient(brokerage.ben)
    unknown = api.post(
        f"/api/v1/engagements/{engagement.pk}/close", {"status": "lost", "reason_key": "nope"}
    )
    assert unknown.status_code == 422 and "reason_key" in unknown.json()["error"]["fields"]
    assert Engagement.objects.get(pk=engagement.pk).status == "active"
    body = api.post(
        f"/api/v1/engagements/{engagement.pk}/close",
        {"status": "lost", "reason_key": "other_agent", "reason": "Her cousin is an agent"},
    ).json()
    assert (body["status"], body["lost_reason_key"], body["lost_reason"]) == (
        "lost",
        "other_agent",
        "Her cousin is an agent",
    )
    board = api.get("/api/v1/engagements?status=active").json()["items"]
    assert engagement.pk not in [row["id"] for row in board]


@pytest.mark.query_guard(
    "GET /api/v1/transactions/{deal_id}/engagements",
    "GET /api/v1/engagements/{engagement_id}/transactions",
)
def test_the_lists_cost_the_same_queries_for_one_link_or_many(brokerage, listing):
    from rallypoynt.core.testing import count_queries
    from rallypoynt.transactions.models import DealEngagement

    engagement, deal = listing
    api = ApiClient(brokerage.ben)
    by_deal = f"/api/v1/transactions/{deal.pk}/engagements"
    api.get(by_deal)  # warm the per-process template cache
    one = count_queries(lambda: api.get(by_deal))
    for _ in range(3):
        other = engagement_for(brokerage.ben, side="buy")
        DealEngagement.objects.create(org=brokerage.org, deal=deal, engagement=other, side="buy")
    assert len(api.get(by_deal).json()) == 4
    assert count_queries(lambda: api.get(by_deal)) == one
    for _ in range(3):
        more = deal_open(
            actor=brokerage.ben, engagement_id=engagement.pk, kind="sale", street="1 Oak St"
        )
        assert more.pk
    by_engagement = f"/api/v1/engagements/{engagement.pk}/transactions"
    assert len(api.get(by_engagement).json()) == 4
    few = count_queries(lambda: api.get(by_engagement))
    deal_open(actor=brokerage.ben, engagement_id=engagement.pk, kind="sale", street="2 Oak")
    assert count_queries(lambda: api.get(by_engagement)) == few
