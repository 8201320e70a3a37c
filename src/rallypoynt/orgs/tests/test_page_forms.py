"""The org pages parse what is posted or filtered: garbage (words, exponents, negative or
huge numbers, NUL, nothing) is an error on the page (4xx) that changes nothing, or a filter
left off; a filled-in form still works."""

from __future__ import annotations

import pytest

from rallypoynt.core.models import AuditEntry
from rallypoynt.core.testing import FILLED, GARBAGE, client_for
from rallypoynt.orgs.middleware import SESSION_ORG_KEY
from rallypoynt.orgs.models import Notification
from rallypoynt.orgs.tests.factories import MembershipFactory, note

pytestmark = pytest.mark.django_db

NOT_NUL = tuple(value for value in GARBAGE if "\x00" not in value)


def test_switching_to_garbage_is_a_missing_org_and_changes_nothing(brokerage, other):
    MembershipFactory(org=other.org, user=brokerage.ben.user)
    client = client_for(brokerage.ben)
    for value in NOT_NUL:
        response = client.post("/settings/switch/", {"org_id": value})
        assert response.status_code == 404, value
        assert "You have no seat in that organization." in response.content.decode(), value
        assert SESSION_ORG_KEY not in client.session, value
    assert client.post("/settings/switch/", {"org_id": "\x00"}).status_code == 400
    response = client.post("/settings/switch/", {"org_id": other.org.pk})
    assert response.status_code == 302 and client.session[SESSION_ORG_KEY] == other.org.pk


def test_an_audit_filter_that_does_not_parse_is_named_and_left_off(brokerage):
    client = client_for(brokerage.broker)
    entries = AuditEntry.objects.count()
    response = client.get("/settings/audit/", {"action": "x" * 81})
    assert response.status_code == 400
    assert "Unknown filter: showing every entry." in response.content.decode()
    assert len(response.context["page"]["items"]) == min(entries, 50)
    assert client.get("/settings/audit/", {"object_type": "team"}).status_code == 200


def test_notification_flags_that_do_not_parse(brokerage):
    mine = note(brokerage.ben, "Mine", link="/contacts/")
    client = client_for(brokerage.ben)
    for value in FILLED[:-1]:
        listed = client.get("/notifications/", {"unread": value})
        assert listed.status_code == 200 and listed.context["unread_only"] is False, value
        refused = client.post(f"/notifications/{mine.pk}/read/", {"open": value})
        assert refused.status_code == 400, value
        assert "Open it or only mark it read." in refused.content.decode()
        assert Notification.objects.get(pk=mine.pk).read_at is None, value
    opened = client.post(f"/notifications/{mine.pk}/read/", {"open": "1"})
    assert opened["Location"] == "/contacts/"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
