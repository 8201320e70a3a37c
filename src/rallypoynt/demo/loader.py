"""Load the demo brokerage: idempotent, deterministic for a seed, fast at any scale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from rallypoynt.accounts.models import User
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, Touchpoint
from rallypoynt.core.bulk import StatisticsKeeper, insert_rows, reserve_ids
from rallypoynt.core.events import event_emit
from rallypoynt.core.models import Event
from rallypoynt.demo.crm import demo_crm
from rallypoynt.demo.journeys import demo_pipeline
from rallypoynt.demo.people import PersonRow, people
from rallypoynt.demo.transactions import demo_deals
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.config_cache import org_config_changed
from rallypoynt.orgs.models import (
    Membership,
    MembershipRole,
    Office,
    Organization,
    Team,
    TeamMember,
)
from rallypoynt.orgs.services import organization_create

DEMO_PASSWORD = "rallypoynt-demo"
DEMO_SLUG = "demo"
SOLO_SLUG = "maple-key"
OWNER_ROLES = {Role.AGENT, Role.LEAD_AGENT, Role.BUYER_SPECIALIST}
BATCH = 5000

OFFICES = {
    "denver": ("Denver - LoDo", "1601 Wewatta St, Denver, CO 80202"),
    "boulder": ("Boulder", "1942 Broadway, Boulder, CO 80302"),
}
TEAMS = {"summit": ("Summit Team", "denver"), "flatirons": ("Flatirons Team", "boulder")}

# (e-mail local part, first, last, roles, office, team, is team lead)
STAFF = [
    ("broker", "Dana", "Whitfield", [Role.BROKER_OWNER, Role.AGENT], "denver", None, False),
    (
        "compliance",
        "Priya",
        "Raman",
        [Role.COMPLIANCE_OFFICER, Role.CONTRACT_REVIEWER],
        "denver",
        None,
        False,
    ),
    ("manager", "Marcus", "Bell", [Role.OFFICE_MANAGER, Role.AGENT], "boulder", None, False),
    ("lead", "Elena", "Torres", [Role.LEAD_AGENT, Role.AGENT], "denver", "summit", True),
    ("buyer", "Jordan", "Kim", [Role.BUYER_SPECIALIST, Role.AGENT], "denver", "summit", False),
    ("tc", "Sam", "Okafor", [Role.TRANSACTION_COORDINATOR], "denver", "summit", False),
    ("care", "Grace", "Liu", [Role.CLIENT_CARE_COORDINATOR], "denver", "summit", False),
    ("marketing", "Noah", "Brooks", [Role.MARKETING_SPECIALIST], "denver", None, False),
    ("admin", "Ava", "Patel", [Role.ADMIN_SUPPORT, Role.SYSTEMS_ADMIN], "denver", None, False),
    ("chris", "Chris", "Hall", [Role.LEAD_AGENT, Role.AGENT], "boulder", "flatirons", True),
    ("maria", "Maria", "Lopez", [Role.AGENT], "boulder", "flatirons", False),
    (
        "tyler",
        "Tyler",
        "Nguyen",
        [Role.BUYER_SPECIALIST, Role.AGENT],
        "boulder",
        "flatirons",
        False,
    ),
    ("sofia", "Sofia", "Rossi", [Role.AGENT], "denver", "summit", False),
    ("ben", "Ben", "Carter", [Role.AGENT], "denver", None, False),
    ("hannah", "Hannah", "Adams", [Role.AGENT, Role.SHOWING_ASSISTANT], "boulder", None, False),
]
DOMAIN = "demo.rallypoynt.test"
SOLO_EMAIL = "solo@maple.rallypoynt.test"

Progress = Callable[[int], None]


@dataclass
class DemoResult:
    org: Organization
    contacts_created: int
    logins: list[tuple[str, str, str]]


def _user(email: str, first: str, last: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first, last_name=last)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_org() -> Organization:
    """The demo brokerage with its offices, teams and staff (created once)."""
    org = Organization.objects.filter(slug=DEMO_SLUG).first()
    if org is None:
        broker = _user(f"broker@{DOMAIN}", "Dana", "Whitfield")
        org = organization_create(
            name="Front Range Realty Group",
            slug=DEMO_SLUG,
            owner=broker,
            time_zone="America/Denver",
            holiday_country="US",
            holiday_subdivision="CO",
        )
        org.branding_name = "Front Range Realty"
        org.save(update_fields=["branding_name"])
    offices = {
        key: Office.objects.get_or_create(org=org, name=name, defaults={"address": address})[0]
        for key, (name, address) in OFFICES.items()
    }
    teams = {
        key: Team.objects.get_or_create(org=org, name=name, defaults={"office": offices[o]})[0]
        for key, (name, o) in TEAMS.items()
    }
    for local, first, last, roles, office, team, is_lead in STAFF:
        user = _user(f"{local}@{DOMAIN}", first, last)
        member, _ = Membership.objects.get_or_create(org=org, user=user)
        if member.office_id is None:
            member.office = offices[office]
            member.save(update_fields=["office"])
        MembershipRole.objects.bulk_create(
            [MembershipRole(org=org, membership=member, role=r) for r in roles],
            ignore_conflicts=True,
        )
        if team:
            TeamMember.objects.get_or_create(
                org=org, team=teams[team], membership=member, defaults={"is_lead": is_lead}
            )
    org_config_changed(org.pk)
    return org


@transaction.atomic
def solo_org() -> Organization:
    """A solo agent's business: an org of one, to show tenants never see each other."""
    org = Organization.objects.filter(slug=SOLO_SLUG).first()
    if org is None:
        user = _user(SOLO_EMAIL, "Riley", "Morgan")
        org = organization_create(
            name="Maple Key Realty",
            slug=SOLO_SLUG,
            owner=user,
            time_zone="America/Chicago",
            holiday_country="US",
            holiday_subdivision="IL",
        )
        member = Membership.objects.get(org=org, user=user)
        MembershipRole.objects.create(org=org, membership=member, role=Role.AGENT)
    return org


def owner_ids(org: Organization) -> list[int]:
    """Members who own contacts, in a stable order."""
    return list(
        Membership.objects.filter(org=org, is_active=True, role_assignments__role__in=OWNER_ROLES)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


CONTACT_FIELDS = (
    "id",
    "org",
    "first_name",
    "last_name",
    "stage",
    "source",
    "owner",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "birthday_on",
    "is_do_not_contact",
    "created_at",
    "updated_at",
    "language",
    "background",
    "email_consent",
    "sms_consent",
    "custom",
    "last_touchpoint_at",
)
EMAIL_FIELDS = ("org", "contact", "address", "kind", "is_primary", "created_at", "updated_at")
PHONE_FIELDS = ("org", "contact", "number", "kind", "is_primary", "created_at", "updated_at")
TOUCH_FIELDS = (
    "org",
    "contact",
    "kind",
    "direction",
    "outcome",
    "duration_minutes",
    "occurred_at",
    "summary",
    "logged_by",
    "is_automated",
    "created_at",
    "updated_at",
)


def contact_tuples(org_id: int, owners: Sequence[int], rows: Sequence[PersonRow], ids, now):
    """The four tables' rows for `rows`, as tuples in *_FIELDS order."""
    contacts, emails, phones, touches = [], [], [], []
    for pk, row in zip(ids, rows, strict=True):
        created = now - timedelta(days=row.created_days_ago)
        owner = owners[row.owner_index % len(owners)] if owners else None
        last_touch = None
        for touch in row.touches:
            at = min(created + timedelta(days=touch.after_days, hours=1), now)
            last_touch = at
            minutes = 12 if touch.kind == "call" and touch.outcome == "connected" else None
            direction = "internal" if touch.kind == "note" else "outbound"
            touches.append(
                (
                    org_id,
                    pk,
                    touch.kind,
                    direction,
                    touch.outcome,
                    minutes,
                    at,
                    touch.summary,
                    owner,
                    False,
                    at,
                    at,
                )
            )
        contacts.append(
            (
                pk,
                org_id,
                row.first_name,
                row.last_name,
                row.stage,
                row.source,
                owner,
                row.street,
                row.city,
                row.state,
                row.postal_code,
                "US",
                row.birthday_on,
                False,
                created,
                created,
                "en",
                "",
                "unknown",
                "unknown",
                {},
                last_touch,
            )
        )
        for i, address in enumerate(row.emails):
            emails.append((org_id, pk, address, "personal", i == 0, created, created))
        for i, (number, kind) in enumerate(row.phones):
            phones.append((org_id, pk, number, kind, i == 0, created, created))
    return contacts, emails, phones, touches


def contacts_insert(
    org: Organization,
    owners: Sequence[int],
    rows: Sequence[PersonRow],
    progress: Progress | None = None,
    after_batch: Progress | None = None,
) -> int:
    """Insert people in batches; each batch commits whole, so no contact is half-written.

    A large load leaves its tables analysed: what is read next must not be planned blind.
    """
    now = timezone.now()
    statistics = StatisticsKeeper((Contact, ContactEmail, ContactPhone, Touchpoint))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with transaction.atomic():
            ids = reserve_ids(Contact, len(batch))
            contacts, emails, phones, touches = contact_tuples(org.pk, owners, batch, ids, now)
            insert_rows(Contact, CONTACT_FIELDS, contacts)
            insert_rows(ContactEmail, EMAIL_FIELDS, emails)
            insert_rows(ContactPhone, PHONE_FIELDS, phones)
            insert_rows(Touchpoint, TOUCH_FIELDS, touches)
            statistics.grew(len(batch))  # before COMMIT checks the batch's foreign keys
            if after_batch:
                after_batch(len(batch))
        if progress:
            progress(len(batch))
    statistics.finish()
    return len(rows)


PEOPLE_LOADED = "demo.people_loaded"


def people_loaded(org: Organization) -> int:
    """How many generated people the org has: counted by the events each batch commits with."""
    payloads = Event.objects.filter(org=org, kind=PEOPLE_LOADED).values_list("payload", flat=True)
    return sum(p.get("count", 0) for p in payloads)


def _loaded(org: Organization) -> Progress:
    # Recorded inside each batch's transaction, so an interrupted load resumes exactly.
    return lambda n: event_emit(org_id=org.pk, kind=PEOPLE_LOADED, payload={"count": n})


def demo_load(*, scale: int = 2000, seed: int = 42, progress: Progress | None = None) -> DemoResult:
    """Create (or top up) the demo brokerage to `scale` contacts and the solo agent's org."""
    org = demo_org()
    owners = owner_ids(org)
    existing = people_loaded(org)
    missing = people(scale, seed=seed, owners=len(owners))[existing:]
    created = contacts_insert(org, owners, missing, progress, after_batch=_loaded(org))
    demo_crm(org, seed=seed)
    demo_deals(org, demo_pipeline(org, seed=seed), seed=seed)
    solo = solo_org()
    solo_scale = max(min(scale // 20, 500), 20)
    solo_rows = people(solo_scale, seed=seed + 1, owners=1)[people_loaded(solo) :]
    contacts_insert(solo, owner_ids(solo), solo_rows, after_batch=_loaded(solo))
    return DemoResult(org=org, contacts_created=created, logins=demo_logins())


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, name, roles) of the demo's people, as the database has them; [] without a demo.

    Only the accounts the demo made (their password is DEMO_PASSWORD), in the order it made
    them, and only while they may still sign in.
    """
    if not Organization.objects.filter(slug=DEMO_SLUG).exists():
        return []
    members = (
        Membership.objects.filter(
            org__slug__in=[DEMO_SLUG, SOLO_SLUG],
            is_active=True,
            user__is_active=True,
            user__email__in=[f"{local}@{DOMAIN}" for local, *_ in STAFF] + [SOLO_EMAIL],
        )
        .select_related("user", "org")
        .prefetch_related(
            Prefetch("role_assignments", queryset=MembershipRole.objects.order_by("pk"))
        )
    )
    logins = []
    for member in sorted(members, key=lambda m: (m.org.slug != DEMO_SLUG, m.pk)):
        if member.org.slug == SOLO_SLUG:
            roles = "Solo agent (separate org)"
        else:
            roles = ", ".join(r.get_role_display() for r in member.role_assignments.all())
        logins.append((member.user.email, member.user.get_full_name(), roles))
    return logins
