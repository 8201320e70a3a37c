"""The per-process org config cache: which writes renew an org's stamp, and what users see next."""

from __future__ import annotations

import itertools
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.utils import timezone

from rallypoynt.accounts.services import user_update_profile
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.calendar import add_business_minutes
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import LeadSettings, RoutingRule
from rallypoynt.leads.selectors import lead_calendar, lead_config_for
from rallypoynt.leads.services import (
    LeadIn,
    RoutingRuleData,
    lead_intake,
    lead_settings_update,
    routing_rule_create,
    routing_rule_reorder,
    routing_rule_update,
)
from rallypoynt.orgs import config_cache
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_cache_clear, org_cached, org_config_changed
from rallypoynt.orgs.models import (
    BusinessHours,
    Closure,
    Membership,
    MembershipRole,
    Organization,
    TeamMember,
)
from rallypoynt.orgs.permissions import can
from rallypoynt.orgs.selectors import membership_for_user
from rallypoynt.orgs.services import (
    business_hours_set,
    invitation_accept,
    invitation_create,
    member_add,
    member_update,
    team_member_add,
)
from rallypoynt.orgs.tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-unusual-passphrase-42"
_seq = itertools.count()


class Boom(Exception):
    pass


def stamp(org: Organization) -> int:
    org.refresh_from_db()
    return org.config_stamp


def intake(org: Organization, **values):
    """A new lead through the real intake (which reads the org row, hence its stamp)."""
    values.setdefault("emails", [f"cache{next(_seq)}@example.net"])
    values.setdefault("first_name", "Lee")
    return lead_intake(org_id=org.pk, lead=LeadIn(**values)).inquiry


def roles_of(member: Membership) -> set[str]:
    found = membership_for_user(user=member.user, org_id=member.org_id)
    return set(found.roles) if found is not None and found.org_id == member.org_id else set()


def assign_rule(org, name: str, member: Membership, **values) -> RoutingRule:
    last = RoutingRule.objects.filter(org=org).count()
    values.setdefault("action", RoutingAction.ASSIGN)
    return RoutingRule.objects.create(org=org, name=name, position=last, assignee=member, **values)


# org_cached ----------------------------------------------------------------------------------


@pytest.fixture
def cold():
    org_cache_clear()
    yield
    org_cache_clear()


def counting(calls: list, value):
    def build():
        calls.append(value)
        return value

    return build


def test_org_cached_builds_once_per_stamp_and_returns_the_same_value(cold):
    calls: list = []
    first = org_cached(org_id=-1, stamp=10, key="k", build=counting(calls, ["a"]))
    again = org_cached(org_id=-1, stamp=10, key="k", build=counting(calls, ["b"]))
    assert first is again
    assert calls == [["a"]]


def test_org_cached_rebuilds_when_the_stamp_changes(cold):
    calls: list = []
    org_cached(org_id=-1, stamp=10, key="k", build=counting(calls, "old"))
    assert org_cached(org_id=-1, stamp=11, key="k", build=counting(calls, "new")) == "new"
    assert org_cached(org_id=-1, stamp=11, key="k", build=counting(calls, "x")) == "new"
    assert calls == ["old", "new"]


def test_org_cached_keeps_orgs_and_keys_apart(cold):
    calls: list = []
    org_cached(org_id=-1, stamp=10, key="a", build=counting(calls, 1))
    assert org_cached(org_id=-1, stamp=10, key="b", build=counting(calls, 2)) == 2
    assert org_cached(org_id=-2, stamp=10, key="a", build=counting(calls, 3)) == 3
    assert org_cached(org_id=-1, stamp=10, key="a", build=counting(calls, 4)) == 1
    assert calls == [1, 2, 3]


def test_a_failed_build_caches_nothing(cold):
    def fail():
        raise Boom

    with pytest.raises(Boom):
        org_cached(org_id=-1, stamp=10, key="k", build=fail)
    assert org_cached(org_id=-1, stamp=10, key="k", build=lambda: "ok") == "ok"


def test_the_cache_holds_at_most_max_entries_and_evicts_the_least_recently_used(cold):
    limit = config_cache.MAX_ENTRIES
    for org_id in range(limit):
        org_cached(org_id=-org_id - 1, stamp=1, key="k", build=lambda: "kept")
    # Reading the oldest entry makes the second oldest the least recently used.
    assert org_cached(org_id=-1, stamp=1, key="k", build=lambda: "rebuilt") == "kept"
    org_cached(org_id=-limit - 1, stamp=1, key="k", build=lambda: "newest")
    assert len(config_cache._entries) == limit
    assert org_cached(org_id=-1, stamp=1, key="k", build=lambda: "rebuilt") == "kept"
    assert org_cached(org_id=-3, stamp=1, key="k", build=lambda: "rebuilt") == "kept"
    assert org_cached(org_id=-2, stamp=1, key="k", build=lambda: "rebuilt") == "rebuilt"


# Watched rows --------------------------------------------------------------------------------

WATCHED = {
    "organization": lambda b: b.org,
    "membership": lambda b: MembershipFactory(org=b.org, roles=[]),
    "membership_role": lambda b: MembershipRole.objects.create(
        org=b.org, membership=b.ben, role=Role.SHOWING_ASSISTANT
    ),
    "team": lambda b: TeamFactory(org=b.org, name="Foothills"),
    "team_member": lambda b: TeamMember.objects.create(org=b.org, team=b.summit, membership=b.ben),
    "business_hours": lambda b: BusinessHours.objects.create(
        org=b.org, weekday=5, opens_at=time(10), closes_at=time(14)
    ),
    "closure": lambda b: Closure.objects.create(
        org=b.org, closed_on=date(2031, 7, 3), name="Retreat"
    ),
    "lead_settings": lambda b: LeadSettings.objects.create(org=b.org),
    "routing_rule": lambda b: assign_rule(b.org, "Everything", b.ben),
}


@pytest.mark.parametrize("kind", WATCHED)
def test_creating_and_saving_a_watched_row_renews_only_its_orgs_stamp(brokerage, other, kind):
    others = stamp(other.org)
    before = stamp(brokerage.org)
    row = WATCHED[kind](brokerage)
    created = stamp(brokerage.org)
    row.save()
    saved = stamp(brokerage.org)
    assert kind == "organization" or created != before
    assert saved != created
    assert stamp(other.org) == others


@pytest.mark.parametrize("kind", [k for k in WATCHED if k != "organization"])
def test_deleting_a_watched_row_renews_only_its_orgs_stamp(brokerage, other, kind):
    row = WATCHED[kind](brokerage)
    others, before = stamp(other.org), stamp(brokerage.org)
    row.delete()
    assert stamp(brokerage.org) != before
    assert stamp(other.org) == others


def test_deleting_an_org_with_cached_config_works_and_leaves_other_orgs_alone(brokerage, other):
    assign_rule(brokerage.org, "Everything", brokerage.ben)
    intake(brokerage.org)
    others = stamp(other.org)
    Organization.objects.get(pk=brokerage.org.pk).delete()
    assert not Organization.objects.filter(pk=brokerage.org.pk).exists()
    assert stamp(other.org) == others


def test_saving_a_stale_org_instance_does_not_bring_back_its_old_stamp(brokerage):
    stale = Organization.objects.get(pk=brokerage.org.pk)
    old = stale.config_stamp
    assign_rule(brokerage.org, "Everything", brokerage.ben)
    renewed = stamp(brokerage.org)
    stale.name = "Front Range Realty"
    stale.save()
    assert stamp(brokerage.org) not in {old, renewed}


def test_saving_only_the_stamp_keeps_the_value_written(brokerage):
    org = brokerage.org
    org.config_stamp = 12345
    org.save(update_fields=["config_stamp"])
    assert stamp(org) == 12345


def test_a_rolled_back_change_leaves_the_stamp_as_it_was(brokerage):
    before = stamp(brokerage.org)
    with pytest.raises(Boom), transaction.atomic():
        org_config_changed(brokerage.org.pk)
        assert stamp(brokerage.org) != before
        raise Boom
    assert stamp(brokerage.org) == before


def test_a_lead_intake_leaves_the_stamp_alone_so_the_next_one_reuses_the_config(brokerage):
    assign_rule(brokerage.org, "Everything", brokerage.ben)
    intake(brokerage.org)
    before = stamp(brokerage.org)
    config = lead_config_for(brokerage.org)
    intake(brokerage.org)
    assert stamp(brokerage.org) == before
    assert lead_config_for(Organization.objects.get(pk=brokerage.org.pk)) is config


# Users ---------------------------------------------------------------------------------------


def test_a_users_login_does_not_renew_any_stamp(brokerage):
    before = stamp(brokerage.org)
    update_last_login(None, brokerage.ben.user)
    user = brokerage.ben.user
    user.set_password("another-long-passphrase-7")
    user.save(update_fields=["password"])
    user.last_login = timezone.now()
    user.save(update_fields=["last_login", "password"])
    assert stamp(brokerage.org) == before


def test_saving_a_user_renews_every_org_they_belong_to_and_no_other(brokerage, other):
    MembershipFactory(org=other.org, user=brokerage.ben.user)
    bystander = MembershipFactory(roles=[])
    stamps = [stamp(brokerage.org), stamp(other.org), stamp(bystander.org)]
    user_update_profile(user=brokerage.ben.user, first_name="Benedict", last_name="Stone")
    assert stamp(brokerage.org) != stamps[0]
    assert stamp(other.org) != stamps[1]
    assert stamp(bystander.org) == stamps[2]


def test_a_renamed_assignee_is_named_correctly_in_the_next_routing_reason(brokerage):
    assign_rule(brokerage.org, "Everything", brokerage.ben)
    intake(brokerage.org)
    user_update_profile(user=brokerage.ben.user, first_name="Benedict", last_name="Stone")
    assert "assigned to Benedict Stone" in intake(brokerage.org).routing_reason


# Services that write with bulk operations ---------------------------------------------------


def test_adding_a_role_to_an_existing_member_renews_the_stamp_and_grants_it(brokerage, other):
    ben, others = brokerage.ben, stamp(other.org)
    assert not can(membership_for_user(user=ben.user, org_id=ben.org_id), "org.manage_members")
    before = stamp(brokerage.org)
    member_add(org=brokerage.org, user=ben.user, roles=[Role.OFFICE_MANAGER])
    assert stamp(brokerage.org) != before
    assert roles_of(ben) == {Role.AGENT, Role.OFFICE_MANAGER}
    assert can(membership_for_user(user=ben.user, org_id=ben.org_id), "org.manage_members")
    assert stamp(other.org) == others


def test_an_added_member_has_their_roles_at_once(brokerage):
    roles_of(brokerage.ben)  # warm the org's roles
    user = UserFactory()
    member = member_add(org=brokerage.org, user=user, roles=[Role.LEAD_AGENT])
    assert roles_of(member) == {Role.LEAD_AGENT}


def test_changing_a_members_roles_renews_the_stamp(brokerage, other):
    before, others = stamp(brokerage.org), stamp(other.org)
    member_update(actor=brokerage.broker, membership_id=brokerage.ben.pk, roles=[Role.LEAD_AGENT])
    assert stamp(brokerage.org) != before
    assert stamp(other.org) == others


def test_a_removed_role_stops_granting_its_permission_on_the_next_check(brokerage):
    manager = brokerage.manager
    assert can(membership_for_user(user=manager.user, org_id=manager.org_id), "org.manage_teams")
    member_update(actor=brokerage.broker, membership_id=manager.pk, roles=[Role.AGENT])
    found = membership_for_user(user=manager.user, org_id=manager.org_id)
    assert found.roles == {Role.AGENT}
    assert not can(found, "org.manage_teams")


def test_a_granted_role_is_seen_on_the_next_permission_check(brokerage):
    ben = brokerage.ben
    assert roles_of(ben) == {Role.AGENT}
    member_update(actor=brokerage.broker, membership_id=ben.pk, roles=[Role.SYSTEMS_ADMIN])
    found = membership_for_user(user=ben.user, org_id=ben.org_id)
    assert found.roles == {Role.SYSTEMS_ADMIN}
    assert can(found, "org.change_settings")


def test_a_deactivated_member_has_no_seat_on_the_next_request(brokerage):
    assert roles_of(brokerage.ben) == {Role.AGENT}
    member_update(actor=brokerage.broker, membership_id=brokerage.ben.pk, is_active=False)
    assert membership_for_user(user=brokerage.ben.user, org_id=brokerage.org.pk) is None


def test_accepting_an_invitation_renews_the_stamp_and_the_roles_apply_at_once(brokerage, other):
    roles_of(brokerage.ben)  # warm the org's roles
    _, token = invitation_create(
        actor=brokerage.broker,
        email="newcomer@example.com",
        roles=[Role.OFFICE_MANAGER],
        team_id=brokerage.summit.pk,
    )
    before, others = stamp(brokerage.org), stamp(other.org)
    member = invitation_accept(token=token, password=PASSWORD, first_name="New")
    assert stamp(brokerage.org) != before
    assert stamp(other.org) == others
    assert roles_of(member) == {Role.OFFICE_MANAGER}
    assert can(membership_for_user(user=member.user, org_id=member.org_id), "org.manage_members")


def test_setting_business_hours_renews_the_stamp_even_when_none_were_set(brokerage, other):
    assert not BusinessHours.objects.filter(org=brokerage.org).exists()
    before, others = stamp(brokerage.org), stamp(other.org)
    business_hours_set(actor=brokerage.broker, week={0: [(time(8), time(12))]})
    assert stamp(brokerage.org) != before
    assert stamp(other.org) == others


def test_reordering_rules_renews_the_stamp(brokerage, other):
    first = assign_rule(brokerage.org, "First", brokerage.ben)
    second = assign_rule(brokerage.org, "Second", brokerage.maria)
    before, others = stamp(brokerage.org), stamp(other.org)
    routing_rule_reorder(actor=brokerage.broker, rule_ids=[second.pk, first.pk])
    assert stamp(brokerage.org) != before
    assert stamp(other.org) == others


# What the next lead sees ---------------------------------------------------------------------


def test_a_rule_created_after_a_lead_routes_the_very_next_lead(brokerage):
    assert intake(brokerage.org).assigned_to == brokerage.broker  # no rules: first broker
    routing_rule_create(
        actor=brokerage.broker,
        data=RoutingRuleData(name="All to Ben", assignee_id=brokerage.ben.pk),
    )
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.ben
    assert inquiry.routing_rule.name == "All to Ben"


def test_a_deactivated_rule_stops_routing_the_very_next_lead(brokerage):
    rule = routing_rule_create(
        actor=brokerage.broker,
        data=RoutingRuleData(name="All to Ben", assignee_id=brokerage.ben.pk),
    )
    assert intake(brokerage.org).assigned_to == brokerage.ben
    routing_rule_update(actor=brokerage.broker, rule_id=rule.pk, changes={"is_active": False})
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.broker
    assert inquiry.routing_rule is None


def test_reordered_rules_change_who_gets_the_very_next_lead(brokerage):
    first = assign_rule(brokerage.org, "First", brokerage.ben)
    second = assign_rule(brokerage.org, "Second", brokerage.maria)
    assert intake(brokerage.org).assigned_to == brokerage.ben
    routing_rule_reorder(actor=brokerage.broker, rule_ids=[second.pk, first.pk])
    assert intake(brokerage.org).assigned_to == brokerage.maria


def test_a_deactivated_assignee_gets_no_more_leads(brokerage):
    assign_rule(brokerage.org, "All to Ben", brokerage.ben)
    assert intake(brokerage.org).assigned_to == brokerage.ben
    member_update(actor=brokerage.broker, membership_id=brokerage.ben.pk, is_active=False)
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.broker
    assert "is inactive" in inquiry.routing_reason


def test_a_deactivated_team_member_is_skipped_by_the_next_round_robin(brokerage):
    team = TeamFactory(org=brokerage.org, name="Pair")
    for member in (brokerage.ben, brokerage.maria):
        team_member_add(actor=brokerage.broker, team_id=team.pk, membership_id=member.pk)
    RoutingRule.objects.create(
        org=brokerage.org, name="Pair", action=RoutingAction.ROUND_ROBIN, team=team
    )
    assert intake(brokerage.org).assigned_to == brokerage.ben
    member_update(actor=brokerage.broker, membership_id=brokerage.maria.pk, is_active=False)
    assert intake(brokerage.org).assigned_to == brokerage.ben


def test_a_member_added_to_a_team_joins_the_next_round_robin(brokerage):
    team = TeamFactory(org=brokerage.org, name="Solo")
    team_member_add(actor=brokerage.broker, team_id=team.pk, membership_id=brokerage.ben.pk)
    RoutingRule.objects.create(
        org=brokerage.org, name="Solo", action=RoutingAction.ROUND_ROBIN, team=team
    )
    assert intake(brokerage.org).assigned_to == brokerage.ben
    team_member_add(actor=brokerage.broker, team_id=team.pk, membership_id=brokerage.maria.pk)
    dealt = {intake(brokerage.org).assigned_to for _ in range(2)}
    assert dealt == {brokerage.ben, brokerage.maria}


def test_a_new_first_broker_takes_the_next_unrouted_lead(brokerage):
    member_update(
        actor=brokerage.broker,
        membership_id=brokerage.maria.pk,
        roles=[Role.BROKER_OWNER, Role.AGENT],
    )
    assert intake(brokerage.org).assigned_to == brokerage.broker
    member_update(actor=brokerage.broker, membership_id=brokerage.broker.pk, roles=[Role.AGENT])
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.maria
    assert "first broker/owner" in inquiry.routing_reason


def test_a_new_default_assignee_takes_the_next_unrouted_lead(brokerage):
    assert intake(brokerage.org).assigned_to == brokerage.broker
    lead_settings_update(actor=brokerage.broker, changes={"default_assignee_id": brokerage.ben.pk})
    assert intake(brokerage.org).assigned_to == brokerage.ben


def due_by_fresh_calendar(org: Organization, inquiry):
    """The deadline the org's current hours give, read from the database, not the cache."""
    calendar = lead_calendar(Organization.objects.get(pk=org.pk))
    return add_business_minutes(calendar, inquiry.received_at, 60)


def test_new_business_hours_set_the_very_next_leads_response_deadline(brokerage):
    default_week = intake(brokerage.org)  # no hours saved yet: Mon-Fri 9-17
    assert default_week.first_response_due_at == due_by_fresh_calendar(brokerage.org, default_week)
    business_hours_set(actor=brokerage.broker, week={2: [(time(3), time(3, 30))]})
    narrow = intake(brokerage.org)
    assert narrow.first_response_due_at == due_by_fresh_calendar(brokerage.org, narrow)
    assert narrow.first_response_due_at.astimezone(ZoneInfo("America/New_York")).hour == 3
    business_hours_set(actor=brokerage.broker, week={d: [(time(0), time(0))] for d in range(7)})
    always = intake(brokerage.org)
    assert always.first_response_due_at == due_by_fresh_calendar(brokerage.org, always)
    assert always.first_response_due_at != narrow.first_response_due_at


def test_one_orgs_changes_do_not_touch_another_orgs_cached_config(brokerage, other):
    assign_rule(other.org, "Other's rule", other.ben)
    config = lead_config_for(Organization.objects.get(pk=other.org.pk))
    routing_rule_create(
        actor=brokerage.broker,
        data=RoutingRuleData(name="All to Ben", assignee_id=brokerage.ben.pk),
    )
    business_hours_set(actor=brokerage.broker, week={0: [(time(8), time(12))]})
    member_update(actor=brokerage.broker, membership_id=brokerage.ben.pk, is_active=False)
    assert lead_config_for(Organization.objects.get(pk=other.org.pk)) is config
    assert intake(other.org).assigned_to == other.ben
