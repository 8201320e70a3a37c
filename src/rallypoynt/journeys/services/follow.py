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
from rallypoynt.journeys.blueprint import Phase
from rallypoynt.journeys.choices import WORKING
from rallypoynt.journeys.evidence import done_by, work_label
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


def _due_times(engagement: Engagement, now: datetime) -> dict[str, datetime | None]:
    return {s.step.key: s.due_at for s in engagement_evaluate(engagement, now).steps}


def _complete(engagement, event, actor, via, now, result: Followed) -> list[str]:
    """Record every step and deliverable `event` proves; returns stages its steps enter."""
    done, filed = _live_steps(engagement), _filed(engagement)
    blueprint = version_blueprint(engagement.journey)
    due = _due_times(engagement, now)
    stages = []
    for phase in _ahead(engagement):
        here = phase.key == engagement.phase_key
        for step in phase.steps_for(engagement.side):
            if (
                event.kind not in done_by(blueprint, phase.key, step)
                or (phase.key, step.key) in done
            ):
                continue
            StepCompletion.objects.create(
                org_id=engagement.org_id,
                engagement=engagement,
                phase_key=phase.key,
                step_key=step.key,
                due_at=due.get(step.key) if here else None,
                completed_at=event.occurred_at,
                completed_by=actor,
                event=event,
                via=via[:200],
            )
            handoffs_close(
                engagement, f"Done: {via}.", now, phase_keys=[phase.key], step_key=step.key
            )
            result.steps.append(f"{phase.key}:{step.key}")
            if here and step.enters_stage:
                stages.append(step.enters_stage)
        for item in phase.deliverables_for(engagement.side):
            if (
                event.kind not in done_by(blueprint, phase.key, item)
                or (phase.key, item.key) in filed
            ):
                continue
            DeliverableRecord.objects.create(
                org_id=engagement.org_id,
                engagement=engagement,
                phase_key=phase.key,
                deliverable_key=item.key,
                note=via[:300],
                recorded_at=event.occurred_at,
                recorded_by=actor,
                event=event,
            )
            result.deliverables.append(f"{phase.key}:{item.key}")
    return stages


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
