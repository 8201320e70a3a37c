"""Reads of smart lists and of contact pages: what a member sees, in pages, with counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag, SmartList
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.core.errors import NotFound
from rallypoynt.core.pagination import paginate
from rallypoynt.orgs.models import Membership

# Counting stops here: "1000+" is as useful as an exact count and stays cheap at any size.
COUNT_CAP = 1000
CONTACT_ORDER = ("-created_at", "-id")


def smart_list_visible(*, actor: Membership) -> QuerySet[SmartList]:
    """The actor's own lists and the lists shared in their org."""
    return SmartList.objects.filter(
        Q(owner_id=actor.pk) | Q(is_shared=True), org_id=actor.org_id
    ).select_related("owner__user")


def smart_list_get(*, actor: Membership, smart_list_id: int) -> SmartList:
    row = smart_list_visible(actor=actor).filter(pk=smart_list_id).first()
    if row is None:
        raise NotFound("No such list.")
    return row


def smart_list_filters(*, smart_list: SmartList) -> ContactFilters:
    """The list's saved filters; opening the list applies them as the viewer sees contacts."""
    return ContactFilters.from_dict(smart_list.filters)


def contact_page(
    *,
    actor: Membership,
    filters: ContactFilters | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """One keyset page of visible contacts, newest first, for list pages and the API.

    E-mails, phones and tag names are attached as plain lists (`email_rows`, `phone_rows`,
    `tag_names`): four queries at any page size, and none of the per-row querysets that
    prefetching builds, which cost more than the SQL at 50 rows.
    """
    qs = contact_queryset(actor=actor)
    if filters is not None:
        qs = filters.apply(qs, actor=actor)
    page = paginate(
        qs.select_related("owner__user"), cursor=cursor, limit=limit, ordering=CONTACT_ORDER
    )
    contact_rows_attach(contacts=page["items"])
    return page


def contact_rows_attach(*, contacts: list[Contact]) -> None:
    """Give each contact its e-mails and phones (primary first) and tag names."""
    by_id = {c.pk: c for c in contacts}
    for c in contacts:
        c.email_rows, c.phone_rows, c.tag_names = [], [], []
    if not by_id:
        return
    scope = {"org_id": contacts[0].org_id, "contact_id__in": list(by_id)}
    for email in (
        ContactEmail.objects.filter(**scope)
        .order_by("-is_primary", "id")
        .values("contact_id", "address", "kind", "is_primary")
    ):
        by_id[email["contact_id"]].email_rows.append(email)
    for phone in (
        ContactPhone.objects.filter(**scope)
        .order_by("-is_primary", "id")
        .values("contact_id", "number", "kind", "is_primary")
    ):
        by_id[phone["contact_id"]].phone_rows.append(phone)
    tags = ContactTag.objects.filter(**scope).order_by("tag__name")
    for contact_id, name in tags.values_list("contact_id", "tag__name"):
        by_id[contact_id].tag_names.append(name)


def smart_list_count(*, actor: Membership, smart_list: SmartList) -> tuple[int, bool]:
    """(count, is_capped): the count stops at COUNT_CAP so it stays cheap on big orgs."""
    filters = ContactFilters.from_dict(smart_list.filters)
    qs = filters.apply(contact_queryset(actor=actor), actor=actor)
    found = qs.values("pk")[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP
