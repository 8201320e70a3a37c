"""Query-count guards for the CRM pages and endpoints that list rows: the same number of
queries at a few rows and at more."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rallypoynt.api.tests.helpers import ApiClient, client_for_url
from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.services.activity import task_create
from rallypoynt.contacts.services.custom_fields import custom_field_create
from rallypoynt.contacts.services.lists import smart_list_create
from rallypoynt.contacts.services.relations import collaborator_add, relationship_add
from rallypoynt.contacts.tests.factories import ContactFactory, TouchpointFactory, uploaded
from rallypoynt.core.testing import assert_queries_flat, client_for
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.tests.factories import make_rule
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Each guard calls the API a handful of times; token ids repeat across tests.
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000


def people(member, count: int, **values) -> list[Contact]:
    """Contacts of `member` with an e-mail and a phone each (what lists and exports show)."""
    start = Contact.objects.count()
    return [
        ContactFactory(
            org=member.org,
            owner=member,
            emails=[f"p{start + n}@example.com"],
            phones=[f"+1303555{start + n:04d}"],
            **values,
        )
        for n in range(count)
    ]


def history(contact: Contact, count: int) -> None:
    """Touchpoints, inquiries and tasks: everything the timeline interleaves."""
    for n in range(count):
        TouchpointFactory(contact=contact, summary=f"Call {n}")
        LeadInquiry.objects.create(
            org=contact.org, contact=contact, channel="web", received_at=timezone.now()
        )
        task_create(actor=contact.owner, title=f"Follow up {n}", contact_id=contact.pk)


# Pages


@pytest.mark.query_guard("contacts:timeline")
def test_the_timeline_page(brokerage):
    [contact] = people(brokerage.ben, 1)
    client = client_for(brokerage.ben)
    history(contact, 1)
    url = f"/contacts/{contact.pk}/timeline/"
    assert_queries_flat(lambda: client.get(url), lambda: history(contact, 4))


@pytest.mark.query_guard("contacts:smart_list")
def test_a_smart_list_page(brokerage):
    row = smart_list_create(actor=brokerage.ben, name="Zillow", filters={"source": "Zillow"})
    client = client_for(brokerage.ben)
    people(brokerage.ben, 1, source="Zillow")
    assert_queries_flat(
        lambda: client.get(f"/contacts/lists/{row.pk}/"),
        lambda: people(brokerage.ben, 6, source="Zillow"),
    )


@pytest.mark.query_guard("contacts:import")
def test_the_import_page_lists_recent_jobs(brokerage):
    client = client_for(brokerage.ben)
    uploaded(brokerage.ben)

    def more_jobs() -> None:
        for _ in range(4):
            uploaded(brokerage.ben, "kvcore_leads.csv")

    assert_queries_flat(lambda: client.get("/contacts/import/"), more_jobs)


@pytest.mark.query_guard("contacts:export_csv", "GET /api/v1/contacts/export.csv")
@pytest.mark.parametrize("url", ["/contacts/export.csv", "/api/v1/contacts/export.csv"])
def test_the_csv_export(brokerage, url):
    who = client_for_url(brokerage.ben, url)
    people(brokerage.ben, 2)
    assert_queries_flat(lambda: who.get(url), lambda: people(brokerage.ben, 10))


@pytest.mark.query_guard("contacts:export_vcf", "GET /api/v1/contacts/export.vcf")
@pytest.mark.parametrize("url", ["/contacts/export.vcf", "/api/v1/contacts/export.vcf"])
def test_the_vcard_export(brokerage, url):
    who = client_for_url(brokerage.ben, url)
    people(brokerage.ben, 2)
    assert_queries_flat(lambda: who.get(url), lambda: people(brokerage.ben, 10))


# Endpoints


@pytest.mark.query_guard("GET /api/v1/routing-rules")
def test_the_routing_rules(brokerage):
    api = ApiClient(brokerage.broker)
    make_rule(brokerage.org, "First", assignee=brokerage.ben, sources=["Zillow"])

    def more_rules() -> None:
        for n, member in enumerate([brokerage.maria, brokerage.buyer, brokerage.lead]):
            make_rule(brokerage.org, f"Rule {n}", assignee=member, team=brokerage.summit)

    assert_queries_flat(lambda: api.get("/api/v1/routing-rules"), more_rules)


@pytest.mark.query_guard("GET /api/v1/contacts/{contact_id}/touchpoints")
def test_a_contacts_touchpoints(brokerage):
    [contact] = people(brokerage.ben, 1)
    api = ApiClient(brokerage.ben)
    TouchpointFactory(contact=contact)

    def more() -> None:
        for _ in range(6):
            TouchpointFactory(contact=contact, logged_by=brokerage.maria)

    assert_queries_flat(lambda: api.get(f"/api/v1/contacts/{contact.pk}/touchpoints"), more)


@pytest.mark.query_guard("GET /api/v1/contacts/{contact_id}/timeline")
def test_a_contacts_timeline(brokerage):
    [contact] = people(brokerage.ben, 1)
    api = ApiClient(brokerage.ben)
    history(contact, 1)
    url = f"/api/v1/contacts/{contact.pk}/timeline"
    assert_queries_flat(lambda: api.get(url), lambda: history(contact, 4))


@pytest.mark.query_guard("GET /api/v1/contacts/{contact_id}/relationships")
def test_a_contacts_relationships(brokerage):
    contact, *others = people(brokerage.ben, 6)
    api = ApiClient(brokerage.ben)
    relationship_add(
        actor=brokerage.ben, contact_id=contact.pk, related_id=others[0].pk, kind="spouse"
    )

    def more() -> None:
        for other in others[1:]:
            relationship_add(
                actor=brokerage.ben, contact_id=contact.pk, related_id=other.pk, kind="family"
            )

    assert_queries_flat(lambda: api.get(f"/api/v1/contacts/{contact.pk}/relationships"), more)


@pytest.mark.query_guard("GET /api/v1/contacts/{contact_id}/collaborators")
def test_a_contacts_collaborators(brokerage):
    [contact] = people(brokerage.ben, 1)
    api = ApiClient(brokerage.ben)
    collaborator_add(actor=brokerage.ben, contact_id=contact.pk, membership_id=brokerage.maria.pk)

    def more() -> None:
        for _ in range(4):
            member = MembershipFactory(org=brokerage.org, office=brokerage.denver)
            collaborator_add(actor=brokerage.ben, contact_id=contact.pk, membership_id=member.pk)

    assert_queries_flat(lambda: api.get(f"/api/v1/contacts/{contact.pk}/collaborators"), more)


@pytest.mark.query_guard("GET /api/v1/tasks")
def test_the_task_list(brokerage):
    api = ApiClient(brokerage.ben)
    contacts = people(brokerage.ben, 6)

    def tasks(about: list[Contact]) -> None:
        for contact in about:
            task_create(actor=brokerage.ben, title="Call back", contact_id=contact.pk)

    tasks(contacts[:1])
    assert_queries_flat(lambda: api.get("/api/v1/tasks"), lambda: tasks(contacts[1:]))


@pytest.mark.query_guard("GET /api/v1/smart-lists")
def test_the_smart_lists(brokerage):
    api = ApiClient(brokerage.ben)
    smart_list_create(actor=brokerage.ben, name="Leads", filters={"stage": "lead"})

    def more() -> None:
        for n in range(4):
            smart_list_create(
                actor=brokerage.maria, name=f"Shared {n}", filters={"q": f"x{n}"}, is_shared=True
            )

    # Without counts: with them each list costs its own capped COUNT (a filter of its own),
    # as on the lists page, whose guard holds the count steady as contacts grow.
    assert_queries_flat(lambda: api.get("/api/v1/smart-lists"), more)


@pytest.mark.query_guard("GET /api/v1/smart-lists/{smart_list_id}/contacts")
def test_a_smart_lists_contacts(brokerage):
    row = smart_list_create(actor=brokerage.ben, name="Zillow", filters={"source": "Zillow"})
    api = ApiClient(brokerage.ben)
    people(brokerage.ben, 1, source="Zillow")
    assert_queries_flat(
        lambda: api.get(f"/api/v1/smart-lists/{row.pk}/contacts"),
        lambda: people(brokerage.ben, 6, source="Zillow"),
    )


@pytest.mark.query_guard("GET /api/v1/custom-fields")
def test_the_custom_fields(brokerage):
    api = ApiClient(brokerage.ben)
    custom_field_create(actor=brokerage.broker, label="Pets")

    def more() -> None:
        custom_field_create(actor=brokerage.broker, label="Budget", field_type="number")
        custom_field_create(
            actor=brokerage.broker, label="Style", field_type="choice", choices=["A"]
        )

    assert_queries_flat(lambda: api.get("/api/v1/custom-fields"), more)
