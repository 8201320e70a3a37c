"""The header search over contacts: names in either order, e-mail addresses, phone numbers in
any format and streets, by word prefix (core/search.py), within what the actor may see."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from rallypoynt.contacts.models import (
    Contact,
    ContactCollaborator,
    ContactEmail,
    ContactPhone,
    ContactSearchTerm,
)
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.core.search import TermBranch, search_prefix, term_matches
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

TERMS = ContactSearchTerm._meta.db_table
# The contacts shared with the reader, off the collaborators' (org, member) index: a join
# lets SQLite's planner drive from the org's every collaborator row instead.
SHARED_WITH = (
    f"t.contact_id IN (SELECT c.contact_id FROM {ContactCollaborator._meta.db_table} AS c "
    "WHERE c.org_id = %s AND c.membership_id = %s)"
)


def contact_term_branches(actor: Membership) -> list[TermBranch]:
    """The actor's scope in the term table: the whole org, or one range per visible owner
    plus the contacts shared with them (a collaborator sees the contact, not its owner's)."""
    scope = visibility_for(actor)
    if scope.is_org_wide:
        return [TermBranch("1 = 1")]
    owners = sorted(scope.member_ids or ())
    branches = [TermBranch("t.owner_id = %s", (owner,)) for owner in owners]
    branches.append(TermBranch(SHARED_WITH, (actor.org_id, actor.pk)))
    return branches


def contact_search(*, actor: Membership, text: str, limit: int = 8) -> list[Contact]:
    """Up to `limit` visible contacts with a term starting with the query, best match first
    (an exact word before a longer one), each with `primary_email` and `primary_phone`."""
    ids = term_matches(
        table=TERMS,
        column="contact_id",
        org_id=actor.org_id,
        prefix=search_prefix(text),
        limit=limit,
        branches=contact_term_branches(actor),
    )
    if not ids:
        return []
    first = {"org_id": actor.org_id, "contact_id": OuterRef("pk")}
    emails = ContactEmail.objects.filter(**first).order_by("-is_primary", "id")
    phones = ContactPhone.objects.filter(**first).order_by("-is_primary", "id")
    rows = (
        contact_queryset(actor=actor)
        .filter(pk__in=ids)
        .annotate(
            primary_email=Subquery(emails.values("address")[:1]),
            primary_phone=Subquery(phones.values("number")[:1]),
        )
    )
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]
