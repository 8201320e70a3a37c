"""Batched records: audit entries and events wait for the block's clean exit, one INSERT each."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rallypoynt.core.audit import audit_record
from rallypoynt.core.events import event_emit
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.records import records_batched
from rallypoynt.orgs.tests.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def member():
    return MembershipFactory()


@pytest.fixture
def office(member):
    return OfficeFactory(org=member.org, name="Golden")


def record(member, office, n: int):
    """One audit entry and one event, both numbered `n`."""
    entry = audit_record(
        org_id=member.org_id,
        actor_id=member.user_id,
        action=f"office.touch{n}",
        target=office,
        changes={"n": n},
    )
    event = event_emit(
        org_id=member.org_id, kind=f"office.touched{n}", subject=office, payload={"n": n}
    )
    return entry, event


def counts() -> tuple[int, int]:
    return AuditEntry.objects.count(), Event.objects.count()


def inserts(ctx, table: str) -> int:
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT") and table in q["sql"]
    )


def test_inside_a_block_nothing_is_written_until_it_ends(member, office):
    before = counts()
    with records_batched():
        entry, event = record(member, office, 1)
        assert counts() == before
        assert entry.pk is None and event.pk is None
    assert counts() == (before[0] + 1, before[1] + 1)


def test_the_rows_written_at_exit_have_their_pks_and_stored_values(member, office):
    with records_batched():
        entry, event = record(member, office, 7)
    assert entry.pk is not None and event.pk is not None
    assert not entry._state.adding and not event._state.adding
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.object_type, stored.object_id) == (
        "office.touch7",
        "orgs.office",
        office.pk,
    )
    assert (stored.actor_id, stored.changes, stored.object_repr) == (
        member.user_id,
        {"n": 7},
        "Golden",
    )
    stored_event = Event.objects.get(pk=event.pk)
    assert (stored_event.kind, stored_event.subject_id, stored_event.payload) == (
        "office.touched7",
        office.pk,
        {"n": 7},
    )


def test_several_records_take_one_insert_per_table(member, office):
    with CaptureQueriesContext(connection) as ctx, records_batched():
        written = [record(member, office, n) for n in range(5)]
    assert inserts(ctx, AuditEntry._meta.db_table) == 1
    assert inserts(ctx, Event._meta.db_table) == 1
    assert len(ctx.captured_queries) == 2
    assert AuditEntry.objects.filter(pk__in=[e.pk for e, _ in written]).count() == 5
    assert Event.objects.filter(pk__in=[ev.pk for _, ev in written]).count() == 5


def test_batched_rows_keep_the_order_they_were_recorded_in(member, office):
    with records_batched():
        written = [record(member, office, n) for n in range(4)]
    entries = [e.pk for e, _ in written]
    events = [ev.pk for _, ev in written]
    assert entries == sorted(entries) and events == sorted(events)
    stored = AuditEntry.objects.filter(pk__in=entries).order_by("pk")
    assert [row.changes["n"] for row in stored] == [0, 1, 2, 3]


def test_outside_a_block_each_record_is_written_at_once_with_its_own_insert(member, office):
    before = counts()
    with CaptureQueriesContext(connection) as ctx:
        entry, event = record(member, office, 1)
        assert counts() == (before[0] + 1, before[1] + 1)
        record(member, office, 2)
    assert entry.pk is not None and event.pk is not None
    assert inserts(ctx, AuditEntry._meta.db_table) == 2
    assert inserts(ctx, Event._meta.db_table) == 2


def test_a_block_with_no_records_writes_nothing(member):
    with CaptureQueriesContext(connection) as ctx, records_batched():
        pass
    assert ctx.captured_queries == []


def test_an_exception_inside_the_block_writes_nothing(member, office):
    before = counts()
    with pytest.raises(Boom), transaction.atomic(), records_batched():
        record(member, office, 1)
        record(member, office, 2)
        raise Boom
    assert counts() == before


def test_after_a_failed_block_the_next_record_is_written_at_once(member, office):
    with pytest.raises(Boom), records_batched():
        record(member, office, 1)
        raise Boom
    before = counts()
    entry, _ = record(member, office, 2)
    assert entry.pk is not None
    assert counts() == (before[0] + 1, before[1] + 1)


def test_a_nested_block_joins_the_outer_one(member, office):
    before = counts()
    with CaptureQueriesContext(connection) as ctx, records_batched():
        record(member, office, 1)
        with records_batched():
            inner, _ = record(member, office, 2)
        assert inner.pk is None
        assert counts() == before
        record(member, office, 3)
    assert inner.pk is not None
    assert counts() == (before[0] + 3, before[1] + 3)
    assert inserts(ctx, AuditEntry._meta.db_table) == 1
    assert inserts(ctx, Event._meta.db_table) == 1


def test_an_exception_in_the_outer_block_drops_the_nested_blocks_rows_too(member, office):
    before = counts()
    with pytest.raises(Boom), transaction.atomic(), records_batched():
        with records_batched():
            record(member, office, 1)
        raise Boom
    assert counts() == before


def test_a_failure_after_the_block_rolls_its_rows_back_with_the_transaction(member, office):
    before = counts()
    with pytest.raises(Boom), transaction.atomic():
        with records_batched():
            record(member, office, 1)
        assert counts() == (before[0] + 1, before[1] + 1)
        raise Boom
    assert counts() == before


def test_a_nested_block_that_fails_in_its_savepoint_drops_only_its_own_rows(member, office):
    before = counts()
    with transaction.atomic(), records_batched():
        record(member, office, 1)
        try:
            with transaction.atomic(), records_batched():
                record(member, office, 2)
                raise Boom
        except Boom:
            pass
        record(member, office, 3)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"office.touch1", "office.touch3"} <= actions
    assert "office.touch2" not in actions
    assert counts() == (before[0] + 2, before[1] + 2)
