"""Lead routing: conditions, order, round robin (also under concurrency), pond, reassignment."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from rallypoynt.contacts.models import Contact, ContactCollaborator
from rallypoynt.contacts.selectors import contact_get
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.choices import InquiryStatus, RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.services import assignment as lead_assignment
from rallypoynt.leads.services import routing, routing_rules
from rallypoynt.leads.services.intake import LeadIn, lead_intake
from rallypoynt.leads.services.routing_match import LeadFacts
from rallypoynt.leads.services.routing_rules import RoutingRuleData
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage, fresh
from rallypoynt.orgs.tests.factories import MembershipFactory, TeamFactory, team_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def brokerage(db) -> Brokerage:
    return build_brokerage()


def rule(org, name="Rule", **values) -> RoutingRule:
    values.setdefault("action", RoutingAction.ASSIGN)
    last = RoutingRule.objects.filter(org=org).count()
    return RoutingRule.objects.create(org=org, name=name, position=last, **values)


_seq = iter(range(1_000_000))


def intake(org, **values) -> LeadInquiry:
    values.setdefault("emails", [f"lead{next(_seq)}@example.net"])
    values.setdefault("first_name", "Lee")
    return lead_intake(org_id=org.pk, lead=LeadIn(**values)).inquiry


def names(*members) -> list[int]:
    return [m.pk for m in members]


# conditions


def test_a_rule_by_source_matches_regardless_of_case_and_says_why(brokerage):
    rule(brokerage.org, "Zillow leads", sources=["Zillow"], assignee=brokerage.ben)
    inquiry = intake(brokerage.org, source="zillow")
    assert inquiry.assigned_to == brokerage.ben
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert inquiry.routing_rule.name == "Zillow leads"
    assert 'Rule "Zillow leads" matched (source zillow)' in inquiry.routing_reason
    assert f"assigned to {brokerage.ben.user}" in inquiry.routing_reason


def test_a_rule_by_lead_type_skips_other_types(brokerage):
    rule(brokerage.org, "Sellers", lead_types=["seller"], assignee=brokerage.lead)
    rule(brokerage.org, "Everyone else", assignee=brokerage.ben)
    assert intake(brokerage.org, lead_type="seller").assigned_to == brokerage.lead
    assert intake(brokerage.org, lead_type="buyer").assigned_to == brokerage.ben


def test_a_zip_rule_matches_by_prefix_from_the_property(brokerage):
    rule(brokerage.org, "Boulder", postal_codes=["803"], assignee=brokerage.maria)
    rule(brokerage.org, "Rest", assignee=brokerage.ben)
    inquiry = intake(brokerage.org, property={"address": "1 Pearl St", "postal_code": "80302"})
    assert inquiry.assigned_to == brokerage.maria
    assert "ZIP 80302" in inquiry.routing_reason
    assert intake(brokerage.org, property={"postal_code": "80202"}).assigned_to == brokerage.ben


def test_a_zip_or_city_rule_reads_the_contacts_address_when_the_inquiry_has_none(brokerage):
    ContactFactory(
        org=brokerage.org,
        owner=None,
        emails=["known@example.net"],
        postal_code="80304",
        city="Boulder",
    )
    rule(brokerage.org, "Boulder city", cities=["boulder"], assignee=brokerage.maria)
    inquiry = intake(brokerage.org, emails=["known@example.net"])
    assert inquiry.assigned_to == brokerage.maria
    assert "city Boulder" in inquiry.routing_reason


def test_a_price_rule_needs_a_price_inside_the_range(brokerage):
    rule(
        brokerage.org,
        "Luxury",
        price_min=Decimal("1000000"),
        price_max=Decimal("5000000"),
        assignee=brokerage.lead,
    )
    rule(brokerage.org, "Rest", assignee=brokerage.ben)
    luxury = intake(brokerage.org, property={"price": "1,250,000"})
    assert luxury.assigned_to == brokerage.lead
    assert "price $1,250,000 in $1,000,000-$5,000,000" in luxury.routing_reason
    assert intake(brokerage.org, property={"price": "450000"}).assigned_to == brokerage.ben
    assert intake(brokerage.org).assigned_to == brokerage.ben


def test_a_language_rule_reads_the_inquiry_then_the_contact(brokerage):
    rule(brokerage.org, "Spanish", languages=["es"], assignee=brokerage.maria)
    rule(brokerage.org, "Rest", assignee=brokerage.ben)
    assert intake(brokerage.org, language="es-MX").assigned_to == brokerage.maria
    ContactFactory(org=brokerage.org, owner=None, emails=["ana@example.net"], language="ES")
    assert intake(brokerage.org, emails=["ana@example.net"]).assigned_to == brokerage.maria
    assert intake(brokerage.org, language="en").assigned_to == brokerage.ben


def test_all_conditions_of_a_rule_must_hold(brokerage):
    rule(
        brokerage.org,
        "Zillow sellers",
        sources=["Zillow"],
        lead_types=["seller"],
        assignee=brokerage.lead,
    )
    rule(brokerage.org, "Rest", assignee=brokerage.ben)
    assert intake(brokerage.org, source="Zillow", lead_type="buyer").assigned_to == brokerage.ben
    both = intake(brokerage.org, source="Zillow", lead_type="seller")
    assert both.assigned_to == brokerage.lead
    assert "(source Zillow, type seller)" in both.routing_reason


# order and fallbacks


def test_rules_are_tried_in_order_and_inactive_ones_are_skipped(brokerage):
    first = rule(brokerage.org, "First", assignee=brokerage.lead, is_active=False)
    second = rule(brokerage.org, "Second", assignee=brokerage.buyer)
    rule(brokerage.org, "Third", assignee=brokerage.ben)
    assert intake(brokerage.org).routing_rule == second
    first.is_active = True
    first.save()
    assert intake(brokerage.org).routing_rule == first


def test_a_rule_whose_assignee_left_passes_the_lead_on_and_says_so(brokerage):
    rule(brokerage.org, "Ben's", assignee=brokerage.ben)
    rule(brokerage.org, "Backup", assignee=brokerage.buyer)
    brokerage.ben.is_active = False
    brokerage.ben.save()
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.buyer
    assert "its assignee" in inquiry.routing_reason and "is inactive" in inquiry.routing_reason


def test_without_a_matching_rule_the_default_assignee_gets_the_lead(brokerage):
    LeadSettings.objects.create(org=brokerage.org, default_assignee=brokerage.lead)
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.lead
    assert inquiry.routing_rule is None
    assert "No routing rule matched; assigned to the default assignee" in inquiry.routing_reason


def test_without_a_default_the_contacts_owner_gets_the_lead(brokerage):
    ContactFactory(org=brokerage.org, owner=brokerage.maria, emails=["owned@example.net"])
    inquiry = intake(brokerage.org, emails=["owned@example.net"])
    assert inquiry.assigned_to == brokerage.maria
    assert "assigned to the contact's owner" in inquiry.routing_reason


def test_else_the_first_active_broker_owner_gets_the_lead(brokerage):
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.broker
    assert "first broker/owner" in inquiry.routing_reason


def test_with_nobody_to_take_it_the_lead_waits_unassigned_with_the_reason():
    agent = MembershipFactory()
    inquiry = intake(agent.org)
    assert inquiry.assigned_to is None
    assert inquiry.status == InquiryStatus.NEW
    assert "the lead waits unassigned" in inquiry.routing_reason


def test_routing_makes_the_assignee_the_owner_of_an_unowned_contact_only(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.ben)
    new = intake(brokerage.org)
    assert Contact.objects.get(pk=new.contact_id).owner == brokerage.ben
    ContactFactory(org=brokerage.org, owner=brokerage.maria, emails=["kept@example.net"])
    again = intake(brokerage.org, emails=["kept@example.net"])
    assert again.assigned_to == brokerage.ben
    assert Contact.objects.get(pk=again.contact_id).owner == brokerage.maria
    # Ben must see the contact to answer the lead: it is shared with him, and the reason says so.
    assert ContactCollaborator.objects.filter(
        contact_id=again.contact_id, membership=brokerage.ben
    ).exists()
    assert f"stays with its owner {brokerage.maria.user} and is shared with" in again.routing_reason
    assert contact_get(actor=fresh(brokerage.ben), contact_id=again.contact_id) is not None


def test_the_assignee_is_notified_in_app_and_by_email(
    brokerage, django_capture_on_commit_callbacks
):
    rule(brokerage.org, "All", assignee=brokerage.ben)
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = intake(brokerage.org, first_name="Nora")
    note = Notification.objects.get(recipient=brokerage.ben, kind="lead.assigned")
    assert note.title == "New lead for you: Nora"
    assert note.link == f"/contacts/{inquiry.contact_id}/"
    assert inquiry.routing_reason in note.body
    assert any(m.to == [brokerage.ben.user.email] for m in mail.outbox)


def test_routing_is_audited_with_an_event_that_carries_the_reason(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    event = Event.objects.get(kind="lead.routed", subject_id=inquiry.pk)
    assert event.payload["reason"] == inquiry.routing_reason
    assert AuditEntry.objects.filter(action="lead.route", object_id=inquiry.pk).exists()


# round robin


@pytest.fixture
def trio(brokerage):
    """A team of three agents with a round-robin rule."""
    team = TeamFactory(org=brokerage.org, name="Rotation")
    members = [MembershipFactory(org=brokerage.org) for _ in range(3)]
    team_with(team, *members)
    rr = rule(brokerage.org, "Rotation", action=RoutingAction.ROUND_ROBIN, team=team)
    return team, members, rr


def test_round_robin_deals_thirty_leads_ten_to_each_of_three_in_turn(brokerage, trio):
    _, members, _ = trio
    got = [intake(brokerage.org).assigned_to_id for _ in range(30)]
    assert Counter(got) == {m.pk: 10 for m in members}
    assert got[:6] == names(*members) * 2
    assert "round robin in team Rotation chose" in LeadInquiry.objects.last().routing_reason


def test_round_robin_turns_survive_a_restart(brokerage, trio):
    _, members, rr = trio
    for _ in range(4):
        intake(brokerage.org)
    # A new process knows nothing but the database: fresh rows, same turn.
    assert RoutingRule.objects.get(pk=rr.pk).rr_position == 1
    assert intake(brokerage.org).assigned_to_id == members[1].pk


def test_round_robin_skips_inactive_members(brokerage, trio):
    _, members, _ = trio
    members[1].is_active = False
    members[1].save()
    got = [intake(brokerage.org).assigned_to_id for _ in range(4)]
    assert got == names(members[0], members[2], members[0], members[2])
    reason = LeadInquiry.objects.filter(assigned_to=members[2]).order_by("id").first()
    assert f"skipped inactive {members[1].user}" in reason.routing_reason


def test_round_robin_with_nobody_active_passes_to_the_next_rule(brokerage, trio):
    _, members, _ = trio
    for m in members:
        m.is_active = False
        m.save()
    rule(brokerage.org, "Backup", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.ben
    assert "team Rotation has no active member to take it" in inquiry.routing_reason


def _concurrently(count: int, call) -> list:
    """Run `call(i)` from `count` threads released together; each closes its connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call(i)
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results + errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_keep_the_round_robin_fair():
    brokerage = build_brokerage()
    team = TeamFactory(org=brokerage.org, name="Rotation")
    members = [MembershipFactory(org=brokerage.org) for _ in range(3)]
    team_with(team, *members)
    rr = rule(brokerage.org, "Rotation", action=RoutingAction.ROUND_ROBIN, team=team)
    org_id = brokerage.org.pk

    def one(i: int) -> int:
        lead = LeadIn(first_name="C", emails=[f"c{i}@example.net"])
        return lead_intake(org_id=org_id, lead=lead).inquiry.assigned_to_id

    outcome = _concurrently(12, one)
    assert not [x for x in outcome if isinstance(x, Exception)]
    counts = Counter(LeadInquiry.objects.values_list("assigned_to_id", flat=True))
    assert sorted(counts) == sorted(names(*members))
    assert max(counts.values()) - min(counts.values()) <= 1
    # In the order they were dealt, nobody gets two in a row.
    dealt = list(
        LeadInquiry.objects.order_by("assigned_at", "id").values_list("assigned_to_id", flat=True)
    )
    assert all(a != b for a, b in pairwise(dealt))
    assert RoutingRule.objects.get(pk=rr.pk).rr_position == 12 % 3


# the pond


@pytest.fixture
def pond(brokerage):
    """Leads from 'Open house' go to team Summit's pond for 15 minutes."""
    return rule(
        brokerage.org,
        "Open house",
        sources=["Open house"],
        action=RoutingAction.POND,
        team=brokerage.summit,
        pond_timeout_minutes=15,
    )


def test_a_pond_rule_puts_the_lead_in_the_team_pond_and_tells_the_team(brokerage, pond):
    before = timezone.now()
    inquiry = intake(brokerage.org, source="Open house")
    assert inquiry.status == InquiryStatus.POND
    assert inquiry.assigned_to is None
    assert inquiry.pond_team == brokerage.summit
    assert before + timedelta(minutes=15) <= inquiry.claim_deadline_at
    assert inquiry.claim_deadline_at <= timezone.now() + timedelta(minutes=15)
    assert "put in team Summit's pond" in inquiry.routing_reason
    told = set(Notification.objects.filter(kind="lead.pond").values_list("recipient_id", flat=True))
    assert told == {brokerage.lead.pk, brokerage.buyer.pk}


def test_the_first_team_member_to_claim_gets_the_lead_and_the_next_hears_who(brokerage, pond):
    inquiry = intake(brokerage.org, source="Open house")
    won = lead_assignment.inquiry_claim(actor=brokerage.buyer, inquiry_id=inquiry.pk)
    assert (won.status, won.assigned_to) == (InquiryStatus.ASSIGNED, brokerage.buyer)
    assert f"Claimed from team Summit's pond by {brokerage.buyer.user}" in won.routing_reason
    assert Contact.objects.get(pk=inquiry.contact_id).owner == brokerage.buyer
    with pytest.raises(Conflict) as late:
        lead_assignment.inquiry_claim(actor=brokerage.lead, inquiry_id=inquiry.pk)
    assert str(brokerage.buyer.user) in late.value.message


def test_only_members_of_the_pond_team_can_claim(brokerage, pond):
    inquiry = intake(brokerage.org, source="Open house")
    # Outside the pond team the lead reads exactly as a missing one.
    with pytest.raises(NotFound) as outside:
        lead_assignment.inquiry_claim(actor=brokerage.maria, inquiry_id=inquiry.pk)
    with pytest.raises(NotFound) as missing:
        lead_assignment.inquiry_claim(actor=brokerage.maria, inquiry_id=inquiry.pk + 10**6)
    assert str(outside.value) == str(missing.value)
    other = build_brokerage("Other Realty")
    with pytest.raises(NotFound):
        lead_assignment.inquiry_claim(actor=other.buyer, inquiry_id=inquiry.pk)
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.POND


@pytest.mark.django_db(transaction=True)
def test_two_members_claiming_at_once_one_wins_the_other_gets_conflict():
    brokerage = build_brokerage()
    rule(brokerage.org, "Pond", action=RoutingAction.POND, team=brokerage.summit)
    inquiry = intake(brokerage.org)
    claimers = [brokerage.lead, brokerage.buyer]

    def claim(i: int):
        return lead_assignment.inquiry_claim(actor=fresh(claimers[i]), inquiry_id=inquiry.pk)

    outcome = _concurrently(2, claim)
    wins = [x for x in outcome if isinstance(x, LeadInquiry)]
    losses = [x for x in outcome if isinstance(x, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, outcome
    winner = LeadInquiry.objects.get(pk=inquiry.pk).assigned_to
    assert winner.pk == wins[0].assigned_to_id
    assert str(winner.user) in losses[0].message


def test_pond_timeout_before_the_deadline_does_nothing(brokerage, pond):
    inquiry = intake(brokerage.org, source="Open house")
    early = inquiry.claim_deadline_at - timedelta(seconds=1)
    assert lead_assignment.inquiry_pond_expire(inquiry_id=inquiry.pk, now=early) == "not_due"
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.POND


def test_pond_timeout_assigns_by_round_robin_with_the_reason_once(brokerage, pond):
    first = intake(brokerage.org, source="Open house")
    second = intake(brokerage.org, source="Open house")
    late = second.claim_deadline_at + timedelta(seconds=1)
    assert lead_assignment.inquiry_pond_expire(inquiry_id=first.pk, now=late) == "assigned"
    assert lead_assignment.inquiry_pond_expire(inquiry_id=second.pk, now=late) == "assigned"
    assert lead_assignment.inquiry_pond_expire(inquiry_id=second.pk, now=late) == "claimed"
    first.refresh_from_db()
    second.refresh_from_db()
    # Summit's members in join order: buyer, then lead.
    assert (first.assigned_to, second.assigned_to) == (brokerage.buyer, brokerage.lead)
    assert "Nobody claimed it from the pond by" in first.routing_reason
    assert "round robin in team Summit chose" in first.routing_reason
    assert Notification.objects.filter(kind="lead.assigned", recipient=brokerage.buyer).count() == 1


def test_pond_timeout_falls_back_to_the_default_assignee_when_the_rule_is_gone(brokerage, pond):
    LeadSettings.objects.create(org=brokerage.org, default_assignee=brokerage.ben)
    inquiry = intake(brokerage.org, source="Open house")
    pond.delete()
    late = inquiry.claim_deadline_at + timedelta(minutes=1)
    lead_assignment.inquiry_pond_expire(inquiry_id=inquiry.pk, now=late)
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == brokerage.ben
    assert "assigned to the default assignee" in inquiry.routing_reason


def test_a_claimed_lead_is_left_alone_by_the_timeout(brokerage, pond):
    inquiry = intake(brokerage.org, source="Open house")
    lead_assignment.inquiry_claim(actor=brokerage.lead, inquiry_id=inquiry.pk)
    late = inquiry.claim_deadline_at + timedelta(minutes=1)
    assert lead_assignment.inquiry_pond_expire(inquiry_id=inquiry.pk, now=late) == "claimed"
    assert LeadInquiry.objects.get(pk=inquiry.pk).assigned_to == brokerage.lead


def test_the_pond_timeout_task_run_early_by_the_queue_does_nothing(
    brokerage, pond, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = intake(brokerage.org, source="Open house")
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.POND


# reassignment


def test_a_team_lead_reassigns_within_the_team_and_the_reason_says_who(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.buyer)
    inquiry = intake(brokerage.org)
    moved = lead_assignment.inquiry_reassign(
        actor=brokerage.lead, inquiry_id=inquiry.pk, membership_id=brokerage.lead.pk
    )
    assert moved.assigned_to == brokerage.lead
    assert f"Reassigned from {brokerage.buyer.user} to {brokerage.lead.user} by" in (
        moved.routing_reason
    )
    assert Notification.objects.filter(recipient=brokerage.lead, kind="lead.assigned").exists()


def test_a_team_lead_cannot_hand_a_lead_outside_their_teams(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.buyer)
    inquiry = intake(brokerage.org)
    with pytest.raises(ValidationFailed) as caught:
        lead_assignment.inquiry_reassign(
            actor=brokerage.lead, inquiry_id=inquiry.pk, membership_id=brokerage.maria.pk
        )
    assert "membership_id" in caught.value.fields


def test_an_agent_cannot_reassign_and_another_org_cannot_see_the_lead(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    with pytest.raises(PermissionDenied):
        lead_assignment.inquiry_reassign(
            actor=brokerage.ben, inquiry_id=inquiry.pk, membership_id=brokerage.buyer.pk
        )
    with pytest.raises(NotFound):
        lead_assignment.inquiry_reassign(
            actor=brokerage.maria, inquiry_id=inquiry.pk, membership_id=brokerage.maria.pk
        )
    other = build_brokerage("Other Realty")
    with pytest.raises(NotFound):
        lead_assignment.inquiry_reassign(
            actor=other.broker, inquiry_id=inquiry.pk, membership_id=other.ben.pk
        )
    assert LeadInquiry.objects.get(pk=inquiry.pk).assigned_to == brokerage.ben


def test_a_broker_reassigns_to_anyone_active_in_the_org(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    moved = lead_assignment.inquiry_reassign(
        actor=brokerage.broker, inquiry_id=inquiry.pk, membership_id=brokerage.maria.pk
    )
    assert moved.assigned_to == brokerage.maria
    with pytest.raises(ValidationFailed):
        lead_assignment.inquiry_reassign(
            actor=brokerage.broker, inquiry_id=inquiry.pk, membership_id=brokerage.maria.pk
        )


def test_an_office_manager_hands_a_lead_on_only_within_the_office(brokerage):
    rule(brokerage.org, "All", assignee=brokerage.maria)  # Boulder
    inquiry = intake(brokerage.org)
    with pytest.raises(ValidationFailed) as refused:  # Ben sits in Denver
        lead_assignment.inquiry_reassign(
            actor=brokerage.manager, inquiry_id=inquiry.pk, membership_id=brokerage.ben.pk
        )
    assert "membership_id" in refused.value.fields
    moved = lead_assignment.inquiry_reassign(
        actor=brokerage.manager, inquiry_id=inquiry.pk, membership_id=brokerage.chris.pk
    )
    assert moved.assigned_to == brokerage.chris


# rule management


def test_managers_create_rules_at_the_end_of_the_order(brokerage):
    # The office manager (Boulder) names a member of their own office: powers follow scope.
    for who, assignee in (
        (brokerage.broker, brokerage.ben),
        (brokerage.manager, brokerage.maria),
        (brokerage.sysadmin, brokerage.ben),
    ):
        created = routing_rules.routing_rule_create(
            actor=fresh(who),
            data=RoutingRuleData(name=f"By {who.pk}", assignee_id=assignee.pk),
        )
        assert created.position == RoutingRule.objects.count() - 1
    assert AuditEntry.objects.filter(action="routing_rule.create").count() == 3


def test_agents_and_team_leads_cannot_manage_rules(brokerage):
    for who in (brokerage.ben, brokerage.lead, brokerage.compliance):
        with pytest.raises(PermissionDenied):
            routing_rules.routing_rule_create(
                actor=fresh(who), data=RoutingRuleData(name="X", assignee_id=who.pk)
            )
    assert not RoutingRule.objects.exists()


def test_a_rule_is_validated_field_by_field_and_nothing_is_written(brokerage):
    stranger = MembershipFactory()
    with pytest.raises(ValidationFailed) as caught:
        routing_rules.routing_rule_create(
            actor=brokerage.broker,
            data=RoutingRuleData(
                name=" ",
                lead_types=["alien"],
                postal_codes=["80 302", "not a zip!"],
                price_min=Decimal("10"),
                price_max=Decimal("5"),
                assignee_id=stranger.pk,
                pond_timeout_minutes=0,
            ),
        )
    assert set(caught.value.fields) == {
        "name",
        "lead_types",
        "postal_codes",
        "price_max",
        "assignee_id",
        "pond_timeout_minutes",
    }
    with pytest.raises(ValidationFailed) as team_missing:
        routing_rules.routing_rule_create(
            actor=brokerage.broker,
            data=RoutingRuleData(name="RR", action=RoutingAction.ROUND_ROBIN, team_id=None),
        )
    assert "team_id" in team_missing.value.fields
    assert not RoutingRule.objects.exists()


def test_rule_lists_are_normalised(brokerage):
    created = routing_rules.routing_rule_create(
        actor=brokerage.broker,
        data=RoutingRuleData(
            name="  Boulder   buyers ",
            sources=[" Zillow ", "Zillow", ""],
            postal_codes=["80 302"],
            languages=["ES-mx"],
            assignee_id=brokerage.maria.pk,
        ),
    )
    assert created.name == "Boulder buyers"
    assert created.sources == ["Zillow"]
    assert created.postal_codes == ["80302"]
    assert created.languages == ["es"]


def test_update_changes_some_fields_and_validates_the_whole_rule(brokerage):
    created = routing_rules.routing_rule_create(
        actor=brokerage.broker, data=RoutingRuleData(name="R", assignee_id=brokerage.ben.pk)
    )
    updated = routing_rules.routing_rule_update(
        actor=brokerage.broker,
        rule_id=created.pk,
        changes={"action": RoutingAction.POND, "team_id": brokerage.summit.pk},
    )
    assert (updated.action, updated.team, updated.assignee) == ("pond", brokerage.summit, None)
    with pytest.raises(ValidationFailed):
        routing_rules.routing_rule_update(
            actor=brokerage.broker, rule_id=created.pk, changes={"team_id": None}
        )
    with pytest.raises(ValidationFailed):
        routing_rules.routing_rule_update(
            actor=brokerage.broker, rule_id=created.pk, changes={"x": 1}
        )
    other = build_brokerage("Other Realty")
    with pytest.raises(NotFound):
        routing_rules.routing_rule_update(
            actor=other.broker, rule_id=created.pk, changes={"name": "Z"}
        )


def test_reorder_and_move_change_which_rule_wins(brokerage):
    a = rule(brokerage.org, "A", assignee=brokerage.lead)
    b = rule(brokerage.org, "B", assignee=brokerage.ben)
    routing_rules.routing_rule_reorder(actor=brokerage.broker, rule_ids=[b.pk, a.pk])
    assert intake(brokerage.org).routing_rule == b
    routing_rules.routing_rule_move(actor=brokerage.broker, rule_id=a.pk, offset=-1)
    assert intake(brokerage.org).routing_rule == a
    with pytest.raises(ValidationFailed):
        routing_rules.routing_rule_reorder(actor=brokerage.broker, rule_ids=[a.pk])
    with pytest.raises(ValidationFailed):
        routing_rules.routing_rule_reorder(actor=brokerage.broker, rule_ids=[a.pk, a.pk])


def test_delete_keeps_the_reason_on_routed_leads(brokerage):
    gone = rule(brokerage.org, "Temporary", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    routing_rules.routing_rule_delete(actor=brokerage.broker, rule_id=gone.pk)
    inquiry.refresh_from_db()
    assert inquiry.routing_rule is None
    assert 'Rule "Temporary" matched' in inquiry.routing_reason
    with pytest.raises(NotFound):
        routing_rules.routing_rule_delete(actor=brokerage.broker, rule_id=gone.pk)


def test_preview_names_the_rule_and_next_member_without_advancing_the_turn(brokerage, trio):
    _, members, rr = trio
    preview = routing.routing_preview(actor=brokerage.broker, facts=LeadFacts(source="Web"))
    assert preview.rule == rr
    assert preview.member == members[0]
    assert RoutingRule.objects.get(pk=rr.pk).rr_position == 0
    assert intake(brokerage.org).assigned_to == members[0]


def test_inquiry_list_shows_an_agent_only_their_leads_and_team_ponds(brokerage, pond):
    rule(brokerage.org, "Maria", sources=["Maria"], assignee=brokerage.maria)
    marias = intake(brokerage.org, source="Maria")
    pooled = intake(brokerage.org, source="Open house")
    assert set(selectors_routing.inquiry_list(actor=fresh(brokerage.maria))) == {marias}
    assert set(selectors_routing.inquiry_list(actor=fresh(brokerage.buyer))) == {pooled}
    assert set(selectors_routing.inquiry_list(actor=fresh(brokerage.chris))) == {marias}
    assert set(selectors_routing.inquiry_list(actor=fresh(brokerage.broker))) == {marias, pooled}
    other = build_brokerage("Other Realty")
    assert not selectors_routing.inquiry_list(actor=other.broker).exists()
    assert set(selectors_routing.pond_list(actor=fresh(brokerage.buyer))) == {pooled}
    assert not selectors_routing.pond_list(actor=fresh(brokerage.maria)).exists()
    with pytest.raises(ValidationFailed):
        selectors_routing.inquiry_list(actor=brokerage.broker, status="bogus")


def test_broker_roles_are_used_for_the_fallback_only_when_active(brokerage):
    brokerage.broker.is_active = False
    brokerage.broker.save()
    second = MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER, Role.AGENT])
    assert intake(brokerage.org).assigned_to == second


def test_a_broker_owner_who_does_not_sell_is_not_the_fallback_in_a_brokerage(brokerage):
    brokerage.broker.is_active = False
    brokerage.broker.save()
    MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER])
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to is None
    assert "no active broker/owner sells: the lead waits unassigned" in inquiry.routing_reason


def test_preview_without_a_matching_rule_names_the_default_assignee(brokerage):
    LeadSettings.objects.create(org=brokerage.org, default_assignee=brokerage.lead)
    preview = routing.routing_preview(actor=brokerage.ben, facts=LeadFacts(source="Web"))
    assert (preview.rule, preview.member) == (None, brokerage.lead)
    assert preview.reason == (
        f"No routing rule matched; assigned to the default assignee {brokerage.lead.user}."
    )
