"""What a deal's events do to the journeys it serves: work proven ahead of the phase keeps its
own event and time, a deal that falls through takes back what it proved, a lost engagement is
left alone, an agent's own (simplified) journey follows too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rallypoynt.journeys.models import DeliverableRecord, Engagement, StepCompletion
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.engagements import engagement_close
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import org_today
from rallypoynt.transactions.models import ChecklistItem, Deadline
from rallypoynt.transactions.services.checklists import checklist_item_mark
from rallypoynt.transactions.services.closing import deal_close, deal_terminate
from rallypoynt.transactions.services.deals import deal_open
from rallypoynt.transactions.services.offers import offer_accept, offer_create
from rallypoynt.transactions.services.progress import progress_update_post
from rallypoynt.transactions.services.resolution import deadline_resolve
from rallypoynt.transactions.services.walkthrough import walkthrough_record

pytestmark = pytest.mark.django_db

TERMS = {"price": "480000", "contingencies": [{"kind": "inspection", "days": 10}]}


def searched(member, *, level: str = "team", side: str = "buy") -> Engagement:
    """An engagement whose person's work through the search is done."""
    engagement = engagement_for(member, side=side, level=level)
    while engagement.phase_key != "search_selection":
        for status in engagement_evaluate(engagement, timezone.now()).open_steps:
            step_complete(actor=member, engagement_id=engagement.pk, step_key=status.step.key)
        phase_advance(actor=member, engagement_id=engagement.pk)
        engagement.refresh_from_db()
    for status in engagement_evaluate(engagement, timezone.now()).open_steps:
        if not status.step.done_by:
            step_complete(actor=member, engagement_id=engagement.pk, step_key=status.step.key)
    return engagement


def under_contract(member, engagement: Engagement):
    deal = deal_open(
        actor=member,
        engagement_id=engagement.pk,
        kind="purchase" if engagement.side == "buy" else "sale",
        street="7 Birch Ln",
        state="CO",
    )
    offer = offer_create(actor=member, deal_id=deal.pk, buyer_name="B", terms=TERMS)
    offer_accept(actor=member, offer_id=offer.pk)
    return deal


def source(engagement: Engagement, phase: str, step: str) -> str | None:
    row = StepCompletion.objects.filter(
        engagement=engagement, phase_key=phase, step_key=step, undone_at__isnull=True
    ).first()
    return None if row is None else (row.event.kind if row.event_id else "person")


def test_the_walk_through_and_closing_checklist_prove_closing_steps_before_the_closing(brokerage):
    agent = brokerage.ben
    engagement = searched(agent)
    deal = under_contract(agent, engagement)
    engagement.refresh_from_db()
    assert engagement.phase_key == "transaction_management"

    walkthrough_record(
        actor=agent,
        deal_id=deal.pk,
        done_on=org_today(),
        findings=[{"area": "Kitchen", "ok": True}],
    )
    for item in ChecklistItem.objects.filter(deal=deal, kind="closing"):
        checklist_item_mark(actor=agent, item_id=item.pk, status="done")
    progress_update_post(actor=agent, deal_id=deal.pk, note="Appraisal is in.")
    # Proven ahead of the phase, each with its own event; the phase has not moved yet.
    assert source(engagement, "closing_transition", "final_verification") == "walkthrough.cleared"
    assert source(engagement, "closing_transition", "closing_coordination") == (
        "checklist.closing_completed"
    )
    assert source(engagement, "transaction_management", "progress_monitoring") == (
        "progress_update.posted"
    )
    engagement.refresh_from_db()
    assert engagement.phase_key == "transaction_management"

    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    deal_close(actor=agent, deal_id=deal.pk, closed_on=org_today(), final_price=Decimal(480000))
    engagement.refresh_from_db()
    assert (engagement.phase_key, engagement.status) == ("closing_transition", "won")
    # The closing kept the earlier proofs as they were.
    assert source(engagement, "closing_transition", "final_verification") == "walkthrough.cleared"
    assert source(engagement, "closing_transition", "closing_execution") == "transaction.closed"


def test_a_deal_that_falls_through_takes_back_what_it_proved_and_sends_the_journey_back(
    brokerage,
):
    agent = brokerage.ben
    engagement = searched(agent)
    deal = under_contract(agent, engagement)
    walkthrough_record(
        actor=agent,
        deal_id=deal.pk,
        done_on=org_today(),
        findings=[{"area": "Roof", "ok": True}],
    )
    deal_terminate(actor=agent, deal_id=deal.pk, reason="Inspection failed")
    engagement.refresh_from_db()
    assert engagement.phase_key == "search_selection"
    live = StepCompletion.objects.filter(engagement=engagement, undone_at__isnull=True)
    later = ("transaction_initiation", "transaction_management", "closing_transition")
    assert not live.filter(phase_key__in=later).exists()
    assert not DeliverableRecord.objects.filter(engagement=engagement, phase_key__in=later).exists()


def test_a_lost_engagement_is_left_alone_by_its_deals_events(brokerage):
    agent = brokerage.ben
    engagement = searched(agent)
    deal = deal_open(
        actor=agent, engagement_id=engagement.pk, kind="purchase", street="3 Fir St", state="CO"
    )
    engagement_close(actor=agent, engagement_id=engagement.pk, status="lost", reason_key="other")
    offer = offer_create(actor=agent, deal_id=deal.pk, buyer_name="B", terms=TERMS)
    offer_accept(actor=agent, offer_id=offer.pk)
    engagement.refresh_from_db()
    assert (engagement.phase_key, engagement.status) == ("search_selection", "lost")
    assert not StepCompletion.objects.filter(engagement=engagement, event__isnull=False).exists()


def test_a_solo_agents_simplified_journey_follows_the_deal_to_the_closing(brokerage):
    agent = brokerage.ben
    engagement = searched(agent, level="agent", side="sell")
    deal = under_contract(agent, engagement)
    engagement.refresh_from_db()
    assert engagement.phase_key == "transaction_management"
    for row in Deadline.objects.filter(deal=deal, is_contingency=True):
        deadline_resolve(actor=agent, deadline_id=row.pk, status="satisfied")
    closed_on = org_today() - timedelta(days=1)
    deal.refresh_from_db()
    deal_close(
        actor=agent,
        deal_id=deal.pk,
        closed_on=max(closed_on, deal.accepted_on),
        final_price=Decimal(480000),
    )
    engagement.refresh_from_db()
    assert (engagement.phase_key, engagement.status) == ("closing_transition", "won")
    assert engagement.won_price == Decimal(480000)
