"""Services that look a row up by id and then refuse (design rule 13): a row the actor cannot
see answers exactly like a missing id (same exception, same message); a 403 is only for a row
they see but may not change."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from rallypoynt.contacts.models import ContactCollaborator
from rallypoynt.contacts.services.lists import (
    smart_list_create,
    smart_list_delete,
    smart_list_update,
)
from rallypoynt.contacts.services.relations import collaborator_add, collaborator_remove
from rallypoynt.core.errors import NotFound, PermissionDenied, ServiceError
from rallypoynt.journeys.tests.factories import engagement_for
from rallypoynt.orgs.tests.brokerage import Brokerage, contact_for, fresh
from rallypoynt.transactions.models import Commission, Deal
from rallypoynt.transactions.services.commission import commission_set
from rallypoynt.transactions.services.deals import deal_open

pytestmark = pytest.mark.django_db

MISSING = 999_999


def refusal(call: Callable[[int], object], row_id: int) -> tuple[type, str, dict]:
    with pytest.raises(ServiceError) as caught:
        call(row_id)
    return type(caught.value), caught.value.message, caught.value.fields


def assert_like_missing(call: Callable[[int], object], row_id: int) -> None:
    """The hidden row's answer is a NotFound, word for word the missing id's."""
    theirs = refusal(call, row_id)
    assert theirs == refusal(call, MISSING)
    assert theirs[0] is NotFound


# Commission: the deal's lookup is scoped (NotFound); a 403 only for who sees the deal ----------


def deal_of(member) -> Deal:
    engagement = engagement_for(member, side="buy")
    return deal_open(
        actor=member, engagement_id=engagement.pk, kind="purchase", street="1 Main St", state="CO"
    )


def set_commission(actor) -> Callable[[int], object]:
    return lambda deal_id: commission_set(
        actor=actor, deal_id=deal_id, side="buy", flat_amount=Decimal(1000)
    )


@pytest.mark.parametrize("who", ["manager", "maria", "chris", "lead"])
def test_commission_on_a_deal_out_of_sight_answers_like_a_missing_deal(brokerage, who):
    # Ben's deal is Denver's and Ben is on no team: Boulder, and Summit's lead, do not see it.
    deal = deal_of(brokerage.ben)
    assert_like_missing(set_commission(fresh(brokerage.people[who])), deal.pk)
    assert not Commission.objects.filter(deal=deal).exists()


def test_commission_on_a_deal_seen_as_its_coordinator_is_a_403(brokerage):
    deal = deal_of(brokerage.ben)
    deal.parties.create(
        org=brokerage.org, role="transaction_coordinator", member=brokerage.maria, name="Maria"
    )
    with pytest.raises(PermissionDenied):
        set_commission(fresh(brokerage.maria))(deal.pk)
    assert not Commission.objects.filter(deal=deal).exists()


def test_commission_of_another_org_answers_like_a_missing_deal(brokerage, other):
    deal = deal_of(brokerage.ben)
    assert_like_missing(set_commission(fresh(other.broker)), deal.pk)


# Smart lists: another's private list is missing; a shared one is seen, so a 403 -------------


def test_another_members_private_list_answers_like_a_missing_one(brokerage):
    private = smart_list_create(actor=brokerage.maria, name="Private", filters={})
    ben = fresh(brokerage.ben)
    assert_like_missing(
        lambda pk: smart_list_update(actor=ben, smart_list_id=pk, name="X"), private.pk
    )
    assert_like_missing(lambda pk: smart_list_delete(actor=ben, smart_list_id=pk), private.pk)
    # Not even the broker, who sees every contact, sees a member's private list.
    broker = fresh(brokerage.broker)
    assert_like_missing(lambda pk: smart_list_delete(actor=broker, smart_list_id=pk), private.pk)


def test_a_shared_list_is_seen_so_changing_anothers_is_a_403(brokerage):
    shared = smart_list_create(actor=brokerage.maria, name="Team", filters={}, is_shared=True)
    for call in (
        lambda: smart_list_update(actor=fresh(brokerage.ben), smart_list_id=shared.pk, name="X"),
        lambda: smart_list_delete(actor=fresh(brokerage.ben), smart_list_id=shared.pk),
    ):
        with pytest.raises(PermissionDenied):
            call()
    shared.refresh_from_db()
    assert shared.name == "Team"


# Collaborators: a contact out of scope is missing; a shared one is seen, so a 403 ------------


def share(actor, member) -> Callable[[int], object]:
    return lambda contact_id: collaborator_add(
        actor=actor, contact_id=contact_id, membership_id=member.pk
    )


def unshare(actor, member) -> Callable[[int], object]:
    return lambda contact_id: collaborator_remove(
        actor=actor, contact_id=contact_id, membership_id=member.pk
    )


@pytest.mark.parametrize(
    ("who", "owner"), [("ben", "maria"), ("manager", "ben"), ("lead", "chris"), ("chris", "buyer")]
)
def test_sharing_a_contact_out_of_scope_answers_like_a_missing_contact(brokerage, who, owner):
    contact = contact_for(brokerage.people[owner])
    actor = fresh(brokerage.people[who])
    assert_like_missing(share(actor, brokerage.sysadmin), contact.pk)
    ContactCollaborator.objects.create(
        org=brokerage.org, contact=contact, membership=brokerage.sysadmin
    )
    assert_like_missing(unshare(actor, brokerage.sysadmin), contact.pk)
    assert ContactCollaborator.objects.filter(contact=contact).count() == 1


def test_a_collaborator_sees_the_contact_so_sharing_it_on_is_a_403(brokerage):
    contact = contact_for(brokerage.maria)
    collaborator_add(
        actor=fresh(brokerage.maria), contact_id=contact.pk, membership_id=brokerage.ben.pk
    )
    collaborator_add(
        actor=fresh(brokerage.maria), contact_id=contact.pk, membership_id=brokerage.buyer.pk
    )
    ben = fresh(brokerage.ben)
    with pytest.raises(PermissionDenied):
        share(ben, brokerage.lead)(contact.pk)
    with pytest.raises(PermissionDenied):
        unshare(ben, brokerage.buyer)(contact.pk)
    # Leaving is their own to do.
    unshare(ben, brokerage.ben)(contact.pk)
    members = ContactCollaborator.objects.filter(contact=contact).values_list(
        "membership_id", flat=True
    )
    assert set(members) == {brokerage.buyer.pk}


def test_the_owners_office_manager_shares_it(brokerage: Brokerage):
    contact = contact_for(brokerage.maria)
    share(fresh(brokerage.manager), brokerage.ben)(contact.pk)
    assert ContactCollaborator.objects.filter(contact=contact, membership=brokerage.ben).exists()
