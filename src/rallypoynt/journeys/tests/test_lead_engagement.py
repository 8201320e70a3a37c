"""Lead intake opens the client's journey in phase 1 (through a domain event, after commit)."""

from __future__ import annotations

import pytest

from rallypoynt.journeys.models import Engagement
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.services import LeadIn, lead_intake

pytestmark = pytest.mark.django_db


def intake(org, django_capture_on_commit_callbacks, **values):
    values.setdefault("emails", ["nora@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        return lead_intake(org_id=org.pk, lead=LeadIn(source="Zillow", **values))


def test_a_routed_lead_opens_phase_one_for_its_assignee(
    brokerage, django_capture_on_commit_callbacks
):
    RoutingRule.objects.create(
        org=brokerage.org, name="All", action=RoutingAction.ASSIGN, assignee=brokerage.ben
    )
    result = intake(brokerage.org, django_capture_on_commit_callbacks, lead_type="seller")
    engagement = Engagement.objects.get()
    assert engagement.agent == brokerage.ben and engagement.side == "sell"
    assert engagement.phase_key == "discovery" and engagement.inquiry_id == result.inquiry.pk
    assert list(engagement.contacts.all()) == [result.contact]


def test_a_second_inquiry_from_the_same_client_joins_the_open_journey(
    brokerage, django_capture_on_commit_callbacks
):
    intake(brokerage.org, django_capture_on_commit_callbacks)
    intake(brokerage.org, django_capture_on_commit_callbacks, message="Still looking")
    assert Engagement.objects.count() == 1


def test_a_lead_waiting_in_a_pond_opens_nothing_yet(brokerage, django_capture_on_commit_callbacks):
    RoutingRule.objects.create(
        org=brokerage.org, name="Pond", action=RoutingAction.POND, team=brokerage.summit
    )
    intake(brokerage.org, django_capture_on_commit_callbacks)
    assert not Engagement.objects.exists()


def test_claiming_a_pond_lead_opens_its_journey_for_the_claimer(
    brokerage, django_capture_on_commit_callbacks
):
    from rallypoynt.leads.services import inquiry_claim
    from rallypoynt.orgs.tests.brokerage import fresh

    RoutingRule.objects.create(
        org=brokerage.org, name="Pond", action=RoutingAction.POND, team=brokerage.summit
    )
    result = intake(brokerage.org, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        inquiry_claim(actor=fresh(brokerage.buyer), inquiry_id=result.inquiry.pk)
    assert Engagement.objects.get().agent == brokerage.buyer
