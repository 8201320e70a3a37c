"""An integer beyond its column is refused on both databases, never stored wrapped."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from rallypoynt.contacts.models import SmartList
from rallypoynt.orgs.tests.factories import MembershipFactory, OrganizationFactory


@pytest.mark.django_db
@pytest.mark.parametrize("value", [2**32 + 5, -(2**31) - 1, 2**31])
def test_an_integer_beyond_a_32_bit_column_is_refused(value):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite integers are 64-bit: nothing wraps there")
    member = MembershipFactory(org=OrganizationFactory())
    row = SmartList.objects.create(org=member.org, owner=member, name="Hot buyers")
    with pytest.raises((DataError, IntegrityError)), transaction.atomic():
        SmartList.objects.filter(pk=row.pk).update(position=value)
    row.refresh_from_db()
    assert row.position == 0


@pytest.mark.django_db
def test_the_edges_of_the_range_are_stored_as_written():
    member = MembershipFactory(org=OrganizationFactory())
    row = SmartList.objects.create(org=member.org, owner=member, name="Hot buyers")
    SmartList.objects.filter(pk=row.pk).update(position=2**31 - 1)
    row.refresh_from_db()
    assert row.position == 2**31 - 1
