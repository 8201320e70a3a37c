"""Notifications pages: a member sees and marks only their own; badge; safe links; queries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import include, path

from rallypoynt.accounts.tests.factories import UserFactory
from rallypoynt.config import urls as root_urls
from rallypoynt.core.testing import client_for, count_queries, page
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.services import notification_send
from rallypoynt.orgs.tests.factories import note

# This module doubles as the URLconf: the project's, plus the notifications pages if the
# project does not mount them yet.
urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "notifications" for p in urlpatterns):
    urlpatterns.insert(0, path("notifications/", include("rallypoynt.orgs.urls_notifications")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_the_pages_need_a_login_and_a_seat(db):
    assert Client().get("/notifications/").status_code == 302
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/notifications/").status_code == 403


def test_a_member_sees_only_their_own_notifications(brokerage, other):
    note(brokerage.ben, "For Ben", body="Rule matched")
    note(brokerage.maria, "For Maria")
    note(other.ben, "Other org")
    html = page(client_for(brokerage.ben).get("/notifications/"))
    assert "For Ben" in html and "Rule matched" in html
    assert "For Maria" not in html and "Other org" not in html
    assert "1 unread" in html


def test_mark_one_read_and_never_someone_elses(brokerage):
    mine = note(brokerage.ben, "Mine")
    theirs = note(brokerage.maria, "Theirs")
    client = client_for(brokerage.ben)
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 302
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405


def test_open_follows_a_local_link_only(brokerage):
    local = note(brokerage.ben, "Local", link="/leads/pond/")
    evil = note(brokerage.ben, "Evil", link="https://evil.example/steal")
    client = client_for(brokerage.ben)
    opened = client.post(f"/notifications/{local.pk}/read/", {"open": "1"})
    assert opened["Location"] == "/leads/pond/"
    refused = client.post(f"/notifications/{evil.pk}/read/", {"open": "1"})
    assert refused["Location"] == "/notifications/"
    assert Notification.objects.get(pk=evil.pk).read_at is not None


def test_mark_all_read_touches_only_the_members(brokerage):
    note(brokerage.ben, "a")
    note(brokerage.ben, "b")
    note(brokerage.maria, "c")
    client = client_for(brokerage.ben)
    assert client.post("/notifications/read-all/").status_code == 302
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert "Nothing unread." in page(client.get("/notifications/"))


def test_unread_filter_and_older_pages(brokerage):
    for i in range(55):
        note(brokerage.ben, f"N{i:02d}")
    Notification.objects.filter(title="N54").update(read_at="2025-01-01T00:00:00Z")
    client = client_for(brokerage.ben)
    first = client.get("/notifications/")
    assert "N54" in page(first) and "Older notifications" in page(first)
    older = client.get("/notifications/", {"cursor": first.context["page"]["next_cursor"]})
    assert "N00" in page(older) and "N54" not in page(older)
    assert "N54" not in page(client.get("/notifications/?unread=1"))
    assert client.get("/notifications/?cursor=%%%").status_code == 200


def test_the_badge_fragment_counts_unread(brokerage):
    client = client_for(brokerage.ben)
    assert "unread" not in page(client.get("/notifications/badge/"))
    note(brokerage.ben, "a")
    note(brokerage.ben, "b")
    fragment = page(client.get("/notifications/badge/"))
    assert '<span class="badge" aria-label="2 unread">2</span>' in fragment
    assert "<html" not in fragment


@pytest.mark.query_guard("notifications:list")
def test_the_list_costs_the_same_queries_for_many_rows(brokerage):
    client = client_for(brokerage.ben)
    note(brokerage.ben, "first")
    client.get("/notifications/")
    few = count_queries(lambda: client.get("/notifications/"))
    for i in range(20):
        note(brokerage.ben, f"n{i}")
    assert count_queries(lambda: client.get("/notifications/")) == few


def test_a_notification_is_emailed_once_through_the_job_queue(
    brokerage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = notification_send(
            recipient=brokerage.ben, kind="lead.assigned", title="New lead", link="/x/"
        )
    assert [m.to for m in mail.outbox] == [[brokerage.ben.user.email]]
    assert Notification.objects.get(pk=sent.pk).emailed_at is not None
