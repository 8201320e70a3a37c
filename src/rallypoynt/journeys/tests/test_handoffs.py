"""Handoffs: a step's role resolves to a team member, who gets a task and a notification and
accepts; every resolution says why; nothing is handed off twice; other orgs see nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from rallypoynt.contacts.models import Task
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.journeys.domain import StepStatus
from rallypoynt.journeys.models import Engagement, Handoff, StepCompletion
from rallypoynt.journeys.selectors import (
    engagement_evaluate,
    engagement_get,
    handoff_list,
    role_holder,
    steps_to_hand_off,
)
from rallypoynt.journeys.services.handoffs import handoff_accept, handoffs_open
from rallypoynt.journeys.services.progress import phase_advance, step_complete
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_cache_clear
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.services import member_update, team_member_add
from rallypoynt.orgs.tests.brokerage import fresh

pytestmark = pytest.mark.django_db

# A Monday morning in the org's time zone, inside the default business hours.
MONDAY_10 = datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture(autouse=True)
def _cold_blueprints():
    # `version_blueprint` caches per (org id, version id); SQLite reuses both after a test's
    # rollback, so another test's blueprint (say, of the team level) could be served here.
    org_cache_clear()


def reload(engagement: Engagement) -> Engagement:
    """The engagement as a fresh read sees it (agent roles not cached from the test's setup)."""
    return Engagement.objects.select_related("agent__user", "team").get(pk=engagement.pk)


def give_roles(brokerage, member, *roles: str) -> None:
    member_update(actor=fresh(brokerage.broker), membership_id=member.pk, roles=list(roles))


def open_handoffs(engagement: Engagement, actor, now: datetime = MONDAY_10) -> list[Handoff]:
    """What `engagement_open`, `step_complete` and `phase_advance` call themselves."""
    evaluation = engagement_evaluate(reload(engagement), now)
    return handoffs_open(
        engagement=engagement, actor=actor, steps=steps_to_hand_off(evaluation), now=now
    )


def team_engagement(brokerage) -> Engagement:
    """Summit's lead agent works with a buyer; Summit's buyer specialist does the buy steps."""
    return engagement_for(
        brokerage.lead, side="buy", level="team", team_id=brokerage.summit.pk, now=MONDAY_10
    )


# Resolution ---------------------------------------------------------------------------------


def test_the_agent_keeps_a_step_whose_role_they_hold(brokerage):
    engagement = reload(engagement_for(brokerage.buyer, team_id=brokerage.summit.pk))
    holder = role_holder(engagement, Role.BUYER_SPECIALIST)
    assert holder.member == brokerage.buyer
    assert holder.reason == f"Buyer specialist {brokerage.buyer.user} is the engagement's agent"


def test_the_agent_role_is_always_the_engagements_agent(brokerage):
    engagement = reload(engagement_for(brokerage.ben))
    holder = role_holder(engagement, Role.AGENT)
    assert holder.member == brokerage.ben
    assert "engagement's agent" in holder.reason


def test_a_team_member_holding_the_role_gets_it_and_the_reason_names_them(brokerage):
    holder = role_holder(reload(team_engagement(brokerage)), Role.BUYER_SPECIALIST)
    assert holder.member == brokerage.buyer
    assert holder.reason == f"Buyer specialist {brokerage.buyer.user} on team Summit"


def test_the_team_lead_comes_first_then_the_earliest_member_and_only_active_ones(brokerage):
    # Flatirons: Maria joined before Chris, its lead; both coordinate transactions.
    give_roles(brokerage, brokerage.maria, Role.AGENT, Role.TRANSACTION_COORDINATOR)
    give_roles(brokerage, brokerage.chris, Role.LEAD_AGENT, Role.TRANSACTION_COORDINATOR)
    engagement = reload(engagement_for(brokerage.ben, team_id=brokerage.flatirons.pk))

    holder = role_holder(engagement, Role.TRANSACTION_COORDINATOR)
    assert holder.member == brokerage.chris
    assert holder.reason == (
        f"Transaction coordinator {brokerage.chris.user} on team Flatirons (team lead)"
    )

    give_roles(brokerage, brokerage.chris, Role.LEAD_AGENT, Role.AGENT)
    give_roles(brokerage, brokerage.sysadmin, Role.SYSTEMS_ADMIN, Role.TRANSACTION_COORDINATOR)
    team_member_add(
        actor=fresh(brokerage.broker),
        team_id=brokerage.flatirons.pk,
        membership_id=brokerage.sysadmin.pk,
    )
    assert role_holder(engagement, Role.TRANSACTION_COORDINATOR).member == brokerage.maria

    member_update(actor=fresh(brokerage.broker), membership_id=brokerage.maria.pk, is_active=False)
    assert role_holder(engagement, Role.TRANSACTION_COORDINATOR).member == brokerage.sysadmin


def test_without_a_team_on_the_engagement_the_agents_teams_are_searched(brokerage):
    holder = role_holder(reload(engagement_for(brokerage.maria)), Role.LEAD_AGENT)
    assert holder.member == brokerage.chris
    assert holder.reason.endswith("on team Flatirons (team lead)")


def test_the_engagements_team_wins_over_the_agents_other_teams(brokerage):
    give_roles(brokerage, brokerage.chris, Role.LEAD_AGENT, Role.TRANSACTION_COORDINATOR)
    engagement = reload(engagement_for(brokerage.maria, team_id=brokerage.summit.pk))
    assert role_holder(engagement, Role.LEAD_AGENT).member == brokerage.lead
    # Chris coordinates transactions on Flatirons, not on Summit: Maria keeps that work.
    holder = role_holder(engagement, Role.TRANSACTION_COORDINATOR)
    assert holder.member is None
    assert holder.reason == (
        f"No active transaction coordinator on team Summit; {brokerage.maria.user} keeps the work"
    )


def test_nobody_holding_the_role_leaves_the_work_with_the_agent_and_says_so(brokerage):
    holder = role_holder(reload(engagement_for(brokerage.ben)), Role.MARKETING_SPECIALIST)
    assert holder.member is None
    assert holder.reason == (
        f"No active marketing specialist on the agent's teams; {brokerage.ben.user} keeps the work"
    )


# Opening handoffs ---------------------------------------------------------------------------


def handoffs_of(engagement: Engagement) -> list[Handoff]:
    return list(
        Handoff.objects.filter(engagement=engagement)
        .select_related("to_member", "from_member")
        .order_by("pk")
    )


def counts(org) -> tuple[int, ...]:
    return (
        Handoff.objects.filter(org=org).count(),
        Task.objects.filter(org=org).count(),
        Notification.objects.filter(org=org, kind="journey.handoff").count(),
        Event.objects.filter(org=org, kind="engagement.handoff_created").count(),
    )


def test_opening_an_engagement_hands_off_with_a_task_a_notification_an_audit_entry_and_an_event(
    brokerage,
):
    engagement = team_engagement(brokerage)
    client = engagement.clients.get(is_primary=True).contact
    status = next(
        s
        for s in engagement_evaluate(reload(engagement), MONDAY_10).steps
        if s.step.key == "initial_response"
    )

    # The inquiry processing step needs administrative support, which Summit lacks: the lead
    # keeps it, so the buyer specialist's first response is the only handoff. Needs discovery
    # waits on that response (no due time yet), so it is not handed off yet.
    handoffs = handoffs_of(engagement)
    assert [(h.step_key, h.role, h.to_member) for h in handoffs] == [
        ("initial_response", Role.BUYER_SPECIALIST, brokerage.buyer)
    ]
    handoff = handoffs[0]
    assert handoff.from_member == brokerage.lead and handoff.accepted_at is None
    assert handoff.phase_key == "discovery"
    assert counts(brokerage.org) == (1, 1, 1, 1)

    task = Task.objects.get(pk=handoff.task_id)
    assert task.assignee == brokerage.buyer and task.created_by == brokerage.lead
    assert task.title == f"Initial Response: {client}"
    assert task.contact == client and task.due_at == status.due_at is not None
    assert "on team Summit" in task.notes

    note = Notification.objects.get(recipient=brokerage.buyer, kind="journey.handoff")
    assert note.title == f"Handoff: Initial Response for {client}"
    assert f"Why you: Buyer specialist {brokerage.buyer.user} on team Summit." in note.body
    assert "- Confirm the receiver has accepted the handoff" in note.body

    event = Event.objects.get(org=brokerage.org, kind="engagement.handoff_created")
    assert event.subject_id == engagement.pk
    assert event.actor_id == brokerage.lead.user_id
    assert event.payload["handoff_id"] == handoff.pk
    assert event.payload["to_member_id"] == brokerage.buyer.pk
    assert event.payload["task_id"] == task.pk
    assert event.payload["reason"] == f"Buyer specialist {brokerage.buyer.user} on team Summit"
    audit = AuditEntry.objects.get(
        org=brokerage.org, action="engagement.handoff_created", object_id=engagement.pk
    )
    assert audit.actor_id == brokerage.lead.user_id
    assert audit.changes["handoff_id"] == handoff.pk


def test_handing_off_again_creates_nothing_new_even_after_acceptance(brokerage):
    engagement = team_engagement(brokerage)
    [handoff] = handoffs_of(engagement)
    before = counts(brokerage.org)

    assert open_handoffs(engagement, brokerage.lead) == []
    handoff_accept(actor=brokerage.buyer, handoff_id=handoff.pk)
    assert open_handoffs(engagement, brokerage.lead) == []
    # Completing a step the lead keeps runs the handoffs again: nothing new either.
    step_complete(
        actor=brokerage.lead,
        engagement_id=engagement.pk,
        step_key="initial_inquiry_processing",
        now=MONDAY_10,
    )
    assert counts(brokerage.org) == before
    assert handoffs_of(engagement) == [handoff]


def lead_processes_the_inquiry_then_summit_gets_admin_support(brokerage, engagement) -> None:
    """A step done before anyone on the team held its role: from then on someone does."""
    step_complete(
        actor=brokerage.lead,
        engagement_id=engagement.pk,
        step_key="initial_inquiry_processing",
        now=MONDAY_10,
    )
    team_member_add(
        actor=fresh(brokerage.broker),
        team_id=brokerage.summit.pk,
        membership_id=brokerage.sysadmin.pk,
    )
    assert role_holder(reload(engagement), Role.ADMIN_SUPPORT).member == brokerage.sysadmin


def test_completing_a_step_hands_off_the_step_waiting_on_it_and_skips_done_ones(brokerage):
    engagement = team_engagement(brokerage)
    lead_processes_the_inquiry_then_summit_gets_admin_support(brokerage, engagement)

    evaluation = step_complete(
        actor=brokerage.lead,
        engagement_id=engagement.pk,
        step_key="initial_response",
        now=MONDAY_10,
    )

    # Needs discovery waited on the first response; now it is due, it goes to the specialist.
    handoffs = handoffs_of(engagement)
    assert [(h.step_key, h.to_member) for h in handoffs] == [
        ("initial_response", brokerage.buyer),
        ("needs_discovery", brokerage.buyer),
    ]
    due = next(s.due_at for s in evaluation.steps if s.step.key == "needs_discovery")
    assert Task.objects.get(pk=handoffs[1].task_id).due_at == due is not None
    # The inquiry processing was done before Summit had administrative support: it stays done.
    assert not Handoff.objects.filter(step_key="initial_inquiry_processing").exists()
    assert not Notification.objects.filter(recipient=brokerage.sysadmin).exists()


def test_every_given_open_step_is_handed_off_and_done_ones_never(brokerage):
    engagement = team_engagement(brokerage)
    lead_processes_the_inquiry_then_summit_gets_admin_support(brokerage, engagement)
    evaluation = engagement_evaluate(reload(engagement), MONDAY_10)

    created = handoffs_open(
        engagement=engagement, actor=brokerage.lead, steps=evaluation.steps, now=MONDAY_10
    )

    # Given directly, steps with no due time yet go too; the initial response was handed off
    # when the engagement opened and the done inquiry processing is never handed off.
    assert {h.step_key for h in created} == {"needs_discovery", "relationship_establishment"}
    assert all(h.to_member == brokerage.buyer for h in created)
    assert not Handoff.objects.filter(step_key="initial_inquiry_processing").exists()
    assert Handoff.objects.filter(engagement=engagement).count() == 3


def test_an_agent_level_engagement_hands_nothing_off(brokerage):
    engagement = engagement_for(
        brokerage.lead, level="agent", team_id=brokerage.summit.pk, now=MONDAY_10
    )
    assert open_handoffs(engagement, brokerage.lead) == []
    assert counts(brokerage.org) == (0, 0, 0, 0)


def test_a_specialist_agent_keeps_their_own_steps(brokerage):
    engagement = engagement_for(brokerage.buyer, team_id=brokerage.summit.pk, now=MONDAY_10)
    assert open_handoffs(engagement, brokerage.buyer) == []
    assert not Handoff.objects.filter(engagement=engagement).exists()


def test_steps_of_another_phase_are_refused_and_handed_off_once_the_phase_is_reached(brokerage):
    engagement = team_engagement(brokerage)
    before = counts(brokerage.org)
    evaluation = engagement_evaluate(reload(engagement), MONDAY_10)
    strategy = evaluation.next_phase.steps[0]
    stray = StepStatus(
        step=strategy, role=Role.BUYER_SPECIALIST, due_at=MONDAY_10, sla_at=None, completed_at=None
    )
    waiting = next(s for s in evaluation.steps if s.step.key == "needs_discovery")

    with pytest.raises(ValidationFailed) as refused:
        handoffs_open(
            engagement=engagement, actor=brokerage.lead, steps=[waiting, stray], now=MONDAY_10
        )
    assert refused.value.fields == {"steps": [strategy.key]}
    assert counts(brokerage.org) == before

    # Advancing hands off the new phase's first step.
    for status in evaluation.open_steps:
        step_complete(
            actor=brokerage.lead,
            engagement_id=engagement.pk,
            step_key=status.step.key,
            now=MONDAY_10,
        )
    phase_advance(actor=brokerage.lead, engagement_id=engagement.pk, now=MONDAY_10)
    strategy_handoffs = Handoff.objects.filter(engagement=engagement, phase_key="strategy")
    assert [(h.step_key, h.to_member) for h in strategy_handoffs] == [
        (strategy.key, brokerage.buyer)
    ]


def test_a_member_of_another_org_cannot_open_handoffs(brokerage, other):
    engagement = team_engagement(brokerage)
    evaluation = engagement_evaluate(reload(engagement), MONDAY_10)
    with pytest.raises(NotFound):
        handoffs_open(
            engagement=engagement, actor=other.broker, steps=evaluation.steps, now=MONDAY_10
        )


# Accepting ----------------------------------------------------------------------------------


def test_the_receiver_accepts_once_and_an_event_records_it(brokerage):
    [handoff] = handoffs_of(team_engagement(brokerage))

    accepted = handoff_accept(actor=brokerage.buyer, handoff_id=handoff.pk, now=MONDAY_10)

    assert accepted.accepted_at == MONDAY_10
    handoff.refresh_from_db()
    assert handoff.accepted_at == MONDAY_10
    event = Event.objects.get(org=brokerage.org, kind="engagement.handoff_accepted")
    assert event.actor_id == brokerage.buyer.user_id
    assert event.payload["handoff_id"] == handoff.pk
    assert event.payload["is_on_behalf"] is False
    with pytest.raises(Conflict):
        handoff_accept(actor=brokerage.buyer, handoff_id=handoff.pk)
    assert Event.objects.filter(kind="engagement.handoff_accepted").count() == 1


def test_the_giver_and_the_team_lead_may_see_but_not_accept(brokerage):
    [handoff] = handoffs_of(team_engagement(brokerage))
    assert handoff_list(actor=brokerage.lead).filter(pk=handoff.pk).exists()
    with pytest.raises(PermissionDenied):
        handoff_accept(actor=brokerage.lead, handoff_id=handoff.pk)
    handoff.refresh_from_db()
    assert handoff.accepted_at is None


def test_a_team_manager_may_accept_for_the_receiver(brokerage):
    [handoff] = handoffs_of(team_engagement(brokerage))
    # The engagement is Denver's: the manager of that office accepts (test_handoff_scope.py).
    brokerage.manager.office = brokerage.denver
    brokerage.manager.save()
    handoff_accept(actor=fresh(brokerage.manager), handoff_id=handoff.pk)
    handoff.refresh_from_db()
    assert handoff.accepted_at is not None
    event = Event.objects.get(org=brokerage.org, kind="engagement.handoff_accepted")
    assert event.payload["is_on_behalf"] is True


def test_members_out_of_scope_and_other_orgs_neither_see_nor_accept(brokerage, other):
    [handoff] = handoffs_of(team_engagement(brokerage))

    assert list(handoff_list(actor=brokerage.buyer, is_open=True)) == [handoff]
    assert list(handoff_list(actor=brokerage.compliance)) == [handoff]
    for outsider in (brokerage.ben, other.buyer, other.manager, other.broker):
        assert not handoff_list(actor=outsider).exists()
        with pytest.raises(NotFound):
            handoff_accept(actor=outsider, handoff_id=handoff.pk)
    handoff.refresh_from_db()
    assert handoff.accepted_at is None


# Working a handed-off step ------------------------------------------------------------------


def test_the_receiver_opens_the_engagement_and_completes_the_handed_off_step(brokerage, other):
    engagement = team_engagement(brokerage)
    # The lead's sell side keeps its steps with him: nothing of it goes to the buyer specialist.
    kept = engagement_for(
        brokerage.lead, side="sell", level="team", team_id=brokerage.summit.pk, now=MONDAY_10
    )
    assert not Handoff.objects.filter(engagement=kept).exists()
    [handoff] = handoffs_of(engagement)

    # The handoff, not the buyer specialist's scope (their own rows), lets them in.
    assert engagement_get(actor=fresh(brokerage.buyer), engagement_id=engagement.pk) == engagement
    assert engagement_get(actor=fresh(brokerage.buyer), engagement_id=kept.pk) is None
    handoff_accept(actor=brokerage.buyer, handoff_id=handoff.pk, now=MONDAY_10)
    evaluation = step_complete(
        actor=fresh(brokerage.buyer),
        engagement_id=engagement.pk,
        step_key="initial_response",
        now=MONDAY_10,
    )

    done = next(s for s in evaluation.steps if s.step.key == "initial_response")
    assert done.is_done
    completion = StepCompletion.objects.get(engagement=engagement, step_key="initial_response")
    assert completion.completed_by == brokerage.buyer
    # Their completion hands them the next step, from the lead, in their name.
    [_, nxt] = handoffs_of(engagement)
    assert (nxt.step_key, nxt.from_member, nxt.to_member) == (
        "needs_discovery",
        brokerage.lead,
        brokerage.buyer,
    )
    created = Event.objects.filter(kind="engagement.handoff_created").order_by("pk").last()
    assert created.actor_id == brokerage.buyer.user_id

    for outsider in (brokerage.ben, other.buyer):
        assert engagement_get(actor=fresh(outsider), engagement_id=engagement.pk) is None
        with pytest.raises(NotFound):
            step_complete(
                actor=fresh(outsider),
                engagement_id=engagement.pk,
                step_key="needs_discovery",
                now=MONDAY_10,
            )
    with pytest.raises(NotFound):
        step_complete(
            actor=fresh(brokerage.buyer),
            engagement_id=kept.pk,
            step_key="initial_response",
            now=MONDAY_10,
        )
    assert not StepCompletion.objects.filter(step_key="needs_discovery").exists()


def test_a_receiver_may_work_only_the_steps_handed_to_them(brokerage):
    from rallypoynt.journeys.services import engagements, progress

    engagement = team_engagement(brokerage)
    buyer = fresh(brokerage.buyer)
    # Initial Inquiry Processing stays with the lead: not the buyer specialist's to complete.
    with pytest.raises(NotFound):
        step_complete(
            actor=buyer, engagement_id=engagement.pk, step_key="initial_inquiry_processing"
        )
    refused = [
        lambda: engagements.engagement_update(
            actor=buyer, engagement_id=engagement.pk, changes={"title": "Mine now"}
        ),
        lambda: engagements.engagement_close(
            actor=buyer, engagement_id=engagement.pk, status="lost", reason="x"
        ),
        lambda: engagements.engagement_hold(
            actor=buyer, engagement_id=engagement.pk, is_on_hold=True
        ),
        lambda: progress.stage_change(
            actor=buyer, engagement_id=engagement.pk, stage_key="initial_engagement"
        ),
        lambda: progress.phase_advance(actor=buyer, engagement_id=engagement.pk),
    ]
    for call in refused:
        with pytest.raises(NotFound):
            call()
    engagement.refresh_from_db()
    assert engagement.status == "active" and engagement.title != "Mine now"


def test_the_receiver_works_with_the_clients_and_nobody_else_gains_sight(brokerage, other):
    from rallypoynt.api.tests.helpers import ApiClient
    from rallypoynt.contacts.models import ContactCollaborator
    from rallypoynt.core.testing import client_for

    engagement = team_engagement(brokerage)
    client = engagement.clients.get(is_primary=True).contact
    assert handoffs_of(engagement)  # the first response went to the buyer specialist
    # Shared once, with the reason, however many steps follow.
    open_handoffs(engagement, brokerage.lead)
    (share,) = ContactCollaborator.objects.filter(contact=client)
    assert share.membership == brokerage.buyer
    added = Event.objects.get(kind="collaborator.added", subject_id=share.pk)
    assert added.payload["reason"] == "handoff of initial_response"
    assert ApiClient(brokerage.buyer).get(f"/api/v1/contacts/{client.pk}").status_code == 200
    assert client_for(brokerage.buyer).get(f"/contacts/{client.pk}/").status_code == 200
    for outsider in (brokerage.ben, other.buyer):
        assert ApiClient(outsider).get(f"/api/v1/contacts/{client.pk}").status_code == 404
        assert client_for(outsider).get(f"/contacts/{client.pk}/").status_code == 404


# Closing handed-off tasks ------------------------------------------------------------------


def test_doing_the_step_closes_its_task_whoever_does_it(brokerage):
    engagement = team_engagement(brokerage)
    [handoff] = handoffs_of(engagement)
    kept = Task.objects.create(org=brokerage.org, title="Call back", assignee=brokerage.buyer)
    step_complete(
        actor=brokerage.lead,
        engagement_id=engagement.pk,
        step_key="initial_response",
        now=MONDAY_10,
    )
    task = Task.objects.get(pk=handoff.task_id)
    assert task.completed_at == MONDAY_10
    assert f"Done on the engagement by {brokerage.lead.user}" in task.notes
    assert Task.objects.get(pk=kept.pk).completed_at is None  # not a handoff's: untouched


def test_moving_back_or_closing_closes_the_open_handoff_tasks_and_says_why(brokerage):
    from rallypoynt.journeys.services.engagements import engagement_close
    from rallypoynt.journeys.services.returns import phase_return

    engagement = team_engagement(brokerage)
    for key in ("initial_inquiry_processing", "initial_response"):
        step_complete(
            actor=brokerage.lead, engagement_id=engagement.pk, step_key=key, now=MONDAY_10
        )
    # The buyer specialist now holds the needs discovery step as an open task.
    waiting = Handoff.objects.get(engagement=engagement, step_key="needs_discovery")
    assert Task.objects.get(pk=waiting.task_id).completed_at is None
    # Back to the start of the same phase is not allowed, so walk on and come back.
    for status in engagement_evaluate(reload(engagement), MONDAY_10).open_steps:
        step_complete(
            actor=brokerage.lead,
            engagement_id=engagement.pk,
            step_key=status.step.key,
            now=MONDAY_10,
        )
    phase_advance(actor=brokerage.lead, engagement_id=engagement.pk, now=MONDAY_10)
    strategy = [h for h in handoffs_of(engagement) if h.phase_key == "strategy"]
    assert strategy and all(Task.objects.get(pk=h.task_id).completed_at is None for h in strategy)
    phase_return(
        actor=brokerage.lead,
        engagement_id=engagement.pk,
        phase_key="discovery",
        reason="The buyers paused their search",
    )
    for handoff in strategy:
        task = Task.objects.get(pk=handoff.task_id)
        assert task.completed_at is not None
        assert "Closed without being done: moved back to Discovery" in task.notes
    returned = Event.objects.get(kind="engagement.phase_returned", subject_id=engagement.pk)
    assert returned.payload["handoff_tasks_closed"] == len(strategy)
    # The handoffs themselves are closed: off the receiver's open list, and not acceptable.
    for handoff in strategy:
        handoff.refresh_from_db()
        assert handoff.closed_at is not None and "moved back" in handoff.closed_reason
    still_open = handoff_list(actor=brokerage.buyer, is_open=True)
    assert not still_open.filter(pk__in=[h.pk for h in strategy]).exists()
    assert handoff_list(actor=brokerage.buyer, is_open=False).filter(pk=strategy[0].pk).exists()
    with pytest.raises(Conflict):
        handoff_accept(actor=brokerage.buyer, handoff_id=strategy[0].pk)
    # The stay in discovery starts afresh; closing the engagement closes what it handed off.
    engagement_close(
        actor=brokerage.lead, engagement_id=engagement.pk, status="lost", reason="Moved"
    )
    left_open = Task.objects.filter(
        pk__in=Handoff.objects.filter(engagement=engagement).values("task_id"),
        completed_at__isnull=True,
    )
    assert not left_open.exists()
