"""A member's calendar feed URL: shown once, stored only as a hash, one live URL per seat (a new
one revokes the old), revocable from the profile page by its owner only."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from django.test import Client

from rallypoynt.accounts.models import CalendarFeed
from rallypoynt.accounts.services import (
    FEED_PREFIX,
    calendar_feed_create,
    calendar_feed_revoke,
    token_hash,
)
from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.core.errors import NotFound
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.selectors import calendar_feed_active, calendar_feed_member
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
CREATE = "/accounts/calendar-feed/"


def as_member(member, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(member.user)
    return client


def status(secret: str) -> int:
    return Client().get(f"/calendar/{secret}.ics").status_code


# services


def test_the_secret_is_returned_once_and_only_its_hash_is_stored():
    member = MembershipFactory()
    feed, secret = calendar_feed_create(actor=member)
    assert secret.startswith(FEED_PREFIX) and len(secret) > 40
    assert feed.token_hash == token_hash(secret) and feed.prefix == secret[:12]
    assert secret not in str(list(CalendarFeed.objects.values()))
    assert (feed.org_id, feed.user_id) == (member.org_id, member.user_id)
    assert calendar_feed_member(secret=secret) == member
    assert calendar_feed_member(secret=feed.token_hash) is None


def test_creating_a_new_url_revokes_the_old_one():
    member = MembershipFactory()
    old, old_secret = calendar_feed_create(actor=member)
    new, new_secret = calendar_feed_create(actor=member)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert calendar_feed_active(actor=member) == new
    assert (status(old_secret), status(new_secret)) == (404, 200)
    actions = AuditEntry.objects.filter(object_id__in=[old.pk, new.pk]).values_list(
        "action", flat=True
    )
    assert sorted(actions) == [
        "calendar_feed.create",
        "calendar_feed.create",
        "calendar_feed.revoke",
    ]
    assert Event.objects.filter(kind="calendar_feed.revoked", subject_id=old.pk).exists()


def test_each_seat_has_its_own_url_and_a_new_one_leaves_the_other_seats_alone():
    seat_a = MembershipFactory()
    seat_b = MembershipFactory(user=seat_a.user)
    colleague = MembershipFactory(org=seat_a.org)
    a, _ = calendar_feed_create(actor=seat_a)
    b, _ = calendar_feed_create(actor=seat_b)
    theirs, _ = calendar_feed_create(actor=colleague)
    calendar_feed_create(actor=seat_a)
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 3
    assert not CalendarFeed.objects.get(pk=a.pk).is_active
    assert CalendarFeed.objects.get(pk=b.pk).is_active
    assert CalendarFeed.objects.get(pk=theirs.pk).is_active


def test_the_database_refuses_two_live_urls_for_one_seat():
    member = MembershipFactory()
    calendar_feed_create(actor=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarFeed.objects.create(
            org_id=member.org_id, user_id=member.user_id, prefix="x", token_hash="0" * 64
        )


def test_only_the_owner_revokes_and_only_once():
    owner = MembershipFactory()
    feed, secret = calendar_feed_create(actor=owner)
    with pytest.raises(NotFound):
        calendar_feed_revoke(actor=MembershipFactory(org=owner.org), feed_id=feed.pk)
    # The same person in another org acts in that org, not this one.
    with pytest.raises(NotFound):
        calendar_feed_revoke(actor=MembershipFactory(user=owner.user), feed_id=feed.pk)
    assert status(secret) == 200
    calendar_feed_revoke(actor=owner, feed_id=feed.pk)
    assert status(secret) == 404
    with pytest.raises(NotFound):
        calendar_feed_revoke(actor=owner, feed_id=feed.pk)


def test_a_deactivated_user_has_no_feed():
    member = MembershipFactory()
    _, secret = calendar_feed_create(actor=member)
    member.user.is_active = False
    member.user.save(update_fields=["is_active"])
    assert calendar_feed_member(secret=secret) is None and status(secret) == 404


# the profile page


def shown_url(response) -> str | None:
    found = re.search(r'data-testid="calendar-url">([^<]+)<', response.text)
    return found.group(1) if found else None


def test_profile_page_shows_the_url_once_then_only_its_prefix():
    member = MembershipFactory()
    client = as_member(member)
    page = client.get(PROFILE)
    assert (
        "No calendar address yet." in page.text and 'action="/accounts/calendar-feed/"' in page.text
    )

    response = client.post(CREATE)
    assert response.status_code == 200
    url = shown_url(response)
    assert url and url.startswith("http://testserver/calendar/" + FEED_PREFIX)
    assert url.endswith(".ics")
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert f"webcal://testserver/calendar/{secret}.ics" in response.text
    assert status(secret) == 200

    later = client.get(PROFILE)
    feed = CalendarFeed.objects.get(user=member.user)
    assert secret not in later.text and shown_url(later) is None
    assert feed.prefix in later.text and "Create new URL" in later.text
    assert f'action="/accounts/calendar-feed/{feed.pk}/revoke/"' in later.text


def test_create_new_url_on_the_page_revokes_the_old_one():
    member = MembershipFactory()
    _, old_secret = calendar_feed_create(actor=member)
    client = as_member(member)
    new_url = shown_url(client.post(CREATE))
    assert status(old_secret) == 404
    assert Client().get(new_url.removeprefix("http://testserver")).status_code == 200


def test_revoke_on_the_page_stops_the_url():
    member = MembershipFactory()
    feed, secret = calendar_feed_create(actor=member)
    client = as_member(member)
    assert client.get(f"/accounts/calendar-feed/{feed.pk}/revoke/").status_code == 405
    response = client.post(f"/accounts/calendar-feed/{feed.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert status(secret) == 404
    assert "No calendar address yet." in client.get(PROFILE).text


def test_the_page_cannot_revoke_someone_elses_url():
    owner = MembershipFactory()
    feed, secret = calendar_feed_create(actor=owner)
    response = as_member(MembershipFactory(org=owner.org)).post(
        f"/accounts/calendar-feed/{feed.pk}/revoke/"
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert status(secret) == 200


def test_the_buttons_need_a_csrf_token_a_login_and_a_seat():
    member = MembershipFactory()
    assert as_member(member, enforce_csrf_checks=True).post(CREATE).status_code == 403
    assert Client().post(CREATE)["Location"] == f"/accounts/login/?next={CREATE}"
    assert as_member(member).get(CREATE).status_code == 405
    seatless = Client()
    seatless.force_login(UserFactory())
    assert seatless.post(CREATE).status_code == 403
    assert "Calendar feed" not in seatless.get(PROFILE).text
    assert not CalendarFeed.objects.exists()
