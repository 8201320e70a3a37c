"""Factories for orgs, members and roles (shared by every app's tests)."""

from __future__ import annotations

import factory

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import (
    Membership,
    MembershipRole,
    Notification,
    Office,
    Organization,
    Team,
    TeamMember,
)
from rallypoynt.orgs.services import notification_send


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Brokerage {n}")
    slug = factory.Sequence(lambda n: f"brokerage-{n}")
    time_zone = "America/New_York"
    holiday_country = "US"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Office {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    org = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member; pass roles=[...] (default: agent)."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted if extracted is not None else [Role.AGENT]:
            MembershipRole.objects.create(org=obj.org, membership=obj, role=role)


def team_with(team: Team, *members: Membership, lead: Membership | None = None) -> Team:
    """Put members (and an optional lead) on a team."""
    for m in members:
        TeamMember.objects.create(org=team.org, team=team, membership=m, is_lead=False)
    if lead is not None:
        TeamMember.objects.create(org=team.org, team=team, membership=lead, is_lead=True)
    return team


def note(member: Membership, title: str, link: str = "", **values) -> Notification:
    """A notification for `member` through the real service, without the e-mail."""
    return notification_send(
        recipient=member, kind="test", title=title, link=link, email=False, **values
    )
