"""A home per role: each member opens on the home of their widest role, may switch to any of
theirs, and each home lists only what the member may see, in queries that do not grow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.contacts.tests.factories import TouchpointFactory
from rallypoynt.core.testing import client_for, count_queries, page
from rallypoynt.journeys.choices import GateVerdict
from rallypoynt.journeys.models import Engagement, GateDecision
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.models import Deal, Party
from rallypoynt.transactions.tests.factories import deal_for
from rallypoynt.web.selectors import homes_for

pytestmark = pytest.mark.django_db


def under_contract(deal: Deal) -> Deal:
    """The deal as accepting an offer leaves it (the factory opens it at the offer)."""
    Deal.objects.filter(pk=deal.pk).update(status="under_contract")
    return deal


def home(member, which: str = ""):
    response = client_for(member).get(f"/?home={which}" if which else "/")
    assert response.status_code == 200
    return response


def test_each_role_opens_on_its_own_home(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    first = {
        "broker": "brokerage",
        "manager": "brokerage",
        "lead": "team",
        "compliance": "compliance",
        "ben": "agent",
    }
    for name, key in first.items():
        assert homes_for(getattr(brokerage, name))[0].key == key, name
    assert [h.key for h in homes_for(tc)] == ["coordinator", "agent"]
    assert home(brokerage.compliance).context["home"].key == "compliance"


def test_a_member_switches_home_and_it_is_remembered_but_only_among_their_own(brokerage):
    client = client_for(brokerage.broker)
    assert client.get("/?home=agent").context["home"].key == "agent"
    assert client.get("/").context["home"].key == "agent"  # remembered
    # A home the member does not have (or garbage) shows the remembered one, never an error.
    assert client.get("/?home=compliance").context["home"].key == "agent"
    assert client.get("/?home=%00x").status_code == 400  # the bad-request page, not a 500
    assert client_for(brokerage.ben).get("/?home=brokerage").context["home"].key == "agent"


def test_the_compliance_home_lists_gates_waiting_oldest_first_until_approved(brokerage, other):
    now = timezone.now()
    older, newer, elsewhere = (
        engagement_for(brokerage.ben, level="brokerage"),
        engagement_for(brokerage.maria, level="brokerage"),
        engagement_for(other.ben, level="brokerage"),
    )
    for engagement, hours in ((older, 30), (newer, 2), (elsewhere, 50)):
        Engagement.objects.filter(pk=engagement.pk).update(
            phase_key="transaction_initiation", phase_entered_at=now - timedelta(hours=hours)
        )
    not_gated = engagement_for(brokerage.ben, level="brokerage")
    rows = home(brokerage.compliance).context["gates"].rows
    assert [e.pk for e in rows] == [older.pk, newer.pk]
    assert not_gated.pk not in [e.pk for e in rows]
    GateDecision.objects.create(
        org=brokerage.org,
        engagement=older,
        phase_key="transaction_initiation",
        verdict=GateVerdict.APPROVED,
        decided_at=now,
        decided_by=brokerage.compliance,
    )
    assert [e.pk for e in home(brokerage.compliance).context["gates"].rows] == [newer.pk]


def test_the_coordinator_home_shows_closings_and_who_is_missing_from_a_deal(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    soon = under_contract(
        deal_for(brokerage.ben, street="1 Soon St", closing_on=org_today() + timedelta(days=5))
    )
    later = under_contract(
        deal_for(brokerage.ben, street="2 Late Ave", closing_on=org_today() + timedelta(60))
    )
    hidden = deal_for(brokerage.maria, street="3 Not Mine Rd")
    for deal in (soon, later):
        Party.objects.create(
            org=brokerage.org, deal=deal, role="transaction_coordinator", member=tc
        )
    Party.objects.create(org=brokerage.org, deal=soon, role="title_escrow", name="Front Title")
    context = home(tc).context
    assert [d.pk for d in context["closings"].rows] == [soon.pk, later.pk]
    gaps = {gap.deal.pk: gap.missing for gap in context["gaps"]}
    assert "Title / escrow" not in gaps[soon.pk] and "Title / escrow" in gaps[later.pk]
    assert hidden.pk not in gaps and "3 Not Mine Rd" not in page(home(tc))


def test_the_brokerage_home_counts_closings_this_month_and_agent_activity(brokerage, other):
    today = org_today()
    under_contract(deal_for(brokerage.ben, street="4 This Month Ct", closing_on=today))
    under_contract(deal_for(other.ben, street="5 Their Ct", closing_on=today))
    TouchpointFactory(contact__org=brokerage.org, contact__owner=brokerage.ben,
                      logged_by=brokerage.ben, occurred_at=timezone.now())  # fmt: skip
    response = home(brokerage.broker)
    body = page(response)
    assert response.context["closing_count"] == 1
    assert "4 This Month Ct" in body and "5 Their Ct" not in body
    activity = {row["member"].pk: row["count"] for row in response.context["activity"]}
    assert activity[brokerage.ben.pk] == 1 and other.ben.pk not in activity
    assert "<svg" in body


def test_an_office_manager_sees_only_their_office_on_the_brokerage_home(brokerage):
    under_contract(deal_for(brokerage.ben, street="6 Denver Deal", closing_on=org_today()))
    under_contract(deal_for(brokerage.maria, street="7 Boulder Deal", closing_on=org_today()))
    body = page(home(brokerage.manager, "brokerage"))
    assert "7 Boulder Deal" in body and "6 Denver Deal" not in body
    activity = {row["member"].pk for row in home(brokerage.manager).context["activity"]}
    assert brokerage.maria.pk in activity and brokerage.ben.pk not in activity


def test_the_team_home_shows_the_team_pipeline_and_its_late_leads(brokerage):
    engagement_for(brokerage.buyer, team_id=brokerage.summit.pk)
    response = home(brokerage.lead)
    assert response.context["home"].key == "team"
    [summit] = response.context["teams"]
    assert summit["team"] == brokerage.summit
    assert sum(c.count for c in summit["chart"]["columns"]) == 1


@pytest.mark.query_guard("web:home")
@pytest.mark.parametrize("who", ["broker", "lead", "compliance", "tc"])
def test_each_home_costs_the_same_queries_as_its_rows_grow(brokerage, who):
    member = (
        MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
        if who == "tc"
        else getattr(brokerage, who)
    )
    client = client_for(member)

    def grow(count: int) -> None:
        for i in range(count):
            deal = deal_for(brokerage.ben, closing_on=org_today() + timedelta(days=i))
            Party.objects.create(org=brokerage.org, deal=under_contract(deal), role="lender",
                                 member=member)  # fmt: skip
            engagement_for(brokerage.buyer, team_id=brokerage.summit.pk, level="brokerage")

    grow(1)
    client.get("/")
    few = count_queries(lambda: client.get("/"))
    grow(3)
    assert count_queries(lambda: client.get("/")) == few
