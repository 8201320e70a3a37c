"""Log touchpoints and manage tasks; a member's touchpoint can answer an open lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rallypoynt.contacts.choices import Direction, Outcome, TouchpointKind
from rallypoynt.contacts.models import Contact, Task, Touchpoint
from rallypoynt.contacts.services.people import contact_for_update
from rallypoynt.core.audit import audit_and_emit, model_changes, update_record
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.core.jobs import enqueue_on_commit
from rallypoynt.orgs.models import Membership

# Clocks differ a little between a phone and the server; a few minutes ahead is fine.
_SKEW = timedelta(minutes=5)


@dataclass
class TouchpointIn:
    kind: str
    direction: str = Direction.OUTBOUND
    outcome: str = ""
    duration_minutes: int | None = None
    occurred_at: datetime | None = None
    summary: str = ""


def touchpoint_clean(data: TouchpointIn) -> TouchpointIn:
    errors: dict[str, list[str]] = {}
    if data.kind not in TouchpointKind.values:
        errors["kind"] = [f"one of {', '.join(TouchpointKind.values)}"]
    if data.direction not in Direction.values:
        errors["direction"] = [f"one of {', '.join(Direction.values)}"]
    if data.outcome not in Outcome.values:
        errors["outcome"] = [f"one of {', '.join(v for v in Outcome.values if v)}"]
    if data.duration_minutes is not None and not 0 <= data.duration_minutes <= 24 * 60:
        errors["duration_minutes"] = ["between 0 and 1440"]
    if data.occurred_at is not None and data.occurred_at > timezone.now() + _SKEW:
        errors["occurred_at"] = ["cannot be in the future"]
    if errors:
        raise ValidationFailed("The touchpoint is not valid.", fields=errors)
    return data


@transaction.atomic
def touchpoint_log(*, actor: Membership, contact_id: int, data: TouchpointIn) -> Touchpoint:
    """Record a call, e-mail, text, meeting or note on a contact the actor can see."""
    data = touchpoint_clean(data)
    contact = contact_for_update(actor=actor, contact_id=contact_id)
    touchpoint = Touchpoint.objects.create(
        org_id=contact.org_id,
        contact=contact,
        kind=data.kind,
        direction=data.direction,
        outcome=data.outcome,
        duration_minutes=data.duration_minutes,
        occurred_at=data.occurred_at or timezone.now(),
        summary=data.summary.strip(),
        logged_by=actor,
    )
    _touch(contact, touchpoint.occurred_at)
    audit_and_emit(
        org_id=contact.org_id,
        actor_id=actor.user_id,
        action="touchpoint.log",
        target=touchpoint,
        changes={"kind": data.kind, "contact": contact.pk},
        kind="touchpoint.logged",
        payload={
            "contact_id": contact.pk,
            "kind": data.kind,
            "direction": data.direction,
            "outcome": data.outcome,
        },
    )
    return touchpoint


def _touch(contact: Contact, at: datetime) -> None:
    if contact.last_touchpoint_at is None or at > contact.last_touchpoint_at:
        Contact.objects.filter(pk=contact.pk).update(last_touchpoint_at=at)


def automated_touchpoint_record(
    *, contact: Contact, kind: str, summary: str, inquiry_id: int | None = None
) -> Touchpoint:
    """A message the system sent (e.g. lead acknowledgement); never a member's response."""
    touchpoint = Touchpoint.objects.create(
        org_id=contact.org_id,
        contact=contact,
        kind=kind,
        direction=Direction.OUTBOUND,
        outcome=Outcome.SENT,
        occurred_at=timezone.now(),
        summary=summary,
        is_automated=True,
        inquiry_id=inquiry_id,
    )
    event_emit(
        org_id=contact.org_id,
        kind="touchpoint.automated",
        subject=touchpoint,
        payload={"contact_id": contact.pk, "kind": kind},
    )
    return touchpoint


def _assignee(actor: Membership, assignee_id: int | None) -> int:
    if assignee_id is None:
        return actor.pk
    if not Membership.objects.filter(org_id=actor.org_id, pk=assignee_id, is_active=True).exists():
        raise ValidationFailed("No such member.", fields={"assignee_id": ["not an active member"]})
    return assignee_id


@transaction.atomic
def task_create(
    *,
    actor: Membership,
    title: str,
    contact_id: int | None = None,
    assignee_id: int | None = None,
    due_at: datetime | None = None,
    remind_at: datetime | None = None,
    notes: str = "",
) -> Task:
    """Create a task for the actor or a colleague, optionally about a visible contact."""
    title = title.strip()
    if not title:
        raise ValidationFailed("A title is required.", fields={"title": ["required"]})
    if remind_at and due_at and remind_at > due_at:
        raise ValidationFailed("Remind before it is due.", fields={"remind_at": ["after due"]})
    contact = contact_for_update(actor=actor, contact_id=contact_id) if contact_id else None
    task = Task.objects.create(
        org_id=actor.org_id,
        title=title[:200],
        notes=notes,
        contact=contact,
        assignee_id=_assignee(actor, assignee_id),
        created_by=actor,
        due_at=due_at,
        remind_at=remind_at,
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="task.create",
        target=task,
        kind="task.created",
        payload={"assignee_id": task.assignee_id, "contact_id": contact_id},
    )
    if remind_at:
        from rallypoynt.contacts.tasks import task_remind

        enqueue_on_commit(task_remind, task.pk, when=remind_at)
    return task


def task_for_update(*, actor: Membership, task_id: int) -> Task:
    """A task the actor is assigned, created, or may see through its contact."""
    from rallypoynt.contacts.selectors import contact_visible_q

    visible = Q(assignee=actor) | Q(created_by=actor)
    visible |= Q(contact__in=Contact.objects.filter(contact_visible_q(actor)))
    task = Task.objects.select_for_update().filter(visible, org_id=actor.org_id, pk=task_id).first()
    if task is None:
        raise NotFound("No such task.")
    return task


@transaction.atomic
def task_complete(*, actor: Membership, task_id: int, is_done: bool = True) -> Task:
    task = task_for_update(actor=actor, task_id=task_id)
    task.completed_at = timezone.now() if is_done else None
    task.save(update_fields=["completed_at", "updated_at"])
    audit_and_emit(
        org_id=task.org_id,
        actor_id=actor.user_id,
        action="task.complete" if is_done else "task.reopen",
        target=task,
        kind="task.completed" if is_done else "task.reopened",
    )
    return task


TASK_FIELDS = ("title", "notes", "due_at", "remind_at", "assignee_id")


@transaction.atomic
def task_update(*, actor: Membership, task_id: int, changes: dict[str, Any]) -> Task:
    """Change title, notes, due/remind times or assignee; a new remind time re-arms the reminder."""
    task = task_for_update(actor=actor, task_id=task_id)
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown fields.", fields={k: ["unknown field"] for k in unknown})
    before = {f: getattr(task, f) for f in TASK_FIELDS}
    if "title" in changes:
        task.title = (changes["title"] or "").strip()[:200]
        if not task.title:
            raise ValidationFailed("A title is required.", fields={"title": ["required"]})
    if "notes" in changes:
        task.notes = changes["notes"] or ""
    for name in ("due_at", "remind_at"):
        if name in changes:
            setattr(task, name, changes[name])
    if "assignee_id" in changes:
        task.assignee_id = _assignee(actor, changes["assignee_id"])
    if task.remind_at and task.due_at and task.remind_at > task.due_at:
        raise ValidationFailed("Remind before it is due.", fields={"remind_at": ["after due"]})
    diff = model_changes(task, list(TASK_FIELDS), before)
    if "remind_at" in diff:
        task.reminded_at = None
    task.save()
    update_record(
        org_id=task.org_id,
        actor_id=actor.user_id,
        name="task",
        target=task,
        changes=diff,
    )
    if "remind_at" in diff and task.remind_at:
        from rallypoynt.contacts.tasks import task_remind

        remind_at = task.remind_at
        enqueue_on_commit(task_remind, task.pk, when=remind_at)
    return task
