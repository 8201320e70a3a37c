"""The whole client journey, moved by the work itself: lead -> response -> consultation ->
agreement -> search -> offer accepted -> contingencies resolved -> closed -> wrap-up. Nobody
ticks a step a recorded event can prove; each stop checks phase, stage, status and contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services.activity import TouchpointIn, touchpoint_log
from rallypoynt.core.clock import local_today
from rallypoynt.core.models import Event
from rallypoynt.journeys.models import DeliverableRecord, Engagement, StepCompletion
from rallypoynt.journeys.services.outcomes import WRAP_UP_DAYS, wrap_ups_due
from rallypoynt.journeys.services.progress import gate_decide, phase_advance, step_complete
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.services import LeadIn, lead_intake
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services.closing import deal_close
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_accept, offer_create
from rallypoynt.transactions.services.resolution import deadline_resolve

pytestmark = pytest.mark.django_db

# A Tuesday morning in Denver; the clock moves on by hand from here.
START = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)
TERMS = {
    "price": "610000",
    "earnest_money": "10000",
    "financing": "conventional",
    "down_payment": "122000",
    "contingencies": [
        {"kind": "inspection", "days": 10},
        {"kind": "financing", "days": 21, "day_type": "calendar"},
    ],
    "closing_on": "2027-01-15",
}


def where(engagement: Engagement) -> tuple[str, str, str, str]:
    engagement.refresh_from_db()
    contact = engagement.contacts.get()
    return engagement.phase_key, engagement.stage_key, engagement.status, contact.stage


def tick(member, engagement: Engagement, *keys: str) -> None:
    """The steps only a person can do (a consultation, a search with the buyer)."""
    for key in keys:
        step_complete(actor=member, engagement_id=engagement.pk, step_key=key)


def done_by(engagement: Engagement, phase: str, step: str) -> str:
    row = StepCompletion.objects.get(
        engagement=engagement, phase_key=phase, step_key=step, undone_at__isnull=True
    )
    return row.event.kind if row.event else "person"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_a_buyer_goes_from_lead_to_past_client_with_the_work_moving_the_journey(
    brokerage, clock, django_capture_on_commit_callbacks
):
    org, agent = brokerage.org, brokerage.ben
    org.time_zone = "America/Denver"
    org.save(update_fields=["time_zone"])
    RoutingRule.objects.create(org=org, name="All", action=RoutingAction.ASSIGN, assignee=agent)

    # The lead arrives: its journey opens, the capture counts as inquiry processing.
    with django_capture_on_commit_callbacks(execute=True):
        result = lead_intake(
            org_id=org.pk,
            lead=LeadIn(source="Zillow", first_name="Nora", emails=["nora@example.com"]),
        )
    engagement = Engagement.objects.get(inquiry=result.inquiry)
    assert where(engagement) == ("discovery", "prospect_identification", "active", "lead")
    assert done_by(engagement, "discovery", "initial_inquiry_processing") == "lead.received"

    # The agent calls back: the first response completes Initial Response.
    clock.shift(timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        touchpoint_log(
            actor=agent,
            contact_id=result.contact.pk,
            data=TouchpointIn(kind="call", outcome="connected", summary="Intro call"),
        )
    assert where(engagement) == ("discovery", "initial_engagement", "active", "prospect")
    assert done_by(engagement, "discovery", "initial_response") == "lead.responded"

    # Consultation is a person's work; a phase the lead's events reached moves on by itself
    # once the rest is done. Strategy is all a person's: the agent moves on when ready.
    clock.shift(timedelta(days=1))
    tick(agent, engagement, "needs_discovery", "relationship_establishment", "client_onboarding")
    assert where(engagement) == ("strategy", "solution_development", "active", "prospect")
    tick(agent, engagement, "situation_analysis", "strategy_development", "service_agreement")
    assert where(engagement)[3] == "client"
    tick(agent, engagement, "resource_preparation", "kickoff_meeting")
    phase_advance(actor=agent, engagement_id=engagement.pk)
    assert where(engagement) == ("search_selection", "solution_development", "active", "client")

    # The search: tours and evaluation with the buyer; the offer proves the selection.
    tick(agent, engagement, "search_criteria_refinement", "property_previewing_and_tours")
    tick(agent, engagement, "option_evaluation")
    deal = deal_open(
        actor=agent, engagement_id=engagement.pk, kind="purchase", street="9 Aspen Ct", state="CO"
    )
    offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="Nora", terms=TERMS)
    assert done_by(engagement, "search_selection", "selection_support") == "offer.submitted"
    assert where(engagement) == (
        "transaction_initiation",
        "presentation_negotiation",
        "active",
        "client",
    )

    # Accepted: the contract's deliverables go on file; the brokerage's compliance gate
    # holds the journey and says so, until the compliance officer approves.
    clock.shift(timedelta(days=2))
    offer_accept(actor=agent, offer_id=offer.pk)
    assert where(engagement) == (
        "transaction_initiation",
        "agreement_activation",
        "active",
        "client",
    )
    waiting = Event.objects.filter(kind="engagement.advance_waiting", subject_id=engagement.pk)
    assert "approval by a compliance officer" in waiting.last().payload["reason"]
    gate_decide(actor=brokerage.compliance, engagement_id=engagement.pk, verdict="approved")
    assert where(engagement) == (
        "transaction_management",
        "agreement_activation",
        "active",
        "client",
    )
    filed = DeliverableRecord.objects.filter(engagement=engagement, event__kind="offer.accepted")
    assert {r.deliverable_key for r in filed} == {
        "executed_purchase_agreement",
        "transaction_timeline",
        "due_diligence_schedule",
        "team_contact_list",
        "contingency_tracking_system",
    }

    # Every contingency resolved completes Contingency Resolution.
    clock.shift(timedelta(days=9))
    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    assert done_by(engagement, "transaction_management", "contingency_resolution") == (
        "transaction.contingencies_cleared"
    )

    # Closed: won with the price, the clients past clients, on to Closing & Transition.
    clock.shift(timedelta(days=20))
    closed_on = local_today(org)
    deal_close(actor=agent, deal_id=deal.pk, closed_on=closed_on, final_price=Decimal("605000"))
    assert where(engagement) == ("closing_transition", "agreement_activation", "won", "past_client")
    engagement.refresh_from_db()
    assert engagement.won_price == Decimal("605000")
    assert Contact.objects.get(pk=result.contact.pk).past_client_on == closed_on
    assert done_by(engagement, "closing_transition", "closing_execution") == "transaction.closed"

    # Closing & Transition has the brokerage's gate too: approved, the journey waits only
    # for the wrap-up. Two weeks on, the wrap-up period ends: Ongoing Relationship and
    # Relationship Management.
    gate_decide(actor=brokerage.compliance, engagement_id=engagement.pk, verdict="approved")
    clock.shift(timedelta(days=WRAP_UP_DAYS, hours=1))
    assert wrap_ups_due() == 1
    assert wrap_ups_due() == 0  # once
    assert where(engagement) == (
        "ongoing_relationship",
        "relationship_management",
        "won",
        "past_client",
    )
    kinds = set(Event.objects.filter(subject_id=engagement.pk).values_list("kind", flat=True))
    assert {"engagement.won", "engagement.work_recorded", "engagement.phase_advanced"} <= kinds
