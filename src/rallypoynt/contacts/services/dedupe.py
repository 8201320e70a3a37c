"""Merge two contacts into one, and mark a pair as "not a duplicate".

The merge finds every foreign key to Contact from the model registry, so rows of models added
later (engagements, transactions) move too. Rows that would break a unique or check constraint
after the move are dropped and kept, whole, in the audit entry: nothing is lost silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.db.models.expressions import BaseExpression, Combinable

from rallypoynt.contacts.models import Contact, ContactCollaborator, Touchpoint
from rallypoynt.contacts.selectors import (
    DISMISSED_KIND,
    KEEP,
    MERGE,
    MERGE_FIELD_NAMES,
    ContactLink,
    choice_keys,
    contact_links,
    dismissed_pairs,
    merged_values,
    pair_visible,
)
from rallypoynt.contacts.services.people import contact_for_update
from rallypoynt.core.audit import audit_and_emit, audit_record, model_changes
from rallypoynt.core.bulk import tables_analyze
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership

MERGED_FIELDS = [
    *MERGE_FIELD_NAMES,
    "custom",
    "email_consent",
    "sms_consent",
    "is_do_not_contact",
    "consent_updated_at",
]
# A merge that moved at least this many rows re-analyses the tables they moved in.
ANALYZE_AFTER_MOVED = 1000


@transaction.atomic
def contact_merge(
    *,
    actor: Membership,
    keep_id: int,
    merge_id: int,
    field_choices: dict[str, str] | None = None,
) -> Contact:
    """Merge contact `merge_id` into `keep_id` (fields, channels, every related row), delete it."""
    if keep_id == merge_id:
        raise ValidationFailed(
            "A contact cannot be merged into itself.", fields={"merge_id": ["same as keep_id"]}
        )
    keep, merge = _lock_pair(actor, keep_id, merge_id)
    choices = _choices_clean(field_choices, keep, merge)
    snapshot = contact_snapshot(merge)
    before = {name: getattr(keep, name) for name in MERGED_FIELDS}
    owners = {keep.owner_id, merge.owner_id}
    for name, value in merged_values(keep, merge, choices).items():
        setattr(keep, name, value)
    moved, dropped = relations_move(keep=keep, merge=merge)
    # After COMMIT: the ANALYZE's table lock is not held while the merge still waits on rows.
    transaction.on_commit(lambda: moved_statistics_refresh(moved))
    added = _owners_keep_sight(keep, owners)
    keep.last_touchpoint_at = _last_touchpoint(keep, merge)
    keep.save()
    changes = {
        "merged_id": merge.pk,
        "merged": snapshot,
        "fields": model_changes(keep, MERGED_FIELDS, before),
        "choices": choices,
        "moved": moved,
        "dropped": dropped,
        "collaborators_added": added,
    }
    org_id, user_id = keep.org_id, actor.user_id
    audit_record(
        org_id=org_id, actor_id=user_id, action="contact.merge", target=keep, changes=changes
    )
    # Kept under the merged id too, so an old link to it can say where the person went.
    audit_record(
        org_id=org_id,
        actor_id=user_id,
        action="contact.merged_into",
        target=merge,
        changes={"kept_id": keep.pk},
    )
    event_emit(
        org_id=org_id,
        kind="contact.merged",
        subject=keep,
        actor_id=user_id,
        payload={"kept": keep.pk, "merged": merge.pk, "moved": moved},
    )
    merge.delete()
    return keep


def _lock_pair(actor: Membership, keep_id: int, merge_id: int) -> tuple[Contact, Contact]:
    """Both contacts, locked lowest id first so two opposite merges cannot deadlock."""
    locked = {}
    for pk, name in sorted([(keep_id, "keep_id"), (merge_id, "merge_id")]):
        try:
            locked[pk] = contact_for_update(actor=actor, contact_id=pk)
        except NotFound as exc:
            raise NotFound("No such contact.", fields={name: ["no such contact"]}) from exc
    keep, merge = locked[keep_id], locked[merge_id]
    if keep.org_id != merge.org_id:  # visibility already holds this; never trust one guard
        raise Conflict("Contacts of two organizations cannot be merged.")
    return keep, merge


def _choices_clean(raw: Any, keep: Contact, merge: Contact) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed("Invalid choices.", fields={"field_choices": ["an object"]})
    allowed = choice_keys(keep, merge)
    errors = {}
    for name, value in raw.items():
        if name not in allowed:
            errors[f"field_choices.{name}"] = ["unknown field"]
        elif value not in (KEEP, MERGE):
            errors[f"field_choices.{name}"] = [f"one of {KEEP}, {MERGE}"]
    if errors:
        raise ValidationFailed("Invalid field choices.", fields=errors)
    return dict(raw)


def relations_move(*, keep: Contact, merge: Contact) -> tuple[dict[str, int], dict[str, list]]:
    """Point every row that refers to `merge` at `keep`; return moved counts and dropped rows."""
    links = contact_links()
    by_model: dict[type[models.Model], list[ContactLink]] = defaultdict(list)
    for link in links:
        by_model[link.model].append(link)
    dropped: dict[str, list] = defaultdict(list)
    moved: dict[str, int] = defaultdict(int)
    for model, model_links in by_model.items():
        dropped[model._meta.label_lower] += _pair_links_drop(model, model_links, keep, merge)
        _primary_yield(model, model_links, keep, merge)
    for link in links:
        dropped[link.label] += _clashes_drop(link, keep, merge)
        manager = link.model._base_manager
        moved[link.label] += manager.filter(**{link.field.name: merge}).update(
            **{link.field.name: keep}
        )
    for model, model_links in by_model.items():
        _primary_ensure(model, model_links, keep)
    return {k: v for k, v in moved.items() if v}, {k: v for k, v in dropped.items() if v}


def moved_statistics_refresh(moved: dict[str, int]) -> bool:
    """ANALYZE the tables of a large move (a contact's many touchpoints now count as another's)."""
    if sum(moved.values()) < ANALYZE_AFTER_MOVED:
        return False
    tables_analyze(apps.get_model(label) for label in moved)
    return True


def _pair_links_drop(
    model: type[models.Model], links: list[ContactLink], keep: Contact, merge: Contact
) -> list[dict[str, Any]]:
    """Drop rows linking the two contacts when the model forbids a contact linked to itself."""
    rows: list[dict[str, Any]] = []
    for a, b in _self_links_forbidden(model, links):
        pair = [keep.pk, merge.pk]
        found = model._base_manager.filter(**{f"{a}__in": pair, f"{b}__in": pair})
        rows += _delete(model, found)
    return rows


def _self_links_forbidden(
    model: type[models.Model], links: list[ContactLink]
) -> list[tuple[str, str]]:
    """Pairs of Contact keys that a check constraint on `model` keeps apart (contact≠related)."""
    names = {link.field.name for link in links} | {link.field.attname for link in links}
    to_name = {link.field.attname: link.field.name for link in links}
    pairs: set[tuple[str, str]] = set()
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if not isinstance(constraint, models.CheckConstraint) or condition is None:
            continue
        used = {to_name.get(n, n) for n in _q_names(condition) & names}
        pairs.update(combinations(sorted(used), 2))
    return sorted(pairs)


def _q_names(q: Q) -> set[str]:
    names: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            names |= _q_names(child)
            continue
        if not isinstance(child, Sequence):  # any other node or expression: none expected
            raise TypeError(f"cannot read the condition part {child!r}")
        lookup, value = child
        names.add(lookup.split("__")[0])
        if isinstance(value, F):
            names.add(_f_name(value).split("__")[0])
    return names


def _f_name(expr: F) -> str:
    name: str = expr.name  # type: ignore[attr-defined]  # django-stubs lack F.name, set by F.__init__
    return name


def _primary_yield(
    model: type[models.Model], links: list[ContactLink], keep: Contact, merge: Contact
) -> None:
    """Channels keep one primary: the kept contact's primary stays it, the merged ones yield."""
    if not _has_primary(model):
        return
    for link in links:
        manager, name = model._base_manager, link.field.name
        if manager.filter(**{name: keep, "is_primary": True}).exists():
            manager.filter(**{name: merge, "is_primary": True}).update(is_primary=False)


def _primary_ensure(model: type[models.Model], links: list[ContactLink], keep: Contact) -> None:
    if not _has_primary(model):
        return
    for link in links:
        rows = model._base_manager.filter(**{link.field.name: keep})
        if not rows.filter(is_primary=True).exists():
            first = rows.order_by("pk").values_list("pk", flat=True).first()
            if first is not None:
                rows.filter(pk=first).update(is_primary=True)


def _has_primary(model: type[models.Model]) -> bool:
    return any(f.name == "is_primary" for f in model._meta.concrete_fields)


def _clashes_drop(link: ContactLink, keep: Contact, merge: Contact) -> list[dict[str, Any]]:
    """Drop the merged side's rows that the kept side already has under a unique constraint."""
    rows: list[dict[str, Any]] = []
    for exprs, condition, nulls_distinct in _unique_keys(link):
        manager = link.model._base_manager
        mine = manager.filter(**{link.field.name: keep})
        theirs = manager.filter(**{link.field.name: merge})
        if condition is not None:
            mine, theirs = mine.filter(condition), theirs.filter(condition)
        aliases = {f"dedupe_k{i}": expr for i, expr in enumerate(exprs)}
        taken = set(mine.annotate(**aliases).values_list(*aliases)) if aliases else set()
        if not aliases:
            clash = list(theirs.values_list("pk", flat=True)) if mine.exists() else []
        else:
            clash = [
                pk
                for pk, *key in theirs.annotate(**aliases).values_list("pk", *aliases)
                if tuple(key) in taken and (not nulls_distinct or None not in key)
            ]
        if clash:
            rows += _delete(link.model, manager.filter(pk__in=clash))
    return rows


# A unique rule: its expressions, its condition (partial index) and whether NULLs are distinct.
UniqueRule = tuple[list[BaseExpression | Combinable], Q | None, bool]


def _unique_keys(link: ContactLink) -> list[UniqueRule]:
    """For each unique rule holding the link's key: the other expressions, condition, nulls."""
    own = {link.field.name, link.field.attname}
    found: list[UniqueRule] = []
    meta = link.model._meta
    rules: list[UniqueRule] = [
        ([F(n) for n in names], None, True) for names in meta.unique_together
    ]
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            exprs: list[BaseExpression | Combinable] = [F(n) for n in constraint.fields] or [
                F(e) if isinstance(e, str) else e for e in constraint.expressions
            ]
            nulls = constraint.nulls_distinct is not False
            rules.append((exprs, constraint.condition, nulls))
    if link.field.unique:
        rules.append(([F(link.field.name)], None, True))
    for exprs, condition, nulls in rules:
        if any(isinstance(e, F) and _f_name(e) in own for e in exprs):
            others = [e for e in exprs if not (isinstance(e, F) and _f_name(e) in own)]
            found.append((others, condition, nulls))
    return found


def _delete(model: type[models.Model], rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Delete `rows` and return them as plain dicts for the audit entry."""
    kept = [row_plain(obj) for obj in rows]
    if kept:
        model._base_manager.filter(pk__in=[r["id"] for r in kept]).delete()
    return kept


def row_plain(obj: models.Model) -> dict[str, Any]:
    """Every column of a row as JSON-safe values."""
    return {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool | dict | list):
        return value
    return str(value)


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    """The contact with its e-mails, phones, tags and collaborators, for the audit trail."""
    data = row_plain(contact)
    data["emails"] = list(contact.emails.order_by("pk").values("address", "kind", "is_primary"))
    data["phones"] = list(contact.phones.order_by("pk").values("number", "kind", "is_primary"))
    data["tags"] = list(contact.tag_links.order_by("tag__name").values_list("tag__name", flat=True))
    data["collaborators"] = list(
        contact.collaborators.order_by("pk").values_list("membership_id", flat=True)
    )
    return data


def _owners_keep_sight(keep: Contact, owners: set[int | None]) -> list[int]:
    """An owner who is not the kept owner becomes a collaborator: nobody loses their lead."""
    added = []
    for member_id in sorted(m for m in owners if m and m != keep.owner_id):
        _, created = ContactCollaborator.objects.get_or_create(
            org_id=keep.org_id, contact=keep, membership_id=member_id
        )
        if created:
            added.append(member_id)
    if keep.owner_id:
        ContactCollaborator.objects.filter(contact=keep, membership_id=keep.owner_id).delete()
    return added


def _last_touchpoint(keep: Contact, merge: Contact) -> datetime | None:
    """Latest person-made touchpoint, or a stored time with no row behind it (imports)."""
    latest = Touchpoint.objects.filter(contact=keep, is_automated=False).aggregate(
        at=Max("occurred_at")
    )["at"]
    stamps = [t for t in (latest, keep.last_touchpoint_at, merge.last_touchpoint_at) if t]
    return max(stamps) if stamps else None


@transaction.atomic
def duplicate_dismiss(*, actor: Membership, first_id: int, second_id: int) -> None:
    """Mark two visible contacts as different people, so the pair stops being suggested."""
    if first_id == second_id:
        raise ValidationFailed("Pick two contacts.", fields={"second_id": ["same as first_id"]})
    if not pair_visible(actor=actor, first_id=first_id, second_id=second_id):
        raise NotFound("No such contact.", fields={"second_id": ["no such contact"]})
    pair = sorted([first_id, second_id])
    if tuple(pair) in dismissed_pairs(org_id=actor.org_id):
        return
    subject = Contact.objects.get(pk=pair[0])
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="contact.duplicate_dismiss",
        target=subject,
        changes={"pair": pair},
        kind=DISMISSED_KIND,
        payload={"pair": pair},
    )
