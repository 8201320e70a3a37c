"""Relationships, households and collaborators: both people visible, no duplicates, scoped."""

from __future__ import annotations

import pytest

from rallypoynt.contacts.models import ContactCollaborator, Relationship
from rallypoynt.contacts.selectors import (
    collaborator_list,
    household_of,
    relationship_list,
)
from rallypoynt.contacts.services.relations import (
    collaborator_add,
    collaborator_remove,
    relationship_add,
    relationship_remove,
)
from rallypoynt.contacts.tests.factories import ContactFactory
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.tests.brokerage import build_brokerage

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return build_brokerage()


def make(member, name: str = "X"):
    return ContactFactory(org=member.org, owner=member, first_name=name)


def test_a_mutual_relationship_is_stored_once_and_seen_from_both_sides(org):
    ann, bob = make(org.ben, "Ann"), make(org.ben, "Bob")
    row = relationship_add(actor=org.ben, contact_id=ann.pk, related_id=bob.pk, kind="spouse")
    with pytest.raises(Conflict):
        relationship_add(actor=org.ben, contact_id=bob.pk, related_id=ann.pk, kind="spouse")
    [from_bob] = relationship_list(actor=org.ben, contact_id=bob.pk)
    assert (from_bob.id, from_bob.other, from_bob.label) == (row.pk, ann, "Spouse / partner")
    assert AuditEntry.objects.filter(action="relationship.add").exists()
    assert Event.objects.filter(kind="relationship.added").exists()


def test_referred_by_reads_differently_from_the_other_side(org):
    ann, bob = make(org.ben, "Ann"), make(org.ben, "Bob")
    relationship_add(actor=org.ben, contact_id=ann.pk, related_id=bob.pk, kind="referred_by")
    # The reverse referral is a different fact, so it is allowed.
    relationship_add(actor=org.ben, contact_id=bob.pk, related_id=ann.pk, kind="referred_by")
    labels = sorted(v.label for v in relationship_list(actor=org.ben, contact_id=ann.pk))
    assert labels == ["Referred", "Referred by"]


def test_bad_links_are_refused_and_nothing_is_written(org):
    ann = make(org.ben, "Ann")
    hidden = make(org.maria, "Hidden")
    with pytest.raises(ValidationFailed) as caught:
        relationship_add(actor=org.ben, contact_id=ann.pk, related_id=ann.pk, kind="spouse")
    assert "related_id" in caught.value.fields
    with pytest.raises(ValidationFailed):
        relationship_add(actor=org.ben, contact_id=ann.pk, related_id=hidden.pk, kind="spouse")
    with pytest.raises(ValidationFailed):
        relationship_add(actor=org.ben, contact_id=ann.pk, related_id=hidden.pk, kind="cousin")
    with pytest.raises(NotFound):
        relationship_add(actor=org.ben, contact_id=hidden.pk, related_id=ann.pk, kind="spouse")
    assert not Relationship.objects.exists()


def test_household_follows_spouse_and_family_links_but_not_referrals(org):
    ann, bob, kid, friend = (make(org.ben, n) for n in ("Ann", "Bob", "Kid", "Friend"))
    relationship_add(actor=org.ben, contact_id=ann.pk, related_id=bob.pk, kind="spouse")
    relationship_add(actor=org.ben, contact_id=kid.pk, related_id=bob.pk, kind="family")
    relationship_add(actor=org.ben, contact_id=friend.pk, related_id=ann.pk, kind="referred_by")
    assert {c.first_name for c in household_of(actor=org.ben, contact_id=ann.pk)} == {"Bob", "Kid"}


def test_relations_with_someone_out_of_scope_stay_hidden(org):
    ann, bob = make(org.ben, "Ann"), make(org.ben, "Bob")
    row = relationship_add(actor=org.ben, contact_id=ann.pk, related_id=bob.pk, kind="spouse")
    # Bob moves to Maria: Ben no longer sees him, nor the link, nor can remove it.
    bob.owner = org.maria
    bob.save()
    assert relationship_list(actor=org.ben, contact_id=ann.pk) == []
    assert household_of(actor=org.ben, contact_id=ann.pk) == []
    with pytest.raises(NotFound):
        relationship_remove(actor=org.ben, relationship_id=row.pk)
    relationship_remove(actor=org.broker, relationship_id=row.pk)
    assert not Relationship.objects.exists()


def test_collaborators_share_a_contact_and_only_the_owners_side_manages_them(org):
    ann = make(org.ben, "Ann")
    collaborator_add(actor=org.ben, contact_id=ann.pk, membership_id=org.maria.pk)
    with pytest.raises(Conflict):
        collaborator_add(actor=org.ben, contact_id=ann.pk, membership_id=org.maria.pk)
    with pytest.raises(ValidationFailed):
        collaborator_add(actor=org.ben, contact_id=ann.pk, membership_id=org.ben.pk)
    with pytest.raises(PermissionDenied):
        collaborator_add(actor=org.maria, contact_id=ann.pk, membership_id=org.buyer.pk)
    with pytest.raises(PermissionDenied):
        collaborator_remove(actor=org.maria, contact_id=ann.pk, membership_id=org.buyer.pk)
    other = build_brokerage("Other Realty")
    with pytest.raises(ValidationFailed):
        collaborator_add(actor=org.ben, contact_id=ann.pk, membership_id=other.ben.pk)
    with pytest.raises(NotFound):
        collaborator_add(actor=other.broker, contact_id=ann.pk, membership_id=other.ben.pk)
    assert [c.membership for c in collaborator_list(actor=org.maria, contact_id=ann.pk)] == [
        org.maria
    ]
    collaborator_remove(actor=org.maria, contact_id=ann.pk, membership_id=org.maria.pk)
    assert not ContactCollaborator.objects.exists()
    assert Event.objects.filter(kind="collaborator.removed").exists()
