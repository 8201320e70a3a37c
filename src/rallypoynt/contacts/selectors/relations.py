"""Reads of relationships (households, co-buyers, referrals) and collaborators.

Every read only ever returns contacts the actor may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from rallypoynt.contacts.choices import HOUSEHOLD_KINDS, RelationshipKind
from rallypoynt.contacts.models import Contact, ContactCollaborator, Relationship
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.orgs.models import Membership

# How the related person sees a directed relationship.
REVERSE_LABELS: dict[str, str] = {RelationshipKind.REFERRED_BY: "Referred"}
HOUSEHOLD_MAX_HOPS = 4


@dataclass(frozen=True)
class RelationView:
    """A relationship as one contact sees it: the label and the other person."""

    id: int
    kind: str
    label: str
    other: Contact
    is_outgoing: bool


def relationship_list(*, actor: Membership, contact_id: int) -> list[RelationView]:
    """Links of one contact to others the actor can see, in one query."""
    visible = contact_queryset(actor=actor).values("pk")
    rows = (
        Relationship.objects.filter(
            Q(contact_id=contact_id) | Q(related_id=contact_id), org_id=actor.org_id
        )
        .filter(contact_id__in=visible)
        .filter(related_id__in=visible)
        .select_related("contact", "related")
        .order_by("kind", "pk")
    )
    views = []
    for row in rows:
        outgoing = row.contact_id == contact_id
        label = RelationshipKind(row.kind).label
        if not outgoing and row.kind in REVERSE_LABELS:
            label = REVERSE_LABELS[row.kind]
        other = row.related if outgoing else row.contact
        views.append(RelationView(row.pk, row.kind, label, other, outgoing))
    return views


def household_of(*, actor: Membership, contact_id: int) -> list[Contact]:
    """Everyone linked to the contact through household kinds (spouse, family), visible only."""
    members, frontier = {contact_id}, {contact_id}
    for _ in range(HOUSEHOLD_MAX_HOPS):
        if not frontier:
            break
        pairs = Relationship.objects.filter(
            Q(contact_id__in=frontier) | Q(related_id__in=frontier),
            org_id=actor.org_id,
            kind__in=HOUSEHOLD_KINDS,
        ).values_list("contact_id", "related_id")
        found = {pk for pair in pairs for pk in pair} - members
        members |= found
        frontier = found
    others = members - {contact_id}
    if not others:
        return []
    return list(
        contact_queryset(actor=actor).filter(pk__in=others).order_by("last_name", "first_name")
    )


def collaborator_list(*, actor: Membership, contact_id: int) -> list[ContactCollaborator]:
    """Members sharing a visible contact, with their names loaded."""
    visible = contact_queryset(actor=actor).filter(pk=contact_id).values("pk")
    return list(
        ContactCollaborator.objects.filter(org_id=actor.org_id, contact_id__in=visible)
        .select_related("membership__user")
        .order_by("membership__user__last_name", "pk")
    )
