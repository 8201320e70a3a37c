"""Moving a locked engagement on: visits, the pipeline stage that follows, the next phase,
and leaving each phase the recorded work has proven as soon as its gate is clear.

No permission checks here: callers lock the engagement after checking who may move it.
"""

from __future__ import annotations

from datetime import datetime

from rallypoynt.core.errors import Conflict
from rallypoynt.core.events import event_emit
from rallypoynt.journeys.choices import VisitExit
from rallypoynt.journeys.domain import Evaluation
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    PhaseVisit,
    StageVisit,
    StepCompletion,
)
from rallypoynt.journeys.selectors import engagement_evaluate, steps_to_hand_off, version_blueprint
from rallypoynt.journeys.services.engagements import engagement_record
from rallypoynt.journeys.services.handoffs import handoffs_open
from rallypoynt.orgs.models import Membership

PHASE_FIELDS = ["phase_key", "phase_entered_at", "stage_key", "stage_entered_at", "updated_at"]


def visit_move(
    engagement: Engagement,
    model: type[PhaseVisit] | type[StageVisit],
    key: str,
    actor: Membership | None,
    now: datetime,
    how: str,
) -> None:
    """End the open phase (or stage) visit and start one at `key`."""
    model.objects.filter(
        org_id=engagement.org_id, engagement=engagement, exited_at__isnull=True
    ).update(exited_at=now, exited_by=actor, exit=how)
    model.objects.create(
        org_id=engagement.org_id, engagement=engagement, key=key, entered_at=now, entered_by=actor
    )


def stage_follow(
    engagement: Engagement, keys: tuple[str, ...], actor: Membership | None, now: datetime
) -> None:
    """Move the pipeline to the earliest of `keys` that is later than where it is."""
    order = [s.key for s in version_blueprint(engagement.pipeline).stages]
    here = order.index(engagement.stage_key) if engagement.stage_key in order else -1
    later = [k for k in keys if k in order and order.index(k) > here]
    if engagement.stage_key in keys or not later:
        return
    target = min(later, key=order.index)
    # Skipping a stage (the journey went faster than the pipeline) is a jump, not a step.
    how = VisitExit.ADVANCED if order.index(target) == here + 1 else VisitExit.JUMPED
    visit_move(engagement, StageVisit, target, actor, now, how)
    engagement.stage_key, engagement.stage_entered_at = target, now


def handed_on(engagement: Engagement, actor: Membership, now: datetime) -> Evaluation:
    """Hand the steps that just became workable to whoever holds their role."""
    evaluation = engagement_evaluate(engagement, now)
    handoffs_open(engagement=engagement, actor=actor, steps=steps_to_hand_off(evaluation), now=now)
    return evaluation


def _done_stages(engagement: Engagement, evaluation: Evaluation) -> tuple[str, ...]:
    """Stages entered by steps of the new phase that were proven before it began."""
    return tuple(s.step.enters_stage for s in evaluation.steps if s.is_done and s.step.enters_stage)


def phase_enter_next(
    engagement: Engagement, actor: Membership | None, now: datetime, evaluation: Evaluation
) -> None:
    """Put the engagement in the next phase (the caller has checked the gate)."""
    left, target = engagement.phase_key, evaluation.next_phase
    if target is None:
        raise Conflict("This is the journey's last phase.", fields={"phase": ["last"]})
    visit_move(engagement, PhaseVisit, target.key, actor, now, VisitExit.ADVANCED)
    engagement.phase_key, engagement.phase_entered_at = target.key, now
    stage_from = engagement.stage_key
    stage_follow(engagement, target.sales_stages, actor, now)
    proven = _done_stages(engagement, engagement_evaluate(engagement, now))
    stage_follow(engagement, proven, actor, now)
    engagement.save(update_fields=PHASE_FIELDS)
    engagement_record(
        engagement, actor, "engagement.phase_advanced", phase_from=left, stage_from=stage_from
    )


def has_evidence(engagement: Engagement) -> bool:
    """Whether a recorded event (not only a person) proved work of the current phase."""
    scope = {"org_id": engagement.org_id, "engagement": engagement}
    phase = engagement.phase_key
    return (
        StepCompletion.objects.filter(
            **scope, phase_key=phase, undone_at__isnull=True, event__isnull=False
        ).exists()
        or DeliverableRecord.objects.filter(**scope, phase_key=phase, event__isnull=False).exists()
    )


def follow_on(
    engagement: Engagement, actor: Membership | None, now: datetime, *, announce: bool = True
) -> str:
    """Leave every phase the work has proven while its gate is clear; say what holds it.

    A phase of purely manual work waits for a person to move it on (they choose when the
    consultation is over); one an event reached moves as soon as nothing blocks it.
    """
    holder = actor or engagement.agent
    blueprint = version_blueprint(engagement.journey)
    while True:
        # The cheap checks first: most calls (a person's tick in a manual phase) stop here.
        if blueprint.phase_after(engagement.phase_key) is None or not has_evidence(engagement):
            return ""
        evaluation = engagement_evaluate(engagement, now)
        if evaluation.blockers:
            if not announce:
                return evaluation.why_blocked()
            event_emit(
                org_id=engagement.org_id,
                kind="engagement.advance_waiting",
                subject=engagement,
                actor_id=actor.user_id if actor else None,
                payload={"phase": engagement.phase_key, "reason": evaluation.why_blocked()},
            )
            return evaluation.why_blocked()
        phase_enter_next(engagement, actor, now, evaluation)
        handed_on(engagement, holder, now)
