"""Write a service's audit entries and events with one INSERT per table instead of one each.

A hot path (lead intake) records several facts in one transaction; inside `records_batched()`
`audit_record` and `event_emit` hand their rows here and the block's clean exit writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)
# What runs once a row has its pk; kept beside rows of any model, so it takes Any.
Saved = Callable[[Any], None]
_pending: ContextVar[list[tuple[models.Model, Saved | None]] | None] = ContextVar(
    "rallypoynt_records", default=None
)


def record_save(row: M, saved: Callable[[M], None] | None = None) -> M:
    """Save `row` now, or keep it for the enclosing batch (its pk is set when the batch ends);
    `saved(row)` runs once the row has its pk."""
    pending = _pending.get()
    if pending is None:
        row.save(force_insert=True)
        if saved is not None:
            saved(row)
    else:
        pending.append((row, saved))
    return row


@contextmanager
def records_batched() -> Iterator[None]:
    """Collect the rows `record_save` gets in this block; write them when it ends without error.

    Call it inside the transaction, so the rows commit or roll back with the writes they record.
    A nested block joins the outer one; if it raises, its rows are dropped (the savepoint it
    sits in rolls back too). A row recorded in a savepoint that rolls back without such a
    block of its own would still be written: give that savepoint its own block.
    """
    outer = _pending.get()
    if outer is not None:
        mark = len(outer)
        try:
            yield
        except BaseException:
            del outer[mark:]
            raise
        return
    rows: list[tuple[models.Model, Saved | None]] = []
    token = _pending.set(rows)
    try:
        yield
    finally:
        _pending.reset(token)
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row, _ in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, batch in by_model.items():
        model._default_manager.bulk_create(batch)
    for row, saved in rows:
        if saved is not None:
            saved(row)
