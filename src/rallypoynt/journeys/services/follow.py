"""The journey follows the work: a recorded event completes the steps and files the
deliverables whose `done_by` names it, in the current phase or one still ahead, recorded
with the event that did it; then the engagement leaves each phase the work has proven.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.models import Event
from rallypoynt.journeys.choices import WORKING
from rallypoynt.journeys.domain import Blueprint, Deliverable, Phase, Step, done_by, work_label
from rallypoynt.journeys.models import DeliverableRecord, Engagement, StepCompletion
from rallypoynt.journeys.selectors import VERSION_DATA, engagement_evaluate, version_blueprint
from rallypoynt.journeys.services.client_stage import clients_stage_follow
from rallypoynt.journeys.services.engagements import engagement_record
from rallypoynt.journeys.services.handoffs import handoffs_close
from rallypoynt.journeys.services.phase_move import PHASE_FIELDS, follow_on, stage_follow
from rallypoynt.orgs.models import Membership


@dataclass
class Followed:
    """What one event did to one engagement."""

    engagement: Engagement
    steps: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)
    waiting: str = ""


def event_member(event: Event) -> Membership | None:
    """The event's actor as a member of its org (None for the system)."""
    if event.actor_id is None:
        return None
    return Membership.objects.filter(org_id=event.org_id, user_id=event.actor_id).first()


def _lock(org_id: int, engagement_id: int) -> Engagement | None:
    rows = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("journey", "pipeline", "org", "agent")
        .defer(*VERSION_DATA)
    )
    return rows.filter(org_id=org_id, pk=engagement_id).first()


def _ahead(engagement: Engagement) -> list[Phase]:
    """The current phase and the ones after it: work may be proven before it is reached."""
    phases = list(version_blueprint(engagement.journey).phases)
    keys = [p.key for p in phases]
    here = keys.index(engagement.phase_key) if engagement.phase_key in keys else 0
    return phases[here:]


def _live_steps(engagement: Engagement) -> set[tuple[str, str]]:
    rows = StepCompletion.objects.filter(
        org_id=engagement.org_id, engagement=engagement, undone_at__isnull=True
    )
    return set(rows.values_list("phase_key", "step_key"))


def _filed(engagement: Engagement) -> set[tuple[str, str]]:
    rows = DeliverableRecord.objects.filter(org_id=engagement.org_id, engagement=engagement)
    return set(rows.values_list("phase_key", "deliverable_key"))


def _proven(
    engagement: Engagement, event: Event, blueprint: Blueprint
) -> tuple[list[tuple[Phase, Step]], list[tuple[Phase, Deliverable]]]:
    """(phase, step) and (phase, deliverable) pairs `event` proves, from the current phase on."""
    steps: list[tuple[Phase, Step]] = []
    items: list[tuple[Phase, Deliverable]] = []
    for phase in _ahead(engagement):
        for step in phase.steps_for(engagement.side):
            if event.kind in done_by(blueprint, phase.key, step):
                steps.append((phase, step))
        for item in phase.deliverables_for(engagement.side):
            if event.kind in done_by(blueprint, phase.key, item):
                items.append((phase, item))
    return steps, items


def _complete(
    engagement: Engagement,
    event: Event,
    actor: Membership | None,
    via: str,
    now: datetime,
    result: Followed,
) -> list[str]:
    """Record every step and deliverable `event` proves (not already on record), in two
    inserts; returns the pipeline stages its current-phase steps enter."""
    steps, items = _proven(engagement, event, version_blueprint(engagement.journey))
    done = _live_steps(engagement) if steps else set()
    steps = [(p, s) for p, s in steps if (p.key, s.key) not in done]
    filed = _filed(engagement) if items else set()
    items = [(p, d) for p, d in items if (p.key, d.key) not in filed]
    here = engagement.phase_key
    due: dict[str, datetime | None] = {}
    if any(p.key == here for p, _ in steps):
        due = {s.step.key: s.due_at for s in engagement_evaluate(engagement, now).steps}
    common = {"org_id": engagement.org_id, "engagement": engagement, "event": event}
    StepCompletion.objects.bulk_create(
        StepCompletion(
            **common,
            phase_key=p.key,
            step_key=s.key,
            due_at=due.get(s.key) if p.key == here else None,
            completed_at=event.occurred_at,
            completed_by=actor,
            via=via[:200],
        )
        for p, s in steps
    )
    DeliverableRecord.objects.bulk_create(
        DeliverableRecord(
            **common,
            phase_key=p.key,
            deliverable_key=d.key,
            note=via[:300],
            recorded_at=event.occurred_at,
            recorded_by=actor,
        )
        for p, d in items
    )
    for p, s in steps:
        if p.key == here:  # handoffs exist for the current phase's steps only
            handoffs_close(engagement, f"Done: {via}.", now, phase_keys=[here], step_key=s.key)
    result.steps += [f"{p.key}:{s.key}" for p, s in steps]
    result.deliverables += [f"{p.key}:{d.key}" for p, d in items]
    return [s.enters_stage for p, s in steps if p.key == here and s.enters_stage]


@transaction.atomic
def journey_follow(
    *, engagement_id: int, event: Event, via: str = "", now: datetime | None = None
) -> Followed | None:
    """Apply one recorded event to one engagement (safe to run twice: what is on record
    stays as it was). An engagement that is lost or on hold is left alone."""
    engagement = _lock(event.org_id, engagement_id)
    if engagement is None or engagement.status not in WORKING:
        return None
    now = now or timezone.now()
    actor = event_member(event)
    via = via or work_label(event.kind)
    result = Followed(engagement)
    stages = _complete(engagement, event, actor, via, now, result)
    if stages:
        stage_follow(engagement, tuple(stages), actor, now)
        engagement.save(update_fields=PHASE_FIELDS)
    clients_stage_follow(engagement, [key.split(":")[1] for key in result.steps], actor)
    if result.steps or result.deliverables:
        engagement_record(
            engagement,
            actor,
            "engagement.work_recorded",
            event_id=event.pk,
            event_kind=event.kind,
            via=via,
            steps=result.steps,
            deliverables=result.deliverables,
        )
    if result.steps or result.deliverables:
        # Only what this event proved may move the journey: an event that proved nothing
        # (a note on a deal that fell through) must not push it on.
        result.waiting = follow_on(engagement, actor, now)
    return result


def evidence_withdraw(
    engagement: Engagement, event_ids: list[int], actor: Membership | None, now: datetime
) -> int:
    """Undo everything these events proved, in any phase (the deal fell through: the buyer
    selects again, the contract's work is void); rows stay, marked undone."""
    scope = {"org_id": engagement.org_id, "engagement": engagement, "event_id__in": event_ids}
    undone = StepCompletion.objects.filter(**scope, undone_at__isnull=True).update(
        undone_at=now, undone_by=actor
    )
    removed, _ = DeliverableRecord.objects.filter(**scope).delete()
    return undone + removed
