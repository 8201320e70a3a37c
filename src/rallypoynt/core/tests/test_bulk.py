"""Set-based inserts: reserved ids are unused, inserted rows work through the ORM afterwards."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.core.bulk import insert_rows, reserve_ids
from rallypoynt.orgs.models import Office
from rallypoynt.orgs.tests.factories import MembershipFactory, OfficeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
SQLITE = connection.vendor == "sqlite"
OFFICE_FIELDS = ("id", "org", "name", "address", "phone", "created_at", "updated_at")


def office_rows(org, ids, prefix="Bulk"):
    now = timezone.now()
    return [(pk, org.pk, f"{prefix} {pk}", "", "", now, now) for pk in ids]


def test_reserve_nothing_returns_no_ids():
    assert reserve_ids(Office, 0) == []
    assert reserve_ids(Office, -3) == []


def test_reserved_ids_are_distinct_and_unused():
    existing = {o.pk for o in OfficeFactory.create_batch(3)}
    with transaction.atomic():
        ids = reserve_ids(Office, 5)
    assert len(ids) == len(set(ids)) == 5
    assert not existing & set(ids)
    assert min(ids) > max(existing)


def test_reserved_ids_are_consecutive_on_sqlite_and_increasing_on_postgresql():
    with transaction.atomic():
        ids = reserve_ids(Office, 4)
    assert ids == sorted(ids)
    if SQLITE:
        assert ids == list(range(ids[0], ids[0] + 4))


def test_inserted_rows_are_read_back_by_the_orm():
    org = OrganizationFactory()
    with transaction.atomic():
        ids = reserve_ids(Office, 3)
        assert insert_rows(Office, OFFICE_FIELDS, office_rows(org, ids)) == 3
    offices = Office.objects.filter(org=org).order_by("pk")
    assert [o.pk for o in offices] == ids
    assert [o.name for o in offices] == [f"Bulk {pk}" for pk in ids]


def test_orm_insert_after_a_bulk_insert_gets_a_fresh_id():
    org = OrganizationFactory()
    with transaction.atomic():
        ids = reserve_ids(Office, 3)
        insert_rows(Office, OFFICE_FIELDS, office_rows(org, ids))
    after = Office.objects.create(org=org, name="Made by the ORM")
    assert after.pk not in ids
    assert Office.objects.filter(org=org).count() == 4


def test_insert_rows_splits_into_batches_and_counts_every_row():
    org = OrganizationFactory()
    with transaction.atomic():
        ids = reserve_ids(Office, 7)
        assert insert_rows(Office, OFFICE_FIELDS, iter(office_rows(org, ids)), batch=3) == 7
    assert Office.objects.filter(org=org).count() == 7


def test_insert_rows_without_ids_lets_the_database_number_them():
    org = OrganizationFactory()
    now = timezone.now()
    rows = [(org.pk, f"Auto {i}", "", "", now, now) for i in range(3)]
    assert insert_rows(Office, OFFICE_FIELDS[1:], rows) == 3
    assert Office.objects.filter(org=org, name__startswith="Auto").count() == 3
    Office.objects.create(org=org, name="Then the ORM")


def test_insert_rows_maps_foreign_keys_and_dates_for_contacts():
    owner = MembershipFactory()
    now = timezone.now()
    # Raw inserts skip Django defaults, so every NOT NULL column is given.
    fields = [f.name for f in Contact._meta.concrete_fields]
    values = {f.name: f.get_default() for f in Contact._meta.concrete_fields} | {
        "org": owner.org_id,
        "owner": owner.pk,
        "first_name": "Ada",
        "birthday_on": date(1990, 5, 17),
        "created_at": now,
        "updated_at": now,
    }
    with transaction.atomic():
        (pk,) = reserve_ids(Contact, 1)
        insert_rows(Contact, fields, [tuple({**values, "id": pk}[f] for f in fields)])
    contact = Contact.objects.select_related("owner").get(pk=pk)
    assert (contact.owner, contact.birthday_on) == (owner, date(1990, 5, 17))
    assert owner.owned_contacts.get() == contact


def test_insert_rows_with_nothing_inserts_nothing():
    assert insert_rows(Office, OFFICE_FIELDS, []) == 0


def test_two_reservations_in_one_transaction_do_not_overlap():
    with transaction.atomic():
        first = reserve_ids(Office, 3)
        second = reserve_ids(Office, 3)
    assert not set(first) & set(second)


def test_reserved_ids_never_reuse_a_deleted_rows_id():
    office = OfficeFactory()
    deleted_pk = office.pk
    office.delete()
    with transaction.atomic():
        ids = reserve_ids(Office, 2)
    assert deleted_pk not in ids


@pytest.mark.django_db(transaction=True)
def test_reservations_in_separate_transactions_do_not_overlap():
    org = OrganizationFactory()
    with transaction.atomic():
        first = reserve_ids(Office, 3)
        insert_rows(Office, OFFICE_FIELDS, office_rows(org, first, "A"))
    with transaction.atomic():
        second = reserve_ids(Office, 3)
        insert_rows(Office, OFFICE_FIELDS, office_rows(org, second, "B"))
    assert min(second) > max(first)
    assert Office.objects.filter(org=org).count() == 6
    assert Office.objects.create(org=org, name="After").pk > max(second)
