"""Factories for core's append-only rows: domain events and audit entries, through the real
recorders."""

from __future__ import annotations

from rallypoynt.core.audit import audit_record
from rallypoynt.core.events import event_emit
from rallypoynt.core.models import AuditEntry, Event
from rallypoynt.orgs.tests.factories import OfficeFactory


def event_for(member, *, kind: str = "office.created", subject=None, **values) -> Event:
    """An event in the member's org, by the member, about `subject` (default: a new office)."""
    subject = subject if subject is not None else OfficeFactory(org=member.org)
    return event_emit(
        org_id=member.org_id, kind=kind, subject=subject, actor_id=member.user_id, **values
    )


def audit_entry_for(member, *, action: str = "office.create", target=None, **values) -> AuditEntry:
    """An audit entry in the member's org, by the member, on `target` (default: a new office)."""
    target = target if target is not None else OfficeFactory(org=member.org)
    return audit_record(
        org_id=member.org_id, actor_id=member.user_id, action=action, target=target, **values
    )
