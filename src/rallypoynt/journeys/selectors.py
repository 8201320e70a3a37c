"""Reads of engagements, scoped by org and visibility, and their evaluation by the engine."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from rallypoynt.contacts.selectors_lead_config import lead_calendar
from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.journeys.blueprint import Blueprint
from rallypoynt.journeys.blueprint_parse import blueprint_load
from rallypoynt.journeys.choices import GateVerdict
from rallypoynt.journeys.engine import Evaluation, PhaseState, phase_evaluate
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    GateDecision,
    StepCompletion,
    TemplateVersion,
)
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import Membership, Organization
from rallypoynt.orgs.permissions import visibility_for


def engagement_visible_q(actor: Membership) -> Q:
    """Engagements the actor may see: their agent is in the actor's scope."""
    return visibility_for(actor).owned_q("agent")


def engagement_list(*, actor: Membership) -> QuerySet[Engagement]:
    return (
        Engagement.objects.filter(engagement_visible_q(actor))
        .select_related("agent__user", "team", "journey", "pipeline")
        .order_by("-opened_at", "-id")
    )


def engagement_get(*, actor: Membership, engagement_id: int) -> Engagement | None:
    return engagement_list(actor=actor).filter(pk=engagement_id).first()


def version_blueprint(version: TemplateVersion) -> Blueprint:
    """A published version's blueprint; versions never change, so each process parses once."""
    return org_cached(
        org_id=version.org_id,
        stamp=version.pk,
        key=f"blueprint:{version.pk}",
        build=lambda: blueprint_load(version.data),
    )


def phase_state(engagement: Engagement) -> PhaseState:
    """The engagement's current phase as the engine needs it (three indexed reads)."""
    scope = {"org_id": engagement.org_id, "engagement_id": engagement.pk}
    phase = {**scope, "phase_key": engagement.phase_key}
    completed = dict(
        StepCompletion.objects.filter(**phase, undone_at__isnull=True).values_list(
            "step_key", "completed_at"
        )
    )
    delivered = frozenset(
        DeliverableRecord.objects.filter(**phase).values_list("deliverable_key", flat=True)
    )
    verdict = (
        GateDecision.objects.filter(**phase, decided_at__gte=engagement.phase_entered_at)
        .order_by("-decided_at", "-id")
        .values_list("verdict", flat=True)
        .first()
    )
    return PhaseState(
        side=engagement.side,
        phase_key=engagement.phase_key,
        entered_at=engagement.phase_entered_at,
        completed=completed,
        delivered=delivered,
        is_approved=verdict == GateVerdict.APPROVED,
    )


def org_calendar(org: Organization) -> BusinessCalendar:
    return org_cached(
        org_id=org.pk, stamp=org.config_stamp, key="calendar", build=lambda: lead_calendar(org)
    )


def engagement_evaluate(engagement: Engagement, now: datetime) -> Evaluation:
    """What is due, overdue and blocking in the engagement's phase, and what comes next."""
    return phase_evaluate(
        version_blueprint(engagement.journey),
        phase_state(engagement),
        org_calendar(engagement.org),
        now,
    )
