"""Domain events and the audit log: what a row records, and that history is never rewritten."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.events import event_emit, subject_label
from rallypoynt.core.models import AppendOnlyError, AuditEntry, Event
from rallypoynt.core.tests.factories import audit_entry_for, event_for
from rallypoynt.orgs.models import Closure
from rallypoynt.orgs.tests.factories import MembershipFactory, OfficeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MembershipFactory()


@pytest.fixture
def event(member) -> Event:
    return event_for(member, payload={"why": "test"})


@pytest.fixture
def entry(member) -> AuditEntry:
    golden = OfficeFactory(org=member.org, name="Golden")
    return audit_entry_for(member, target=golden, changes={"name": [None, "Golden"]})


def test_event_emit_names_the_subject_by_label_and_id(member):
    office = OfficeFactory(org=member.org)
    event = event_emit(
        org_id=member.org_id, kind="office.created", subject=office, actor_id=member.user_id
    )
    stored = Event.objects.get(pk=event.pk)
    assert (stored.org_id, stored.kind) == (member.org_id, "office.created")
    assert (stored.subject_type, stored.subject_id) == ("orgs.office", office.pk)
    assert (stored.actor_id, stored.payload) == (member.user_id, {})
    assert abs(stored.occurred_at - timezone.now()).total_seconds() < 60


def test_event_without_subject_or_payload_stores_blanks(member):
    stored = event_emit(org_id=member.org_id, kind="ping")
    stored.refresh_from_db()
    assert (stored.subject_type, stored.subject_id, stored.payload) == ("", None, {})
    assert subject_label(None) == ("", None)


def test_audit_record_stores_actor_target_and_changes(member, entry):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.org_id, stored.actor_id, stored.action) == (
        member.org_id,
        member.user_id,
        "office.create",
    )
    assert (stored.object_type, stored.object_repr) == ("orgs.office", "Golden")
    assert stored.changes == {"name": [None, "Golden"]}


def test_audit_record_truncates_a_long_object_repr(member):
    office = OfficeFactory(org=member.org, name="x" * 200)
    office.name = "y" * 250  # str(target) longer than the column
    stored = audit_record(org_id=member.org_id, actor_id=None, action="a", target=office)
    assert len(stored.object_repr) == 200


def test_model_changes_lists_only_changed_fields_as_plain_values(member):
    closure = Closure(org=member.org, closed_on=date(2026, 1, 2), name="Old")
    before = {"closed_on": closure.closed_on, "name": "Old"}
    closure.closed_on = date(2026, 1, 3)
    assert model_changes(closure, ["closed_on", "name"], before) == {
        "closed_on": ["2026-01-02", "2026-01-03"]
    }


@pytest.mark.parametrize("fixture", ["event", "entry"])
def test_saving_an_existing_row_again_raises(request, fixture):
    row = request.getfixturevalue(fixture)
    with pytest.raises(AppendOnlyError):
        row.save()
    reloaded = type(row).objects.get(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        reloaded.save()


@pytest.mark.parametrize("fixture", ["event", "entry"])
def test_deleting_a_row_raises_and_keeps_it(request, fixture):
    row = request.getfixturevalue(fixture)
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_changed_field_is_not_written_when_save_is_refused(event):
    event.kind = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(pk=event.pk).kind == "office.created"


def test_a_new_instance_reusing_an_existing_id_cannot_overwrite_history(member, event):
    forged = Event(
        pk=event.pk,
        org_id=member.org_id,
        kind="forged",
        occurred_at=timezone.now(),
    )
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        forged.save()
    assert Event.objects.get(pk=event.pk).kind == "office.created"


def test_queryset_update_cannot_rewrite_events(event):
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(kind="forged")


def test_queryset_delete_cannot_erase_audit_entries(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
