"""Only members who sell take leads: round robin, ponds, fallbacks, preview, API and pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import PermissionDenied, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.demo.crm import demo_crm
from rallypoynt.demo.loader import demo_org
from rallypoynt.leads.choices import InquiryStatus, RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.selectors import routing as selectors_routing
from rallypoynt.leads.selectors.config import member_is_seller, not_selling_text
from rallypoynt.leads.services import assignment as lead_assignment
from rallypoynt.leads.services import routing
from rallypoynt.leads.services.intake import LeadIn, lead_intake
from rallypoynt.leads.services.routing_match import LeadFacts
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Notification
from rallypoynt.orgs.services import organization_create
from rallypoynt.orgs.tests.brokerage import Brokerage, build_brokerage, fresh
from rallypoynt.orgs.tests.factories import MembershipFactory, TeamFactory, team_with

pytestmark = pytest.mark.django_db

# A Tuesday mid-morning in Denver: pond deadlines and reasons do not depend on the hour run.
NOW = datetime(2025, 3, 11, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


@pytest.fixture
def brokerage(db) -> Brokerage:
    return build_brokerage()


@pytest.fixture
def mixed(brokerage):
    """Team Mixed in join order: agent Ana, the TC, agent Ray, the care coordinator."""
    ana = MembershipFactory(org=brokerage.org, user__first_name="Ana", user__last_name="Ruiz")
    tc = MembershipFactory(
        org=brokerage.org,
        roles=[Role.TRANSACTION_COORDINATOR],
        user__first_name="Sam",
        user__last_name="Okafor",
    )
    ray = MembershipFactory(
        org=brokerage.org, roles=[Role.BUYER_SPECIALIST], user__first_name="Ray"
    )
    care = MembershipFactory(
        org=brokerage.org,
        roles=[Role.CLIENT_CARE_COORDINATOR, Role.MARKETING_SPECIALIST],
        user__first_name="Gia",
    )
    team = TeamFactory(org=brokerage.org, name="Mixed")
    team_with(team, ana, tc, ray, care)
    return team, ana, tc, ray, care


def rule(org, name="Rule", **values) -> RoutingRule:
    values.setdefault("action", RoutingAction.ASSIGN)
    last = RoutingRule.objects.filter(org=org).count()
    return RoutingRule.objects.create(org=org, name=name, position=last, **values)


_seq = iter(range(1_000_000))


def intake(org, **values) -> LeadInquiry:
    values.setdefault("emails", [f"seller{next(_seq)}@example.net"])
    values.setdefault("first_name", "Lee")
    return lead_intake(org_id=org.pk, lead=LeadIn(**values)).inquiry


# round robin


def test_round_robin_over_a_team_with_a_tc_skips_the_tc_and_says_so(brokerage, mixed):
    team, ana, tc, ray, care = mixed
    rule(brokerage.org, "Buyers", action=RoutingAction.ROUND_ROBIN, team=team)
    got = [intake(brokerage.org) for _ in range(4)]
    assert [i.assigned_to for i in got] == [ana, ray, ana, ray]
    assert f"chose {ana.user} (place 1 of 2 in the rotation)." in got[0].routing_reason
    assert (
        f"round robin in team Mixed chose {ray.user} (place 2 of 2 in the rotation; "
        f"skipped {tc.user}: transaction coordinator, not a selling role)"
    ) in got[1].routing_reason
    # The turn after Ray passes the care coordinator, who holds two roles, neither selling.
    assert (
        f"skipped {care.user}: client care coordinator and marketing specialist, no selling role)"
    ) in got[2].routing_reason
    assert not LeadInquiry.objects.filter(assigned_to__in=[tc, care]).exists()


def test_a_team_of_non_sellers_passes_the_lead_to_the_next_rule_and_says_who(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    office = TeamFactory(org=brokerage.org, name="Back office")
    team_with(office, tc)
    rule(brokerage.org, "Office", action=RoutingAction.ROUND_ROBIN, team=office)
    rule(brokerage.org, "Backup", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.ben
    assert (
        f"team Back office has nobody who sells (skipped {tc.user}: transaction coordinator, "
        "not a selling role)"
    ) in inquiry.routing_reason


def test_an_old_assign_rule_naming_a_tc_is_passed_over_with_the_reason(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    rule(brokerage.org, "To the TC", assignee=tc)
    rule(brokerage.org, "Backup", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    assert inquiry.assigned_to == brokerage.ben
    assert (
        f'Rule "To the TC" matched (any lead) but skipped its assignee {tc.user}: '
        "transaction coordinator, not a selling role"
    ) in inquiry.routing_reason


def test_fallbacks_pass_over_a_default_assignee_and_owner_who_do_not_sell(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    care = MembershipFactory(org=brokerage.org, roles=[Role.CLIENT_CARE_COORDINATOR])
    LeadSettings.objects.create(org=brokerage.org, default_assignee=tc)
    ContactFactory(org=brokerage.org, owner=care, emails=["cared@example.net"])
    inquiry = intake(brokerage.org, emails=["cared@example.net"])
    assert inquiry.assigned_to == brokerage.broker
    assert (
        f"skipped the default assignee {tc.user}: transaction coordinator, not a selling role; "
        f"skipped the contact's owner {care.user}: client care coordinator, not a selling role; "
        f"assigned to the first broker/owner {brokerage.broker.user}"
    ) in inquiry.routing_reason


# the pond


@pytest.fixture
def mixed_pond(brokerage, mixed):
    team = mixed[0]
    return rule(
        brokerage.org, "Pond", action=RoutingAction.POND, team=team, pond_timeout_minutes=15
    )


def test_a_pond_lead_is_announced_to_sellers_only(brokerage, mixed, mixed_pond):
    _, ana, _, ray, _ = mixed
    inquiry = intake(brokerage.org)
    assert inquiry.status == InquiryStatus.POND
    told = set(Notification.objects.filter(kind="lead.pond").values_list("recipient_id", flat=True))
    assert told == {ana.pk, ray.pk}


def test_a_pond_claim_by_a_non_seller_is_refused_and_the_lead_stays(brokerage, mixed, mixed_pond):
    _, ana, tc, _, _ = mixed
    inquiry = intake(brokerage.org)
    with pytest.raises(PermissionDenied) as refused:
        lead_assignment.inquiry_claim(actor=fresh(tc), inquiry_id=inquiry.pk)
    assert "transaction coordinator, not a selling role" in refused.value.message
    assert LeadInquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.POND
    # The TC's pond and lead lists stay clear of it; an agent of the team sees and claims it.
    assert not selectors_routing.pond_list(actor=fresh(tc)).exists()
    assert not selectors_routing.inquiry_list(actor=fresh(tc)).exists()
    assert selectors_routing.pond_team_ids(fresh(tc)) == set()
    won = lead_assignment.inquiry_claim(actor=fresh(ana), inquiry_id=inquiry.pk)
    assert won.assigned_to == ana


def test_pond_expiry_assigns_only_to_a_seller(brokerage, mixed, mixed_pond):
    _, ana, tc, ray, _ = mixed
    first = intake(brokerage.org)
    second = intake(brokerage.org)
    late = second.claim_deadline_at + timedelta(seconds=1)
    # The turn starts on Ana, then passes the TC to Ray.
    assert lead_assignment.inquiry_pond_expire(inquiry_id=first.pk, now=late) == "assigned"
    assert lead_assignment.inquiry_pond_expire(inquiry_id=second.pk, now=late) == "assigned"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assigned_to, second.assigned_to) == (ana, ray)
    assert f"skipped {tc.user}: transaction coordinator, not a selling role" in (
        second.routing_reason
    )


def test_a_pond_whose_team_has_no_seller_is_skipped(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    office = TeamFactory(org=brokerage.org, name="Back office")
    team_with(office, tc)
    rule(brokerage.org, "Office pond", action=RoutingAction.POND, team=office)
    inquiry = intake(brokerage.org)
    assert inquiry.status == InquiryStatus.ASSIGNED
    assert inquiry.assigned_to == brokerage.broker
    assert "team Back office has no active member who sells" in inquiry.routing_reason


# preview


def test_the_preview_and_the_real_decision_agree_on_a_team_with_mixed_roles(brokerage, mixed):
    team, _, tc, _, care = mixed
    rule(brokerage.org, "Rotation", sources=["Zillow"], action=RoutingAction.ROUND_ROBIN, team=team)
    rule(brokerage.org, "Pond", sources=["Open house"], action=RoutingAction.POND, team=team)
    for source in ["Zillow", "Zillow", "Open house", "Zillow", "Website"]:
        preview = routing.routing_preview(actor=brokerage.ben, facts=LeadFacts(source=source))
        inquiry = intake(brokerage.org, source=source)
        assert preview.rule == inquiry.routing_rule
        assert preview.member == inquiry.assigned_to
        assert preview.reason == inquiry.routing_reason
    assert not LeadInquiry.objects.filter(assigned_to__in=[tc, care]).exists()


# a solo owner


def test_a_solo_owner_sells_and_takes_leads_by_every_route(db):
    user = UserFactory(first_name="Riley")
    org = organization_create(name="Solo Realty", owner=user)
    owner = Membership.objects.get(org=org, user=user)
    assert owner.roles == {Role.BROKER_OWNER}
    assert member_is_seller(owner)
    # The fallback, a round robin of one, and a pond claim all reach the owner.
    assert intake(org).assigned_to == owner
    team = team_with(TeamFactory(org=org, name="Me"), owner)
    rr = rule(org, "Mine", sources=["Zillow"], action=RoutingAction.ROUND_ROBIN, team=team)
    assert intake(org, source="Zillow").routing_rule == rr
    rule(org, "Pond", sources=["Open house"], action=RoutingAction.POND, team=team)
    pooled = intake(org, source="Open house")
    assert lead_assignment.inquiry_claim(actor=fresh(owner), inquiry_id=pooled.pk).assigned_to == (
        owner
    )


def test_a_broker_owner_of_a_larger_org_sells_only_with_a_selling_role(brokerage):
    plain = MembershipFactory(org=brokerage.org, roles=[Role.BROKER_OWNER])
    assert not member_is_seller(plain)
    assert not_selling_text(plain) == "broker / owner, not a selling role"
    assert member_is_seller(brokerage.broker)


# direct assignment: services, API and pages


def test_reassigning_to_a_non_seller_is_refused(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    rule(brokerage.org, "All", assignee=brokerage.ben)
    inquiry = intake(brokerage.org)
    with pytest.raises(ValidationFailed) as refused:
        lead_assignment.inquiry_reassign(
            actor=brokerage.broker, inquiry_id=inquiry.pk, membership_id=tc.pk
        )
    assert "transaction coordinator" in refused.value.fields["membership_id"][0]
    assert LeadInquiry.objects.get(pk=inquiry.pk).assigned_to == brokerage.ben


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


def test_the_api_refuses_a_non_seller_as_a_rule_target_or_default_assignee(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    api = ApiClient(brokerage.broker)
    created = api.post(
        "/api/v1/routing-rules", {"name": "To the TC", "action": "assign", "assignee_id": tc.pk}
    )
    error = error_of(created, 422)
    assert error["fields"]["assignee_id"] == [
        f"{tc.user}: transaction coordinator, not a selling role; "
        "choose an agent, lead agent or buyer specialist"
    ]
    assert not RoutingRule.objects.exists()
    assert not Event.objects.filter(kind="routing_rule.created").exists()
    kept = rule(brokerage.org, "Ben", assignee=brokerage.ben)
    patched = api.patch(f"/api/v1/routing-rules/{kept.pk}", {"assignee_id": tc.pk})
    assert "assignee_id" in error_of(patched, 422)["fields"]
    assert RoutingRule.objects.get(pk=kept.pk).assignee == brokerage.ben
    settings = api.patch("/api/v1/lead-settings", {"default_assignee_id": tc.pk})
    assert "default_assignee_id" in error_of(settings, 422)["fields"]
    assert not LeadSettings.objects.filter(default_assignee=tc).exists()
    ok = api.post(
        "/api/v1/routing-rules",
        {"name": "Ana", "action": "assign", "assignee_id": brokerage.ben.pk},
    )
    assert ok.status_code == 201, ok.content


def test_the_api_refuses_a_non_seller_claim_and_reassignment(brokerage, mixed, mixed_pond):
    _, ana, tc, _, _ = mixed
    pooled = intake(brokerage.org)
    claim = ApiClient(tc).post(f"/api/v1/inquiries/{pooled.pk}/claim")
    assert "not a selling role" in error_of(claim, 403)["message"]
    ApiClient(ana).post(f"/api/v1/inquiries/{pooled.pk}/claim")
    moved = ApiClient(brokerage.broker).post(
        f"/api/v1/inquiries/{pooled.pk}/reassign", {"membership_id": tc.pk}
    )
    assert "membership_id" in error_of(moved, 422)["fields"]
    assert LeadInquiry.objects.get(pk=pooled.pk).assigned_to == ana


def test_the_rule_form_offers_sellers_only_and_refuses_a_crafted_non_seller(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    client = Client()
    client.force_login(brokerage.broker.user)
    page = client.get("/leads/routing/").content.decode()
    assert f'value="{brokerage.ben.pk}"' in page and f'value="{tc.pk}"' not in page
    posted = client.post(
        "/leads/routing/rules/new/",
        {"name": "TC", "action": "assign", "assignee_id": tc.pk, "pond_timeout_minutes": 15},
    )
    assert posted.status_code == 422
    assert "Choose an active member who sells" in posted.content.decode()
    assert not RoutingRule.objects.exists()


def test_editing_an_old_rule_that_names_a_tc_explains_why_it_cannot_stay(brokerage):
    tc = MembershipFactory(org=brokerage.org, roles=[Role.TRANSACTION_COORDINATOR])
    old = rule(brokerage.org, "Old", assignee=tc)
    client = Client()
    client.force_login(brokerage.broker.user)
    posted = client.post(
        f"/leads/routing/rules/{old.pk}/",
        {"name": "Old", "action": "assign", "assignee_id": tc.pk, "pond_timeout_minutes": 15},
    )
    assert posted.status_code == 422
    assert "transaction coordinator, not a selling role" in posted.content.decode()
    assert RoutingRule.objects.get(pk=old.pk).name == "Old"


# the demo


def test_the_demo_never_puts_a_coordinator_on_lead_duty(db):
    org = demo_org()
    demo_crm(org)
    assigned = LeadInquiry.objects.filter(org=org, assigned_to__isnull=False)
    assert assigned.exists()
    for inquiry in assigned.select_related("assigned_to"):
        assert member_is_seller(fresh(inquiry.assigned_to)), inquiry.routing_reason
    reasons = " ".join(assigned.values_list("routing_reason", flat=True))
    assert "skipped Sam Okafor: transaction coordinator, not a selling role" in reasons
