"""The audit log: record who changed what, from inside services."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from rallypoynt.core.events import event_emit, subject_label
from rallypoynt.core.models import AuditEntry
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


def update_record(
    *, org_id: int, actor_id: int | None, name: str, target: models.Model, changes: dict[str, Any]
) -> None:
    """The tail of every update service: audit `<name>.update` with the changes and emit
    `<name>.updated` naming the fields, both inside the service's transaction."""
    audit_record(
        org_id=org_id, actor_id=actor_id, action=f"{name}.update", target=target, changes=changes
    )
    event_emit(
        org_id=org_id,
        kind=f"{name}.updated",
        subject=target,
        actor_id=actor_id,
        payload={"fields": sorted(changes)},
    )
