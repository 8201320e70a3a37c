"""Merging contacts: every related row moves, clashes resolve, audit trail, org wall, atomicity."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from rallypoynt.contacts.choices import Consent
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    ContactEmail,
    ContactPhone,
    ContactTag,
    Relationship,
    Tag,
    Task,
    Touchpoint,
)
from rallypoynt.contacts.selectors import contact_links
from rallypoynt.contacts.services import dedupe
from rallypoynt.contacts.services.dedupe import contact_merge
from rallypoynt.contacts.tests.factories import ContactFactory, TaskFactory, TouchpointFactory
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm():
    return build_brokerage()


@pytest.fixture
def other():
    return build_brokerage("Other Realty")


def person(owner, first="Ana", last="Ruiz", **values) -> Contact:
    return ContactFactory(org=owner.org, owner=owner, first_name=first, last_name=last, **values)


def tag(contact, name):
    t, _ = Tag.objects.get_or_create(org=contact.org, name=name)
    return ContactTag.objects.create(org=contact.org, contact=contact, tag=t)


def relate(contact, related, kind="spouse"):
    return Relationship.objects.create(org=contact.org, contact=contact, related=related, kind=kind)


def inquiry(contact):
    return LeadInquiry.objects.create(
        org=contact.org, contact=contact, channel="api", received_at=timezone.now()
    )


def database_state() -> dict:
    """Every row a merge may touch, to prove a failed merge changed nothing."""
    tables = [
        Contact,
        ContactEmail,
        ContactPhone,
        ContactTag,
        ContactCollaborator,
        Relationship,
        Touchpoint,
        Task,
        LeadInquiry,
        AuditEntry,
        Event,
    ]
    return {m.__name__: sorted(m.objects.values_list()) for m in tables}


def test_merge_moves_touchpoints_tasks_and_inquiries_then_deletes_the_other(firm):
    keep, merge = person(firm.ben), person(firm.ben)
    TouchpointFactory(contact=keep)
    touchpoints = TouchpointFactory.create_batch(2, contact=merge)
    task = TaskFactory(contact=merge)
    lead = inquiry(merge)
    result = contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    assert result.pk == keep.pk
    assert not Contact.objects.filter(pk=merge.pk).exists()
    assert set(Touchpoint.objects.filter(contact=keep).values_list("pk", flat=True)) >= {
        t.pk for t in touchpoints
    }
    assert Touchpoint.objects.filter(contact=keep).count() == 3
    assert Task.objects.get(pk=task.pk).contact_id == keep.pk
    assert LeadInquiry.objects.get(pk=lead.pk).contact_id == keep.pk


def test_emails_and_phones_are_united_once_and_the_kept_primary_stays_the_only_primary(firm):
    keep = person(firm.ben, emails=["ana@x.com", "shared@x.com"], phones=["+13035550101"])
    merge = person(firm.ben, emails=["shared@x.com", "ana.work@x.com"], phones=["+13035550102"])
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    emails = dict(ContactEmail.objects.filter(contact=keep).values_list("address", "is_primary"))
    assert emails == {"ana@x.com": True, "shared@x.com": False, "ana.work@x.com": False}
    phones = dict(ContactPhone.objects.filter(contact=keep).values_list("number", "is_primary"))
    assert phones == {"+13035550101": True, "+13035550102": False}


def test_a_kept_contact_without_e_mail_takes_the_merged_primary(firm):
    keep = person(firm.ben, phones=["+13035550101"])
    merge = person(firm.ben, emails=["b@x.com", "a@x.com"])
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    assert list(keep.emails.filter(is_primary=True).values_list("address", flat=True)) == [
        "b@x.com"
    ]


def test_tags_and_collaborators_are_united_without_duplicate_rows(firm):
    keep, merge = person(firm.ben), person(firm.ben)
    tag(keep, "Buyer"), tag(merge, "Buyer"), tag(merge, "Investor")
    ContactCollaborator.objects.create(org=firm.org, contact=keep, membership=firm.buyer)
    ContactCollaborator.objects.create(org=firm.org, contact=merge, membership=firm.buyer)
    ContactCollaborator.objects.create(org=firm.org, contact=merge, membership=firm.maria)
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    names = sorted(keep.tag_links.values_list("tag__name", flat=True))
    assert names == ["Buyer", "Investor"]
    members = sorted(keep.collaborators.values_list("membership_id", flat=True))
    assert members == sorted([firm.buyer.pk, firm.maria.pk])


def test_relationships_move_both_ways_and_clashes_keep_one_row(firm):
    keep, merge = person(firm.ben), person(firm.ben)
    spouse, friend = person(firm.ben, first="Luis"), person(firm.ben, first="Eva")
    relate(keep, spouse, "spouse")
    relate(merge, spouse, "spouse")  # same fact twice: one row stays
    relate(merge, friend, "referred_by")
    relate(spouse, merge, "spouse")  # points at the merged contact from the other side
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    outgoing = set(Relationship.objects.filter(contact=keep).values_list("related_id", "kind"))
    assert outgoing == {(spouse.pk, "spouse"), (friend.pk, "referred_by")}
    incoming = set(Relationship.objects.filter(related=keep).values_list("contact_id", "kind"))
    assert incoming == {(spouse.pk, "spouse")}
    entry = AuditEntry.objects.get(action="contact.merge")
    [dropped] = entry.changes["dropped"]["contacts.relationship"]
    assert (dropped["contact_id"], dropped["related_id"]) == (merge.pk, spouse.pk)


def test_a_relationship_between_the_two_merged_contacts_is_dropped_not_made_self(firm):
    keep, merge = person(firm.ben), person(firm.ben)
    relate(keep, merge, "family")
    relate(merge, keep, "co_buyer")
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    assert not Relationship.objects.exists()
    dropped = AuditEntry.objects.get(action="contact.merge").changes["dropped"]
    assert {r["kind"] for r in dropped["contacts.relationship"]} == {"family", "co_buyer"}


def test_empty_fields_are_filled_from_the_merged_contact_and_filled_ones_kept(firm):
    keep = person(firm.ben, first="Ana", last="", source="Zillow", language="")
    merge = person(firm.maria, first="Anna", last="Ruiz", source="Website", language="es")
    contact_merge(actor=firm.broker, keep_id=keep.pk, merge_id=merge.pk)
    keep.refresh_from_db()
    assert (keep.first_name, keep.last_name, keep.source, keep.language) == (
        "Ana",
        "Ruiz",
        "Zillow",
        "es",
    )


def test_field_choices_pick_the_merged_value_or_keep_an_empty_one(firm):
    keep = person(firm.ben, first="Ana", stage="lead", language="")
    merge = person(firm.ben, first="Anna", stage="past_client", language="es")
    contact_merge(
        actor=firm.ben,
        keep_id=keep.pk,
        merge_id=merge.pk,
        field_choices={"first_name": "merge", "stage": "merge", "language": "keep"},
    )
    keep.refresh_from_db()
    assert (keep.first_name, keep.stage, keep.language) == ("Anna", "past_client", "")


def test_an_address_moves_whole_never_mixed_from_two_places(firm):
    keep = person(firm.ben, street="", city="Denver", postal_code="")
    merge = person(firm.ben, street="9 Pine Rd", city="Boulder", postal_code="80302")
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    keep.refresh_from_db()
    assert (keep.street, keep.city, keep.postal_code) == ("9 Pine Rd", "Boulder", "80302")
    other_keep = person(firm.ben, street="1 Elm St", city="", postal_code="")
    other_merge = person(firm.ben, street="9 Pine Rd", city="Boulder", postal_code="80302")
    contact_merge(actor=firm.ben, keep_id=other_keep.pk, merge_id=other_merge.pk)
    other_keep.refresh_from_db()
    assert (other_keep.street, other_keep.city, other_keep.postal_code) == ("1 Elm St", "", "")


def test_backgrounds_are_joined_and_custom_values_merged_with_choices(firm):
    keep = person(firm.ben, background="Likes mornings.", custom={"budget": 500, "pets": "dog"})
    merge = person(firm.ben, background="Needs a garage.", custom={"budget": 600, "school": "K8"})
    contact_merge(
        actor=firm.ben,
        keep_id=keep.pk,
        merge_id=merge.pk,
        field_choices={"custom.budget": "merge"},
    )
    keep.refresh_from_db()
    assert keep.background == "Likes mornings.\n\nNeeds a garage."
    assert keep.custom == {"budget": 600, "pets": "dog", "school": "K8"}


def test_an_opt_out_or_do_not_contact_on_either_record_survives_the_merge(firm):
    keep = person(firm.ben, email_consent=Consent.OPTED_IN, sms_consent=Consent.UNKNOWN)
    merge = person(
        firm.ben,
        email_consent=Consent.OPTED_OUT,
        sms_consent=Consent.OPTED_IN,
        is_do_not_contact=True,
    )
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    keep.refresh_from_db()
    assert keep.email_consent == Consent.OPTED_OUT
    assert keep.sms_consent == Consent.OPTED_IN
    assert keep.is_do_not_contact


def test_last_touchpoint_is_recomputed_from_the_moved_touchpoints(firm):
    keep, merge = person(firm.ben), person(firm.ben)
    earlier = timezone.now() - timedelta(days=9)
    later = timezone.now() - timedelta(days=1)
    TouchpointFactory(contact=keep, occurred_at=earlier)
    TouchpointFactory(contact=merge, occurred_at=later)
    Contact.objects.filter(pk=keep.pk).update(last_touchpoint_at=earlier)
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    keep.refresh_from_db()
    assert keep.last_touchpoint_at == later


def test_the_owner_of_the_removed_record_becomes_a_collaborator(firm):
    keep, merge = person(firm.ben), person(firm.maria)
    contact_merge(actor=firm.broker, keep_id=keep.pk, merge_id=merge.pk)
    assert list(keep.collaborators.values_list("membership_id", flat=True)) == [firm.maria.pk]
    keep2, merge2 = person(firm.ben), person(firm.maria)
    contact_merge(
        actor=firm.broker,
        keep_id=keep2.pk,
        merge_id=merge2.pk,
        field_choices={"owner_id": "merge"},
    )
    keep2.refresh_from_db()
    assert keep2.owner_id == firm.maria.pk
    assert list(keep2.collaborators.values_list("membership_id", flat=True)) == [firm.ben.pk]


def test_the_audit_entry_keeps_a_full_snapshot_and_an_event_says_what_moved(firm):
    keep = person(firm.ben, emails=["a@x.com"])
    merge = person(
        firm.ben, first="Anna", emails=["b@x.com"], phones=["+13035550101"], custom={"k": 1}
    )
    tag(merge, "Investor")
    TouchpointFactory.create_batch(2, contact=merge)
    created = merge.created_at
    contact_merge(actor=firm.ben, keep_id=keep.pk, merge_id=merge.pk)
    entry = AuditEntry.objects.get(action="contact.merge", object_id=keep.pk)
    assert entry.actor_id == firm.ben.user_id
    snap = entry.changes["merged"]
    assert snap["id"] == merge.pk and snap["first_name"] == "Anna"
    assert snap["created_at"] == created.isoformat()
    assert snap["custom"] == {"k": 1}
    assert snap["emails"] == [{"address": "b@x.com", "kind": "personal", "is_primary": True}]
    assert [p["number"] for p in snap["phones"]] == ["+13035550101"]
    assert snap["tags"] == ["Investor"]
    assert entry.changes["moved"] == {
        "contacts.contactemail": 1,
        "contacts.contactphone": 1,
        "contacts.contacttag": 1,
        "contacts.touchpoint": 2,
    }
    assert AuditEntry.objects.get(action="contact.merged_into").object_id == merge.pk
    event = Event.objects.get(kind="contact.merged")
    assert event.subject_id == keep.pk
    assert event.payload == {"kept": keep.pk, "merged": merge.pk, "moved": entry.changes["moved"]}


def test_a_broker_cannot_merge_across_organizations_even_passing_the_other_orgs_id(firm, other):
    mine, theirs = person(firm.ben), person(other.ben)
    TouchpointFactory(contact=theirs)
    before = database_state()
    for keep_id, merge_id in ((mine.pk, theirs.pk), (theirs.pk, mine.pk)):
        with pytest.raises(NotFound):
            contact_merge(actor=firm.broker, keep_id=keep_id, merge_id=merge_id)
    assert database_state() == before


def test_the_org_wall_holds_even_if_visibility_were_wrong(firm, other, monkeypatch):
    mine, theirs = person(firm.ben), person(other.ben)
    monkeypatch.setattr(
        dedupe,
        "contact_for_update",
        lambda *, actor, contact_id: Contact.objects.get(pk=contact_id),
    )
    with pytest.raises(Conflict):
        contact_merge(actor=firm.broker, keep_id=mine.pk, merge_id=theirs.pk)
    assert Contact.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2


def test_an_agent_cannot_merge_a_contact_outside_their_scope(firm):
    mine, hers = person(firm.ben), person(firm.maria)
    with pytest.raises(NotFound) as caught:
        contact_merge(actor=firm.ben, keep_id=mine.pk, merge_id=hers.pk)
    assert caught.value.fields == {"merge_id": ["no such contact"]}
    assert Contact.objects.filter(pk=hers.pk).exists()


def test_a_contact_cannot_be_merged_into_itself_and_choices_are_checked(firm):
    a, b = person(firm.ben, custom={"k": 1}), person(firm.ben)
    with pytest.raises(ValidationFailed):
        contact_merge(actor=firm.ben, keep_id=a.pk, merge_id=a.pk)
    with pytest.raises(ValidationFailed) as caught:
        contact_merge(
            actor=firm.ben,
            keep_id=a.pk,
            merge_id=b.pk,
            field_choices={"org_id": "merge", "first_name": "both", "custom.k": "merge"},
        )
    assert set(caught.value.fields) == {"field_choices.org_id", "field_choices.first_name"}
    assert Contact.objects.count() == 2


def test_a_failure_midway_leaves_everything_as_it_was(firm, monkeypatch):
    keep = person(firm.ben, emails=["a@x.com", "shared@x.com"])
    merge = person(firm.maria, emails=["shared@x.com"], phones=["+13035550101"])
    tag(merge, "Investor")
    relate(keep, merge)
    TouchpointFactory(contact=merge)
    TaskFactory(contact=merge)
    inquiry(merge)
    before = database_state()

    def boom(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Contact, "delete", boom)
    with pytest.raises(RuntimeError):
        contact_merge(actor=firm.broker, keep_id=keep.pk, merge_id=merge.pk)
    assert database_state() == before


def test_rows_are_locked_lowest_id_first_whichever_is_kept(firm, monkeypatch):
    a, b = person(firm.ben), person(firm.ben)
    order = []
    real = dedupe.contact_for_update

    def spy(*, actor, contact_id):
        order.append(contact_id)
        return real(actor=actor, contact_id=contact_id)

    monkeypatch.setattr(dedupe, "contact_for_update", spy)
    contact_merge(actor=firm.ben, keep_id=b.pk, merge_id=a.pk)
    assert order == [a.pk, b.pk]


def test_every_foreign_key_to_contact_in_any_app_is_moved_by_the_merge():
    expected = {
        (model._meta.label_lower, f.name)
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Contact
    }
    found = {(link.label, link.field.name) for link in contact_links()}
    assert found == expected
    assert ("contacts.relationship", "related") in found  # hidden reverse (related_name="+")


@pytest.mark.django_db(transaction=True)
def test_two_opposite_merges_at_once_never_deadlock_one_wins_the_other_finds_nothing():
    firm = build_brokerage()
    a, b = person(firm.ben, emails=["a@x.com"]), person(firm.ben, emails=["b@x.com"])
    TouchpointFactory(contact=a), TouchpointFactory(contact=b)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    real = dedupe.relations_move

    def slow_move(**kwargs):
        time.sleep(0.3)  # hold both locks a while so the other merge must wait for them
        return real(**kwargs)

    def run(keep_id, merge_id):
        try:
            start.wait()
            contact_merge(actor=firm.broker, keep_id=keep_id, merge_id=merge_id)
            outcomes.append("merged")
        except NotFound:
            outcomes.append("not found")
        finally:
            connection.close()

    with mock.patch.object(dedupe, "relations_move", slow_move):
        threads = [threading.Thread(target=run, args=pair) for pair in ((a.pk, b.pk), (b.pk, a.pk))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert sorted(outcomes) == ["merged", "not found"]
    [survivor] = Contact.objects.filter(pk__in=[a.pk, b.pk])
    assert survivor.touchpoints.count() == 2
    assert sorted(survivor.emails.values_list("address", flat=True)) == ["a@x.com", "b@x.com"]
