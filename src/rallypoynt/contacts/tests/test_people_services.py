import pytest

from rallypoynt.contacts.models import Contact, ContactEmail
from rallypoynt.contacts.selectors import contact_get, contact_list, contacts_matching
from rallypoynt.contacts.services.people import (
    ContactData,
    EmailEntry,
    PhoneEntry,
    contact_channels_add,
    contact_create,
    contact_update,
)
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_contact_create_normalises_emails_and_phones_to_e164():
    agent = MembershipFactory()
    contact = contact_create(
        actor=agent,
        org_id=agent.org_id,
        owner_id=agent.pk,
        data=ContactData(
            first_name=" Ana ",
            last_name="Ruiz",
            emails=["Ana.Ruiz@Example.com", "ana.ruiz@example.com"],
            phones=["(303) 555-0142"],
            tags=["Buyer", "buyer "],
        ),
    )
    assert contact.first_name == "Ana"
    assert list(contact.emails.values_list("address", "is_primary")) == [
        ("ana.ruiz@example.com", True)
    ]
    assert list(contact.phones.values_list("number", flat=True)) == ["+13035550142"]
    assert [link.tag.name for link in contact.tag_links.all()] == ["Buyer"]


def test_contact_create_reports_every_bad_field_and_writes_nothing():
    agent = MembershipFactory()
    with pytest.raises(ValidationFailed) as caught:
        contact_create(
            actor=agent,
            org_id=agent.org_id,
            data=ContactData(first_name="X", emails=["not-an-email"], phones=["12"], stage="bogus"),
        )
    assert {"emails", "phones", "stage"} <= set(caught.value.fields)
    assert not Contact.objects.exists() and not ContactEmail.objects.exists()


def test_agents_see_their_own_contacts_only_and_never_another_orgs():
    mine, colleague = MembershipFactory(), None
    colleague = MembershipFactory(org=mine.org)
    broker = MembershipFactory(org=mine.org, roles=[Role.BROKER_OWNER])
    stranger = MembershipFactory(roles=[Role.BROKER_OWNER])
    own = contact_create(
        actor=mine, org_id=mine.org_id, owner_id=mine.pk, data=ContactData(first_name="Own")
    )
    theirs = contact_create(
        actor=colleague,
        org_id=mine.org_id,
        owner_id=colleague.pk,
        data=ContactData(first_name="Theirs"),
    )
    assert list(contact_list(actor=mine)) == [own]
    assert set(contact_list(actor=broker)) == {own, theirs}
    assert list(contact_list(actor=stranger)) == []
    assert contact_get(actor=stranger, contact_id=own.pk) is None
    with pytest.raises(NotFound):
        contact_update(actor=mine, contact_id=theirs.pk, changes={"first_name": "Hacked"})


def test_contacts_matching_finds_by_any_address_or_number_in_the_org_only():
    agent = MembershipFactory()
    other = MembershipFactory()
    a = contact_create(
        actor=agent,
        org_id=agent.org_id,
        owner_id=agent.pk,
        data=ContactData(first_name="A", emails=["a@example.com"]),
    )
    contact_create(
        actor=other,
        org_id=other.org_id,
        owner_id=other.pk,
        data=ContactData(first_name="A2", emails=["a@example.com"]),
    )
    b = contact_create(
        actor=agent,
        org_id=agent.org_id,
        owner_id=agent.pk,
        data=ContactData(first_name="B", phones=["+13035550100"]),
    )
    found = contacts_matching(
        org_id=agent.org_id, emails=["a@example.com"], phones=["+13035550100"]
    )
    assert list(found) == [a, b]


def test_contact_update_changes_fields_and_replaces_emails():
    agent = MembershipFactory()
    contact = contact_create(
        actor=agent,
        org_id=agent.org_id,
        owner_id=agent.pk,
        data=ContactData(first_name="Ana", emails=["old@example.com"]),
    )
    contact_update(
        actor=agent,
        contact_id=contact.pk,
        changes={"stage": "client", "emails": ["new@example.com"]},
    )
    contact.refresh_from_db()
    assert contact.stage == "client"
    assert list(contact.emails.values_list("address", "is_primary")) == [("new@example.com", True)]


# Kinds of e-mails and phones ---------------------------------------------------------------


def kinds(rows, field: str) -> dict[str, str]:
    return dict(rows.values_list(field, "kind"))


def make_contact(agent, **values):
    return contact_create(
        actor=agent,
        org_id=agent.org_id,
        owner_id=agent.pk,
        data=ContactData(first_name="Ana", **values),
    )


def test_plain_strings_get_personal_and_mobile_and_entries_their_own_kind():
    agent = MembershipFactory()
    contact = make_contact(
        agent,
        emails=["ana@example.com", EmailEntry("Ana@Ruiz-Builders.example.com", "work")],
        phones=[PhoneEntry("(303) 555-0100", "Home"), "303 555 0101"],
    )
    assert kinds(contact.emails, "address") == {
        "ana@example.com": "personal",
        "ana@ruiz-builders.example.com": "work",
    }
    assert kinds(contact.phones, "number") == {"+13035550100": "home", "+13035550101": "mobile"}
    assert contact.phones.get(is_primary=True).number == "+13035550100"


def test_a_bad_kind_is_refused_naming_the_entry_and_nothing_is_written():
    agent = MembershipFactory()
    with pytest.raises(ValidationFailed) as caught:
        make_contact(
            agent,
            emails=[EmailEntry("a@example.com", "business")],
            phones=["303 555 0100", PhoneEntry("303 555 0101", "fax")],
        )
    assert caught.value.fields["phones.1.kind"] == ["one of mobile, home, work, other"]
    assert caught.value.fields["emails.0.kind"] == ["one of personal, work, other"]
    assert not Contact.objects.exists()


def test_update_replaces_kinds_with_the_list_and_a_plain_string_keeps_a_known_kind():
    agent = MembershipFactory()
    contact = make_contact(
        agent,
        emails=[EmailEntry("ana@example.com", "work"), "old@example.com"],
        phones=["303 555 0100", PhoneEntry("303 555 0101", "home")],
    )
    contact_update(
        actor=agent,
        contact_id=contact.pk,
        changes={
            "emails": ["ana@example.com", EmailEntry("new@example.com", "other")],
            "phones": [PhoneEntry("+13035550100", "work"), "303 555 0102"],
        },
    )
    assert kinds(contact.emails, "address") == {
        "ana@example.com": "work",
        "new@example.com": "other",
    }
    assert kinds(contact.phones, "number") == {"+13035550100": "work", "+13035550102": "mobile"}
    assert contact.phones.get(is_primary=True).number == "+13035550100"
    entry = AuditEntry.objects.get(action="contact.update")
    assert entry.changes["phones"] == ["…", ["+13035550100 (work)", "+13035550102"]]


def test_update_with_a_bad_kind_changes_nothing():
    agent = MembershipFactory()
    contact = make_contact(agent, phones=["303 555 0100"])
    with pytest.raises(ValidationFailed) as caught:
        contact_update(
            actor=agent,
            contact_id=contact.pk,
            changes={"first_name": "B", "phones": [PhoneEntry("303 555 0100", "pager")]},
        )
    assert set(caught.value.fields) == {"phones.0.kind"}
    contact.refresh_from_db()
    assert contact.first_name == "Ana"
    assert kinds(contact.phones, "number") == {"+13035550100": "mobile"}


def test_channels_add_sets_a_given_kind_on_a_known_number_and_leaves_plain_ones_alone():
    agent = MembershipFactory()
    contact = make_contact(
        agent, emails=[EmailEntry("ana@example.com", "work")], phones=["+13035550100"]
    )
    contact_channels_add(
        contact=contact,
        emails=["ana@example.com", "second@example.com"],
        phones=[PhoneEntry("+13035550100", "home"), PhoneEntry("+13035550101", "work")],
    )
    assert kinds(contact.emails, "address") == {
        "ana@example.com": "work",
        "second@example.com": "personal",
    }
    assert kinds(contact.phones, "number") == {"+13035550100": "home", "+13035550101": "work"}
    assert contact.phones.filter(is_primary=True).count() == 1
    with pytest.raises(ValidationFailed) as caught:
        contact_channels_add(
            contact=contact, emails=[], phones=[PhoneEntry("+13035550100", "landline")]
        )
    assert list(caught.value.fields) == ["phones.0.kind"]
