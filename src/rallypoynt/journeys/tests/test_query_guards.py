"""Query-count guards for the pipeline pages and endpoints that list rows: the same number of
queries at a few rows and at more."""

from __future__ import annotations

import pytest

from rallypoynt.api.tests.helpers import ApiClient, client_for_url
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.testing import assert_queries_flat, client_for
from rallypoynt.journeys.models import EngagementContact
from rallypoynt.journeys.services.lost_reasons import lost_reason_save
from rallypoynt.journeys.services.templates import template_copy, template_in_use
from rallypoynt.journeys.tests.factories import (
    MONDAY_10,
    engagement_for,
    handed_off,
)
from rallypoynt.orgs.tests.brokerage import fresh
from rallypoynt.transactions.services.deals import deal_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Each guard calls the API a handful of times; token ids repeat across tests.
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.mark.query_guard("journeys:engagement")
def test_the_engagement_page_with_more_clients_and_deals(brokerage):
    ben = brokerage.ben
    engagement = engagement_for(ben)
    client = client_for(ben)

    def clients_and_deals(count: int) -> None:
        for n in range(count):
            contact = ContactFactory(org=brokerage.org, owner=ben, first_name=f"Client {n}")
            EngagementContact.objects.create(org=ben.org, engagement=engagement, contact=contact)
            deal_open(actor=ben, engagement_id=engagement.pk, kind="purchase", street=f"{n} Elm St")

    # One deal first: the deals panel reads the deals' access only once there are some.
    clients_and_deals(1)
    url = f"/pipeline/engagements/{engagement.pk}/"
    assert_queries_flat(lambda: client.get(url), lambda: clients_and_deals(3))


def more_reasons(member, count: int) -> None:
    for n in range(count):
        lost_reason_save(actor=member, key=f"reason_{n}", label=f"Reason {n}")


@pytest.mark.query_guard("journeys:lost_reasons")
def test_the_lost_reasons_page(brokerage):
    client = client_for(brokerage.broker)
    assert_queries_flat(
        lambda: client.get("/pipeline/lost-reasons/"), lambda: more_reasons(brokerage.broker, 5)
    )


@pytest.mark.query_guard("GET /api/v1/lost-reasons")
def test_the_lost_reasons(brokerage):
    api = ApiClient(brokerage.ben)
    assert_queries_flat(
        lambda: api.get("/api/v1/lost-reasons"), lambda: more_reasons(brokerage.broker, 5)
    )


def team_templates(brokerage) -> None:
    """Each team's own journey and pipeline: more templates, each with its versions."""
    for team in (brokerage.summit, brokerage.flatirons):
        for kind in ("journey", "pipeline"):
            template_copy(actor=brokerage.broker, kind=kind, team_id=team.pk)


@pytest.mark.query_guard("journeys:templates", "GET /api/v1/journey-templates")
@pytest.mark.parametrize("url", ["/pipeline/templates/", "/api/v1/journey-templates"])
def test_the_templates(brokerage, url):
    template_in_use(org=brokerage.org, kind="journey")
    who = client_for_url(brokerage.broker, url)
    assert_queries_flat(lambda: who.get(url), lambda: team_templates(brokerage))


@pytest.mark.query_guard("GET /api/v1/handoffs")
def test_the_handoffs(brokerage):
    handed_off(brokerage)
    api = ApiClient(brokerage.broker)

    def more() -> None:
        # Each new team engagement of Summit's lead hands a buy step to its buyer specialist.
        for _ in range(3):
            engagement_for(
                fresh(brokerage.lead), level="team", team_id=brokerage.summit.pk, now=MONDAY_10
            )

    assert_queries_flat(lambda: api.get("/api/v1/handoffs"), more)
