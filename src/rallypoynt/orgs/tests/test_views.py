"""Settings pages and the invitation page: isolation, role rules, form errors, query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.testing import client_for, count_queries, page
from rallypoynt.orgs import services
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import BusinessHours, Closure, Invitation, Office, Organization, Team
from rallypoynt.orgs.tests.brokerage import fresh
from rallypoynt.orgs.tests.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db

STRONG = "a-Long-and-unusual-passphrase-42"


@pytest.fixture
def secret(other):
    """Names from the other org that must never show on this org's pages."""
    OfficeFactory(org=other.org, name="Secret Office")
    Team.objects.create(org=other.org, name="Secret Team")
    return {"Secret Office", "Secret Team", other.ben.user.email, other.broker.user.email}


def test_settings_pages_need_a_login(db):
    response = Client().get("/settings/members/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_settings_pages_need_a_seat_in_an_org(db):
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/settings/").status_code == 403


# general


def test_general_settings_post_by_broker_saves(brokerage):
    response = client_for(brokerage.broker).post(
        "/settings/",
        {"name": "Front Range Realty", "time_zone": "America/Denver", "holiday_country": "US"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=brokerage.org.pk)
    assert (org.name, org.time_zone) == ("Front Range Realty", "America/Denver")


def test_general_settings_bad_time_zone_shows_the_field_error_and_saves_nothing(brokerage):
    response = client_for(brokerage.broker).post(
        "/settings/", {"name": "Renamed", "time_zone": "America", "holiday_country": "US"}
    )
    assert response.status_code == 200
    assert "is not an IANA time zone" in page(response)
    assert response.context["form"].errors["time_zone"]
    assert Organization.objects.get(pk=brokerage.org.pk).name == "Front Range"


def test_general_settings_bad_subdivision_is_reported_on_that_field(brokerage):
    response = client_for(brokerage.broker).post(
        "/settings/",
        {"name": "Front Range", "time_zone": "America/Denver", "holiday_subdivision": "ZZ"},
    )
    assert "holiday_subdivision" in response.context["form"].errors


@pytest.mark.parametrize("key", ["ben", "manager"])
def test_general_settings_post_without_the_right_is_403_and_saves_nothing(brokerage, key):
    client = client_for(brokerage.people[key])
    assert client.get("/settings/").status_code == 200
    response = client.post("/settings/", {"name": "Mine", "time_zone": "UTC"})
    assert response.status_code == 403
    assert Organization.objects.get(pk=brokerage.org.pk).name == "Front Range"


# hours and closures


def test_hours_post_by_broker_replaces_the_week(brokerage):
    data = {"open_0": "on", "opens_0": "08:00", "closes_0": "16:00"}
    response = client_for(brokerage.broker).post("/settings/hours/", data)
    assert response.status_code == 302
    assert BusinessHours.objects.filter(org=brokerage.org).count() == 1


def test_hours_closing_before_opening_is_shown_and_nothing_changes(brokerage):
    services.business_hours_set(actor=brokerage.broker, week={2: []})
    data = {"open_0": "on", "opens_0": "17:00", "closes_0": "09:00"}
    response = client_for(brokerage.broker).post("/settings/hours/", data)
    assert response.status_code == 200
    assert "closes before it opens" in page(response)
    assert not BusinessHours.objects.filter(org=brokerage.org).exists()


def test_hours_post_by_agent_is_403_and_nothing_changes(brokerage):
    services.business_hours_set(actor=brokerage.broker, week={})
    response = client_for(brokerage.ben).post("/settings/hours/", {"open_0": "on"})
    assert response.status_code == 403
    assert not BusinessHours.objects.filter(org=brokerage.org).exists()


def test_hours_page_lists_only_own_closures(brokerage, other):
    Closure.objects.create(org=brokerage.org, closed_on=date(2030, 1, 2), name="Our retreat")
    Closure.objects.create(org=other.org, closed_on=date(2030, 1, 3), name="Their retreat")
    body = page(client_for(brokerage.ben).get("/settings/hours/"))
    assert "Our retreat" in body
    assert "Their retreat" not in body


def test_closure_add_by_agent_is_403(brokerage):
    response = client_for(brokerage.ben).post(
        "/settings/hours/closures/", {"closure-closed_on": "2030-01-02", "closure-name": "Nap"}
    )
    assert response.status_code == 403
    assert not Closure.objects.exists()


def test_closure_add_and_remove_by_broker(brokerage):
    client = client_for(brokerage.broker)
    client.post(
        "/settings/hours/closures/", {"closure-closed_on": "2030-01-02", "closure-name": "Retreat"}
    )
    closure = Closure.objects.get(org=brokerage.org)
    client.post(f"/settings/hours/closures/{closure.pk}/remove/")
    assert not Closure.objects.exists()


def test_removing_another_orgs_closure_does_nothing(brokerage, other):
    theirs = Closure.objects.create(org=other.org, closed_on=date(2030, 1, 3), name="Theirs")
    response = client_for(brokerage.broker).post(f"/settings/hours/closures/{theirs.pk}/remove/")
    assert response.status_code == 302
    assert Closure.objects.filter(pk=theirs.pk).exists()


# offices


def test_offices_page_lists_only_own_offices(brokerage, secret):
    body = page(client_for(brokerage.ben).get("/settings/offices/"))
    assert "Denver" in body and "Boulder" in body
    assert "Secret Office" not in body


def test_office_post_by_agent_is_403_and_creates_nothing(brokerage):
    response = client_for(brokerage.ben).post("/settings/offices/", {"name": "Golden"})
    assert response.status_code == 403
    assert not Office.objects.filter(name="Golden").exists()


def test_office_post_duplicate_shows_the_error(brokerage):
    response = client_for(brokerage.broker).post("/settings/offices/", {"name": "denver"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["taken"]}


# teams


def test_teams_page_lists_own_teams_and_members_only(brokerage, secret):
    body = page(client_for(brokerage.broker).get("/settings/teams/"))
    assert "Summit" in body and "Flatirons" in body
    assert not any(name in body for name in secret)


def test_team_post_by_agent_is_403(brokerage):
    response = client_for(brokerage.ben).post("/settings/teams/", {"name": "Canyon"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Canyon").exists()


def test_team_post_with_another_orgs_office_is_refused(brokerage, other):
    response = client_for(brokerage.broker).post(
        "/settings/teams/", {"name": "Canyon", "office_id": other.denver.pk}
    )
    assert response.status_code == 200
    assert "office_id" in response.context["form"].errors
    assert not Team.objects.filter(name="Canyon").exists()


def test_team_member_add_of_another_orgs_member_or_team_changes_nothing(brokerage, other):
    client = client_for(brokerage.broker)
    client.post(f"/settings/teams/{brokerage.summit.pk}/members/", {"membership_id": other.ben.pk})
    client.post(f"/settings/teams/{other.summit.pk}/members/", {"membership_id": brokerage.ben.pk})
    assert not other.ben.team_memberships.exists()
    assert not brokerage.ben.team_memberships.exists()
    assert other.summit.members.count() == 2


def test_team_member_add_by_broker(brokerage):
    client_for(brokerage.broker).post(
        f"/settings/teams/{brokerage.summit.pk}/members/",
        {"membership_id": brokerage.ben.pk, "is_lead": "on"},
    )
    assert brokerage.ben.team_memberships.get().is_lead


def test_team_member_add_by_agent_is_403(brokerage):
    response = client_for(brokerage.ben).post(
        f"/settings/teams/{brokerage.summit.pk}/members/", {"membership_id": brokerage.ben.pk}
    )
    assert response.status_code == 403
    assert not brokerage.ben.team_memberships.exists()


# members and invitations


def test_members_page_lists_own_members_only(brokerage, secret):
    body = page(client_for(brokerage.ben).get("/settings/members/"))
    assert brokerage.maria.user.email in body
    assert not any(name in body for name in secret)


def test_member_invite_post_mails_the_invitee(brokerage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(brokerage.manager).post(
            "/settings/members/", {"email": "nia@example.com", "roles": ["agent"]}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["nia@example.com"]]


def test_member_invite_post_by_agent_is_403(brokerage):
    response = client_for(brokerage.ben).post(
        "/settings/members/", {"email": "nia@example.com", "roles": ["agent"]}
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_member_edit_of_another_orgs_member_is_404(brokerage, other):
    client = client_for(brokerage.broker)
    assert client.get(f"/settings/members/{other.ben.pk}/").status_code == 404
    response = client.post(
        f"/settings/members/{other.ben.pk}/", {"roles": ["broker_owner"], "is_active": "on"}
    )
    assert response.status_code == 404
    assert fresh(other.ben).roles == {"agent"}


def test_member_edit_by_agent_is_403(brokerage):
    response = client_for(brokerage.ben).post(
        f"/settings/members/{brokerage.ben.pk}/", {"roles": ["broker_owner"], "is_active": "on"}
    )
    assert response.status_code == 403
    assert fresh(brokerage.ben).roles == {"agent"}


def test_member_edit_by_broker_saves_roles_and_office(brokerage):
    response = client_for(brokerage.broker).post(
        f"/settings/members/{brokerage.ben.pk}/",
        {"roles": ["agent", "lead_agent"], "office_id": brokerage.boulder.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    ben = fresh(brokerage.ben)
    assert ben.roles == {"agent", "lead_agent"}
    assert ben.office_id == brokerage.boulder.pk


def test_member_edit_demoting_the_last_owner_shows_the_error(brokerage):
    response = client_for(brokerage.broker).post(
        f"/settings/members/{brokerage.broker.pk}/", {"roles": ["agent"], "is_active": "on"}
    )
    assert response.status_code == 200
    assert "at least one active broker/owner" in page(response)
    assert Role.BROKER_OWNER in fresh(brokerage.broker).roles


def test_invitation_page_accepts_once_and_logs_the_new_member_in(brokerage):
    _, token = services.invitation_create(actor=brokerage.broker, email="nia@ex.com", roles=[])
    client = Client()
    assert client.get(f"/invitations/{token}/").status_code == 200
    response = client.post(
        f"/invitations/{token}/", {"first_name": "Nia", "last_name": "Ford", "password": STRONG}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["membership"].org_id == brokerage.org.pk
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_invitation_page_with_unknown_token_is_404(db):
    assert Client().get("/invitations/nope/").status_code == 404


def test_invitation_page_shows_a_weak_password_error(brokerage):
    _, token = services.invitation_create(actor=brokerage.broker, email="nia@ex.com", roles=[])
    response = Client().post(
        f"/invitations/{token}/", {"first_name": "N", "last_name": "F", "password": "123"}
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors


# query counts

# Ceilings leave a little room for shell changes; the real guard is "same count at any size".
PAGE_MAX_QUERIES = {
    "/settings/": 6,
    "/settings/hours/": 10,
    "/settings/offices/": 7,
    "/settings/teams/": 12,
    "/settings/members/": 13,
}


@pytest.mark.query_guard(
    "orgs:settings",
    "orgs:hours",
    "orgs:offices",
    "orgs:teams",
    "orgs:members",
)
@pytest.mark.parametrize(("path", "ceiling"), PAGE_MAX_QUERIES.items())
def test_settings_pages_have_a_constant_query_count(brokerage, path, ceiling):
    client = client_for(brokerage.broker)
    client.get(path)
    few = count_queries(lambda: client.get(path))
    for i in range(25):
        member = MembershipFactory(org=brokerage.org, office=brokerage.denver)
        brokerage.summit.members.create(org=brokerage.org, membership=member)
        services.invitation_create(actor=brokerage.broker, email=f"x{i}@example.com", roles=[])
        Closure.objects.create(org=brokerage.org, closed_on=date(2030, 1, 1 + i), name=f"C{i}")
    for i in range(5):
        team = Team.objects.create(org=brokerage.org, name=f"Extra {i}", office=brokerage.boulder)
        team.members.create(org=brokerage.org, membership=brokerage.ben, is_lead=True)
        OfficeFactory(org=brokerage.org)
    client.get(path)  # the changes renewed the org's config stamp: let the cache refill
    assert count_queries(lambda: client.get(path)) == few <= ceiling
