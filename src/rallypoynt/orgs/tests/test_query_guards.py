"""Query-count guards for the org pages and endpoints that list rows: the same number of
queries at a few rows and at more."""

from __future__ import annotations

from datetime import time

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.core.testing import assert_queries_flat, client_for
from rallypoynt.core.tests.factories import audit_entry_for
from rallypoynt.orgs.services import business_hours_set

pytestmark = pytest.mark.django_db


def add_audit_entries(member, count: int) -> None:
    for n in range(count):
        audit_entry_for(member, changes={"name": [None, f"Office {n}"]})


@pytest.mark.query_guard("orgs:audit")
def test_the_audit_page(brokerage):
    client = client_for(brokerage.broker)
    add_audit_entries(brokerage.ben, 1)
    assert_queries_flat(
        lambda: client.get("/settings/audit/"), lambda: add_audit_entries(brokerage.maria, 6)
    )


@pytest.mark.query_guard("GET /api/v1/audit")
def test_the_audit_endpoint(brokerage):
    api = ApiClient(brokerage.broker)
    add_audit_entries(brokerage.ben, 1)
    assert_queries_flat(
        lambda: api.get("/api/v1/audit"), lambda: add_audit_entries(brokerage.maria, 6)
    )


@pytest.mark.query_guard("GET /api/v1/organization/business-hours")
def test_the_business_hours(brokerage):
    api = ApiClient(brokerage.ben)
    morning, afternoon = (time(9), time(12)), (time(13), time(17))
    business_hours_set(actor=brokerage.broker, week={0: [morning]})

    def whole_week() -> None:
        week = {day: [morning, afternoon] for day in range(6)}
        business_hours_set(actor=brokerage.broker, week=week)

    assert_queries_flat(lambda: api.get("/api/v1/organization/business-hours"), whole_week)
