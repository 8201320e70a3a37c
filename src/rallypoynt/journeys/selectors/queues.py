"""Work queues across engagements: phase gates waiting for the actor's approval."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from rallypoynt.journeys.choices import EngagementStatus, GateVerdict
from rallypoynt.journeys.models import Engagement, GateDecision, TemplateVersion
from rallypoynt.journeys.selectors.engagements import engagement_list
from rallypoynt.journeys.selectors.templates import version_blueprint
from rallypoynt.orgs.models import Membership


def gated_phases(actor: Membership) -> Q:
    """Engagements standing in a phase whose gate one of the actor's roles approves.

    The versions in use are few (an org's templates and their published versions), so their
    gates are read from the cached blueprints, not from each engagement.
    """
    roles = actor.roles
    # The JSON is read only when this process has not parsed that version yet.
    versions = TemplateVersion.objects.filter(
        org_id=actor.org_id, published_at__isnull=False
    ).defer("data")
    wanted = Q(pk__in=[])
    for version in versions:
        keys = [
            phase.key
            for phase in version_blueprint(version).phases
            if phase.gate and phase.gate.approval_role in roles
        ]
        if keys:
            wanted |= Q(journey_id=version.pk, phase_key__in=keys)
    return wanted


def gates_waiting(*, actor: Membership) -> QuerySet[Engagement]:
    """Active engagements whose current phase waits for the actor's approval, oldest first.

    An approval given during this stay in the phase takes it off the queue; a rejection
    leaves it there for the agent to fix and for the approver to see again.
    """
    approved = GateDecision.objects.filter(
        org_id=actor.org_id,
        engagement_id=OuterRef("pk"),
        phase_key=OuterRef("phase_key"),
        verdict=GateVerdict.APPROVED,
        decided_at__gte=OuterRef("phase_entered_at"),
    )
    return (
        engagement_list(actor=actor, status=EngagementStatus.ACTIVE)
        .filter(gated_phases(actor))
        .exclude(Exists(approved))
        .order_by(F("phase_entered_at").asc(nulls_first=True), "id")
    )
