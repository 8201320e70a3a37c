"""Moving an engagement back to an earlier phase: the deal fell through, the buyer searches
again and the listing goes back on the market.

The work done in the phases left behind belonged to the deal that ended: their steps are
undone (the rows stay, with who and when) and their deliverables come off file (the event
names them), so that the next deal walks those phases afresh.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rallypoynt.core.errors import Conflict, ValidationFailed
from rallypoynt.journeys.choices import EngagementStatus, VisitExit
from rallypoynt.journeys.domain import Blueprint, Evaluation, Phase
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    PhaseVisit,
    StageVisit,
    StepCompletion,
)
from rallypoynt.journeys.selectors import engagement_evaluate, steps_to_hand_off, version_blueprint
from rallypoynt.journeys.services.engagements import engagement_for_update, engagement_record
from rallypoynt.journeys.services.handoffs import handoffs_close, handoffs_open
from rallypoynt.orgs.models import Membership


def _target(journey: Blueprint, engagement: Engagement, phase_key: str) -> tuple[Phase, list]:
    """The earlier phase asked for, and the keys of the phases being left (it excluded)."""
    keys = [p.key for p in journey.phases]
    if phase_key not in keys:
        raise ValidationFailed("No such phase.", fields={"phase_key": [phase_key]})
    there, here = keys.index(phase_key), keys.index(engagement.phase_key)
    if there >= here:
        raise Conflict(
            "Only an earlier phase can be returned to.", fields={"phase_key": ["not earlier"]}
        )
    return journey.phases[there], keys[there + 1 : here + 1]


def _stage_back(engagement: Engagement, phase: Phase, actor: Membership, now: datetime) -> None:
    """A stage later than the phase's stages goes back to the latest of them."""
    order = [s.key for s in version_blueprint(engagement.pipeline).stages]
    ours = [k for k in phase.sales_stages if k in order]
    if not ours or engagement.stage_key in ours or engagement.stage_key not in order:
        return
    target = max(ours, key=order.index)
    if order.index(target) > order.index(engagement.stage_key):
        return  # the pipeline is behind the journey: returning never moves it ahead
    _visit(engagement, StageVisit, target, actor, now)
    engagement.stage_key, engagement.stage_entered_at = target, now


def _visit(
    engagement: Engagement,
    model: type[PhaseVisit] | type[StageVisit],
    key: str,
    actor: Membership,
    now: datetime,
) -> None:
    model.objects.filter(
        org_id=engagement.org_id, engagement=engagement, exited_at__isnull=True
    ).update(exited_at=now, exited_by=actor, exit=VisitExit.MOVED_BACK)
    model.objects.create(
        org_id=engagement.org_id, engagement=engagement, key=key, entered_at=now, entered_by=actor
    )


def _clear(
    engagement: Engagement, left: list[str], actor: Membership, now: datetime, why: str
) -> dict:
    """Undo the left phases' steps and take their deliverables off file; close the tasks
    handed off for them and for the phase returned to (its stay starts afresh)."""
    scope = {"org_id": engagement.org_id, "engagement": engagement, "phase_key__in": left}
    undone = StepCompletion.objects.filter(**scope, undone_at__isnull=True).update(
        undone_at=now, undone_by=actor
    )
    records = DeliverableRecord.objects.filter(**scope).order_by("phase_key", "deliverable_key")
    # The event keeps what came off file: where it was, who filed it and when.
    removed = [
        {
            "key": f"{r.phase_key}:{r.deliverable_key}",
            "note": r.note,
            "recorded_at": r.recorded_at.isoformat(),
            "recorded_by": r.recorded_by_id,
        }
        for r in records
    ]
    records.delete()
    phases = [engagement.phase_key, *left]
    note = f"Closed without being done: {why}"
    closed = handoffs_close(engagement, note, now, phase_keys=phases)
    return {"steps_undone": undone, "deliverables_removed": removed, "handoff_tasks_closed": closed}


@transaction.atomic
def phase_return(
    *,
    actor: Membership,
    engagement_id: int,
    phase_key: str,
    reason: str,
    now: datetime | None = None,
) -> Evaluation:
    """Move an active engagement the actor works back to the earlier phase `phase_key`."""
    engagement = engagement_for_update(actor, engagement_id)
    return engagement_return(
        engagement=engagement, actor=actor, phase_key=phase_key, reason=reason, now=now
    )


def engagement_return(
    *,
    engagement: Engagement,
    actor: Membership,
    phase_key: str,
    reason: str,
    now: datetime | None = None,
) -> Evaluation:
    """Move a locked engagement back, saying why. For callers that hold the right another
    way: whoever ends a deal (its transaction coordinator too) sends its journeys back."""
    if engagement.status != EngagementStatus.ACTIVE:
        raise Conflict(
            f"This engagement is {engagement.get_status_display().lower()}.",
            fields={"status": [engagement.status]},
        )
    if not reason.strip():
        raise ValidationFailed("Say why the engagement goes back.", fields={"reason": ["required"]})
    now = now or timezone.now()
    phase, left = _target(version_blueprint(engagement.journey), engagement, phase_key)
    phase_from, stage_from = engagement.phase_key, engagement.stage_key
    _visit(engagement, PhaseVisit, phase.key, actor, now)
    engagement.phase_key, engagement.phase_entered_at = phase.key, now
    _stage_back(engagement, phase, actor, now)
    engagement.save(
        update_fields=[
            "phase_key",
            "phase_entered_at",
            "stage_key",
            "stage_entered_at",
            "updated_at",
        ]
    )
    cleared = _clear(engagement, left, actor, now, f"moved back to {phase.name}: {reason.strip()}")
    engagement_record(
        engagement,
        actor,
        "engagement.phase_returned",
        phase_from=phase_from,
        stage_from=stage_from,
        reason=reason.strip()[:300],
        **cleared,
    )
    evaluation = engagement_evaluate(engagement, now)
    handoffs_open(engagement=engagement, actor=actor, steps=steps_to_hand_off(evaluation), now=now)
    return evaluation
