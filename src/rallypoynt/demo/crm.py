"""The demo brokerage's lead machinery: routing rules, recent leads, tasks for today."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rallypoynt.contacts.choices import Channel
from rallypoynt.contacts.services import TouchpointIn, task_create, touchpoint_log
from rallypoynt.leads.choices import RoutingAction
from rallypoynt.leads.models import LeadInquiry, LeadSettings, RoutingRule
from rallypoynt.leads.services import LeadIn, lead_intake, rule_seller_check, seller_check
from rallypoynt.orgs.models import Membership, Organization, Team

LEADS = [
    # (first, last, source, type, street, city, zip, price, message)
    (
        "Olivia",
        "Bennett",
        "Zillow",
        "buyer",
        "2231 Meade St",
        "Denver",
        "80211",
        685000,
        "Is this home still available? We'd like to tour this weekend.",
    ),
    (
        "Ethan",
        "Ramirez",
        "Realtor.com",
        "buyer",
        "915 Pearl St",
        "Boulder",
        "80302",
        1250000,
        "Interested in the Pearl Street condo. Are HOA fees included?",
    ),
    (
        "Mia",
        "Chen",
        "Website",
        "seller",
        "4410 W 32nd Ave",
        "Denver",
        "80212",
        0,
        "Thinking of selling in spring. What is my home worth?",
    ),
    (
        "Lucas",
        "Foster",
        "Zillow",
        "buyer",
        "7780 E Costilla Ave",
        "Centennial",
        "80112",
        540000,
        "Can we see it Tuesday after 5?",
    ),
    (
        "Ava",
        "Gonzalez",
        "Open house",
        "buyer",
        "1302 Spruce St",
        "Boulder",
        "80302",
        975000,
        "Loved the open house. Is the seller flexible on closing date?",
    ),
    (
        "Noah",
        "Sullivan",
        "Facebook ads",
        "renter",
        "",
        "Lakewood",
        "80226",
        2600,
        "Looking for a 2-bed rental near light rail.",
    ),
    (
        "Emma",
        "Patel",
        "Referral",
        "seller",
        "6120 S Lima Cir",
        "Englewood",
        "80111",
        0,
        "My neighbor said you sold their house quickly. Can we talk?",
    ),
    (
        "Liam",
        "Nguyen",
        "Realtor.com",
        "buyer",
        "455 Grant St",
        "Denver",
        "80203",
        415000,
        "First-time buyer, pre-approved up to 450k.",
    ),
]


def _team(org: Organization, name: str) -> Team:
    return Team.objects.get(org=org, name=name)


def _member(org: Organization, local: str) -> Membership:
    return Membership.objects.get(org=org, user__email=f"{local}@demo.rallypoynt.test")


def routing_setup(org: Organization) -> None:
    """Lead settings and three routing rules, as a team lead would set them up.

    Every lead goes to someone who sells: the Summit round robin passes over the team's
    transaction coordinator and client care coordinator, and the reasons say so.
    """
    settings = LeadSettings.objects.create(org=org, default_assignee=_member(org, "broker"))
    # The demo is what people copy: fail loudly if the staff list ever stops selling here.
    seller_check(
        org_id=org.pk, membership_id=settings.default_assignee_id, field_name="default_assignee"
    )
    rules = [
        {
            "name": "Luxury ($1M+) to the listing specialist",
            "action": RoutingAction.ASSIGN,
            "price_min": Decimal("1000000"),
            "assignee": _member(org, "lead"),
        },
        {
            "name": "Boulder leads: Flatirons pond",
            "action": RoutingAction.POND,
            "cities": ["Boulder", "Louisville"],
            "team": _team(org, "Flatirons Team"),
            "pond_timeout_minutes": 15,
        },
        {
            "name": "Portal buyers: Summit round robin",
            "action": RoutingAction.ROUND_ROBIN,
            "sources": ["Zillow", "Realtor.com"],
            "lead_types": ["buyer"],
            "team": _team(org, "Summit Team"),
        },
    ]
    for position, rule in enumerate(rules):
        rule_seller_check(RoutingRule.objects.create(org=org, position=position, **rule))


def leads_receive(org: Organization, seed: int) -> None:
    """Recent leads through the real intake, some already answered by their agent."""
    rng = random.Random(seed)
    for n, (first, last, source, kind, street, city, zip_code, price, message) in enumerate(LEADS):
        result = lead_intake(
            org_id=org.pk,
            lead=LeadIn(
                source=source,
                lead_type=kind,
                first_name=first,
                last_name=last,
                emails=[f"{first}.{last}.lead{n}@example.com".lower()],
                phones=[f"+1303555{9000 + n:04d}"],
                message=message,
                timeframe="1-3 months",
                property={
                    "address": street,
                    "city": city,
                    "state": "CO",
                    "postal_code": zip_code,
                    "price": price or None,
                },
                channel=Channel.API if n % 2 else Channel.EMAIL,
            ),
        )
        agent = result.inquiry.assigned_to
        if agent is not None and rng.random() < 0.5:
            touchpoint_log(
                actor=agent,
                contact_id=result.contact.pk,
                data=TouchpointIn(
                    kind="call",
                    outcome="connected",
                    duration_minutes=9,
                    summary="Returned the inquiry call; booked a consultation.",
                ),
            )


def tasks_create(org: Organization) -> None:
    """A morning's worth of tasks for each agent: one overdue, one today, one later."""
    now = timezone.now()
    for member in Membership.objects.filter(org=org, role_assignments__role="agent"):
        contact = member.owned_contacts.order_by("pk").first()
        for title, due in (
            ("Send CMA follow-up", now - timedelta(days=1)),
            ("Call about Saturday showings", now + timedelta(hours=2)),
            ("Quarterly check-in", now + timedelta(days=6)),
        ):
            task_create(
                actor=member, title=title, due_at=due, contact_id=contact.pk if contact else None
            )


@transaction.atomic
def demo_crm(org: Organization, *, seed: int = 42) -> bool:
    """Set up the lead machinery once; returns False when it was already there."""
    if LeadSettings.objects.filter(org=org).exists():
        return False
    routing_setup(org)
    leads_receive(org, seed)
    tasks_create(org)
    return LeadInquiry.objects.filter(org=org).exists()
