"""Engagements through the real services: open, steps, gates, phases, stages, hold, close, and
who may see or touch them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    EngagementContact,
    GateDecision,
    JourneyTemplate,
    PhaseVisit,
    StageVisit,
    StepCompletion,
)
from rallypoynt.journeys.selectors import engagement_get, engagement_list
from rallypoynt.journeys.services.engagements import (
    engagement_close,
    engagement_delete,
    engagement_hold,
    engagement_open,
)
from rallypoynt.journeys.services.progress import (
    deliverable_record,
    gate_decide,
    phase_advance,
    stage_change,
    step_complete,
    step_undo,
)
from rallypoynt.journeys.tests.factories import (
    NOW,
    advance_to,
    opened,
    phase_finish,
    reloaded,
    visits,
)
from rallypoynt.leads.models import LeadInquiry

LATER = NOW + timedelta(days=1)


def events(engagement: Engagement, kind: str) -> list[Event]:
    return list(Event.objects.filter(kind=kind, subject_id=engagement.pk).order_by("id"))


# Opening


def test_opening_starts_the_first_phase_and_its_first_sales_stage(brokerage):
    buyer = brokerage.buyer
    first, second = (
        ContactFactory(org=buyer.org, owner=buyer),
        ContactFactory(org=buyer.org, owner=buyer),
    )
    engagement = engagement_open(
        actor=buyer, contact_ids=[first.pk, second.pk], side="buy", now=NOW
    )
    assert (engagement.phase_key, engagement.stage_key) == ("discovery", "prospect_identification")
    assert engagement.phase_entered_at == engagement.stage_entered_at == engagement.opened_at == NOW
    assert engagement.agent == buyer and engagement.status == "active"
    assert visits(PhaseVisit, engagement) == [("discovery", "", True)]
    assert visits(StageVisit, engagement) == [("prospect_identification", "", True)]
    clients = EngagementContact.objects.filter(engagement=engagement).order_by("id")
    assert [(c.contact_id, c.is_primary) for c in clients] == [(first.pk, True), (second.pk, False)]
    (opened_event,) = events(engagement, "engagement.opened")
    assert opened_event.payload["contact_ids"] == [first.pk, second.pk]
    assert opened_event.payload["phase"] == "discovery"


def test_opening_at_the_agent_level_starts_in_the_merged_stage(brokerage):
    engagement = opened(brokerage.ben, level="agent")
    assert (engagement.phase_key, engagement.stage_key) == ("discovery", "prospecting_engagement")


def test_a_team_lead_may_open_an_engagement_for_a_member_of_their_team(brokerage):
    contact = ContactFactory(org=brokerage.org, owner=brokerage.buyer)
    engagement = engagement_open(
        actor=brokerage.lead, contact_ids=[contact.pk], side="sell", agent_id=brokerage.buyer.pk
    )
    assert engagement.agent == brokerage.buyer


@pytest.mark.parametrize("owner", ["buyer", "other_buyer"])
def test_opening_for_a_contact_the_actor_cannot_see_is_refused_and_writes_nothing(
    brokerage, other, owner
):
    member = other.buyer if owner == "other_buyer" else brokerage.buyer
    contact = ContactFactory(org=member.org, owner=member)
    with pytest.raises(ValidationFailed):
        engagement_open(actor=brokerage.ben, contact_ids=[contact.pk], side="buy")
    assert not Engagement.objects.exists()
    assert not JourneyTemplate.objects.exists()
    assert not Event.objects.filter(kind__startswith="engagement.").exists()


def test_opening_for_an_agent_outside_ones_scope_is_refused_and_writes_nothing(brokerage):
    contact = ContactFactory(org=brokerage.org, owner=brokerage.lead)
    with pytest.raises(ValidationFailed) as caught:
        engagement_open(
            actor=brokerage.lead, contact_ids=[contact.pk], side="buy", agent_id=brokerage.maria.pk
        )
    assert "agent_id" in caught.value.fields
    assert not Engagement.objects.exists() and not JourneyTemplate.objects.exists()


# Ids and levels from the caller are checked


def test_a_team_of_another_org_cannot_be_given_to_an_engagement(brokerage, other):
    with pytest.raises(ValidationFailed):
        opened(brokerage.buyer, team_id=other.summit.pk)


def test_an_inquiry_of_another_org_cannot_be_linked_to_an_engagement(brokerage, other):
    contact = ContactFactory(org=other.org, owner=other.buyer)
    inquiry = LeadInquiry.objects.create(org=other.org, contact=contact, received_at=NOW)
    with pytest.raises(ValidationFailed):
        opened(brokerage.buyer, inquiry_id=inquiry.pk)


def test_an_unknown_business_level_is_refused(brokerage):
    with pytest.raises(ValidationFailed):
        opened(brokerage.buyer, level="enterprise")


# Steps


def test_completing_a_step_records_its_due_time_and_whether_it_was_on_time(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    half_hour = NOW + timedelta(minutes=30)
    for key in ("initial_response", "initial_inquiry_processing"):
        step_complete(actor=buyer, engagement_id=engagement.pk, step_key=key, now=half_hour)
    rows = {r.step_key: r for r in StepCompletion.objects.filter(engagement=engagement)}
    assert rows["initial_response"].due_at == NOW + timedelta(hours=1)
    assert rows["initial_inquiry_processing"].due_at == NOW + timedelta(minutes=15)
    assert rows["initial_response"].completed_at == half_hour
    assert rows["initial_response"].completed_by == buyer
    on_time = {
        e.payload["step"]: e.payload["is_on_time"]
        for e in events(engagement, "engagement.step_completed")
    }
    assert on_time == {"initial_response": True, "initial_inquiry_processing": False}


def test_a_step_waiting_on_another_gets_its_due_time_from_that_completion(brokerage):
    engagement = opened(brokerage.buyer)
    done_at = NOW + timedelta(minutes=30)
    evaluation = step_complete(
        actor=brokerage.buyer, engagement_id=engagement.pk, step_key="initial_response", now=done_at
    )
    discovery = next(s for s in evaluation.steps if s.step.key == "needs_discovery")
    assert discovery.due_at == done_at + timedelta(days=2)  # two business days, same hour


def test_completing_a_step_twice_is_a_conflict(brokerage):
    engagement = opened(brokerage.buyer)
    step_complete(actor=brokerage.buyer, engagement_id=engagement.pk, step_key="initial_response")
    with pytest.raises(Conflict):
        step_complete(
            actor=brokerage.buyer, engagement_id=engagement.pk, step_key="initial_response"
        )
    assert StepCompletion.objects.filter(engagement=engagement).count() == 1


def test_completing_an_unknown_step_or_one_of_another_phase_is_refused(brokerage):
    engagement = opened(brokerage.buyer)
    for key in ("nope", "kickoff_meeting"):
        with pytest.raises(ValidationFailed):
            step_complete(actor=brokerage.buyer, engagement_id=engagement.pk, step_key=key)
    assert not StepCompletion.objects.exists()


def test_a_seller_step_cannot_be_completed_on_a_buyers_engagement(brokerage):
    engagement = opened(brokerage.buyer)
    advance_to(brokerage.buyer, engagement, "search_selection")
    with pytest.raises(ValidationFailed):
        step_complete(
            actor=brokerage.buyer, engagement_id=engagement.pk, step_key="property_preparation"
        )


def test_undoing_a_step_keeps_the_row_and_opens_the_step_again(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    step_complete(actor=buyer, engagement_id=engagement.pk, step_key="initial_response")
    evaluation = step_undo(actor=buyer, engagement_id=engagement.pk, step_key="initial_response")
    (row,) = StepCompletion.objects.filter(engagement=engagement)
    assert row.undone_at is not None and row.undone_by == buyer
    assert "initial_response" in {s.step.key for s in evaluation.open_steps}
    step_complete(actor=buyer, engagement_id=engagement.pk, step_key="initial_response")
    assert StepCompletion.objects.filter(engagement=engagement).count() == 2
    with pytest.raises(Conflict):
        step_undo(actor=buyer, engagement_id=engagement.pk, step_key="needs_discovery")


def test_recording_a_deliverable_accepts_only_the_phase_deliverables_of_the_side(brokerage):
    engagement = opened(brokerage.buyer)
    evaluation = deliverable_record(
        actor=brokerage.buyer,
        engagement_id=engagement.pk,
        deliverable_key="needs_assessment",
        note="In the shared drive",
    )
    assert "needs_assessment" not in {b.key for b in evaluation.blockers}
    assert DeliverableRecord.objects.get(engagement=engagement).note == "In the shared drive"
    with pytest.raises(ValidationFailed):
        deliverable_record(
            actor=brokerage.buyer, engagement_id=engagement.pk, deliverable_key="marketing_assets"
        )


# Phases


def test_advancing_with_missing_steps_is_a_conflict_naming_them_and_changes_nothing(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    step_complete(actor=buyer, engagement_id=engagement.pk, step_key="initial_response", now=NOW)
    with pytest.raises(Conflict) as caught:
        phase_advance(actor=buyer, engagement_id=engagement.pk, now=LATER)
    blockers = caught.value.fields["blockers"]
    assert 'step "Initial Inquiry Processing" is not done' in blockers
    assert 'step "Client Onboarding" is not done' in blockers
    assert 'deliverable "Client profile in CRM" is missing' in blockers
    assert not any("Initial Response" in b for b in blockers)
    assert "Discovery & Engagement cannot be left yet" in caught.value.message
    assert "Needs Discovery" in caught.value.message
    assert reloaded(engagement).phase_key == "discovery"
    assert visits(PhaseVisit, engagement) == [("discovery", "", True)]
    assert not events(engagement, "engagement.phase_advanced")


def test_completing_every_required_step_lets_the_phase_advance_and_the_stage_follow(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    phase_finish(buyer, engagement)
    evaluation = phase_advance(actor=buyer, engagement_id=engagement.pk, now=LATER)
    assert evaluation.phase.key == "strategy"
    engagement = reloaded(engagement)
    assert (engagement.phase_key, engagement.phase_entered_at) == ("strategy", LATER)
    assert (engagement.stage_key, engagement.stage_entered_at) == ("solution_development", LATER)
    assert visits(PhaseVisit, engagement) == [
        ("discovery", "advanced", False),
        ("strategy", "", True),
    ]
    old = PhaseVisit.objects.get(engagement=engagement, key="discovery")
    assert (old.exited_at, old.exited_by) == (LATER, buyer)
    # (Its exit says "advanced" though Initial Engagement was skipped: see the report.)
    # Initial Response (first meaningful interaction) entered Initial Engagement on the way.
    assert [(key, is_open) for key, _, is_open in visits(StageVisit, engagement)] == [
        ("prospect_identification", False),
        ("initial_engagement", False),
        ("solution_development", True),
    ]
    (event,) = events(engagement, "engagement.phase_advanced")
    assert event.payload["phase_from"] == "discovery"
    assert event.payload["stage_from"] == "initial_engagement"


def test_the_stage_stays_when_the_next_phase_still_belongs_to_it(brokerage):
    engagement = opened(brokerage.buyer)
    advance_to(brokerage.buyer, engagement, "search_selection")
    assert reloaded(engagement).stage_key == "solution_development"
    assert [v[0] for v in visits(StageVisit, engagement)][-1] == "solution_development"
    assert len(visits(StageVisit, engagement)) == 3


def test_a_buyer_walks_the_whole_journey_and_the_last_phase_cannot_be_left(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    advance_to(buyer, engagement, "ongoing_relationship")
    assert reloaded(engagement).stage_key == "relationship_management"
    assert [v[0] for v in visits(PhaseVisit, engagement)] == [
        "discovery",
        "strategy",
        "search_selection",
        "transaction_initiation",
        "transaction_management",
        "closing_transition",
        "ongoing_relationship",
    ]
    with pytest.raises(Conflict) as caught:
        phase_advance(actor=buyer, engagement_id=engagement.pk)
    assert "last phase" in caught.value.message


# Approval gates (brokerage level)


def at_contract_gate(brokerage) -> Engagement:
    """A brokerage-level engagement with every step of Transaction Initiation done."""
    engagement = opened(brokerage.buyer, level="brokerage")
    advance_to(brokerage.buyer, engagement, "transaction_initiation")
    phase_finish(brokerage.buyer, engagement)
    return engagement


def test_a_compliance_gate_blocks_advancing_and_an_agent_cannot_decide_it(brokerage):
    engagement = at_contract_gate(brokerage)
    with pytest.raises(Conflict) as caught:
        phase_advance(actor=brokerage.buyer, engagement_id=engagement.pk)
    assert caught.value.fields["blockers"] == ["approval by a compliance officer is needed"]
    for member in (brokerage.buyer, brokerage.broker):
        with pytest.raises(PermissionDenied):
            gate_decide(actor=member, engagement_id=engagement.pk, verdict="approved")
    assert not GateDecision.objects.exists()


def test_a_compliance_officer_approves_and_a_rejection_needs_a_reason(brokerage):
    engagement, compliance = at_contract_gate(brokerage), brokerage.compliance
    with pytest.raises(ValidationFailed):
        gate_decide(actor=compliance, engagement_id=engagement.pk, verdict="rejected", reason=" ")
    evaluation = gate_decide(
        actor=compliance, engagement_id=engagement.pk, verdict="rejected", reason="Missing HOA"
    )
    assert [b.kind for b in evaluation.blockers] == ["approval"]
    evaluation = gate_decide(actor=compliance, engagement_id=engagement.pk, verdict="approved")
    assert evaluation.can_advance
    assert [(d.verdict, d.decided_by) for d in GateDecision.objects.order_by("id")] == [
        ("rejected", compliance),
        ("approved", compliance),
    ]
    phase_advance(actor=brokerage.buyer, engagement_id=engagement.pk)
    assert reloaded(engagement).phase_key == "transaction_management"


def test_an_approval_from_an_earlier_visit_of_the_phase_does_not_count(brokerage):
    from rallypoynt.journeys.services.returns import phase_return

    engagement = at_contract_gate(brokerage)
    gate_decide(actor=brokerage.compliance, engagement_id=engagement.pk, verdict="approved")
    # Decisions are stamped with the clock, so the return and the walk back follow it.
    later = timezone.now() + timedelta(seconds=1)
    phase_return(
        actor=brokerage.buyer,
        engagement_id=engagement.pk,
        phase_key="search_selection",
        reason="The seller backed out",
        now=later,
    )
    advance_to(brokerage.buyer, engagement, "transaction_initiation", now=later)
    phase_finish(brokerage.buyer, engagement, now=later)
    with pytest.raises(Conflict) as caught:
        phase_advance(actor=brokerage.buyer, engagement_id=engagement.pk)
    assert caught.value.fields["blockers"] == ["approval by a compliance officer is needed"]


def test_a_phase_without_an_approval_gate_cannot_be_decided(brokerage):
    engagement = opened(brokerage.buyer, level="brokerage")
    with pytest.raises(Conflict):
        gate_decide(actor=brokerage.compliance, engagement_id=engagement.pk, verdict="approved")


# Pipeline stages


def test_moving_the_stage_records_whether_it_advanced_jumped_or_moved_back(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    for key in ("initial_engagement", "presentation_negotiation", "solution_development"):
        stage_change(actor=buyer, engagement_id=engagement.pk, stage_key=key)
    assert visits(StageVisit, engagement) == [
        ("prospect_identification", "advanced", False),
        ("initial_engagement", "jumped", False),
        ("presentation_negotiation", "moved_back", False),
        ("solution_development", "", True),
    ]
    hows = [e.payload["how"] for e in events(engagement, "engagement.stage_changed")]
    assert hows == ["advanced", "jumped", "moved_back"]
    assert reloaded(engagement).phase_key == "discovery"


def test_moving_to_an_unknown_stage_or_the_same_stage_changes_nothing(brokerage):
    engagement = opened(brokerage.buyer)
    with pytest.raises(ValidationFailed):
        stage_change(actor=brokerage.buyer, engagement_id=engagement.pk, stage_key="nirvana")
    stage_change(
        actor=brokerage.buyer, engagement_id=engagement.pk, stage_key="prospect_identification"
    )
    assert visits(StageVisit, engagement) == [("prospect_identification", "", True)]


# Hold and close


def test_a_lost_engagement_says_why_and_its_open_visits_end(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    with pytest.raises(ValidationFailed):
        engagement_close(actor=buyer, engagement_id=engagement.pk, status="lost", reason="")
    with pytest.raises(ValidationFailed):
        engagement_close(actor=buyer, engagement_id=engagement.pk, status="maybe")
    engagement_close(
        actor=buyer,
        engagement_id=engagement.pk,
        status="lost",
        reason=" Went with a friend ",
        now=LATER,
    )
    engagement = reloaded(engagement)
    assert (engagement.status, engagement.closed_at) == ("lost", LATER)
    assert engagement.lost_reason == "Went with a friend"
    assert visits(PhaseVisit, engagement) == [("discovery", "closed", False)]
    assert visits(StageVisit, engagement) == [("prospect_identification", "closed", False)]
    assert events(engagement, "engagement.lost")[0].payload["reason"] == "Went with a friend"


def test_a_lost_engagement_refuses_every_further_move(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    engagement_close(
        actor=buyer, engagement_id=engagement.pk, status="lost", reason_key="not_ready"
    )
    assert reloaded(engagement).status == "lost"
    moves = [
        lambda: step_complete(
            actor=buyer, engagement_id=engagement.pk, step_key="initial_response"
        ),
        lambda: phase_advance(actor=buyer, engagement_id=engagement.pk),
        lambda: stage_change(
            actor=buyer, engagement_id=engagement.pk, stage_key="initial_engagement"
        ),
        lambda: engagement_hold(actor=buyer, engagement_id=engagement.pk, is_on_hold=True),
        lambda: engagement_close(
            actor=buyer, engagement_id=engagement.pk, status="lost", reason="x"
        ),
    ]
    for move in moves:
        with pytest.raises(Conflict):
            move()
    assert reloaded(engagement).status == "lost"
    assert reloaded(engagement).lost_reason_choice.label == "Not ready"


def test_a_held_engagement_refuses_moves_until_it_is_resumed(brokerage):
    buyer = brokerage.buyer
    engagement = opened(buyer)
    engagement_hold(actor=buyer, engagement_id=engagement.pk, is_on_hold=True)
    assert reloaded(engagement).status == "on_hold"
    with pytest.raises(Conflict):
        step_complete(actor=buyer, engagement_id=engagement.pk, step_key="initial_response")
    engagement_hold(actor=buyer, engagement_id=engagement.pk, is_on_hold=False)
    assert reloaded(engagement).status == "active"
    step_complete(actor=buyer, engagement_id=engagement.pk, step_key="initial_response")
    assert [len(events(engagement, k)) for k in ("engagement.held", "engagement.resumed")] == [1, 1]


def test_a_held_engagement_can_still_be_closed(brokerage):
    engagement = opened(brokerage.buyer)
    engagement_hold(actor=brokerage.buyer, engagement_id=engagement.pk, is_on_hold=True)
    engagement_close(actor=brokerage.buyer, engagement_id=engagement.pk, status="won")
    assert reloaded(engagement).status == "won"


# Visibility

SERVICES = {
    "step_complete": lambda actor, pk: step_complete(
        actor=actor, engagement_id=pk, step_key="initial_response"
    ),
    "step_undo": lambda actor, pk: step_undo(
        actor=actor, engagement_id=pk, step_key="initial_response"
    ),
    "deliverable_record": lambda actor, pk: deliverable_record(
        actor=actor, engagement_id=pk, deliverable_key="needs_assessment"
    ),
    "gate_decide": lambda actor, pk: gate_decide(actor=actor, engagement_id=pk, verdict="approved"),
    "phase_advance": lambda actor, pk: phase_advance(actor=actor, engagement_id=pk),
    "stage_change": lambda actor, pk: stage_change(
        actor=actor, engagement_id=pk, stage_key="initial_engagement"
    ),
    "engagement_hold": lambda actor, pk: engagement_hold(
        actor=actor, engagement_id=pk, is_on_hold=True
    ),
    "engagement_close": lambda actor, pk: engagement_close(
        actor=actor, engagement_id=pk, status="won"
    ),
}


@pytest.mark.parametrize("service", SERVICES.values(), ids=SERVICES.keys())
@pytest.mark.parametrize("outsider", ["other_org_broker", "other_org_compliance", "ben", "maria"])
def test_a_member_of_another_org_or_outside_the_scope_gets_not_found(
    brokerage, other, service, outsider
):
    actor = {
        "other_org_broker": other.broker,
        "other_org_compliance": other.compliance,
        "ben": brokerage.ben,
        "maria": brokerage.maria,
    }[outsider]
    engagement = opened(brokerage.buyer)
    with pytest.raises(NotFound):
        service(actor, engagement.pk)
    assert engagement_get(actor=actor, engagement_id=engagement.pk) is None
    assert reloaded(engagement).status == "active"
    assert not StepCompletion.objects.exists() and not DeliverableRecord.objects.exists()
    assert len(visits(StageVisit, engagement)) == 1


def test_deleting_needs_a_manager_who_can_see_the_engagement(brokerage, other):
    engagement = opened(brokerage.buyer)
    with pytest.raises(PermissionDenied):
        engagement_delete(actor=brokerage.buyer, engagement_id=engagement.pk)
    with pytest.raises(NotFound):  # another org
        engagement_delete(actor=other.broker, engagement_id=engagement.pk)
    # An office manager's powers stop at the office (rule 13): a Denver agent's engagement
    # answers Boulder's manager exactly as a missing one.
    for engagement_id in (engagement.pk, 999_999):
        with pytest.raises(NotFound):
            engagement_delete(actor=brokerage.manager, engagement_id=engagement_id)
    engagement_delete(actor=brokerage.broker, engagement_id=engagement.pk)
    assert not Engagement.objects.filter(pk=engagement.pk).exists()


def test_the_engagement_list_shows_a_team_lead_their_team_and_an_agent_only_their_own(
    brokerage, other
):
    b = brokerage
    mine = {name: opened(getattr(b, name)).pk for name in ("buyer", "lead", "ben", "maria")}
    opened(other.buyer)

    def listed(member) -> set[str]:
        ids = set(engagement_list(actor=member).values_list("pk", flat=True))
        return {name for name, pk in mine.items() if pk in ids} | (
            {"foreign"} if ids - set(mine.values()) else set()
        )

    assert listed(b.lead) == {"lead", "buyer"}
    assert listed(b.chris) == {"maria"}
    # The lead's buyer steps were handed to Summit's buyer specialist, who sees that deal.
    assert listed(b.buyer) == {"buyer", "lead"}
    assert listed(b.ben) == {"ben"}
    assert listed(b.manager) == {"maria"}
    assert listed(b.broker) == listed(b.compliance) == {"buyer", "lead", "ben", "maria"}
    assert listed(other.broker) == {"foreign"}


def test_the_first_response_moves_the_pipeline_to_initial_engagement(brokerage):
    engagement = opened(brokerage.buyer)
    step_complete(actor=brokerage.buyer, engagement_id=engagement.pk, step_key="initial_response")
    assert reloaded(engagement).stage_key == "initial_engagement"
    exits = [how for _, how, _ in visits(StageVisit, engagement)]
    assert exits == ["advanced", ""]
