"""Powers follow scope (design rule 13): who may take which action on whose rows, and a row
outside the actor's scope answers exactly like a missing one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services.people import ContactData, contact_create
from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.journeys.services.handoffs import handoff_accept
from rallypoynt.journeys.tests.factories import handed_off
from rallypoynt.leads.models import RoutingRule
from rallypoynt.leads.services import (
    RoutingRuleData,
    routing_rule_create,
    routing_rule_delete,
    speed_to_lead,
)
from rallypoynt.orgs import services
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import PERMISSIONS, permission_table_markdown
from rallypoynt.orgs.tests.brokerage import Brokerage, fresh
from rallypoynt.orgs.tests.factories import MembershipFactory
from rallypoynt.transactions.models import SplitPlan, SplitPlanAssignment
from rallypoynt.transactions.services.commission_plans import (
    split_plan_assign,
    split_plan_create,
    split_plan_update,
)

pytestmark = pytest.mark.django_db

DENIED = (PermissionDenied, NotFound, ValidationFailed)
MISSING = 999_999


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def b(brokerage: Brokerage) -> Brokerage:
    """The test brokerage plus a transaction coordinator, a plan and a rule per office."""
    brokerage.people["tc"] = MembershipFactory(
        org=brokerage.org, office=brokerage.denver, roles=[Role.TRANSACTION_COORDINATOR]
    )
    brokerage.plan = split_plan_create(actor=brokerage.broker, name="Std", agent_percent=70)
    brokerage.rules = {
        where: routing_rule_create(
            actor=brokerage.broker,
            data=RoutingRuleData(name=f"To {where}", assignee_id=target(brokerage, where).pk),
        )
        for where in ("boulder", "denver")
    }
    return brokerage


def target(b: Brokerage, where: str) -> Membership:
    """An agent of the office: maria in Boulder (the manager's), buyer in Denver (Summit)."""
    return b.maria if where == "boulder" else b.buyer


def team(b: Brokerage, where: str):
    return b.flatirons if where == "boulder" else b.summit


# Each action does one thing to a row of office `where` (org-wide actions ignore it).
ACTIONS = {
    "deactivate member": lambda b, actor, where: services.member_update(
        actor=actor, membership_id=target(b, where).pk, is_active=False
    ),
    "change member roles": lambda b, actor, where: services.member_update(
        actor=actor, membership_id=target(b, where).pk, roles=[Role.AGENT, Role.LEAD_AGENT]
    ),
    "make self team lead": lambda b, actor, where: services.team_member_add(
        actor=actor, team_id=team(b, where).pk, membership_id=actor.pk, is_lead=True
    ),
    "set team member": lambda b, actor, where: services.team_member_add(
        actor=actor, team_id=team(b, where).pk, membership_id=target(b, where).pk
    ),
    "create routing rule": lambda b, actor, where: routing_rule_create(
        actor=actor, data=RoutingRuleData(name="Mine", assignee_id=target(b, where).pk)
    ),
    "delete routing rule": lambda b, actor, where: routing_rule_delete(
        actor=actor, rule_id=b.rules[where].pk
    ),
    "edit lead settings": lambda b, actor, where: speed_to_lead.lead_settings_update(
        actor=actor, changes={"first_response_minutes": 5}
    ),
    "create split plan": lambda b, actor, where: split_plan_create(
        actor=actor, name="Generous", agent_percent=Decimal(100)
    ),
    "edit split plan": lambda b, actor, where: split_plan_update(
        actor=actor, plan_id=b.plan.pk, name="Std", agent_percent=Decimal(100)
    ),
    "assign plan": lambda b, actor, where: split_plan_assign(
        actor=actor, member_id=target(b, where).pk, plan_id=b.plan.pk, starts_on=date(2026, 1, 1)
    ),
    "create contact for another owner": lambda b, actor, where: contact_create(
        actor=actor,
        org_id=actor.org_id,
        owner_id=target(b, where).pk,
        data=ContactData(first_name="Pat"),
    ),
    # For someone else: Boulder's goes to maria (from chris), Denver's to buyer (from lead).
    "accept handoff": lambda b, actor, where: handoff_accept(
        actor=actor, handoff_id=b.handoffs[where].pk
    ),
}
# Rows costlier than the fixture's (engagements with their handoffs), made for their cases only.
SETUP = {"accept handoff": lambda b: setattr(b, "handoffs", handed_off(b))}

BOTH = {"boulder", "denver"}
ORG_WIDE = {"broker": BOTH}
OFFICE = {"broker": BOTH, "manager": {"boulder"}}
# action -> actor -> offices where it is allowed; every other (actor, office) is denied.
# manager: office manager of Boulder; lead: lead agent of Summit (Denver, buyer's team).
ALLOWED: dict[str, dict[str, set[str]]] = {
    "deactivate member": OFFICE,
    "change member roles": OFFICE,
    "make self team lead": OFFICE,
    "set team member": OFFICE,
    "create routing rule": OFFICE,
    "delete routing rule": OFFICE,
    "edit lead settings": ORG_WIDE,
    "create split plan": ORG_WIDE,
    "edit split plan": ORG_WIDE,
    "assign plan": OFFICE,
    "create contact for another owner": {**OFFICE, "lead": {"denver"}},
    "accept handoff": OFFICE,
}
ACTORS = ["broker", "manager", "lead", "ben", "tc", "compliance"]
CASES = [
    pytest.param(action, who, where, id=f"{action}-{who}-{where}")
    for action in ACTIONS
    for who in ACTORS
    for where in ("boulder", "denver")
]


@pytest.mark.parametrize(("action", "who", "where"), CASES)
def test_role_by_action(b, action, who, where):
    if action in SETUP:
        SETUP[action](b)
    actor = fresh(b.people[who])
    if where in ALLOWED[action].get(who, set()):
        ACTIONS[action](b, actor, where)
    else:
        with pytest.raises(DENIED):
            ACTIONS[action](b, actor, where)


def test_every_table_row_names_a_known_action_and_actor():
    assert set(ALLOWED) == set(ACTIONS) >= set(SETUP)
    assert all(set(row) <= set(ACTORS) for row in ALLOWED.values())


# Nobody raises their own powers


def test_office_manager_does_not_lead_another_offices_team_nor_see_more(b):
    manager = fresh(b.manager)
    with pytest.raises(NotFound):
        services.team_member_add(
            actor=manager, team_id=b.summit.pk, membership_id=manager.pk, is_lead=True
        )
    assert not TeamMember.objects.filter(team=b.summit, membership=b.manager).exists()


def test_office_manager_does_not_put_the_broker_or_themselves_on_a_plan(b):
    b.broker.office = b.boulder
    b.broker.save()
    for member in (b.broker, b.manager):
        with pytest.raises(PermissionDenied):
            split_plan_assign(
                actor=fresh(b.manager),
                member_id=member.pk,
                plan_id=b.plan.pk,
                starts_on=date(2026, 1, 1),
            )
    assert not SplitPlanAssignment.objects.exists()


@pytest.mark.parametrize("role", [Role.BROKER_OWNER, Role.COMPLIANCE_OFFICER, Role.SYSTEMS_ADMIN])
def test_office_manager_grants_no_role_above_their_own(b, role):
    with pytest.raises(PermissionDenied):
        services.member_update(
            actor=fresh(b.manager), membership_id=b.manager.pk, roles=[Role.OFFICE_MANAGER, role]
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=fresh(b.manager), email="friend@example.com", roles=[role])


def test_office_manager_invites_into_their_office_only(b):
    with pytest.raises(ValidationFailed) as caught:
        services.invitation_create(
            actor=fresh(b.manager), email="x@example.com", roles=[], office_id=b.denver.pk
        )
    assert set(caught.value.fields) == {"office_id"}
    invitation, _ = services.invitation_create(
        actor=fresh(b.manager), email="y@example.com", roles=[]
    )
    assert invitation.office_id == b.boulder.pk


def test_office_manager_creates_teams_of_their_office_only(b):
    with pytest.raises(ValidationFailed):
        services.team_create(actor=fresh(b.manager), name="Elsewhere", office_id=b.denver.pk)
    assert services.team_create(actor=fresh(b.manager), name="Mine").office_id == b.boulder.pk


def test_office_manager_does_not_retarget_a_rule_to_another_office(b):
    from rallypoynt.leads.services import routing_rule_update

    with pytest.raises(ValidationFailed) as caught:
        routing_rule_update(
            actor=fresh(b.manager), rule_id=b.rules["boulder"].pk, changes={"assignee_id": b.ben.pk}
        )
    assert set(caught.value.fields) == {"assignee_id"}


def test_agent_keeps_creating_contacts_for_themselves(b):
    contact = contact_create(
        actor=fresh(b.ben), org_id=b.org.pk, owner_id=b.ben.pk, data=ContactData(first_name="P")
    )
    assert contact.owner_id == b.ben.pk


def test_agent_cannot_give_their_contact_to_another_member(b):
    from rallypoynt.contacts.services.people import contact_update

    contact = Contact.objects.create(org=b.org, owner=b.ben, first_name="P")
    with pytest.raises(ValidationFailed) as caught:
        contact_update(actor=fresh(b.ben), contact_id=contact.pk, changes={"owner_id": b.buyer.pk})
    assert set(caught.value.fields) == {"owner_id"}
    # Saving the contact with its owner unchanged is no assignment.
    contact_update(actor=fresh(b.ben), contact_id=contact.pk, changes={"owner_id": b.ben.pk})


# The same answer as a missing row (status and body), over the API


def same_answer(first, second) -> int:
    assert first.status_code == second.status_code, (first.content, second.content)
    assert first.json() == second.json()
    return first.status_code


def test_member_of_another_office_answers_like_a_missing_one(b):
    client = ApiClient(b.manager)
    status = same_answer(
        client.patch(f"/api/v1/members/{b.ben.pk}", {"is_active": False}),
        client.patch(f"/api/v1/members/{MISSING}", {"is_active": False}),
    )
    assert status == 404
    assert fresh(b.ben).is_active
    own = client.patch(f"/api/v1/members/{b.maria.pk}", {"is_active": False})
    assert own.status_code == 200 and own.json()["is_active"] is False


def test_team_of_another_office_answers_like_a_missing_one(b):
    client = ApiClient(b.manager)
    body = {"is_lead": True}
    assert (
        same_answer(
            client.put(f"/api/v1/teams/{b.summit.pk}/members/{b.manager.pk}", body),
            client.put(f"/api/v1/teams/{MISSING}/members/{b.manager.pk}", body),
        )
        == 404
    )
    assert (
        same_answer(
            client.put(f"/api/v1/teams/{b.flatirons.pk}/members/{b.ben.pk}", body),
            client.put(f"/api/v1/teams/{b.flatirons.pk}/members/{MISSING}", body),
        )
        == 404
    )
    assert (
        same_answer(
            client.delete(f"/api/v1/teams/{b.summit.pk}/members/{b.buyer.pk}"),
            client.delete(f"/api/v1/teams/{MISSING}/members/{b.buyer.pk}"),
        )
        == 404
    )
    mine = client.put(f"/api/v1/teams/{b.flatirons.pk}/members/{b.manager.pk}", body)
    assert mine.status_code == 200 and mine.json()["is_lead"] is True


def test_routing_rule_of_another_office_answers_like_a_missing_one(b):
    client = ApiClient(b.manager)
    theirs = b.rules["denver"].pk
    assert (
        same_answer(
            client.delete(f"/api/v1/routing-rules/{theirs}"),
            client.delete(f"/api/v1/routing-rules/{MISSING}"),
        )
        == 404
    )
    assert (
        same_answer(
            client.patch(f"/api/v1/routing-rules/{theirs}", {"name": "Mine"}),
            client.patch(f"/api/v1/routing-rules/{MISSING}", {"name": "Mine"}),
        )
        == 404
    )
    rule = {"name": "Mine", "action": "assign"}
    assert (
        same_answer(
            client.post("/api/v1/routing-rules", {**rule, "assignee_id": b.ben.pk}),
            client.post("/api/v1/routing-rules", {**rule, "assignee_id": MISSING}),
        )
        == 422
    )
    assert RoutingRule.objects.filter(pk=theirs).exists()


def test_plan_assignment_outside_the_office_answers_like_a_missing_member(b):
    client = ApiClient(b.manager)
    row = {"plan_id": b.plan.pk, "starts_on": "2026-01-01"}
    assert (
        same_answer(
            client.post("/api/v1/split-plan-assignments", {**row, "member_id": b.ben.pk}),
            client.post("/api/v1/split-plan-assignments", {**row, "member_id": MISSING}),
        )
        == 404
    )


@pytest.mark.parametrize(
    ("who", "outsider"), [("ben", "buyer"), ("lead", "maria"), ("manager", "ben")]
)
def test_contact_for_an_owner_outside_the_scope_answers_like_a_missing_owner(b, who, outsider):
    client = ApiClient(b.people[who])
    contact = {"first_name": "Pat"}
    first = client.post("/api/v1/contacts", {**contact, "owner_id": b.people[outsider].pk})
    assert (
        same_answer(first, client.post("/api/v1/contacts", {**contact, "owner_id": MISSING})) == 422
    )
    assert set(first.json()["error"]["fields"]) == {"owner_id"}
    assert not Contact.objects.filter(first_name="Pat").exists()


def test_the_docs_show_the_permission_table():
    docs = Path(__file__).resolve().parents[4] / "docs" / "architecture.md"
    assert permission_table_markdown() in docs.read_text()
    assert all(scopes for scopes in PERMISSIONS.values())


def test_split_plan_edits_leave_the_plan_alone_when_denied(b):
    with pytest.raises(PermissionDenied):
        split_plan_update(
            actor=fresh(b.manager), plan_id=b.plan.pk, name="Std", agent_percent=Decimal(100)
        )
    assert SplitPlan.objects.get(pk=b.plan.pk).agent_percent == 70
