"""Moving an engagement along: steps, deliverables, gates, phases and pipeline stages.

Every move is checked by the engine first; an illegal one is a Conflict naming what is
missing, and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import Conflict, PermissionDenied, ValidationFailed
from rallypoynt.core.timefmt import moment_day_text
from rallypoynt.journeys.choices import WORKING, GateVerdict, VisitExit
from rallypoynt.journeys.domain import Evaluation
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    GateDecision,
    PhaseVisit,
    StageVisit,
    StepCompletion,
    TemplateVersion,
)
from rallypoynt.journeys.selectors import engagement_evaluate, version_blueprint
from rallypoynt.journeys.services.client_stage import clients_stage_follow
from rallypoynt.journeys.services.engagements import engagement_for_update, engagement_record
from rallypoynt.journeys.services.handoffs import handoffs_close
from rallypoynt.journeys.services.phase_move import (
    follow_on,
    handed_on,
    phase_enter_next,
    stage_follow,
    visit_move,
)
from rallypoynt.orgs.models import Membership


def _active(actor: Membership, engagement_id: int, step_key: str | None = None) -> Engagement:
    engagement = engagement_for_update(actor, engagement_id, step_key=step_key)
    if engagement.status not in WORKING:
        raise Conflict(
            f"This engagement is {engagement.get_status_display().lower()}.",
            fields={"status": [engagement.status]},
        )
    return engagement


@transaction.atomic
def step_complete(
    *, actor: Membership, engagement_id: int, step_key: str, now: datetime | None = None
) -> Evaluation:
    """Mark a step of the current phase done; records who, when and its due time."""
    engagement = _active(actor, engagement_id, step_key)
    now = now or timezone.now()
    evaluation = engagement_evaluate(engagement, now)
    status = next((s for s in evaluation.steps if s.step.key == step_key), None)
    if status is None:
        raise ValidationFailed("No such step in this phase.", fields={"step_key": [step_key]})
    if status.is_done:
        raise Conflict(f'"{status.step.title}" is done already.', fields={"step_key": ["done"]})
    StepCompletion.objects.create(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        step_key=step_key,
        due_at=status.due_at,
        completed_at=now,
        completed_by=actor,
    )
    on_time = status.due_at is None or now <= status.due_at
    # Whoever did the step, the task it was handed off as is done with it.
    done_by = f"Done on the engagement by {actor.user} on {moment_day_text(now, engagement.org)}."
    handoffs_close(engagement, done_by, now, phase_keys=[engagement.phase_key], step_key=step_key)
    if status.step.enters_stage:
        stage_from = engagement.stage_key
        stage_follow(engagement, (status.step.enters_stage,), actor, now)
        if engagement.stage_key != stage_from:
            engagement.save(update_fields=["stage_key", "stage_entered_at", "updated_at"])
    engagement_record(
        engagement,
        actor,
        "engagement.step_completed",
        step=step_key,
        due_at=status.due_at.isoformat() if status.due_at else None,
        is_on_time=on_time,
        role=status.role,
    )
    clients_stage_follow(engagement, [step_key], actor)
    handed_on(engagement, actor, now)
    # A phase the recorded work reached moves on once its last manual step is done.
    follow_on(engagement, actor, now, announce=False)
    return engagement_evaluate(engagement, now)


@transaction.atomic
def step_undo(*, actor: Membership, engagement_id: int, step_key: str) -> Evaluation:
    """Take a completion back (a mistake); the row stays with who undid it and when."""
    engagement = _active(actor, engagement_id, step_key)
    now = timezone.now()
    undone = StepCompletion.objects.filter(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        step_key=step_key,
        undone_at__isnull=True,
    ).update(undone_at=now, undone_by=actor)
    if not undone:
        raise Conflict("That step is not done.", fields={"step_key": ["not done"]})
    engagement_record(engagement, actor, "engagement.step_undone", step=step_key)
    return engagement_evaluate(engagement, now)


@transaction.atomic
def deliverable_record(
    *, actor: Membership, engagement_id: int, deliverable_key: str, note: str = ""
) -> Evaluation:
    """Put a deliverable of the current phase on file (a note says where it is)."""
    engagement = _active(actor, engagement_id)
    phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
    outputs = phase.deliverables_for(engagement.side) if phase else ()
    if deliverable_key not in {d.key for d in outputs}:
        raise ValidationFailed(
            "No such deliverable in this phase.", fields={"deliverable_key": [deliverable_key]}
        )
    now = timezone.now()
    DeliverableRecord.objects.update_or_create(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        deliverable_key=deliverable_key,
        defaults={"note": note[:300], "recorded_at": now, "recorded_by": actor},
    )
    engagement_record(
        engagement, actor, "engagement.deliverable_recorded", deliverable=deliverable_key
    )
    return engagement_evaluate(engagement, now)


@transaction.atomic
def gate_decide(
    *,
    actor: Membership,
    engagement_id: int,
    verdict: str,
    reason: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Approve or reject the current phase's gate; only its approval role may, with a reason
    when rejecting."""
    engagement = _active(actor, engagement_id)
    phase = version_blueprint(engagement.journey).phase(engagement.phase_key)
    role = phase.gate.approval_role if phase and phase.gate else None
    if role is None:
        raise Conflict("This phase needs no approval.", fields={"verdict": ["no approval"]})
    if role not in actor.roles:
        raise PermissionDenied(f"Only a {role.replace('_', ' ')} can decide this gate.")
    if verdict not in GateVerdict.values:
        raise ValidationFailed("Approve or reject?", fields={"verdict": GateVerdict.values})
    if verdict == GateVerdict.REJECTED and not reason.strip():
        raise ValidationFailed("Say what must change.", fields={"reason": ["required"]})
    now = now or timezone.now()
    GateDecision.objects.create(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        verdict=verdict,
        reason=reason.strip(),
        decided_at=now,
        decided_by=actor,
    )
    engagement_record(engagement, actor, f"engagement.gate_{verdict}", reason=reason.strip())
    if verdict == GateVerdict.APPROVED:
        follow_on(engagement, actor, now, announce=False)
    return engagement_evaluate(engagement, now)


@transaction.atomic
def phase_advance(
    *, actor: Membership, engagement_id: int, now: datetime | None = None
) -> Evaluation:
    """Move to the next phase if the gate allows (else a Conflict naming what is missing);
    the pipeline stage follows when the new phase belongs to a later stage."""
    engagement = _active(actor, engagement_id)
    now = now or timezone.now()
    evaluation = engagement_evaluate(engagement, now)
    if evaluation.next_phase is None:
        raise Conflict("This is the journey's last phase.", fields={"phase": ["last"]})
    if evaluation.blockers:
        raise Conflict(
            evaluation.why_blocked(), fields={"blockers": [b.reason for b in evaluation.blockers]}
        )
    phase_enter_next(engagement, actor, now, evaluation)
    handed_on(engagement, actor, now)
    follow_on(engagement, actor, now)
    return engagement_evaluate(engagement, now)


@transaction.atomic
def stage_change(*, actor: Membership, engagement_id: int, stage_key: str) -> Engagement:
    """Put the engagement in another pipeline stage (the board's drag and drop)."""
    engagement = _active(actor, engagement_id)
    order = [s.key for s in version_blueprint(engagement.pipeline).stages]
    if stage_key not in order:
        raise ValidationFailed("No such stage.", fields={"stage_key": [stage_key]})
    if stage_key == engagement.stage_key:
        return engagement
    here, there = order.index(engagement.stage_key), order.index(stage_key)
    how = (
        VisitExit.MOVED_BACK
        if there < here
        else (VisitExit.ADVANCED if there == here + 1 else VisitExit.JUMPED)
    )
    now, stage_from = timezone.now(), engagement.stage_key
    visit_move(engagement, StageVisit, stage_key, actor, now, how)
    engagement.stage_key, engagement.stage_entered_at = stage_key, now
    engagement.save(update_fields=["stage_key", "stage_entered_at", "updated_at"])
    engagement_record(engagement, actor, "engagement.stage_changed", stage_from=stage_from, how=how)
    return engagement


@transaction.atomic
def engagement_upgrade(*, actor: Membership, engagement_id: int) -> Evaluation:
    """Move the engagement to the newest published version of its templates, keeping its
    progress: phase, stage and completed steps carry over by key. Refused (and nothing
    changes) when the new version lacks the current phase or stage."""
    engagement = _active(actor, engagement_id)
    journey = _newest(engagement.journey)
    pipeline = _newest(engagement.pipeline)
    if (journey.pk, pipeline.pk) == (engagement.journey_id, engagement.pipeline_id):
        raise Conflict(
            "The engagement runs on the newest versions already.", fields={"version": ["newest"]}
        )
    missing = []
    if version_blueprint(journey).phase(engagement.phase_key) is None:
        missing.append(f'phase "{engagement.phase_key}" is not in {journey}')
    if version_blueprint(pipeline).stage(engagement.stage_key) is None:
        missing.append(f'stage "{engagement.stage_key}" is not in {pipeline}')
    if missing:
        raise Conflict(
            "The new version cannot take this engagement's progress: " + "; ".join(missing),
            fields={"version": missing},
        )
    now = timezone.now()
    before = {"journey": engagement.journey_id, "pipeline": engagement.pipeline_id}
    engagement.journey, engagement.pipeline = journey, pipeline
    engagement.save(update_fields=["journey", "pipeline", "updated_at"])
    # The visits end and start again at the same key, so time per version stays measurable.
    visit_move(engagement, PhaseVisit, engagement.phase_key, actor, now, VisitExit.UPGRADED)
    visit_move(engagement, StageVisit, engagement.stage_key, actor, now, VisitExit.UPGRADED)
    engagement_record(
        engagement,
        actor,
        "engagement.upgraded",
        before=before,
        journey=journey.pk,
        pipeline=pipeline.pk,
    )
    return handed_on(engagement, actor, now)


def _newest(version: TemplateVersion) -> TemplateVersion:
    """The newest published version of the same template."""
    return (
        version.template.versions.filter(published_at__isnull=False).order_by("-number").first()
        or version
    )
