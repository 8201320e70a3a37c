"""Paging contact lists whose paging timestamps tie: every row once, at any page size.

Half of the tied rows are written the way the demo loader and set-based imports write them
(`core.bulk.insert_rows` with aware date-times), half through the ORM, so on SQLite the same
instant is stored in both spellings; the cursor must still find every row tied with it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact, Touchpoint
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db

TIED = 30


@pytest.fixture
def org():
    return build_brokerage()


@pytest.fixture
def same():
    return timezone.now().replace(microsecond=250000) - timedelta(days=3)


def set_raw(model, column: str, ids, value) -> None:
    """Write `value` past the ORM, the way `core.bulk.insert_rows` writes (driver adapted)."""
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id IN ({marks})",
            [value, *ids],
        )


def tied_contacts(org, same) -> set[int]:
    """TIED contacts created at one instant (half written raw), and a few others around."""
    tied = [ContactFactory(org=org.org, owner=org.ben, last_name="Tied") for _ in range(TIED)]
    ids = [c.pk for c in tied]
    Contact.objects.filter(pk__in=ids).update(created_at=same, last_touchpoint_at=same)
    set_raw(Contact, "created_at", ids[::2], same)
    around = [ContactFactory(org=org.org, owner=org.ben) for _ in range(4)]
    for n, contact in enumerate(around):
        moved = same + timedelta(seconds=(-1) ** n * (n + 1))
        Contact.objects.filter(pk=contact.pk).update(created_at=moved)
    return set(ids) | {c.pk for c in around}


def walk_api(client: ApiClient, path: str, limit: int) -> list[int]:
    seen, cursor = [], None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"{path}{query}")
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_contacts_api_pages_tied_rows_exactly_once_in_list_order(org, same, limit):
    expected = tied_contacts(org, same)
    seen = walk_api(ApiClient(org.broker), "/api/v1/contacts", limit)
    assert len(seen) == len(set(seen)) == len(expected) == TIED + 4
    assert set(seen) == expected
    in_order = Contact.objects.filter(pk__in=expected).order_by("-created_at", "-id")
    assert seen == [c.pk for c in in_order]


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_touchpoints_api_pages_tied_rows_exactly_once(org, same, limit):
    contact = ContactFactory(org=org.org, owner=org.ben)
    for _ in range(TIED):
        Touchpoint.objects.create(
            org=org.org, contact=contact, kind="call", direction="outbound", occurred_at=same
        )
    expected = set(Touchpoint.objects.filter(contact=contact).values_list("pk", flat=True))
    set_raw(Touchpoint, "occurred_at", sorted(expected)[::2], same)
    seen = walk_api(ApiClient(org.broker), f"/api/v1/contacts/{contact.pk}/touchpoints", limit)
    assert len(seen) == len(set(seen)) == len(expected) == TIED
    assert set(seen) == expected


@pytest.mark.parametrize("page_size", [1, 7, 50])
def test_contacts_page_pages_tied_rows_exactly_once(org, same, page_size, monkeypatch):
    monkeypatch.setattr("rallypoynt.contacts.views.people.PAGE_SIZE", page_size)
    expected = tied_contacts(org, same)
    client = Client()
    client.force_login(org.broker.user)
    seen, cursor = [], None
    while True:
        response = client.get("/contacts/" + (f"?cursor={cursor}" if cursor else ""))
        assert response.status_code == 200
        page = response.context["page"]
        seen += [c.pk for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
