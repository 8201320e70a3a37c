"""A small brokerage shaped like the demo org, for permission and isolation tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rallypoynt.contacts.models import Contact
from rallypoynt.core.clock import local_today
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership, Office, Organization, Team
from rallypoynt.orgs.tests.factories import (
    MembershipFactory,
    OfficeFactory,
    OrganizationFactory,
    TeamFactory,
    team_with,
)


@dataclass
class Brokerage:
    org: Organization
    denver: Office
    boulder: Office
    summit: Team
    flatirons: Team
    people: dict[str, Membership] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Membership:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


# The test brokerage's zone: its "today" differs from UTC's each night (00:00-05:00 UTC).
ZONE = "America/New_York"


def org_today() -> date:
    """Today on the test brokerage's calendar (never the UTC date)."""
    return local_today(ZONE)


def build_brokerage(name: str = "Front Range") -> Brokerage:
    """Denver and Boulder offices, a team in each, staff with the demo's roles."""
    org = OrganizationFactory(name=name, time_zone=ZONE)
    denver = OfficeFactory(org=org, name="Denver")
    boulder = OfficeFactory(org=org, name="Boulder")
    summit = TeamFactory(org=org, name="Summit", office=denver)
    flatirons = TeamFactory(org=org, name="Flatirons", office=boulder)
    staff = {
        "broker": ([Role.BROKER_OWNER, Role.AGENT], denver),
        "compliance": ([Role.COMPLIANCE_OFFICER], denver),
        "manager": ([Role.OFFICE_MANAGER, Role.AGENT], boulder),
        "sysadmin": ([Role.SYSTEMS_ADMIN, Role.ADMIN_SUPPORT], denver),
        "lead": ([Role.LEAD_AGENT, Role.AGENT], denver),
        "buyer": ([Role.BUYER_SPECIALIST, Role.AGENT], denver),
        "chris": ([Role.LEAD_AGENT, Role.AGENT], boulder),
        "maria": ([Role.AGENT], boulder),
        "ben": ([Role.AGENT], denver),
    }
    people = {
        key: MembershipFactory(org=org, office=office, roles=roles)
        for key, (roles, office) in staff.items()
    }
    team_with(summit, people["buyer"], lead=people["lead"])
    team_with(flatirons, people["maria"], lead=people["chris"])
    return Brokerage(org, denver, boulder, summit, flatirons, people)


def contact_for(member: Membership | None, org: Organization | None = None, **values) -> Contact:
    """A contact owned by `member` (or unowned in `org`), named after its owner for asserts."""
    org = org or member.org
    values.setdefault("first_name", "Contact")
    return Contact.objects.create(org=org, owner=member, **values)


def fresh(member: Membership) -> Membership:
    """Reload a membership so cached roles and visibility are recomputed."""
    return Membership.objects.get(pk=member.pk)
