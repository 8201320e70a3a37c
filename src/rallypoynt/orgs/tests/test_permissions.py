"""Who sees whose contacts (visibility_for / owned_q) and who may do what (can)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from rallypoynt.contacts.models import Contact
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.permissions import can, visibility_for
from rallypoynt.orgs.tests.brokerage import Brokerage, contact_for, fresh
from rallypoynt.orgs.tests.factories import MembershipFactory, TeamFactory, team_with

pytestmark = pytest.mark.django_db

ACTIONS = [
    "org.change_settings",
    "org.manage_offices",
    "org.manage_teams",
    "org.manage_members",
    "org.view_audit",
]


@pytest.fixture
def contacts(brokerage: Brokerage, other: Brokerage) -> dict[str, Contact]:
    """One contact per member of both orgs (keyed 'key' and 'other:key'), plus unowned ones."""
    rows = {key: contact_for(m, first_name=key) for key, m in brokerage.people.items()}
    rows |= {f"other:{k}": contact_for(m, first_name=k) for k, m in other.people.items()}
    rows["unowned"] = contact_for(None, brokerage.org, first_name="unowned")
    rows["other:unowned"] = contact_for(None, other.org, first_name="unowned")
    return rows


def visible_to(member) -> set[str]:
    """Keys of the contacts `member` sees, asking the database through owned_q."""
    scope = visibility_for(fresh(member))
    found = Contact.objects.filter(scope.owned_q("owner"))
    return {("" if c.org_id == member.org_id else "other:") + c.first_name for c in found}


def test_agent_sees_only_own_contacts(brokerage, contacts):
    assert visible_to(brokerage.ben) == {"ben"}


def test_team_member_who_is_not_lead_does_not_see_teammates(brokerage, contacts):
    assert visible_to(brokerage.buyer) == {"buyer"}
    assert visible_to(brokerage.maria) == {"maria"}


def test_team_lead_sees_own_team_but_not_another_team(brokerage, contacts):
    assert visible_to(brokerage.lead) == {"lead", "buyer"}
    assert visible_to(brokerage.chris) == {"chris", "maria"}


def test_office_manager_sees_their_office_not_the_other_office(brokerage, contacts):
    assert visible_to(brokerage.manager) == {"manager", "chris", "maria"}


def test_office_manager_without_an_office_sees_only_own(brokerage, contacts):
    manager = brokerage.manager
    manager.office = None
    manager.save()
    assert visible_to(manager) == {"manager"}


@pytest.mark.parametrize("key", ["broker", "compliance"])
def test_org_wide_roles_see_the_whole_org_including_unowned_rows(brokerage, contacts, key):
    expected = set(brokerage.people) | {"unowned"}
    assert visible_to(brokerage.people[key]) == expected


@pytest.mark.parametrize("key", ["broker", "compliance", "manager", "lead", "ben"])
def test_nobody_sees_another_orgs_rows(brokerage, contacts, key):
    assert not any(k.startswith("other:") for k in visible_to(brokerage.people[key]))


def test_systems_admin_is_not_org_wide_for_contacts(brokerage, contacts):
    assert visible_to(brokerage.sysadmin) == {"sysadmin"}


def test_leading_one_team_and_belonging_to_another_shows_only_the_led_team(brokerage, contacts):
    extra = TeamFactory(org=brokerage.org, name="Mixed")
    team_with(extra, brokerage.ben, lead=brokerage.maria)
    assert visible_to(brokerage.maria) == {"maria", "ben"}
    assert visible_to(brokerage.ben) == {"ben"}


def test_visibility_reason_says_why(brokerage):
    assert visibility_for(fresh(brokerage.broker)).reason == "org-wide role"
    assert visibility_for(fresh(brokerage.ben)).reason == "own rows"
    assert visibility_for(fresh(brokerage.lead)).reason == "own rows, led teams"
    assert visibility_for(fresh(brokerage.manager)).reason == "own rows, office"


def test_visibility_is_org_wide_only_for_org_wide_roles(brokerage):
    assert visibility_for(fresh(brokerage.compliance)).is_org_wide
    assert visibility_for(fresh(brokerage.compliance)).member_ids is None
    assert not visibility_for(fresh(brokerage.manager)).is_org_wide


def test_owned_q_lets_an_assigned_field_grant_sight_to_the_actor_only(brokerage):
    ben = fresh(brokerage.ben)
    q = visibility_for(ben).owned_q("owner", "collaborators")
    expected = Q(org_id=ben.org_id) & (
        Q(owner_id__in=frozenset({ben.pk})) | Q(collaborators=ben.pk)
    )
    assert q == expected


def test_owned_q_for_org_wide_scope_is_still_the_org(brokerage):
    broker = fresh(brokerage.broker)
    assert visibility_for(broker).owned_q("owner", "collaborators") == Q(org_id=broker.org_id)


def test_visibility_is_computed_in_at_most_two_queries(brokerage, django_assert_max_num_queries):
    manager = fresh(brokerage.manager)
    _ = manager.roles
    with django_assert_max_num_queries(2):
        visibility_for(manager)
    with django_assert_max_num_queries(0):
        visibility_for(manager)  # cached on the membership


EXPECTED = {
    Role.BROKER_OWNER: set(ACTIONS),
    Role.SYSTEMS_ADMIN: set(ACTIONS),
    Role.OFFICE_MANAGER: {"org.manage_teams", "org.manage_members"},
    Role.COMPLIANCE_OFFICER: {"org.view_audit"},
    Role.AGENT: set(),
    Role.LEAD_AGENT: set(),
    Role.TRANSACTION_COORDINATOR: set(),
    Role.MARKETING_SPECIALIST: set(),
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("action", ACTIONS)
def test_can_allows_each_action_only_to_its_roles(role, action):
    member = MembershipFactory(roles=[role])
    assert can(member, action) is (action in EXPECTED[role])


@pytest.mark.parametrize("action", ACTIONS)
def test_inactive_member_can_do_nothing(action):
    member = MembershipFactory(roles=[Role.BROKER_OWNER, Role.SYSTEMS_ADMIN], is_active=False)
    assert can(member, action) is False


def test_no_membership_can_do_nothing():
    assert can(None, "org.change_settings") is False


def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(MembershipFactory(roles=[Role.BROKER_OWNER]), "org.launch_rockets")
