"""Relationships between contacts (households, co-buyers, referrals) and collaborators.

A relationship row reads "contact is `kind` of related". Every kind but "referred by" is
mutual, so one row serves both people and the reverse row is refused as a duplicate.
The reads are in contacts/selectors/relations.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, Q

from rallypoynt.contacts.choices import RelationshipKind
from rallypoynt.contacts.models import Contact, ContactCollaborator, Relationship
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.contacts.services.people import contact_for_update
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

DIRECTED_KINDS = frozenset({RelationshipKind.REFERRED_BY})


def _kind_clean(kind: str) -> str:
    if kind not in RelationshipKind.values:
        raise ValidationFailed(
            "Unknown relationship.",
            fields={"kind": [f"one of {', '.join(RelationshipKind.values)}"]},
        )
    return kind


@transaction.atomic
def relationship_add(
    *, actor: Membership, contact_id: int, related_id: int, kind: str
) -> Relationship:
    """Link two contacts the actor can see; a mutual kind is stored once for both."""
    kind = _kind_clean(kind)
    if contact_id == related_id:
        raise ValidationFailed(
            "A contact cannot be related to itself.", fields={"related_id": ["same contact"]}
        )
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    related = contact_queryset(actor=actor).filter(pk=related_id).first()
    if related is None:
        raise ValidationFailed("No such contact.", fields={"related_id": ["no such contact"]})
    same = Q(contact_id=contact.pk, related_id=related.pk)
    if kind not in DIRECTED_KINDS:
        same |= Q(contact_id=related.pk, related_id=contact.pk)
    if Relationship.objects.filter(same, org_id=contact.org_id, kind=kind).exists():
        raise Conflict("They are already related that way.", fields={"kind": ["exists"]})
    try:
        with transaction.atomic():
            row = Relationship.objects.create(
                org_id=contact.org_id, contact=contact, related=related, kind=kind
            )
    except IntegrityError as exc:  # a concurrent request added the same link
        raise Conflict("They are already related that way.", fields={"kind": ["exists"]}) from exc
    _record(actor, "relationship.add", row, {"kind": kind, "related_id": related.pk})
    return row


@transaction.atomic
def relationship_remove(*, actor: Membership, relationship_id: int) -> None:
    """Remove a link; the actor must see both contacts it joins."""
    visible = contact_queryset(actor=actor).values("pk")
    row = (
        Relationship.objects.select_for_update()
        .filter(org_id=actor.org_id, pk=relationship_id, contact_id__in=visible)
        .filter(related_id__in=visible)
        .first()
    )
    if row is None:
        raise NotFound("No such relationship.")
    _record(actor, "relationship.remove", row, {"kind": row.kind, "related_id": row.related_id})
    row.delete()


def may_share(*, actor: Membership, contact: Contact) -> bool:
    """The owner's scope decides; being a collaborator oneself is not enough."""
    scope = visibility_for(actor)
    return scope.is_org_wide or contact.owner_id in (scope.member_ids or ())


@transaction.atomic
def collaborator_add(
    *, actor: Membership, contact_id: int, membership_id: int
) -> ContactCollaborator:
    """Let another member of the org work with (and so see) the contact."""
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    if not may_share(actor=actor, contact=contact):
        raise PermissionDenied("Only the owner's side may share this contact.")
    if contact.owner_id == membership_id:
        raise ValidationFailed(
            "The owner already works on this contact.", fields={"membership_id": ["is the owner"]}
        )
    member = Membership.objects.filter(
        org_id=actor.org_id, pk=membership_id, is_active=True
    ).first()
    if member is None:
        raise ValidationFailed(
            "No such member.", fields={"membership_id": ["not an active member"]}
        )
    if ContactCollaborator.objects.filter(contact=contact, membership=member).exists():
        raise Conflict("Already a collaborator.", fields={"membership_id": ["exists"]})
    try:
        with transaction.atomic():
            row = ContactCollaborator.objects.create(
                org_id=contact.org_id, contact=contact, membership=member
            )
    except IntegrityError as exc:
        raise Conflict("Already a collaborator.", fields={"membership_id": ["exists"]}) from exc
    _record(actor, "collaborator.add", row, {"contact_id": contact.pk, "member_id": member.pk})
    return row


def collaborators_grant(
    *, actor: Membership, contact_ids: Iterable[int], member: Membership, reason: str
) -> int:
    """Share contacts with `member` because a rule of the caller's says so (a step of their
    engagement was handed to them): no owner-side check. Returns how many shares are new."""
    ids = set(contact_ids)
    owned = Contact.objects.filter(org_id=member.org_id, pk__in=ids, owner_id=member.pk)
    shared = ContactCollaborator.objects.filter(
        org_id=member.org_id, membership=member, contact_id__in=ids
    )
    ids -= set(owned.values_list("pk", flat=True)) | set(
        shared.values_list("contact_id", flat=True)
    )
    for contact_id in sorted(ids):
        row = ContactCollaborator.objects.create(
            org_id=member.org_id, contact_id=contact_id, membership=member
        )
        payload = {"contact_id": contact_id, "member_id": member.pk, "reason": reason}
        _record(actor, "collaborator.add", row, payload)
    return len(ids)


@transaction.atomic
def collaborator_remove(*, actor: Membership, contact_id: int, membership_id: int) -> None:
    """Stop sharing; the owner's side may remove anyone, a collaborator only themselves."""
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    if membership_id != actor.pk and not may_share(actor=actor, contact=contact):
        raise PermissionDenied("Only the owner's side may remove collaborators.")
    row = ContactCollaborator.objects.filter(contact=contact, membership_id=membership_id).first()
    if row is None:
        raise NotFound("No such collaborator.")
    _record(
        actor, "collaborator.remove", row, {"contact_id": contact.pk, "member_id": membership_id}
    )
    row.delete()


def _record(actor: Membership, action: str, target: Model, payload: dict[str, Any]) -> None:
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action=action,
        target=target,
        changes=payload,
        kind=_EVENT_KINDS[action],
        payload=payload,
    )


_EVENT_KINDS = {
    "relationship.add": "relationship.added",
    "relationship.remove": "relationship.removed",
    "collaborator.add": "collaborator.added",
    "collaborator.remove": "collaborator.removed",
}
