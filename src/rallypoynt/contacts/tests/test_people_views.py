"""Contact pages: the list with search, filters and keyset pages, the contact page with its
quick-log form, and the create/edit forms; nobody sees a contact outside their scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rallypoynt.contacts.models import Contact, ContactCollaborator, CustomField, Touchpoint
from rallypoynt.contacts.tests.factories import ContactFactory, TouchpointFactory
from rallypoynt.core.testing import count_queries
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def browser(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def make(member, **values) -> Contact:
    values.setdefault("emails", [])
    return ContactFactory(org=member.org, owner=member, **values)


def names(response) -> list[str]:
    return [c.first_name for c in response.context["page"]["items"]]


def test_list_shows_own_contacts_with_email_phone_and_owner(org):
    make(org.ben, first_name="Ann", emails=["ann@example.com"], phones=["+13035550100"])
    make(org.maria, first_name="Hidden")
    response = browser(org.ben).get("/contacts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ann@example.com" in body and "+13035550100" in body
    assert names(response) == ["Ann"]
    assert "Hidden" not in body


def test_list_searches_and_filters_like_the_api(org):
    make(org.ben, first_name="Jo", last_name="Smith", stage="prospect")
    make(org.ben, first_name="Al", last_name="Jones")
    client = browser(org.ben)
    assert names(client.get("/contacts/?q=smi")) == ["Jo"]
    assert names(client.get("/contacts/?stage=lead")) == ["Al"]
    bad = client.get("/contacts/?stage=vip")
    assert bad.status_code == 400 and "stage" in bad.content.decode()


def test_htmx_search_returns_only_the_results_fragment(org):
    make(org.ben, first_name="Jo", last_name="Smith")
    response = browser(org.ben).get(
        "/contacts/?q=smi", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Smith" in body and "<html" not in body


def test_list_pages_forward_with_a_next_link_and_no_count_query(org):
    for _ in range(55):
        make(org.ben)
    client = browser(org.ben)
    first = client.get("/contacts/")
    assert len(first.context["page"]["items"]) == 50
    cursor = first.context["page"]["next_cursor"]
    assert f"cursor={cursor}" in first.content.decode()
    second = client.get(f"/contacts/?cursor={cursor}")
    assert len(second.context["page"]["items"]) == 5
    assert not second.context["page"]["next_cursor"]


@pytest.mark.query_guard("contacts:list")
def test_list_page_query_count_does_not_grow_with_rows(org):
    for i in range(3):
        make(org.ben, emails=[f"a{i}@example.com"])
    client = browser(org.broker)
    client.get("/contacts/")
    few = count_queries(lambda: client.get("/contacts/"))
    for i in range(40):
        make(org.maria, emails=[f"b{i}@example.com"], phones=[f"+1303555{i:04d}"])
    assert count_queries(lambda: client.get("/contacts/")) == few


def test_contact_page_is_404_outside_the_scope_or_org(org):
    contact = make(org.maria)
    other = build_brokerage("Other Realty")
    for member in (org.ben, org.lead, other.broker):
        client = browser(member)
        assert client.get(f"/contacts/{contact.pk}/").status_code == 404
        assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 404
        assert (
            client.post(f"/contacts/{contact.pk}/touchpoints/", {"kind": "call"}).status_code == 404
        )
        assert client.post(f"/contacts/{contact.pk}/delete/").status_code == 404
        for action, data in (
            ("consent", {"email_consent": "opted_out", "sms_consent": "opted_out"}),
            ("relationships", {"kind": "spouse", "related_id": contact.pk}),
            ("collaborators", {"membership_id": member.pk}),
        ):
            assert client.post(f"/contacts/{contact.pk}/{action}/", data).status_code == 404
    assert browser(org.chris).get(f"/contacts/{contact.pk}/").status_code == 200
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not Touchpoint.objects.exists() and not ContactCollaborator.objects.exists()
    contact.refresh_from_db()
    assert contact.email_consent == "unknown"


def test_pages_need_a_login(org):
    contact = make(org.ben)
    assert Client().get(f"/contacts/{contact.pk}/").status_code == 302
    assert Client().get("/contacts/").status_code == 302


def test_quick_log_over_htmx_returns_the_refreshed_timeline(org):
    contact = make(org.ben)
    response = browser(org.ben).post(
        f"/contacts/{contact.pk}/touchpoints/",
        {"kind": "call", "direction": "outbound", "outcome": "connected", "summary": "Wants 3br"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="activity"')
    assert "Wants 3br" in body and "Touchpoint logged." in body
    assert Touchpoint.objects.get().logged_by == org.ben


def test_quick_log_without_htmx_redirects_and_bad_input_shows_errors(org):
    contact = make(org.ben)
    client = browser(org.ben)
    ok = client.post(
        f"/contacts/{contact.pk}/touchpoints/", {"kind": "note", "direction": "internal"}
    )
    assert ok.status_code == 302 and ok["Location"] == f"/contacts/{contact.pk}/"
    future = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(
        f"/contacts/{contact.pk}/touchpoints/",
        {"kind": "call", "direction": "outbound", "occurred_at": future},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and "cannot be in the future" in bad.content.decode()
    assert Touchpoint.objects.count() == 1


def test_contact_page_shows_timeline_tasks_relations_and_consent(org):
    contact = make(org.ben, first_name="Ann", emails=["ann@example.com"])
    spouse = make(org.ben, first_name="Sam")
    client = browser(org.ben)
    client.post(f"/contacts/{contact.pk}/touchpoints/", {"kind": "call", "direction": "outbound"})
    client.post(
        "/contacts/tasks/new/",
        {"title": "Send listings", "contact_id": contact.pk, "next": f"/contacts/{contact.pk}/"},
    )
    client.post(
        f"/contacts/{contact.pk}/relationships/", {"kind": "spouse", "related_id": spouse.pk}
    )
    client.post(
        f"/contacts/{contact.pk}/consent/",
        {"email_consent": "opted_out", "sms_consent": "opted_in", "is_do_not_contact": "on"},
    )
    body = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Send listings" in body and "Household:" in body and "Sam" in body
    assert "Do not contact" in body and "Opted out" in body
    contact.refresh_from_db()
    assert contact.is_do_not_contact and contact.sms_consent == "opted_in"


@pytest.mark.query_guard("contacts:detail")
def test_contact_page_query_count_is_constant_as_history_grows(org):
    contact = make(org.ben, emails=["a@example.com"])
    client = browser(org.ben)
    client.post(f"/contacts/{contact.pk}/touchpoints/", {"kind": "call", "direction": "outbound"})
    client.get(f"/contacts/{contact.pk}/")
    few = count_queries(lambda: client.get(f"/contacts/{contact.pk}/"))
    for _ in range(15):
        client.post(
            f"/contacts/{contact.pk}/touchpoints/", {"kind": "note", "direction": "internal"}
        )
    assert count_queries(lambda: client.get(f"/contacts/{contact.pk}/")) == few


def test_create_form_adds_a_contact_owned_by_me_and_shows_errors(org):
    client = browser(org.ben)
    assert client.get("/contacts/new/").status_code == 200
    bad = client.post("/contacts/new/", {"first_name": "A", "emails": "nope", "stage": "lead"})
    assert bad.status_code == 422 and "errorlist" in bad.content.decode()
    assert not Contact.objects.exists()
    ok = client.post(
        "/contacts/new/",
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "emails": "ana@example.com\nana@work.example.com",
            "phones": "303 555 0142",
            "stage": "prospect",
            "owner": org.ben.pk,
            "tags": "Buyer, Denver",
        },
    )
    contact = Contact.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/contacts/{contact.pk}/"
    assert contact.owner == org.ben and contact.emails.count() == 2


def test_edit_form_changes_fields_and_custom_values(org):
    CustomField.objects.create(org=org.org, key="budget", label="Budget", field_type="number")
    contact = make(org.ben, first_name="Old", emails=["a@example.com"])
    client = browser(org.ben)
    page = client.get(f"/contacts/{contact.pk}/edit/")
    assert page.status_code == 200 and "Budget" in page.content.decode()
    data = {
        "first_name": "New",
        "emails": "a@example.com",
        "stage": "client",
        "owner": org.ben.pk,
        "country": "US",
        "custom_budget": "abc",
    }
    bad = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert bad.status_code == 422
    contact.refresh_from_db()
    assert contact.first_name == "Old"
    ok = client.post(f"/contacts/{contact.pk}/edit/", {**data, "custom_budget": "500000"})
    assert ok.status_code == 302
    contact.refresh_from_db()
    assert (contact.first_name, contact.stage, contact.custom) == (
        "New",
        "client",
        {"budget": "500000"},
    )


def test_the_form_sets_the_kind_of_each_email_and_phone(org):
    client = browser(org.ben)
    page = client.get("/contacts/new/").content.decode()
    assert page.count('name="phones_kind"') == 2 and '<option value="work">Work</option>' in page
    ok = client.post(
        "/contacts/new/",
        {
            "first_name": "Ana",
            "emails": ["ana@example.com", "ana@work.example.com"],
            "emails_kind": ["personal", "work"],
            "phones": ["303 555 0100", "", ""],
            "phones_kind": ["home", "mobile", "mobile"],
            "stage": "lead",
            "owner": org.ben.pk,
        },
    )
    assert ok.status_code == 302, ok.content.decode()
    contact = Contact.objects.get()
    assert dict(contact.emails.values_list("address", "kind")) == {
        "ana@example.com": "personal",
        "ana@work.example.com": "work",
    }
    assert dict(contact.phones.values_list("number", "kind")) == {"+13035550100": "home"}


def test_the_edit_form_shows_each_kind_and_saves_a_changed_one(org):
    contact = make(org.ben, first_name="Ana", phones=["+13035550100", "+13035550101"])
    contact.phones.filter(number="+13035550101").update(kind="work")
    client = browser(org.ben)
    page = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    # The primary first, each row with its kind chosen, then a blank row to add one.
    assert page.index('value="+13035550100"') < page.index('value="+13035550101"')
    assert page.count('name="phones"') == 3
    assert '<option value="work" selected>Work</option>' in page
    data = {
        "first_name": "Ana",
        "phones": ["+13035550100", "+13035550101", "720 555 0102"],
        "phones_kind": ["mobile", "home", "other"],
        "stage": "lead",
        "owner": org.ben.pk,
        "country": "US",
    }
    assert client.post(f"/contacts/{contact.pk}/edit/", data).status_code == 302
    assert dict(contact.phones.values_list("number", "kind")) == {
        "+13035550100": "mobile",
        "+13035550101": "home",
        "+17205550102": "other",
    }
    bad = client.post(f"/contacts/{contact.pk}/edit/", {**data, "phones_kind": ["fax"]})
    assert bad.status_code == 422
    assert "Row 1: choose one of Mobile, Home, Work, Other." in bad.content.decode()
    assert contact.phones.get(number="+13035550100").kind == "mobile"


def test_collaborator_added_on_the_page_can_open_the_contact(org):
    contact = make(org.ben)
    client = browser(org.ben)
    client.post(f"/contacts/{contact.pk}/collaborators/", {"membership_id": org.maria.pk})
    assert ContactCollaborator.objects.filter(contact=contact, membership=org.maria).exists()
    assert browser(org.maria).get(f"/contacts/{contact.pk}/").status_code == 200
    browser(org.maria).post(f"/contacts/{contact.pk}/collaborators/{org.maria.pk}/delete/")
    assert browser(org.maria).get(f"/contacts/{contact.pk}/").status_code == 404


def test_relationship_picker_lists_only_visible_matches(org):
    contact = make(org.ben)
    make(org.ben, first_name="Zed", last_name="Visible")
    make(org.maria, first_name="Zed", last_name="Hidden")
    body = (
        browser(org.ben).get(f"/contacts/{contact.pk}/relationships/pick/?q=zed").content.decode()
    )
    assert "Visible" in body and "Hidden" not in body


def test_show_older_returns_the_next_timeline_entries_as_a_fragment(org):
    contact = make(org.ben)
    now = timezone.now()
    for i in range(35):
        TouchpointFactory(
            contact=contact, summary=f"entry {i}", occurred_at=now - timedelta(hours=i)
        )
    client = browser(org.ben)
    page = client.get(f"/contacts/{contact.pk}/")
    cursor = page.context["timeline"]["next_cursor"]
    assert cursor and "Show older" in page.content.decode()
    older = client.get(f"/contacts/{contact.pk}/timeline/?cursor={cursor}").content.decode()
    assert "entry 34" in older and "entry 0<" not in older and "<html" not in older
    assert client.get(f"/contacts/{contact.pk}/timeline/?cursor=zzz").status_code == 400
    assert browser(org.maria).get(f"/contacts/{contact.pk}/timeline/").status_code == 404


def test_a_mangled_cursor_shows_the_first_page_with_an_error_not_a_500(org):
    make(org.ben, first_name="Ann")
    client = browser(org.ben)
    response = client.get("/contacts/?cursor=@@@")
    assert response.status_code == 400 and names(response) == ["Ann"]
    assert client.get("/contacts/tasks/?cursor=@@@").status_code == 302
