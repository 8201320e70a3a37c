"""Reads of org structure: always scoped to the actor's org, with fixed query counts."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.calendar import add_business_days, next_business_day
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs import selectors, services
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import BusinessHours, Closure, Membership
from rallypoynt.orgs.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_office_team_and_member_lists_hold_only_the_actors_org(brokerage, other):
    actor = brokerage.ben
    assert {o.org_id for o in selectors.office_list(actor=actor)} == {brokerage.org.pk}
    assert [t.name for t in selectors.team_list(actor=actor)] == ["Flatirons", "Summit"]
    assert {t.org_id for t in selectors.team_list(actor=actor)} == {brokerage.org.pk}
    members = selectors.member_list(actor=actor)
    assert {m.pk for m in members} == {m.pk for m in brokerage.people.values()}


def test_member_get_of_another_orgs_member_is_none(brokerage, other):
    assert selectors.member_get(actor=brokerage.broker, membership_id=other.ben.pk) is None
    assert selectors.member_get(actor=brokerage.broker, membership_id=brokerage.ben.pk)


def test_member_list_hides_inactive_members_unless_asked(brokerage):
    brokerage.ben.is_active = False
    brokerage.ben.save()
    assert brokerage.ben.pk not in {m.pk for m in selectors.member_list(actor=brokerage.broker)}
    everyone = selectors.member_list(actor=brokerage.broker, include_inactive=True)
    assert brokerage.ben.pk in {m.pk for m in everyone}


def test_team_list_names_the_leads(brokerage):
    teams = {t.name: t for t in selectors.team_list(actor=brokerage.ben)}
    assert [m.membership_id for m in teams["Summit"].lead_members] == [brokerage.lead.pk]
    assert [m.membership_id for m in teams["Flatirons"].lead_members] == [brokerage.chris.pk]


def test_member_list_loads_users_roles_and_teams_in_three_queries_at_any_size(brokerage):
    def read():
        for m in selectors.member_list(actor=brokerage.broker):
            _ = (m.user.email, m.office, [r.role for r in m.role_assignments.all()])
            _ = [tm.team.name for tm in m.team_memberships.all()]

    assert count_queries(read) == 3
    for _ in range(20):
        MembershipFactory(org=brokerage.org, office=brokerage.boulder)
    assert count_queries(read) == 3


def test_team_list_query_count_is_constant(brokerage):
    def read():
        for t in selectors.team_list(actor=brokerage.broker):
            _ = (t.office, [m.membership.user.email for m in t.lead_members])

    assert count_queries(read) == 2


def test_invitation_list_shows_only_open_invitations_of_the_org(brokerage, other):
    open_one, _ = services.invitation_create(
        actor=brokerage.broker, email="open@example.com", roles=[]
    )
    revoked, _ = services.invitation_create(
        actor=brokerage.broker, email="revoked@example.com", roles=[]
    )
    services.invitation_revoke(actor=brokerage.broker, invitation_id=revoked.pk)
    _, token = services.invitation_create(
        actor=brokerage.broker, email="done@example.com", roles=[]
    )
    services.invitation_accept(token=token, password="a-Long-and-unusual-passphrase-42")
    services.invitation_create(actor=other.broker, email="theirs@example.com", roles=[])
    assert [i.pk for i in selectors.invitation_list(actor=brokerage.broker)] == [open_one.pk]


def test_membership_for_user_picks_the_requested_org_or_falls_back(brokerage, other):
    user = brokerage.ben.user
    second = MembershipFactory(org=other.org, user=user)
    assert selectors.membership_for_user(user=user).pk == brokerage.ben.pk
    assert selectors.membership_for_user(user=user, org_id=other.org.pk).pk == second.pk
    unrelated = OrganizationFactory()
    assert selectors.membership_for_user(user=user, org_id=unrelated.pk).pk == brokerage.ben.pk


def test_membership_for_user_ignores_inactive_seats(brokerage):
    brokerage.ben.is_active = False
    brokerage.ben.save()
    assert selectors.membership_for_user(user=brokerage.ben.user) is None
    assert list(selectors.memberships_of_user(user=brokerage.ben.user)) == []


def test_membership_for_user_loads_roles_with_it(brokerage, django_assert_num_queries):
    with django_assert_num_queries(2):
        member = selectors.membership_for_user(user=brokerage.manager.user)
        assert member.roles == {Role.OFFICE_MANAGER, Role.AGENT}
        assert member.org.name == "Front Range"


# calendar_for_org


@pytest.fixture
def chicago_org():
    return services.organization_create(
        name="Lakeshore",
        owner=UserFactory(),
        time_zone="America/Chicago",
        holiday_country="US",
        holiday_subdivision="IL",
    )


def test_calendar_for_org_uses_the_orgs_zone_hours_and_region(chicago_org):
    cal = selectors.calendar_for_org(org=chicago_org)
    assert cal.time_zone == "America/Chicago"
    assert (cal.country, cal.subdivision) == ("US", "IL")
    assert cal.hours == {day: ((time(9), time(17)),) for day in range(5)}
    assert cal.is_holiday(date(2026, 7, 3))  # Independence Day observed
    assert not cal.is_business_day(date(2026, 7, 4))  # a Saturday


def test_calendar_for_org_skips_closures_when_adding_business_days(chicago_org):
    # Mon 2026-03-09 + 2 business days is Wed 03-11; closing Tue 03-10 pushes it to Thu.
    cal = selectors.calendar_for_org(org=chicago_org)
    assert add_business_days(cal, date(2026, 3, 9), 2) == date(2026, 3, 11)
    Closure.objects.create(org=chicago_org, closed_on=date(2026, 3, 10), name="Offsite")
    cal = selectors.calendar_for_org(org=chicago_org)
    assert add_business_days(cal, date(2026, 3, 9), 2) == date(2026, 3, 12)
    assert cal.holiday_name(date(2026, 3, 10)) == "Closed"


def test_calendar_for_org_follows_changed_hours_and_other_orgs_do_not_leak(chicago_org):
    owner = Membership.objects.get(org=chicago_org)
    services.business_hours_set(actor=owner, week={5: [(time(10), time(14))]})
    other = OrganizationFactory()
    BusinessHours.objects.create(org=other, weekday=0, opens_at=time(9), closes_at=time(17))
    Closure.objects.create(org=other, closed_on=date(2026, 3, 14), name="Theirs")
    cal = selectors.calendar_for_org(org=chicago_org)
    assert cal.hours == {5: ((time(10), time(14)),)}
    assert next_business_day(cal, date(2026, 3, 9)) == date(2026, 3, 14)  # next Saturday


def test_calendar_without_holiday_country_has_no_public_holidays():
    org = OrganizationFactory(holiday_country="")
    cal = selectors.calendar_for_org(org=org)
    assert cal.country is None
    assert not cal.is_holiday(date(2026, 12, 25))


def test_upcoming_holidays_lists_closures_and_public_holidays_in_order(chicago_org):
    today = timezone.localdate(timezone=ZoneInfo("America/Chicago"))
    Closure.objects.create(org=chicago_org, closed_on=today, name="Today off")
    found = selectors.upcoming_holidays(calendar=selectors.calendar_for_org(org=chicago_org))
    days = [day for day, _ in found]
    assert days == sorted(days)
    assert found[0][0] == today
    assert len(found) >= 10  # a year of US + IL holidays


def test_the_org_switcher_offers_only_orgs_the_user_has_an_active_seat_in(brokerage, other):
    user = brokerage.ben.user
    assert list(selectors.organizations_of_user(user=user)) == [brokerage.org]
    seat = MembershipFactory(org=other.org, user=user)
    found = {org.pk for org in selectors.organizations_of_user(user=user)}
    assert found == {brokerage.org.pk, other.org.pk}
    seat.is_active = False
    seat.save()
    assert list(selectors.organizations_of_user(user=user)) == [brokerage.org]
