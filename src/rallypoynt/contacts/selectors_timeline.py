"""A contact's merged timeline (touchpoints, lead inquiries, tasks), newest first.

Three queries whatever the history's length: each kind is read already sorted and cut at the
page size, then the three short lists are merged. The cursor is (time, kind rank, id), so
rows with the same time keep one stable order across pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from typing import Any

from django.db.models import DateTimeField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from rallypoynt.contacts.models import CustomField, LeadInquiry, Task, Touchpoint
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from rallypoynt.orgs.models import Membership

# Rank breaks ties between kinds at the same instant (higher comes first).
KIND_RANK = {"touchpoint": 3, "inquiry": 2, "task": 1}


@dataclass(frozen=True)
class TimelineItem:
    """One entry: `kind` is touchpoint, inquiry or task; `obj` is the row itself."""

    kind: str
    at: datetime
    obj: Any

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, KIND_RANK[self.kind], self.obj.pk)


def _sources(actor: Membership, contact_id: int) -> dict[str, tuple[QuerySet, str]]:
    """Each kind's rows of one visible contact, with the field that dates them."""
    visible = contact_queryset(actor=actor).filter(pk=contact_id).values("pk")
    scope = {"org_id": actor.org_id, "contact_id": contact_id, "contact_id__in": visible}
    touchpoints = Touchpoint.objects.filter(**scope).select_related("logged_by__user")
    inquiries = LeadInquiry.objects.filter(**scope).select_related("assigned_to__user")
    # A done task sits where it was finished; an open one where it was created.
    tasks = (
        Task.objects.filter(**scope)
        .select_related("assignee__user")
        .annotate(timeline_at=Coalesce("completed_at", "created_at", output_field=DateTimeField()))
    )
    return {
        "touchpoint": (touchpoints, "occurred_at"),
        "inquiry": (inquiries, "received_at"),
        "task": (tasks, "timeline_at"),
    }


def _after_cursor(kind: str, field: str, cursor: tuple[datetime, int, int]) -> Q:
    """Rows of `kind` that come strictly after the cursor in newest-first order."""
    at, rank, pk = cursor
    own = KIND_RANK[kind]
    if own < rank:
        return Q(**{f"{field}__lte": at})
    if own > rank:
        return Q(**{f"{field}__lt": at})
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk})


def _decode(cursor: str) -> tuple[datetime, int, int]:
    values = decode_cursor(cursor)
    at = parse_datetime(values[0]) if len(values) == 3 and isinstance(values[0], str) else None
    if at is None or not all(isinstance(v, int) for v in values[1:]):
        raise ValidationFailed("Invalid cursor.", fields={"cursor": ["malformed"]})
    return at, values[1], values[2]


def contact_timeline(
    *, actor: Membership, contact_id: int, cursor: str | None = None, limit: int = 30
) -> dict[str, Any]:
    """One page of the contact's history, newest first; empty for a contact not visible."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            "Invalid limit.", fields={"limit": [f"must be between 1 and {MAX_LIMIT}"]}
        )
    after = _decode(cursor) if cursor else None
    streams = []
    for kind, (qs, field) in _sources(actor, contact_id).items():
        if after is not None:
            qs = qs.filter(_after_cursor(kind, field, after))
        rows = qs.order_by(f"-{field}", "-pk")[: limit + 1]
        streams.append([TimelineItem(kind, getattr(row, field), row) for row in rows])
    merged = list(merge(*streams, key=lambda item: item.sort_key, reverse=True))
    items = merged[:limit]
    next_cursor = None
    if len(merged) > limit:
        at, rank, pk = items[-1].sort_key
        next_cursor = encode_cursor([at.isoformat(), rank, pk])
    return {"items": items, "next_cursor": next_cursor}


def touchpoint_list(*, actor: Membership, contact_id: int) -> QuerySet[Touchpoint]:
    """Touchpoints of one contact, empty when the actor cannot see it (unordered)."""
    return _sources(actor, contact_id)["touchpoint"][0]


def custom_fields_of(*, actor: Membership) -> QuerySet[CustomField]:
    """The org's custom contact fields, in their display order."""
    return CustomField.objects.filter(org_id=actor.org_id).order_by("position", "label")
