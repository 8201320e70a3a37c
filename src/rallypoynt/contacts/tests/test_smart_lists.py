"""Smart lists: saved filters with capped counts; own and shared lists; only the owner edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient
from rallypoynt.contacts.models import Contact, SmartList
from rallypoynt.contacts.selectors import lists as selectors_lists
from rallypoynt.contacts.selectors import smart_list_count, smart_list_visible
from rallypoynt.contacts.services.lists import (
    smart_list_create,
    smart_list_delete,
    smart_list_update,
)
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def make(member, **values) -> Contact:
    return ContactFactory(org=member.org, owner=member, **values)


def browser(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_create_validates_filters_and_records_audit_and_event(org):
    row = smart_list_create(
        actor=org.ben,
        name=" Zillow leads ",
        filters={"source": "Zillow", "stage": "lead", "cursor": "x", "q": ""},
    )
    assert row.name == "Zillow leads" and row.filters == {"source": "Zillow", "stage": "lead"}
    assert AuditEntry.objects.filter(action="smart_list.create").exists()
    assert Event.objects.filter(kind="smart_list.created").exists()
    with pytest.raises(ValidationFailed) as bad:
        smart_list_create(actor=org.ben, name="x", filters={"stage": "vip", "colour": "red"})
    assert set(bad.value.fields) == {"stage", "colour"}
    with pytest.raises(ValidationFailed):
        smart_list_create(actor=org.ben, name="  ", filters={})
    with pytest.raises(Conflict):
        smart_list_create(actor=org.ben, name="Zillow leads", filters={})
    assert SmartList.objects.count() == 1


def test_members_see_their_own_and_shared_lists_only(org):
    mine = smart_list_create(actor=org.ben, name="Mine", filters={})
    shared = smart_list_create(actor=org.maria, name="Team", filters={}, is_shared=True)
    smart_list_create(actor=org.maria, name="Private", filters={})
    other = build_brokerage("Other Realty")
    smart_list_create(actor=other.ben, name="Theirs", filters={}, is_shared=True)
    assert set(smart_list_visible(actor=org.ben)) == {mine, shared}


def test_only_the_owner_changes_or_deletes_a_list(org):
    shared = smart_list_create(actor=org.maria, name="Team", filters={}, is_shared=True)
    private = smart_list_create(actor=org.maria, name="Private", filters={})
    with pytest.raises(PermissionDenied):
        smart_list_update(actor=org.ben, smart_list_id=shared.pk, name="Mine now")
    with pytest.raises(NotFound):
        smart_list_delete(actor=org.ben, smart_list_id=private.pk)
    row = smart_list_update(
        actor=org.maria, smart_list_id=shared.pk, filters={"no_touchpoint_days": "30"}
    )
    assert row.filters == {"no_touchpoint_days": 30}
    smart_list_delete(actor=org.maria, smart_list_id=shared.pk)
    assert not SmartList.objects.filter(pk=shared.pk).exists()


def test_a_shared_list_shows_each_member_only_what_they_may_see(org):
    make(org.ben, source="Zillow")
    make(org.maria, source="Zillow")
    row = smart_list_create(
        actor=org.broker, name="Z", filters={"source": "zillow"}, is_shared=True
    )
    assert smart_list_count(actor=org.broker, smart_list=row) == (2, False)
    assert smart_list_count(actor=org.ben, smart_list=row) == (1, False)


def test_no_touchpoint_in_30_days_and_counts_stop_at_the_cap(org, monkeypatch):
    recent = make(org.ben)
    Contact.objects.filter(pk=recent.pk).update(last_touchpoint_at=timezone.now())
    stale = make(org.ben)
    Contact.objects.filter(pk=stale.pk).update(
        last_touchpoint_at=timezone.now() - timedelta(days=45)
    )
    make(org.ben)  # never touched
    row = smart_list_create(actor=org.ben, name="Cold", filters={"no_touchpoint_days": 30})
    assert smart_list_count(actor=org.ben, smart_list=row) == (2, False)
    monkeypatch.setattr(selectors_lists, "COUNT_CAP", 1)
    assert smart_list_count(actor=org.ben, smart_list=row) == (1, True)


def test_api_crud_and_contacts_of_a_list(org):
    make(org.ben, source="Zillow", stage="lead", first_name="Zed")
    make(org.ben, source="Website", first_name="Web")
    client = ApiClient(org.ben)
    made = client.post(
        "/api/v1/smart-lists",
        {"name": "Zillow leads", "filters": {"source": "Zillow", "stage": "lead"}},
    )
    assert made.status_code == 201, made.content
    list_id = made.json()["id"]
    contacts = client.get(f"/api/v1/smart-lists/{list_id}/contacts").json()
    assert [c["first_name"] for c in contacts["items"]] == ["Zed"]
    listed = client.get("/api/v1/smart-lists?counts=true").json()
    assert listed[0]["count"] == 1 and listed[0]["is_mine"] is True
    patched = client.patch(f"/api/v1/smart-lists/{list_id}", {"is_shared": True})
    assert patched.json()["is_shared"] is True
    assert client.post("/api/v1/smart-lists", {"name": "Zillow leads"}).status_code == 409
    assert (
        client.post("/api/v1/smart-lists", {"name": "x", "filters": {"bad": 1}}).status_code == 422
    )
    maria = ApiClient(org.maria)
    assert maria.get(f"/api/v1/smart-lists/{list_id}").status_code == 200
    assert maria.patch(f"/api/v1/smart-lists/{list_id}", {"name": "y"}).status_code == 403
    assert maria.delete(f"/api/v1/smart-lists/{list_id}").status_code == 403
    other = ApiClient(build_brokerage("Other Realty").broker)
    assert other.get(f"/api/v1/smart-lists/{list_id}").status_code == 404
    assert other.get(f"/api/v1/smart-lists/{list_id}/contacts").status_code == 404
    assert client.delete(f"/api/v1/smart-lists/{list_id}").status_code == 204


def test_pages_save_the_current_filters_open_and_delete_a_list(org):
    make(org.ben, first_name="Zed", source="Zillow")
    make(org.ben, first_name="Web", source="Website")
    client = browser(org.ben)
    listing = client.get("/contacts/?source=Zillow").content.decode()
    assert 'name="f_source" value="Zillow"' in listing
    saved = client.post(
        "/contacts/lists/new/", {"name": "From Zillow", "f_source": "Zillow", "f_q": ""}
    )
    row = SmartList.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/contacts/lists/{row.pk}/"
    opened = client.get(f"/contacts/lists/{row.pk}/")
    assert [c.first_name for c in opened.context["page"]["items"]] == ["Zed"]
    overview = client.get("/contacts/lists/").content.decode()
    assert "From Zillow" in overview and "<td>1</td>" in overview
    assert "Source: Zillow" in overview and 'aria-label="Delete From Zillow"' in overview
    assert browser(org.maria).get(f"/contacts/lists/{row.pk}/").status_code == 404
    assert browser(org.maria).post(f"/contacts/lists/{row.pk}/delete/").status_code == 404
    client.post(f"/contacts/lists/{row.pk}/delete/")
    assert not SmartList.objects.exists()


@pytest.mark.query_guard("contacts:smart_lists")
def test_lists_page_query_count_does_not_grow_with_contacts(org):
    smart_list_create(actor=org.ben, name="All", filters={})
    client = browser(org.ben)
    client.get("/contacts/lists/")
    few = count_queries(lambda: client.get("/contacts/lists/"))
    for _ in range(25):
        make(org.ben)
    assert count_queries(lambda: client.get("/contacts/lists/")) == few
