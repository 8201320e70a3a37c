"""Smart lists: saved contact filters, private to their owner or shared with the org.

A member sees their own lists and the lists shared in their org; only the owner changes or
deletes a list. Opening a list applies its filters within the viewer's own visibility, so a
shared list never shows anyone more than they could find themselves.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from rallypoynt.contacts.filters import ContactFilters
from rallypoynt.contacts.models import SmartList
from rallypoynt.contacts.selectors import smart_list_visible
from rallypoynt.core.audit import audit_and_emit, model_changes, update_record
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.orgs.models import Membership


def _name_max() -> int:
    max_length = SmartList._meta.get_field("name").max_length
    assert max_length is not None, "SmartList.name has a max_length"
    return max_length


NAME_MAX = _name_max()


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
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="smart_list.create",
        target=row,
        kind="smart_list.created",
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
    update_record(
        org_id=row.org_id,
        actor_id=actor.user_id,
        name="smart_list",
        target=row,
        changes=changes,
    )
    return row


@transaction.atomic
def smart_list_delete(*, actor: Membership, smart_list_id: int) -> None:
    row = _for_update(actor, smart_list_id)
    audit_and_emit(
        org_id=row.org_id,
        actor_id=actor.user_id,
        action="smart_list.delete",
        target=row,
        changes={"name": row.name},
        kind="smart_list.deleted",
    )
    row.delete()
