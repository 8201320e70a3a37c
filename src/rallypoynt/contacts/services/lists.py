"""Smart lists: saved contact filters, private to their owner or shared with the org.

A member sees their own lists and the lists shared in their org; only the owner changes or
deletes a list. Opening a list applies its filters within the viewer's own visibility, so a
shared list never shows anyone more than they could find themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import Contact, ContactEmail, ContactPhone, ContactTag, SmartList
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.core.audit import audit_record, model_changes
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.pagination import paginate
from rallypoynt.orgs.models import Membership

# Counting stops here: "1000+" is as useful as an exact count and stays cheap at any size.
COUNT_CAP = 1000
CONTACT_ORDER = ("-created_at", "-id")
NAME_MAX = SmartList._meta.get_field("name").max_length


def smart_list_filters_clean(filters: dict[str, Any] | None) -> dict[str, Any]:
    """Validate against ContactFilters and keep only the keys that are set."""
    if filters is not None and not isinstance(filters, dict):
        raise ValidationFailed("Invalid filters.", fields={"filters": ["must be an object"]})
    paging = {"cursor", "limit", "format"}
    return ContactFilters.from_dict(
        {k: v for k, v in (filters or {}).items() if k not in paging}
    ).as_dict()


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("A name is required.", fields={"name": ["required"]})
    if len(name) > NAME_MAX:
        raise ValidationFailed("The name is too long.", fields={"name": [f"at most {NAME_MAX}"]})
    return name


def _save(row: SmartList) -> None:
    taken = SmartList.objects.filter(org_id=row.org_id, owner_id=row.owner_id, name=row.name)
    if taken.exclude(pk=row.pk).exists():
        raise Conflict("You already have a list with that name.", fields={"name": ["taken"]})
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:  # a concurrent save took the name
        raise Conflict(
            "You already have a list with that name.", fields={"name": ["taken"]}
        ) from exc


@transaction.atomic
def smart_list_create(
    *, actor: Membership, name: str, filters: dict[str, Any], is_shared: bool = False
) -> SmartList:
    """Save the actor's filter under a name, optionally for the whole org."""
    row = SmartList(
        org_id=actor.org_id,
        owner=actor,
        name=_name_clean(name),
        filters=smart_list_filters_clean(filters),
        is_shared=bool(is_shared),
    )
    _save(row)
    audit_record(
        org_id=actor.org_id, actor_id=actor.user_id, action="smart_list.create", target=row
    )
    event_emit(
        org_id=actor.org_id,
        kind="smart_list.created",
        subject=row,
        actor_id=actor.user_id,
        payload={"filters": row.filters, "is_shared": row.is_shared},
    )
    return row


def _for_update(actor: Membership, smart_list_id: int) -> SmartList:
    row = smart_list_visible(actor=actor).select_for_update().filter(pk=smart_list_id).first()
    if row is None:
        raise NotFound("No such list.")
    if row.owner_id != actor.pk:
        raise PermissionDenied("Only the list's owner may change it.")
    return row


@transaction.atomic
def smart_list_update(
    *,
    actor: Membership,
    smart_list_id: int,
    name: str | None = None,
    filters: dict[str, Any] | None = None,
    is_shared: bool | None = None,
    position: int | None = None,
) -> SmartList:
    """Rename, refilter, share or move one of the actor's own lists."""
    row = _for_update(actor, smart_list_id)
    before = {f: getattr(row, f) for f in ("name", "filters", "is_shared", "position")}
    if name is not None:
        row.name = _name_clean(name)
    if filters is not None:
        row.filters = smart_list_filters_clean(filters)
    if is_shared is not None:
        row.is_shared = bool(is_shared)
    if position is not None:
        if position < 0:
            raise ValidationFailed(
                "Invalid position.", fields={"position": ["must not be negative"]}
            )
        row.position = position
    _save(row)
    changes = model_changes(row, list(before), before)
    audit_record(
        org_id=row.org_id,
        actor_id=actor.user_id,
        action="smart_list.update",
        target=row,
        changes=changes,
    )
    event_emit(
        org_id=row.org_id,
        kind="smart_list.updated",
        subject=row,
        actor_id=actor.user_id,
        payload={"fields": sorted(changes)},
    )
    return row


@transaction.atomic
def smart_list_delete(*, actor: Membership, smart_list_id: int) -> None:
    row = _for_update(actor, smart_list_id)
    audit_record(
        org_id=row.org_id,
        actor_id=actor.user_id,
        action="smart_list.delete",
        target=row,
        changes={"name": row.name},
    )
    event_emit(org_id=row.org_id, kind="smart_list.deleted", subject=row, actor_id=actor.user_id)
    row.delete()


# Reads -------------------------------------------------------------------------------------


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
        qs = filters.apply(qs)
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
    for row in (
        ContactEmail.objects.filter(**scope)
        .order_by("-is_primary", "id")
        .values("contact_id", "address", "kind", "is_primary")
    ):
        by_id[row["contact_id"]].email_rows.append(row)
    for row in (
        ContactPhone.objects.filter(**scope)
        .order_by("-is_primary", "id")
        .values("contact_id", "number", "kind", "is_primary")
    ):
        by_id[row["contact_id"]].phone_rows.append(row)
    tags = ContactTag.objects.filter(**scope).order_by("tag__name")
    for contact_id, name in tags.values_list("contact_id", "tag__name"):
        by_id[contact_id].tag_names.append(name)


def smart_list_count(*, actor: Membership, smart_list: SmartList) -> tuple[int, bool]:
    """(count, is_capped): the count stops at COUNT_CAP so it stays cheap on big orgs."""
    qs = ContactFilters.from_dict(smart_list.filters).apply(contact_queryset(actor=actor))
    found = qs.values("pk")[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP
