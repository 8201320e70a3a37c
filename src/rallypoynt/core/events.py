"""Emit domain events from inside services (same transaction as the write)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from rallypoynt.core.models import Event
from rallypoynt.core.records import record_save

if TYPE_CHECKING:
    from django_tasks.base import Task


def subject_label(subject: models.Model | None) -> tuple[str, int | None]:
    """Return the (type, id) pair that names a subject row."""
    if subject is None:
        return "", None
    return subject._meta.label_lower, subject.pk


def event_emit(
    *,
    org_id: int,
    kind: str,
    subject: models.Model | None = None,
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one domain event; call inside the service's transaction so it commits with it."""
    subject_type, subject_id = subject_label(subject)
    event = Event(
        org_id=org_id,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        payload=payload or {},
        occurred_at=timezone.now(),
    )
    saved = record_save(event, _subscribers_notify if kind in _subscribers else None)
    for handler in _handlers.get(kind, ()):
        handler(saved, subject)
    return saved


# Subscriptions: a higher app reacts to a lower app's events without the lower app knowing it.
# A subscriber runs later, as a background job; a handler runs at once, inside the emitting
# service's transaction (its write commits or rolls back with the event).
_subscribers: dict[str, list[Task[..., Any]]] = {}
_handlers: dict[str, list[Callable[[Event, models.Model | None], None]]] = {}


def event_handle(kind: str, handler: Callable[[Event, models.Model | None], None]) -> None:
    """Call `handler(event, subject)` inside the transaction of every `kind` event."""
    _handlers.setdefault(kind, [])
    if handler not in _handlers[kind]:
        _handlers[kind].append(handler)


def event_subscribe(kind: str, job: Task[..., Any]) -> None:
    """Run background `job(event_id)` for every `kind` event, once its transaction commits."""
    _subscribers.setdefault(kind, [])
    if job not in _subscribers[kind]:
        _subscribers[kind].append(job)


def _subscribers_notify(event: Event) -> None:
    from rallypoynt.core.jobs import enqueue_on_commit

    for job in _subscribers.get(event.kind, ()):
        enqueue_on_commit(job, event.pk)
