"""The contacts' search: names in either order, e-mail and phone fragments, streets; the term
table follows every write (services, bulk inserts, merges, raw SQL); nobody finds a contact
they may not see; the contacts list searches through the same index."""

from __future__ import annotations

import pytest
from django.db import connection

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    ContactEmail,
    ContactPhone,
    ContactSearchTerm,
)
from rallypoynt.contacts.selectors import contact_list, contact_search
from rallypoynt.contacts.services.dedupe import contact_merge
from rallypoynt.contacts.services.people import contact_delete, contact_update
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.search import search_digits, search_name_terms, search_phrases
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


def person(member, **values) -> Contact:
    values.setdefault("emails", [])
    return ContactFactory(org=member.org, owner=member, **values)


def found(member, text: str, limit: int = 8) -> list[int]:
    return [c.pk for c in contact_search(actor=member, text=text, limit=limit)]


def terms(contact: Contact) -> set[tuple[str, str]]:
    rows = ContactSearchTerm.objects.filter(contact_id=contact.pk)
    return set(rows.values_list("source", "term"))


def expected(contact: Contact) -> set[tuple[str, str]]:
    """What the triggers must hold for the contact as it is now."""
    contact.refresh_from_db()
    want = {("c", t) for t in search_name_terms(contact.first_name, contact.last_name)}
    want |= {("c", t) for t in search_phrases(contact.street)}
    for address in ContactEmail.objects.filter(contact=contact).values_list("address", flat=True):
        want |= {("e", t) for t in search_phrases(address)}
    for number in ContactPhone.objects.filter(contact=contact).values_list("number", flat=True):
        want |= {("p", t) for t in search_digits(number)}
    return want


def test_a_name_is_found_in_either_order_and_by_the_start_of_any_word(firm):
    john = person(firm.ben, first_name="John", last_name="Smith")
    person(firm.ben, first_name="Johanna", last_name="Jones")
    for typed in ("smith john", "john smith", "Smith, John", "smi", "JOHN S", "jo smi"):
        assert found(firm.ben, typed) == [john.pk], typed
    assert found(firm.ben, "mith") == []  # inside a word: not a word start


def test_accents_case_and_apostrophes_do_not_matter(firm):
    jose = person(firm.ben, first_name="José", last_name="O\u2019Brien-García")
    typed_forms = ("jose", "JOSÉ obrien", "obrien", "o'brien garcia", "garcia jose", "jo gar")
    for typed in typed_forms:
        assert found(firm.ben, typed) == [jose.pk], typed


def test_an_email_is_found_by_any_part_and_a_phone_in_any_format(firm):
    ann = person(
        firm.ben,
        first_name="Ann",
        last_name="Lee",
        emails=["jsmith@gmail.com"],
        phones=["+13035559007"],
    )
    person(firm.ben, first_name="Bo", emails=["bo@example.com"], phones=["+17205550100"])
    for typed in ("gmail", "jsmith", "jsmith@gm", "jsmith@gmail.com", "GMAIL.COM"):
        assert found(firm.ben, typed) == [ann.pk], typed
    for typed in ("(303) 555-9007", "3035559007", "555 9007", "+1 303 555 9007", "9007"):
        assert found(firm.ben, typed) == [ann.pk], typed


def test_a_street_is_found_by_number_and_name(firm):
    elm = person(firm.ben, first_name="Cy", street="12 Elm St")
    person(firm.ben, first_name="Di", street="120 Oak Ave")
    assert found(firm.ben, "12 elm") == [elm.pk]
    assert found(firm.ben, "elm st") == [elm.pk]


def test_an_exact_word_comes_before_a_longer_one_and_the_limit_holds(firm):
    smithers = person(firm.ben, first_name="Al", last_name="Smithers")
    smith = person(firm.ben, first_name="Al", last_name="Smith")
    assert found(firm.ben, "smith") == [smith.pk, smithers.pk]
    for n in range(5):
        person(firm.ben, first_name=f"Sam{n}", last_name="Smith")
    assert len(found(firm.ben, "smith", limit=3)) == 3


def test_the_terms_follow_every_change_to_names_emails_phones_and_the_owner(firm):
    c = person(firm.ben, first_name="Ann", last_name="Lee", street="1 Main St")
    email = ContactEmail.objects.create(org=firm.org, contact=c, address="ann@home.com")
    phone = ContactPhone.objects.create(org=firm.org, contact=c, number="+13035550100")
    assert terms(c) == expected(c)
    contact_update(actor=firm.ben, contact_id=c.pk, changes={"last_name": "Park"})
    assert terms(c) == expected(c) and found(firm.ben, "lee") == []
    assert found(firm.ben, "park ann") == [c.pk]
    ContactEmail.objects.filter(pk=email.pk).update(address="ann@park.org")
    phone.number = "+17205550199"
    phone.save()
    assert terms(c) == expected(c) and found(firm.ben, "park org") == [c.pk]
    # A move of owner (set-based, as a bulk reassignment runs) follows to every term.
    Contact.objects.filter(pk=c.pk).update(owner=firm.maria)
    owners = set(
        ContactSearchTerm.objects.filter(contact_id=c.pk).values_list("owner_id", flat=True)
    )
    assert owners == {firm.maria.pk}
    assert found(firm.ben, "park") == [] and found(firm.maria, "park") == [c.pk]
    ContactEmail.objects.filter(pk=email.pk).delete()
    assert terms(c) == expected(c)
    contact_delete(actor=firm.maria, contact_id=c.pk)
    assert not ContactSearchTerm.objects.filter(contact_id=c.pk).exists()


def test_raw_and_bulk_inserts_are_indexed_too(firm):
    contacts = Contact.objects.bulk_create(
        [
            Contact(org=firm.org, owner=firm.ben, first_name=f"Bulk{n}", last_name="Load")
            for n in range(3)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_contactemail (org_id, contact_id, address, kind, is_primary, "
            "created_at, updated_at) VALUES (%s, %s, %s, 'personal', %s, %s, %s)",
            [firm.org.pk, contacts[0].pk, "raw@insert.io", True, "2026-01-01", "2026-01-01"],
        )
    assert sorted(found(firm.ben, "load")) == sorted(c.pk for c in contacts)
    assert found(firm.ben, "raw insert") == [contacts[0].pk]


def test_a_merge_moves_the_merged_contacts_emails_and_phones_to_the_kept_one(firm):
    keep = person(firm.ben, first_name="Anna", last_name="Bell", emails=["a@bell.com"])
    gone = person(firm.ben, first_name="Ann", last_name="Belle", emails=["ann@belle.net"])
    ContactPhone.objects.create(org=firm.org, contact=gone, number="+13035550123")
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=gone.pk)
    assert terms(keep) == expected(keep)
    assert not ContactSearchTerm.objects.filter(contact_id=gone.pk).exists()
    assert found(firm.ben, "belle net") == [keep.pk]
    assert found(firm.ben, "5550123") == [keep.pk]


def test_nobody_finds_a_contact_they_may_not_see(firm):
    mine = person(firm.maria, first_name="Quentin", last_name="Zed", emails=["qz@zed.io"])
    assert found(firm.maria, "quentin") == [mine.pk]
    assert found(firm.ben, "quentin") == []  # another agent's
    assert found(firm.broker, "quentin") == [mine.pk]  # the whole org
    assert found(firm.chris, "qz") == [mine.pk]  # maria's team lead
    other = build_brokerage("Elsewhere")
    assert found(other.broker, "quentin") == []  # another org's broker
    # A collaborator sees the contact shared with them, not the owner's other contacts.
    ContactCollaborator.objects.create(org=firm.org, contact=mine, membership=firm.ben)
    person(firm.maria, first_name="Quentina", last_name="Other")
    assert found(firm.ben, "quent") == [mine.pk]


def test_the_contacts_list_searches_the_same_index_within_the_readers_scope(firm):
    ann = person(firm.ben, first_name="Ann", emails=["ann@gmail.com"], phones=["+13035559007"])
    person(firm.maria, first_name="Ann", emails=["ann2@gmail.com"])
    other = build_brokerage("Elsewhere")
    person(other.ben, first_name="Ann", emails=["ann@gmail.com"])

    def listed(member, q):
        return [c.pk for c in contact_list(actor=member, filters=ContactFilters(q=q))]

    assert listed(firm.ben, "gmail") == [ann.pk]
    assert listed(firm.ben, "555-9007") == [ann.pk]
    assert len(listed(firm.broker, "ann")) == 2
    assert listed(firm.ben, "!!!") == []


def test_a_scoped_list_search_reads_only_the_readers_owners_terms(firm):
    """The e-mail lookup names the org and the reader's owners: the plan reads the term
    index by (org, owner, term), never another org's rows or the org's other owners'."""
    person(firm.ben, first_name="Ann", emails=["ann@gmail.com"])
    qs = contact_list(actor=firm.ben, filters=ContactFilters(q="gmail"))
    sql = str(qs.query)
    assert '"contacts_contactsearchterm"' in sql and '"contacts_contactemail"' not in sql
    assert '"owner_id" IN' in sql.split('"contacts_contactsearchterm"', 1)[1]
