"""Edges of a deal's events on the journey (found in review): a deal that fell through proves
nothing any more and takes back what it proved, a deal merely opened does not carry the
journey, won journeys still hand work on, a client still buying is not made a past client,
and a template version stored before steps named events follows the shipped events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.clock import local_today
from rallypoynt.journeys.models import DeliverableRecord, Engagement, Handoff, StepCompletion
from rallypoynt.journeys.services.engagements import engagement_open
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.tests.factories import MembershipFactory, team_with
from rallypoynt.transactions.models import Deadline
from rallypoynt.transactions.services.closing import deal_close, deal_terminate
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_accept, offer_create
from rallypoynt.transactions.services.progress import progress_update_post
from rallypoynt.transactions.services.resolution import deadline_resolve
from rallypoynt.transactions.services.walkthrough import walkthrough_record

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)
TERMS = {
    "price": "610000",
    "earnest_money": "10000",
    "financing": "conventional",
    "down_payment": "122000",
    "contingencies": [{"kind": "inspection", "days": 10}],
    "closing_on": "2027-01-15",
}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as t:
        yield t


def live(engagement, kind=None):
    rows = StepCompletion.objects.filter(engagement=engagement, undone_at__isnull=True)
    if kind:
        rows = rows.filter(event__kind=kind)
    return sorted(
        f"{r.phase_key}:{r.step_key}<{r.event.kind if r.event else 'person'}>" for r in rows
    )


PERSONS_STEPS = (
    ("initial_inquiry_processing", "initial_response", "needs_discovery",
     "relationship_establishment", "client_onboarding"),
    ("situation_analysis", "strategy_development", "service_agreement",
     "resource_preparation", "kickoff_meeting"),
    ("search_criteria_refinement", "property_previewing_and_tours", "option_evaluation"),
)  # fmt: skip


def search_by_hand(agent, e) -> None:
    """Consultation, agreement and the search, ticked and advanced by the agent."""
    for n, keys in enumerate(PERSONS_STEPS):
        for key in keys:
            step_complete(actor=agent, engagement_id=e.pk, step_key=key)
        if n < len(PERSONS_STEPS) - 1:
            phase_advance(actor=agent, engagement_id=e.pk)


def accepted_deal(agent, engagement, street):
    deal = deal_open(
        actor=agent, engagement_id=engagement.pk, kind="purchase", street=street, state="CO"
    )
    offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="Nora", terms=TERMS)
    offer_accept(actor=agent, offer_id=offer.pk)
    return deal


def test_a_terminated_deal_proves_no_more_work(brokerage, clock):
    agent = brokerage.ben
    e = engagement_for(agent)
    deal = accepted_deal(agent, e, "9 Aspen Ct")
    deal_terminate(actor=agent, deal_id=deal.pk, reason="inspection")
    e.refresh_from_db()
    assert not [s for s in live(e) if "<person>" not in s and "lead" not in s]
    # Work keeps being recorded on the dead deal and proves journey steps ahead.
    from rallypoynt.core.clock import local_today

    walkthrough_record(
        actor=agent,
        deal_id=deal.pk,
        done_on=local_today(brokerage.org),
        findings=[{"area": "Kitchen", "ok": True}],
    )
    progress_update_post(actor=agent, deal_id=deal.pk, note="still here")
    assert live(e) == []


def test_a_deal_merely_opened_does_not_keep_a_dead_deals_work(brokerage, clock):
    agent = brokerage.ben
    e = engagement_for(agent)
    a = accepted_deal(agent, e, "9 Aspen Ct")
    for row in Deadline.objects.filter(deal=a, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    # A second deal is merely opened (a house the buyer looks at); no offer yet.
    deal_open(actor=agent, engagement_id=e.pk, kind="purchase", street="1 Oak", state="CO")
    deal_terminate(actor=agent, deal_id=a.pk, reason="buyer walked")
    e.refresh_from_db()
    assert not [s for s in live(e) if "transaction_management" in s]


def test_each_dead_deal_takes_back_its_own_work(brokerage, clock):
    agent = brokerage.ben
    e = engagement_for(agent)
    a = accepted_deal(agent, e, "9 Aspen Ct")
    for row in Deadline.objects.filter(deal=a, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    b = deal_open(actor=agent, engagement_id=e.pk, kind="purchase", street="1 Oak", state="CO")
    deal_terminate(actor=agent, deal_id=a.pk, reason="buyer walked")
    offer = offer_create(actor=agent, deal_id=b.pk, buyer_name="Nora", terms=TERMS)
    offer_accept(actor=agent, offer_id=offer.pk)
    deal_terminate(actor=agent, deal_id=b.pk, reason="appraisal")
    e.refresh_from_db()
    assert [s for s in live(e) if "<person>" not in s] == []


def test_a_dead_deals_work_never_moves_the_next_search_on(brokerage, clock):

    agent = brokerage.ben
    e = engagement_for(agent)
    a = accepted_deal(agent, e, "9 Aspen Ct")
    deal_open(actor=agent, engagement_id=e.pk, kind="purchase", street="1 Oak", state="CO")
    deal_terminate(actor=agent, deal_id=a.pk, reason="buyer walked")

    search_by_hand(agent, e)
    e.refresh_from_db()
    assert e.phase_key == "search_selection"


def test_a_note_on_a_dead_deal_does_not_move_the_journey_back_on(brokerage, clock):

    agent = brokerage.ben
    e = engagement_for(agent)

    search_by_hand(agent, e)
    a = accepted_deal(agent, e, "9 Aspen Ct")
    deal_terminate(actor=agent, deal_id=a.pk, reason="inspection")
    e.refresh_from_db()
    assert e.phase_key == "search_selection"
    progress_update_post(actor=agent, deal_id=a.pk, note="Sorry it fell through")
    e.refresh_from_db()
    assert e.phase_key == "search_selection"


def test_a_won_journey_still_hands_its_care_steps_on(brokerage, clock):
    care = MembershipFactory(org=brokerage.org, roles=[Role.CLIENT_CARE_COORDINATOR])
    team_with(brokerage.summit, care)
    agent = brokerage.buyer
    e = engagement_for(agent, team_id=brokerage.summit.pk)
    deal = deal_open(actor=agent, engagement_id=e.pk, kind="purchase", street="9 Aspen", state="CO")
    offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="N", terms=TERMS)
    offer_accept(actor=agent, offer_id=offer.pk)
    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    # As if the agent had worked phases 1-3 by hand and the gates let it through to TM.
    Engagement.objects.filter(pk=e.pk).update(
        phase_key="transaction_management", phase_entered_at=timezone.now()
    )
    clock.shift(timedelta(days=5))
    deal_close(
        actor=agent,
        deal_id=deal.pk,
        closed_on=local_today(brokerage.org),
        final_price=Decimal("600000"),
    )
    e.refresh_from_db()
    assert e.phase_key == "closing_transition"
    handed = list(
        Handoff.objects.filter(engagement=e, phase_key="closing_transition").values_list(
            "step_key", "to_member_id"
        )
    )
    from rallypoynt.journeys.services.outcomes import wrap_ups_due

    clock.shift(timedelta(days=15))
    assert wrap_ups_due() == 1
    e.refresh_from_db()
    assert e.phase_key == "ongoing_relationship"
    handed = list(
        Handoff.objects.filter(engagement=e, phase_key="ongoing_relationship").values_list(
            "step_key", "to_member_id"
        )
    )
    assert ("post_transaction_support", care.pk) in handed


def test_closing_the_sale_keeps_a_client_who_is_still_buying_a_client(brokerage):
    with time_machine.travel(START, tick=False) as clock:
        agent = brokerage.ben
        c = ContactFactory(org=brokerage.org, owner=agent)
        sell = engagement_open(actor=agent, contact_ids=[c.pk], side="sell", level="team")
        buy = engagement_open(actor=agent, contact_ids=[c.pk], side="buy", level="team")
        Contact.objects.filter(pk=c.pk).update(stage="client")
        deal = deal_open(
            actor=agent, engagement_id=sell.pk, kind="sale", street="9 Aspen", state="CO"
        )
        offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="N", terms=TERMS)
        offer_accept(actor=agent, offer_id=offer.pk)
        for row in Deadline.objects.filter(deal=deal, is_contingency=True):
            deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
        clock.shift(timedelta(days=3))
        deal_close(
            actor=agent,
            deal_id=deal.pk,
            closed_on=local_today(brokerage.org),
            final_price=Decimal("600000"),
        )
        buy.refresh_from_db()
        c.refresh_from_db()
        assert c.stage == "client"


def test_a_version_stored_before_steps_named_events_follows_the_shipped_ones(brokerage, clock):
    agent = brokerage.ben
    e = engagement_for(agent)
    version = e.journey
    for phase in version.data["phases"]:
        for item in phase["steps"] + phase.get("deliverables", []):
            item.pop("done_by", None)
    version.save()
    Engagement.objects.filter(pk=e.pk).update(phase_key="transaction_initiation")
    deal = accepted_deal(agent, e, "9 Aspen Ct")
    e.refresh_from_db()
    assert e.phase_key == "transaction_management"
    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    clock.shift(timedelta(days=3))
    deal_close(
        actor=agent,
        deal_id=deal.pk,
        closed_on=local_today(brokerage.org),
        final_price=Decimal("600000"),
    )
    e.refresh_from_db()
    assert (e.phase_key, e.status) == ("closing_transition", "won")
    assert DeliverableRecord.objects.filter(
        engagement=e, deliverable_key="transaction_summary_record"
    ).exists()
