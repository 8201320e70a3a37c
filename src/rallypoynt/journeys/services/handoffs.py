"""Handoffs: a step whose role another member holds goes to them as a task and a notification,
and they accept it. The team level's way of passing work between specialists.

Lock order as in `engagements`: the engagement row first, then the handoff.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rallypoynt.contacts.models import Contact, Task
from rallypoynt.contacts.selectors import contact_visible_q
from rallypoynt.contacts.services import collaborators_grant, task_create
from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.timefmt import moment_text
from rallypoynt.journeys.choices import WORKING
from rallypoynt.journeys.domain import StepStatus
from rallypoynt.journeys.models import Engagement, EngagementContact, Handoff, PhaseVisit
from rallypoynt.journeys.selectors import (
    MANAGE_ACTION,
    RoleHolder,
    handoff_list,
    role_holder,
    version_blueprint,
)
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import reach_for
from rallypoynt.orgs.services import notification_send


def _record(engagement: Engagement, actor: Membership, kind: str, **payload: object) -> None:
    # Imported here: `services.engagements` calls `handoffs_open`, so a module-level import
    # of it from here would be circular.
    from rallypoynt.journeys.services.engagements import engagement_record

    engagement_record(engagement, actor, kind, **payload)


def _lock(engagement_id: int) -> Engagement:
    return (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("org", "team", "agent__user", "journey")
        .get(pk=engagement_id)
    )


def _handed_off(engagement: Engagement) -> set[str]:
    """Steps of the current phase handed off during this stay in it (accepted or not)."""
    visit = (
        PhaseVisit.objects.filter(
            org_id=engagement.org_id,
            engagement=engagement,
            key=engagement.phase_key,
            exited_at__isnull=True,
        )
        .order_by("-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    found = Handoff.objects.filter(
        org_id=engagement.org_id, engagement=engagement, phase_key=engagement.phase_key
    )
    if visit is not None:
        # Both stamps are the database rows' own creation times, so a caller's `now` cannot skew it.
        found = found.filter(created_at__gte=visit)
    return set(found.values_list("step_key", flat=True))


def _client(engagement: Engagement, actor: Membership) -> tuple[str, int | None]:
    """The primary client's name, and their id when the actor may link a task to them."""
    primary = (
        EngagementContact.objects.filter(org_id=engagement.org_id, engagement=engagement)
        .order_by("-is_primary", "pk")
        .values_list("contact_id", flat=True)
        .first()
    )
    if primary is None:
        return engagement.title, None
    contact = Contact.objects.filter(contact_visible_q(actor), pk=primary).first()
    if contact is None:
        return engagement.title, None
    return str(contact), contact.pk


def _when(status: StepStatus, engagement: Engagement, now: datetime) -> str:
    if status.due_at is None:
        return "no due time yet"
    stamp = moment_text(status.due_at, engagement.org)
    return f"was due {stamp}" if status.due_at <= now else f"due {stamp}"


def _body(engagement: Engagement, status: StepStatus, holder: RoleHolder, now: datetime) -> str:
    checklist = version_blueprint(engagement.journey).handoff_checklist
    lines = [
        f'{engagement.agent.user} hands you "{status.step.title}" on {engagement.title}, '
        f"{_when(status, engagement, now)}.",
        f"Why you: {holder.reason}.",
    ]
    if checklist:
        lines += ["", "Handoff checklist:", *(f"- {item}" for item in checklist)]
    return "\n".join(lines)


@transaction.atomic
def handoffs_open(
    *,
    engagement: Engagement,
    actor: Membership,
    steps: Iterable[StepStatus],
    now: datetime | None = None,
) -> list[Handoff]:
    """Hand each open step of the current phase whose role another member holds to them:
    a Handoff row, a task, a notification and an event. Safe to call again: it adds nothing."""
    if actor.org_id != engagement.org_id:
        raise NotFound("No such engagement.")
    engagement = _lock(engagement.pk)
    if engagement.status not in WORKING:
        return []
    phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
    pending = [s for s in steps if not s.is_done]
    stray = [s.step.key for s in pending if phase is None or phase.step(s.step.key) is None]
    if stray:
        raise ValidationFailed(
            "Those steps are not in the engagement's current phase.", fields={"steps": stray}
        )
    now = now or timezone.now()
    done = _handed_off(engagement)
    holders: dict[str, RoleHolder] = {}
    client: tuple[str, int | None] | None = None
    created = []
    for status in pending:
        if status.step.key in done:
            continue
        holder = holders.get(status.role) or role_holder(engagement, status.role)
        holders[status.role] = holder
        receiver = holder.member
        if receiver is None or receiver.pk == engagement.agent_id:
            continue
        client = client or _client(engagement, actor)
        created.append(_open_one(engagement, actor, status, holder, receiver, client, now))
        done.add(status.step.key)
    return created


def _open_one(
    engagement: Engagement,
    actor: Membership,
    status: StepStatus,
    holder: RoleHolder,
    receiver: Membership,
    client: tuple[str, int | None],
    now: datetime,
) -> Handoff:
    name, contact_id = client
    task = task_create(
        actor=actor,
        title=f"{status.step.title}: {name}",
        contact_id=contact_id,
        assignee_id=receiver.pk,
        due_at=status.due_at,
        notes="\n".join(
            [f"Handed off by {engagement.agent.user}: {holder.reason}.", *status.step.checklist]
        ),
    )
    handoff = Handoff.objects.create(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        step_key=status.step.key,
        role=status.role,
        from_member=engagement.agent,
        to_member=receiver,
        task=task,
    )
    # The work is about the clients: whoever it is handed to works with them too.
    clients = EngagementContact.objects.filter(org_id=engagement.org_id, engagement=engagement)
    collaborators_grant(
        actor=actor,
        contact_ids=clients.values_list("contact_id", flat=True),
        member=receiver,
        reason=f"handoff of {status.step.key}",
    )
    notification_send(
        recipient=receiver,
        kind="journey.handoff",
        title=f"Handoff: {status.step.title} for {name}",
        body=_body(engagement, status, holder, now),
        link=reverse("contacts:tasks"),
    )
    _record(
        engagement,
        actor,
        "engagement.handoff_created",
        handoff_id=handoff.pk,
        step=status.step.key,
        role=status.role,
        to_member_id=receiver.pk,
        task_id=task.pk,
        reason=holder.reason,
    )
    return handoff


def handoffs_close(
    engagement: Engagement,
    note: str,
    now: datetime,
    *,
    phase_keys: Iterable[str] | None = None,
    step_key: str = "",
) -> int:
    """Close the engagement's open handoffs (of `phase_keys` and `step_key` when given, else
    all) and their open tasks, `note` saying why; returns how many tasks were closed."""
    handoffs = Handoff.objects.filter(
        org_id=engagement.org_id, engagement=engagement, closed_at__isnull=True
    )
    if phase_keys is not None:
        handoffs = handoffs.filter(phase_key__in=list(phase_keys))
    if step_key:
        handoffs = handoffs.filter(step_key=step_key)
    task_ids = list(handoffs.filter(task__isnull=False).values_list("task_id", flat=True))
    handoffs.update(closed_at=now, closed_reason=note[:300], updated_at=now)
    tasks = Task.objects.filter(
        org_id=engagement.org_id, pk__in=task_ids, completed_at__isnull=True
    )
    closed = 0
    for task in tasks.select_for_update():
        task.notes = f"{task.notes}\n\n{note}".strip()
        task.completed_at = now
        task.save(update_fields=["notes", "completed_at", "updated_at"])
        closed += 1
    return closed


@transaction.atomic
def handoff_accept(*, actor: Membership, handoff_id: int, now: datetime | None = None) -> Handoff:
    """The receiver takes the work (a manager whose reach holds the engagement's agent may
    accept for them); accepting twice is a Conflict, a handoff the actor cannot see NotFound."""
    engagement_id = (
        handoff_list(actor=actor)
        .filter(pk=handoff_id)
        .values_list("engagement_id", flat=True)
        .first()
    )
    if engagement_id is None:
        raise NotFound("No such handoff.")
    engagement = _lock(engagement_id)
    handoff = Handoff.objects.select_for_update(of=("self",)).get(pk=handoff_id)
    is_receiver = handoff.to_member_id == actor.pk
    # Seeing it (a team lead, compliance) is not managing it: that is a 403, not a 404.
    reach = reach_for(actor, MANAGE_ACTION)
    if not is_receiver and (reach is None or not reach.has_member(engagement.agent)):
        raise PermissionDenied("Only the member it was handed to (or a team manager) may accept.")
    if handoff.closed_at is not None:
        raise Conflict(
            f"This handoff was closed: {handoff.closed_reason}",
            fields={"closed_at": [handoff.closed_at.isoformat()]},
        )
    if handoff.accepted_at is not None:
        raise Conflict(
            "This handoff was accepted already.",
            fields={"accepted_at": [handoff.accepted_at.isoformat()]},
        )
    handoff.accepted_at = now or timezone.now()
    handoff.save(update_fields=["accepted_at", "updated_at"])
    _record(
        engagement,
        actor,
        "engagement.handoff_accepted",
        handoff_id=handoff.pk,
        step=handoff.step_key,
        role=handoff.role,
        to_member_id=handoff.to_member_id,
        is_on_behalf=not is_receiver,
    )
    return handoff
