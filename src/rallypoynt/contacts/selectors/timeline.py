"""A contact's merged timeline (touchpoints, tasks and what other apps add), newest first.

One query per kind whatever the history's length: each kind is read already sorted and cut
at the page size, then the short lists are merged. The cursor is (time, kind rank, id), so
rows with the same time keep one stable order across pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from heapq import merge
from typing import Any

from django.db.models import DateTimeField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from rallypoynt.contacts.models import CustomField, Task, Touchpoint
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.core.pagination import MAX_LIMIT, decode_cursor, encode_cursor
from rallypoynt.orgs.models import Membership


@dataclass(frozen=True)
class TimelineSource:
    """One kind of row on a contact's timeline; apps above contacts add theirs at start-up.

    `rows(scope)` gives the kind's rows of one contact, `field` the time that places a row,
    `rank` breaks ties at the same instant (higher first), `title`/`data` shape the API
    entry (a touchpoint's data is its API schema, filled there) and `template` renders the
    row on the contact page.
    """

    kind: str
    rank: int
    rows: Callable[[dict[str, Any]], QuerySet]
    field: str
    title: Callable[[Any], str]
    data: Callable[[Any], dict[str, Any]]
    template: str


_SOURCES: dict[str, TimelineSource] = {}


def timeline_source_add(source: TimelineSource) -> None:
    """Show `source`'s rows on every contact's timeline (idempotent per kind)."""
    _SOURCES[source.kind] = source


@dataclass(frozen=True)
class TimelineItem:
    """One entry of the timeline; `obj` is the row itself."""

    source: TimelineSource
    at: datetime
    obj: Any

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, self.source.rank, self.obj.pk)


def _touchpoints(scope: dict[str, Any]) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(**scope).select_related("logged_by__user")


def _tasks(scope: dict[str, Any]) -> QuerySet[Task]:
    # A done task sits where it was finished; an open one where it was created.
    return (
        Task.objects.filter(**scope)
        .select_related("assignee__user")
        .annotate(timeline_at=Coalesce("completed_at", "created_at", output_field=DateTimeField()))
    )


def _touchpoint_title(row: Touchpoint) -> str:
    return f"{row.get_kind_display()} ({row.get_direction_display().lower()})"


def _task_data(row: Task) -> dict[str, Any]:
    return {
        "title": row.title,
        "assignee_id": row.assignee_id,
        "due_at": row.due_at,
        "completed_at": row.completed_at,
        "is_done": row.is_done,
    }


TOUCHPOINTS = TimelineSource(
    "touchpoint",
    3,
    _touchpoints,
    "occurred_at",
    _touchpoint_title,
    lambda row: {},
    "contacts/_timeline_touchpoint.html",
)
TASKS = TimelineSource(
    "task",
    1,
    _tasks,
    "timeline_at",
    lambda row: f"Task: {row.title}",
    _task_data,
    "contacts/_timeline_task.html",
)
timeline_source_add(TOUCHPOINTS)
timeline_source_add(TASKS)


def _scope(actor: Membership, contact_id: int) -> dict[str, Any]:
    """The filter that keeps one contact's rows, and none when the actor cannot see it."""
    visible = contact_queryset(actor=actor).filter(pk=contact_id).values("pk")
    return {"org_id": actor.org_id, "contact_id": contact_id, "contact_id__in": visible}


def _after_cursor(own: int, field: str, cursor: tuple[datetime, int, int]) -> Q:
    """Rows of rank `own` that come strictly after the cursor in newest-first order."""
    at, rank, pk = cursor
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
    scope = _scope(actor, contact_id)
    for source in _SOURCES.values():
        qs = source.rows(scope)
        if after is not None:
            qs = qs.filter(_after_cursor(source.rank, source.field, after))
        rows = qs.order_by(f"-{source.field}", "-pk")[: limit + 1]
        streams.append([TimelineItem(source, getattr(row, source.field), row) for row in rows])
    merged = list(merge(*streams, key=lambda item: item.sort_key, reverse=True))
    items = merged[:limit]
    next_cursor = None
    if len(merged) > limit:
        at, rank, pk = items[-1].sort_key
        next_cursor = encode_cursor([at.isoformat(), rank, pk])
    return {"items": items, "next_cursor": next_cursor}


def touchpoint_list(*, actor: Membership, contact_id: int) -> QuerySet[Touchpoint]:
    """Touchpoints of one contact, empty when the actor cannot see it (unordered)."""
    return _touchpoints(_scope(actor, contact_id))


def custom_fields_of(*, actor: Membership) -> QuerySet[CustomField]:
    """The org's custom contact fields, in their display order."""
    return CustomField.objects.filter(org_id=actor.org_id).order_by("position", "label")
