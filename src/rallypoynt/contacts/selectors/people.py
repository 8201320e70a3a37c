"""Reads of CRM data, always scoped by org and the actor's visibility."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    ContactEmail,
    ContactPhone,
    ContactTag,
)
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for


def contact_visible_q(actor: Membership) -> Q:
    """Contacts the actor may see: in scope by owner, or shared with them as collaborator."""
    scope = visibility_for(actor)
    q = Q(org_id=actor.org_id)
    if scope.is_org_wide:
        return q
    shared = ContactCollaborator.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
    return q & (Q(owner_id__in=scope.member_ids) | Q(pk__in=shared.values("contact_id")))


def contact_queryset(*, actor: Membership) -> QuerySet[Contact]:
    """Every contact the actor may see, unordered and without related rows."""
    return Contact.objects.filter(contact_visible_q(actor))


def contact_list(*, actor: Membership, filters: ContactFilters | None = None) -> QuerySet[Contact]:
    """Visible contacts matching `filters`, with owner, e-mails, phones and tags loaded."""
    qs = contact_queryset(actor=actor)
    if filters is not None:
        qs = filters.apply(qs, actor=actor)
    return with_related(qs)


def with_related(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """Load what a list row shows in a constant number of queries."""
    return qs.select_related("owner__user").prefetch_related(
        Prefetch("emails", queryset=ContactEmail.objects.order_by("-is_primary", "id")),
        Prefetch("phones", queryset=ContactPhone.objects.order_by("-is_primary", "id")),
        Prefetch("tag_links", queryset=ContactTag.objects.select_related("tag")),
    )


def contact_get(*, actor: Membership, contact_id: int) -> Contact | None:
    """One visible contact with its related rows, or None (never another org's)."""
    return contact_list(actor=actor).filter(pk=contact_id).first()


def contacts_matching(
    *, org_id: int, emails: Iterable[str] = (), phones: Iterable[str] = ()
) -> QuerySet[Contact]:
    """Contacts of the org with any of these (normalised) addresses or numbers, oldest first.

    Used by dedupe at intake: it looks across the whole org, whoever owns the match.
    """
    emails, phones = list(emails), list(phones)
    # Two indexed lookups, then a primary-key filter: an OR of two IN-subqueries makes
    # SQLite walk every contact of the org.
    ids: set[int] = set()
    if emails:
        ids.update(
            ContactEmail.objects.filter(org_id=org_id, address__in=emails).values_list(
                "contact_id", flat=True
            )
        )
    if phones:
        ids.update(
            ContactPhone.objects.filter(org_id=org_id, number__in=phones).values_list(
                "contact_id", flat=True
            )
        )
    return Contact.objects.filter(org_id=org_id, pk__in=ids).order_by("created_at", "pk")
