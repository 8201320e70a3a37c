"""The merged timeline: touchpoints, lead inquiries and tasks, newest first, in three queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rallypoynt.contacts.models import Task
from rallypoynt.contacts.selectors import contact_timeline
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory, TouchpointFactory
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.testing import count_queries
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def inquiry(contact, at, **values):
    return LeadInquiry.objects.create(
        org=contact.org, contact=contact, channel="web", received_at=at, **values
    )


def entries(result):
    return [(item.kind, item.obj.pk) for item in result["items"]]


def test_touchpoints_inquiries_and_tasks_merge_newest_first(org):
    now = timezone.now()
    contact = ContactFactory(org=org.org, owner=org.ben)
    old_call = TouchpointFactory(contact=contact, occurred_at=now - timedelta(days=3))
    lead = inquiry(contact, now - timedelta(days=2), source="Zillow")
    task = TaskFactory(contact=contact)
    Task.objects.filter(pk=task.pk).update(created_at=now - timedelta(days=1))
    note = TouchpointFactory(contact=contact, kind="note", occurred_at=now)
    result = contact_timeline(actor=org.ben, contact_id=contact.pk)
    assert entries(result) == [
        ("touchpoint", note.pk),
        ("task", task.pk),
        ("inquiry", lead.pk),
        ("touchpoint", old_call.pk),
    ]
    assert result["next_cursor"] is None


def test_a_done_task_sits_where_it_was_completed(org):
    now = timezone.now()
    contact = ContactFactory(org=org.org, owner=org.ben)
    task = TaskFactory(contact=contact)
    Task.objects.filter(pk=task.pk).update(
        created_at=now - timedelta(days=5), completed_at=now - timedelta(hours=1)
    )
    call = TouchpointFactory(contact=contact, occurred_at=now - timedelta(days=1))
    assert entries(contact_timeline(actor=org.ben, contact_id=contact.pk)) == [
        ("task", task.pk),
        ("touchpoint", call.pk),
    ]


def test_pages_walk_the_whole_history_once_even_with_equal_times(org):
    at = timezone.now() - timedelta(hours=1)
    contact = ContactFactory(org=org.org, owner=org.ben)
    expected = {
        ("touchpoint", TouchpointFactory(contact=contact, occurred_at=at).pk) for _ in range(4)
    }
    expected |= {("inquiry", inquiry(contact, at).pk) for _ in range(3)}
    seen, cursor = [], None
    while True:
        page = contact_timeline(actor=org.ben, contact_id=contact.pk, cursor=cursor, limit=2)
        seen += entries(page)
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and set(seen) == expected
    # Same instant: touchpoints come before inquiries, higher ids first.
    assert [kind for kind, _ in seen] == ["touchpoint"] * 4 + ["inquiry"] * 3


def test_timeline_costs_three_queries_however_long_the_history(org):
    contact = ContactFactory(org=org.org, owner=org.ben)
    TouchpointFactory(contact=contact)
    org.ben._visibility = None
    contact_timeline(actor=org.ben, contact_id=contact.pk)  # warms the visibility cache
    few = count_queries(
        lambda: list(contact_timeline(actor=org.ben, contact_id=contact.pk)["items"])
    )
    for _ in range(20):
        TouchpointFactory(contact=contact)
        inquiry(contact, timezone.now())
        TaskFactory(contact=contact)
    many = count_queries(
        lambda: list(contact_timeline(actor=org.ben, contact_id=contact.pk)["items"])
    )
    assert few == many == 3


def test_someone_who_cannot_see_the_contact_gets_an_empty_timeline(org):
    contact = ContactFactory(org=org.org, owner=org.maria)
    TouchpointFactory(contact=contact)
    inquiry(contact, timezone.now())
    other = build_brokerage("Other Realty")
    assert contact_timeline(actor=org.ben, contact_id=contact.pk)["items"] == []
    assert contact_timeline(actor=other.broker, contact_id=contact.pk)["items"] == []
    assert len(contact_timeline(actor=org.chris, contact_id=contact.pk)["items"]) == 2


def test_bad_cursor_and_limit_are_validation_errors(org):
    contact = ContactFactory(org=org.org, owner=org.ben)
    with pytest.raises(ValidationFailed):
        contact_timeline(actor=org.ben, contact_id=contact.pk, cursor="bm9wZQ")
    with pytest.raises(ValidationFailed):
        contact_timeline(actor=org.ben, contact_id=contact.pk, limit=0)
