"""A user's own time zone: blank follows the org, set it wins on every page; edited on the
profile page from a list of IANA zones."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from rallypoynt.accounts.services import user_update_profile
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.middleware import ReaderTimeZoneMiddleware
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_post(user, **values) -> dict:
    return {"first_name": user.first_name, "last_name": user.last_name, "phone": "", **values}


def test_a_new_user_follows_the_orgs_zone():
    member = MembershipFactory(org__time_zone="America/Denver")
    assert member.user.time_zone == ""
    html = client_for(member.user).get("/accounts/profile/").content.decode()
    assert "Follow the organization (America/Denver)" in html
    assert '<option value="Europe/Berlin">Europe/Berlin</option>' in html


def test_the_profile_page_saves_a_zone_and_blank_goes_back_to_the_org():
    member = MembershipFactory()
    client = client_for(member.user)
    response = client.post("/accounts/profile/", profile_post(member.user, time_zone="Asia/Tokyo"))
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.time_zone == "Asia/Tokyo"
    assert 'value="Asia/Tokyo" selected' in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/profile/", profile_post(member.user, time_zone=""))
    member.user.refresh_from_db()
    assert member.user.time_zone == ""


def test_an_unknown_zone_is_refused_by_the_form_the_service_and_the_model():
    member = MembershipFactory()
    response = client_for(member.user).post(
        "/accounts/profile/", profile_post(member.user, time_zone="Mars/Olympus")
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    with pytest.raises(ValidationFailed):
        user_update_profile(user=member.user, first_name="", last_name="", time_zone="Mars/Olympus")
    member.user.time_zone = "Mars/Olympus"
    with pytest.raises(ValidationError):
        member.user.full_clean()
    member.user.refresh_from_db()
    assert member.user.time_zone == ""


def zone_seen(user, membership) -> str:
    """The zone ReaderTimeZoneMiddleware activates for a request by `user` in `membership`."""
    request = RequestFactory().get("/")
    request.user, request.membership = user, membership
    seen = ReaderTimeZoneMiddleware(lambda r: timezone.get_current_timezone_name())
    return seen(request)


def test_the_middleware_activates_the_users_zone_else_the_orgs_else_utc():
    member = MembershipFactory(org__time_zone="America/Denver")
    assert zone_seen(member.user, member) == "America/Denver"
    member.user.time_zone = "Asia/Tokyo"
    assert zone_seen(member.user, member) == "Asia/Tokyo"
    assert zone_seen(member.user, None) == "Asia/Tokyo"  # no seat: their own zone still
    assert zone_seen(AnonymousUser(), None) == "UTC"
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
