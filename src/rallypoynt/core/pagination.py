"""Cursor (keyset) pagination: stable under inserts, constant cost at any depth."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet

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
    """One page of `qs` after `cursor`; the last field of `ordering` must be unique (id)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            "Invalid limit.", fields={"limit": [f"must be between 1 and {MAX_LIMIT}"]}
        )
    qs = qs.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != len(ordering):
            raise ValidationFailed("Invalid cursor.", fields={"cursor": ["does not match"]})
        try:
            qs = qs.filter(_after(ordering, values))
        except (TypeError, ValueError, OverflowError, DjangoValidationError) as exc:
            # A value of the wrong type for its field (e.g. "abc" for an id).
            raise ValidationFailed("Invalid cursor.", fields={"cursor": ["malformed"]}) from exc
    names = [f.lstrip("-") for f in ordering]
    rows = list(qs.annotate(**{f"_cursor_{i}": F(n) for i, n in enumerate(names)})[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, f"_cursor_{i}") for i in range(len(names))])
    return {"items": [serialize(r) for r in rows], "next_cursor": next_cursor}
