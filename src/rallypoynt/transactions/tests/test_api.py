"""POST /api/v1/deadlines/calculate: the integrators' calculator."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient

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
