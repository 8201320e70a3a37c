"""POST /api/v1/deadlines/calculate: the integrators' calculator."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.orgs.tests.brokerage import org_today

pytestmark = pytest.mark.django_db
URL = "/api/v1/deadlines/calculate"


def test_business_days_in_california_over_christmas(brokerage):
    body = {
        "anchor_on": "2026-12-22",
        "days": 10,
        "day_type": "business",
        "roll": "none",
        "country": "US",
        "subdivision": "CA",
    }
    response = ApiClient(brokerage.ben).post(URL, body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["due_on"] == "2027-01-07" and answer["is_rolled"] is False
    assert {"on": "2026-12-25", "reason": "Christmas Day"} in answer["skipped"]


def test_calendar_days_roll_off_the_weekend(brokerage):
    body = {"anchor_on": "2026-03-06", "days": 1, "roll": "next_business_day"}
    answer = ApiClient(brokerage.ben).post(URL, body).json()
    assert answer == {
        "due_on": "2026-03-09",
        "is_rolled": True,
        "skipped": [
            {"on": "2026-03-07", "reason": "Saturday"},
            {"on": "2026-03-08", "reason": "Sunday"},
        ],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"anchor_on": "2026-02-30", "days": 1}, "anchor_on"),
        ({"anchor_on": "2026-01-01", "days": 99999}, "days"),
        ({"anchor_on": "2026-01-01", "days": 1, "day_type": "lunar"}, "day_type"),
        ({"anchor_on": "2026-01-01", "days": 1, "subdivision": "ZZ"}, "subdivision"),
        ({"anchor_on": "2026-01-01", "days": 1, "country": "XX"}, "country"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(brokerage, body, field):
    response = ApiClient(brokerage.ben).post(URL, body)
    assert response.status_code == 422
    assert any(field in name for name in response.json()["error"]["fields"])


def test_it_needs_authentication():
    assert ApiClient().post(URL, {"anchor_on": "2026-01-01", "days": 1}).status_code == 401


@pytest.mark.query_guard("GET /api/v1/deadlines")
def test_a_deal_its_deadlines_this_week_an_amendment_and_a_removal(brokerage, other):
    from datetime import timedelta

    from rallypoynt.core.testing import count_queries
    from rallypoynt.journeys.tests.factories import engagement_for

    api = ApiClient(brokerage.ben)
    engagement = engagement_for(brokerage.ben)
    today = org_today()
    deal = api.post(
        "/api/v1/transactions",
        {
            "engagement_id": engagement.pk,
            "kind": "purchase",
            "street": "1550 Blake St",
            "state": "CO",
            "accepted_on": str(today),
            "closing_on": str(today + timedelta(days=30)),
        },
    )
    assert deal.status_code == 201, deal.content
    url = f"/api/v1/transactions/{deal.json()['id']}"
    body = api.post(f"{url}/deadlines", {"kind": "inspection", "amount": 3}).json()
    assert body["deadlines"][0]["kind"] == "inspection" and body["deadlines"][0]["due_on"]
    api.post(f"{url}/deadlines", {"kind": "closing", "amount": 0, "anchor": "closing"})
    week = api.get("/api/v1/deadlines?days=7").json()["items"]
    assert [d["kind"] for d in week] == ["inspection"]
    assert week[0]["property"].startswith("1550 Blake St")
    few = count_queries(lambda: api.get("/api/v1/deadlines?days=60"))
    api.post(f"{url}/deadlines", {"kind": "appraisal", "amount": 10})
    assert count_queries(lambda: api.get("/api/v1/deadlines?days=60")) == few

    amended = api.post(
        f"{url}/amend", {"reason": "Amendment 1", "accepted_on": str(today + timedelta(days=2))}
    ).json()
    inspection = next(d for d in amended["deadlines"] if d["kind"] == "inspection")
    assert inspection["due_on"] != body["deadlines"][0]["due_on"]
    resolved = api.post(f"/api/v1/deadlines/{inspection['id']}/resolve", {"status": "satisfied"})
    assert resolved.json()["status"] == "satisfied"
    assert (
        api.post(f"/api/v1/deadlines/{inspection['id']}/resolve", {"status": "waived"}).status_code
        == 409
    )

    for outsider in (other.broker, brokerage.maria):
        stranger = ApiClient(outsider)
        assert stranger.get(url).status_code == 404
        assert stranger.get("/api/v1/deadlines?days=60").json()["items"] == []
    assert api.get("/api/v1/deadlines?days=0").status_code == 422
