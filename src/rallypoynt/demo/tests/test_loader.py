import pytest

from rallypoynt.accounts.models import User
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, Task
from rallypoynt.demo.crm import LEADS
from rallypoynt.demo.loader import DEMO_PASSWORD, DEMO_SLUG, SOLO_SLUG, demo_load
from rallypoynt.leads.models import LeadInquiry, RoutingRule
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, MembershipRole, Office, Organization, Team

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            Office,
            Team,
            Membership,
            MembershipRole,
            User,
            Contact,
            ContactEmail,
            ContactPhone,
        )
    }


def test_demo_load_creates_a_brokerage_with_roles_teams_and_contacts():
    result = demo_load(scale=120, seed=1)
    org = Organization.objects.get(slug=DEMO_SLUG)
    assert result.org == org and result.contacts_created == 120
    assert Contact.objects.filter(org=org).count() == 120 + len(LEADS)
    assert LeadInquiry.objects.filter(org=org).count() == len(LEADS)
    assert RoutingRule.objects.filter(org=org).count() == 3
    assert Task.objects.filter(org=org, completed_at__isnull=True).exists()
    assert Office.objects.filter(org=org).count() == 2
    assert Team.objects.filter(org=org).count() == 2
    roles = set(MembershipRole.objects.filter(org=org).values_list("role", flat=True))
    assert {
        Role.BROKER_OWNER,
        Role.COMPLIANCE_OFFICER,
        Role.OFFICE_MANAGER,
        Role.TRANSACTION_COORDINATOR,
        Role.LEAD_AGENT,
        Role.BUYER_SPECIALIST,
    } <= roles
    assert not Contact.objects.filter(org=org, emails__isnull=True).exists()
    # A lead waiting in a team's pond has no owner until someone claims it.
    unowned = Contact.objects.filter(org=org, owner__isnull=True)
    assert not unowned.exclude(inquiries__status="pond").exists()
    assert ContactEmail.objects.filter(org=org).exclude(contact__org=org).count() == 0
    broker = User.objects.get(email="broker@demo.rallypoynt.test")
    assert broker.check_password(DEMO_PASSWORD)


def test_demo_load_twice_creates_no_duplicates():
    demo_load(scale=80, seed=1)
    before = _counts()
    again = demo_load(scale=80, seed=1)
    assert again.contacts_created == 0
    assert _counts() == before


def test_demo_load_with_a_larger_scale_tops_up_to_it():
    demo_load(scale=50, seed=1)
    generated = Contact.objects.filter(org__slug=DEMO_SLUG, inquiries__isnull=True)
    first_names = list(generated.order_by("pk").values_list("first_name", "last_name"))
    result = demo_load(scale=90, seed=1)
    assert result.contacts_created == 40
    names = list(generated.order_by("pk").values_list("first_name", "last_name"))
    assert names[:50] == first_names and len(names) == 90


def test_demo_load_adds_a_separate_solo_agent_org():
    demo_load(scale=40, seed=1)
    solo = Organization.objects.get(slug=SOLO_SLUG)
    members = Membership.objects.filter(org=solo)
    assert members.count() == 1
    assert Contact.objects.filter(org=solo).exclude(owner=members.get()).count() == 0


def test_demo_load_makes_deals_in_every_state_and_shows_the_whole_journey():
    from rallypoynt.transactions.models import Commission, Deal, DealSummary, Party

    demo_load(scale=120, seed=1)
    org = Organization.objects.get(slug=DEMO_SLUG)
    statuses = set(Deal.objects.filter(org=org).values_list("status", flat=True))
    assert {"under_contract", "closed"} <= statuses
    tc = Membership.objects.get(org=org, user__email="tc@demo.rallypoynt.test")
    assert Party.objects.filter(org=org, member=tc).exists()
    assert Party.objects.filter(org=org, role="title_escrow", member__isnull=True).exists()
    assert Commission.objects.filter(org=org, status="final").exists()
    assert DealSummary.objects.filter(org=org, outcome="closed").exists()
    _whole_journey_shown(org)
    deals = Deal.objects.filter(org=org).count()
    demo_load(scale=120, seed=1)  # a second load adds no deals
    assert Deal.objects.filter(org=org).count() == deals


def _whole_journey_shown(org):
    from rallypoynt.contacts.models import Contact
    from rallypoynt.journeys.models import Engagement

    engagements = Engagement.objects.filter(org=org)
    shown = set(engagements.exclude(status="lost").values_list("phase_key", "side"))
    phases = [
        "discovery",
        "strategy",
        "search_selection",
        "transaction_initiation",
        "transaction_management",
        "closing_transition",
        "ongoing_relationship",
    ]
    assert {(p, s) for p in phases for s in ("buy", "sell")} <= shown
    cared_for = engagements.filter(phase_key="ongoing_relationship")
    assert set(cared_for.values_list("status", "stage_key")) == {("won", "relationship_management")}
    assert engagements.filter(status="lost", lost_reason_choice__isnull=False).exists()
    past = Contact.objects.filter(org=org, stage="past_client", past_client_on__isnull=False)
    assert past.count() >= cared_for.count()
