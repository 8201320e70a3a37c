"""The audit log: record who changed what, from inside services."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from rallypoynt.core.events import event_emit, subject_label
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.core.records import record_save


def model_changes(
    instance: models.Model, fields: list[str], before: dict[str, Any]
) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose value changed."""
    changes: dict[str, list[Any]] = {}
    for name in fields:
        new = getattr(instance, name)
        if before.get(name) != new:
            changes[name] = [_plain(before.get(name)), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def audit_record(
    *,
    org_id: int,
    actor_id: int | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry for a write on `target`."""
    object_type, object_id = subject_label(target)
    entry = AuditEntry(
        org_id=org_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(target)[:200],
        changes=changes or {},
        at=timezone.now(),
    )
    return record_save(entry)


# audit_and_emit's default subject: the audited row itself.
_TARGET: Any = object()


def audit_and_emit(
    *,
    org_id: int,
    actor_id: int | None,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    kind: str,
    subject: models.Model | None = _TARGET,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Audit `action` on `target`, then emit event `kind` about `subject` (default: `target`;
    None: no subject) by the same actor, in the caller's transaction; return the event."""
    audit_record(org_id=org_id, actor_id=actor_id, action=action, target=target, changes=changes)
    return event_emit(
        org_id=org_id,
        kind=kind,
        subject=target if subject is _TARGET else subject,
        actor_id=actor_id,
        payload=payload,
    )


def update_record(
    *, org_id: int, actor_id: int | None, name: str, target: models.Model, changes: dict[str, Any]
) -> None:
    """The tail of every update service: audit `<name>.update` with the changes and emit
    `<name>.updated` naming the fields, both inside the service's transaction."""
    audit_and_emit(
        org_id=org_id,
        actor_id=actor_id,
        action=f"{name}.update",
        target=target,
        changes=changes,
        kind=f"{name}.updated",
        payload={"fields": sorted(changes)},
    )
