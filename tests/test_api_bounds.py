"""Integers the API stores in 32-bit (or 16-bit) columns are bounded by the column: one past
either end is a 422 in the API's error shape and writes nothing. On PostgreSQL (run this file
there too) the value would otherwise reach the column: refused there (a 500), or wrapped to 32
bits and stored as another number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Model

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import SmartList, Touchpoint
from rallypoynt.core.api.types import INT32_MAX
from rallypoynt.journeys.models import LostReason
from rallypoynt.leads.models import LeadSettings, RoutingRule
from rallypoynt.orgs.tests.brokerage import Brokerage, contact_for
from rallypoynt.transactions.models import Deadline, Offer, OfferVersion, SplitPlan
from rallypoynt.transactions.tests.factories import deal_for

pytestmark = pytest.mark.django_db
BEYOND_32_BITS = [2**31, -(2**31) - 1]


@dataclass
class Write:
    """One API call carrying `value` in `field`, and the tables it must leave as they were."""

    method: str
    url: str
    body: Callable[[int], dict] | None
    field: str
    tables: list[type[Model]] = field(default_factory=list)

    def send(self, api: ApiClient, value: int):
        if self.body is None:  # the value is in the URL
            return getattr(api, self.method)(self.url.format(value=value))
        return getattr(api, self.method)(self.url, self.body(value))


def _offer(api: ApiClient, brokerage: Brokerage) -> dict:
    deal = deal_for(brokerage.broker, side="sell")
    url = f"/api/v1/transactions/{deal.pk}/offers"
    return api.post(url, {"buyer_name": "Linds", "terms": {"price": "500000"}}).json()


def smart_list_position(api, brokerage) -> Write:
    row = api.post("/api/v1/smart-lists", {"name": "Mine"}).json()
    url = f"/api/v1/smart-lists/{row['id']}"
    return Write("patch", url, lambda v: {"position": v}, "position", [SmartList])


def routing_rule_timeout(api, brokerage) -> Write:
    def body(v: int) -> dict:
        team = brokerage.flatirons.pk
        return {"name": "R", "action": "round_robin", "team_id": team, "pond_timeout_minutes": v}

    return Write("post", "/api/v1/routing-rules", body, "pond_timeout_minutes", [RoutingRule])


def routing_rule_patch(api, brokerage) -> Write:
    rule = RoutingRule.objects.create(
        org=brokerage.org, name="R", action="assign", assignee=brokerage.maria
    )
    url = f"/api/v1/routing-rules/{rule.pk}"
    return Write(
        "patch", url, lambda v: {"pond_timeout_minutes": v}, "pond_timeout_minutes", [RoutingRule]
    )


def lead_settings_minutes(api, brokerage) -> Write:
    api.get("/api/v1/lead-settings")  # the org's row exists before the bad write
    return Write(
        "patch",
        "/api/v1/lead-settings",
        lambda v: {"first_response_minutes": v},
        "first_response_minutes",
        [LeadSettings],
    )


def touchpoint_duration(api, brokerage) -> Write:
    contact = contact_for(brokerage.broker, first_name="Ann")
    url = f"/api/v1/contacts/{contact.pk}/touchpoints"

    def body(v: int) -> dict:
        return {"kind": "call", "duration_minutes": v}

    return Write("post", url, body, "duration_minutes", [Touchpoint])


def offer_contingency_days(api, brokerage) -> Write:
    deal = deal_for(brokerage.broker, side="sell")

    def body(v: int) -> dict:
        terms = {"price": "500000", "contingencies": [{"kind": "inspection", "days": v}]}
        return {"buyer_name": "Parks", "terms": terms}

    url = f"/api/v1/transactions/{deal.pk}/offers"
    return Write("post", url, body, "terms.contingencies.0.days", [Offer, OfferVersion])


def counter_contingency_days(api, brokerage) -> Write:
    offer = _offer(api, brokerage)

    def body(v: int) -> dict:
        changes = {"contingencies": [{"kind": "inspection", "days": v}]}
        return {"proposed_by": "sell", "changes": changes}

    url = f"/api/v1/offers/{offer['id']}/counter"
    return Write("post", url, body, "changes.contingencies.0.days", [Offer, OfferVersion])


def deadline_amount(api, brokerage) -> Write:
    deal = deal_for(brokerage.broker)
    url = f"/api/v1/transactions/{deal.pk}/deadlines"
    return Write("post", url, lambda v: {"kind": "inspection", "amount": v}, "amount", [Deadline])


def lost_reason_position(api, brokerage) -> Write:
    url = "/api/v1/lost-reasons/quiet"
    return Write("put", url, lambda v: {"label": "Quiet", "position": v}, "position", [LostReason])


def split_plan_month(api, brokerage) -> Write:
    return Write(
        "post",
        "/api/v1/split-plans",
        lambda v: {"name": "P", "agent_percent": "70", "cap_year_month": v},
        "cap_year_month",
        [SplitPlan],
    )


def template_version_number(api, brokerage) -> Write:
    url = "/api/v1/journey-templates/1/versions/{value}"
    return Write("get", url, None, "number")


def query(url: str, name: str) -> Callable[..., Write]:
    return lambda api, brokerage: Write("get", f"{url}?{name}={{value}}", None, name)


WRITES = {
    "smart list position": smart_list_position,
    "routing rule pond timeout": routing_rule_timeout,
    "routing rule pond timeout (patch)": routing_rule_patch,
    "lead settings first response minutes": lead_settings_minutes,
    "touchpoint duration": touchpoint_duration,
    "offer contingency days": offer_contingency_days,
    "counter contingency days": counter_contingency_days,
    "deadline amount": deadline_amount,
    "lost reason position (16-bit)": lost_reason_position,
    "split plan cap month (16-bit)": split_plan_month,
    "template version number": template_version_number,
    "upcoming deadlines window": query("/api/v1/deadlines", "days"),
    "checklist items window": query("/api/v1/checklist-items", "days"),
    "page size": query("/api/v1/members", "limit"),
    "export day filter": query("/api/v1/contacts/export.csv", "no_touchpoint_days"),
}


def rows(tables: list[type[Model]]) -> list[list[dict]]:
    return [list(table.objects.order_by("pk").values()) for table in tables]


@pytest.mark.parametrize("value", BEYOND_32_BITS)
@pytest.mark.parametrize("case", list(WRITES))
def test_one_past_a_32_bit_column_is_a_422_that_writes_nothing(brokerage, case, value):
    api = ApiClient(brokerage.broker)
    write = WRITES[case](api, brokerage)
    before = rows(write.tables)
    response = write.send(api, value)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["code"] == "validation_failed"
    # an argument named `body` reports its fields as "body.<field>"
    assert write.field in error["fields"] or f"body.{write.field}" in error["fields"], error
    assert rows(write.tables) == before


def test_the_largest_32_bit_value_is_stored(brokerage):
    api = ApiClient(brokerage.broker)
    row = api.post("/api/v1/smart-lists", {"name": "Last"}).json()
    response = api.patch(f"/api/v1/smart-lists/{row['id']}", {"position": INT32_MAX})
    assert response.status_code == 200, response.content
    assert SmartList.objects.get(pk=row["id"]).position == INT32_MAX


@pytest.mark.parametrize("value", [*BEYOND_32_BITS, 2**32 + 5])
def test_postgresql_never_stores_one_past_the_column(brokerage, value):
    """Why the bound: PostgreSQL refuses such a value (a 500) or, with server-side binding,
    stores it wrapped to 32 bits (2**32 + 5 becomes 5) without a word."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite integers are 64-bit")
    row = SmartList.objects.create(org=brokerage.org, owner=brokerage.broker, name="X")
    try:
        with transaction.atomic():
            SmartList.objects.filter(pk=row.pk).update(position=value)
    except (DataError, IntegrityError):
        return
    assert SmartList.objects.get(pk=row.pk).position != value
