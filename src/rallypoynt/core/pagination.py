"""Cursor (keyset) pagination: stable under inserts, constant cost at any depth.

Every page is ordered by a unique key: the list's own fields, then the primary key as the
tie-breaker (added when the ordering does not end with it), and the cursor carries all of
them. On SQLite the cursor keeps a date-time exactly as the row stores it and compares it
as stored: the column sorts by its text, and rows written outside the ORM (set-based
inserts, `core.bulk`) may spell the same instant differently ("... 12:00:00+00:00" against
the ORM's "... 12:00:00"), so a cursor re-spelled by the ORM would miss the rows tied with it.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models import DateTimeField, F, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime

from rallypoynt.core.errors import ValidationFailed

MAX_LIMIT = 200


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(
        [v if isinstance(v, int | str | float) or v is None else str(v) for v in values],
        separators=(",", ":"),
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("Invalid cursor.", fields={"cursor": ["malformed"]}) from exc
    if not isinstance(values, list) or not all(_is_cursor_value(v) for v in values):
        raise ValidationFailed("Invalid cursor.", fields={"cursor": ["malformed"]})
    return values


def _is_cursor_value(value: Any) -> bool:
    # Only what encode_cursor writes; NUL is refused because PostgreSQL text cannot hold it.
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return "\x00" not in value
    return value is None or isinstance(value, int)


def _unique(ordering: Sequence[str]) -> tuple[str, ...]:
    """`ordering` ending with the primary key, so no two rows share a cursor."""
    ordering = tuple(ordering)
    if ordering and ordering[-1].lstrip("-") in ("id", "pk"):
        return ordering
    descending = bool(ordering) and ordering[-1].startswith("-")
    return (*ordering, "-id" if descending else "id")


def _stored_text_positions(qs: QuerySet, names: Sequence[str]) -> set[int]:
    """Positions of date-time keys that SQLite must compare as the text it stores."""
    if connections[qs.db].vendor != "sqlite":
        return set()
    probe = qs.annotate(**{f"_cursor_{i}": F(n) for i, n in enumerate(names)}).query
    return {
        i
        for i in range(len(names))
        if isinstance(probe.annotations[f"_cursor_{i}"].output_field, DateTimeField)
    }


def _stored_text(value: Any) -> Value:
    """A date-time cursor value to compare with the column's own text (SQLite)."""
    if not isinstance(value, str) or parse_datetime(value) is None:
        raise ValueError("not a date-time")
    return Value(value, output_field=TextField())


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (fields may start with '-')."""
    q = Q()
    for i, field in enumerate(ordering):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{name}__{op}": values[i]})
        for prev, value in zip(ordering[:i], values[:i], strict=False):
            clause &= Q(**{prev.lstrip("-"): value})
        q |= clause
    return q


def paginate(
    qs: QuerySet,
    *,
    cursor: str | None,
    limit: int,
    ordering: Sequence[str] = ("-id",),
    serialize: Callable[[Any], Any] = lambda row: row,
) -> dict[str, Any]:
    """One page of `qs` after `cursor`, ordered by `ordering` and then the primary key."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            "Invalid limit.", fields={"limit": [f"must be between 1 and {MAX_LIMIT}"]}
        )
    ordering = _unique(ordering)
    names = [f.lstrip("-") for f in ordering]
    as_stored = _stored_text_positions(qs, names)
    qs = qs.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != len(ordering):
            raise ValidationFailed("Invalid cursor.", fields={"cursor": ["does not match"]})
        try:
            values = [_stored_text(v) if i in as_stored else v for i, v in enumerate(values)]
            qs = qs.filter(_after(ordering, values))
        except (TypeError, ValueError, OverflowError, DjangoValidationError) as exc:
            # A value of the wrong type for its field (e.g. "abc" for an id).
            raise ValidationFailed("Invalid cursor.", fields={"cursor": ["malformed"]}) from exc
    keys = {
        f"_cursor_{i}": Cast(F(n), TextField()) if i in as_stored else F(n)
        for i, n in enumerate(names)
    }
    rows = list(qs.annotate(**keys)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f"_cursor_{i}") for i in range(len(names))])
    return {"items": [serialize(r) for r in rows], "next_cursor": next_cursor}
