"""Reads of engagements, scoped by org and visibility, and their evaluation by the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from rallypoynt.contacts.models import Contact
from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.choices import EngagementStatus, GateVerdict, Side
from rallypoynt.journeys.domain import Evaluation, PhaseState, phase_evaluate
from rallypoynt.journeys.models import (
    DeliverableRecord,
    Engagement,
    EngagementContact,
    GateDecision,
    Handoff,
    PhaseVisit,
    StepCompletion,
)
from rallypoynt.journeys.selectors.templates import version_blueprint
from rallypoynt.leads.selectors import lead_calendar
from rallypoynt.orgs.config_cache import org_cached
from rallypoynt.orgs.models import Membership, Organization
from rallypoynt.orgs.permissions import visibility_for


def engagement_scope_q(actor: Membership) -> Q:
    """Engagements the actor works as agent, lead or manager: their agent is in scope."""
    return visibility_for(actor).owned_q("agent")


def engagement_visible_q(actor: Membership) -> Q:
    """Engagements the actor may see: their agent is in the actor's scope, or work on them
    was handed to the actor (a transaction coordinator sees the deals they coordinate)."""
    if visibility_for(actor).is_org_wide:
        return Q(org_id=actor.org_id)
    return Q(org_id=actor.org_id) & engagement_reach_q(actor)


def engagement_reach_q(actor: Membership, path: str = "") -> Q:
    """For an actor who is not org-wide: engagements (through `path`, e.g. "engagement__")
    whose agent is in their scope or that were handed to them, as literal ids, so every
    planner can size it and nothing is rebuilt per row. Not scoped to the org by itself."""
    mine = Q(**{f"{path}agent_id__in": sorted(visibility_for(actor).member_ids or ())})
    # Most actors were handed nothing: then no OR (a slower plan) is added.
    handed_ids = engagement_handed_ids(actor)
    if handed_ids:
        mine |= Q(**{f"{path}pk__in": handed_ids})
    return mine


def engagement_handed_ids(actor: Membership) -> list[int]:
    """Engagements whose work was handed to the actor (they see them, whoever the agent)."""
    handed = Handoff.objects.filter(org_id=actor.org_id, to_member_id=actor.pk)
    return sorted(set(handed.values_list("engagement_id", flat=True)))


def engagement_list(
    *,
    actor: Membership,
    status: str = "",
    stage: str = "",
    phase: str = "",
    side: str = "",
    agent_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Engagement]:
    """Visible engagements, newest first, narrowed by the given filters."""
    if status and status not in EngagementStatus.values:
        raise ValidationFailed("Unknown status.", fields={"status": EngagementStatus.values})
    if side and side not in Side.values:
        raise ValidationFailed("Unknown side.", fields={"side": Side.values})
    given = {
        "status": status,
        "stage_key": stage,
        "phase_key": phase,
        "side": side,
        "agent_id": agent_id,
        "team_id": team_id,
    }
    return (
        Engagement.objects.filter(engagement_visible_q(actor))
        .filter(**{name: value for name, value in given.items() if value not in ("", None)})
        .select_related("agent__user", "team", "lost_reason_choice")
        .order_by("-opened_at", "-id")
    )


def engagement_contact_ids(engagement: Engagement) -> list[int]:
    """The engagement's clients, primary first."""
    rows = EngagementContact.objects.filter(org_id=engagement.org_id, engagement=engagement)
    return list(rows.order_by("-is_primary", "id").values_list("contact_id", flat=True))


# Blueprints are parsed once per process from a version's data: rows that join a version need
# not load (and decode) its JSON again; a cache miss reads it on demand.
VERSION_DATA = ("journey__data", "pipeline__data")


def engagement_get(*, actor: Membership, engagement_id: int) -> Engagement | None:
    """One visible engagement with its versions and org; None when missing or out of sight."""
    found = engagement_list(actor=actor).select_related("journey", "pipeline", "org")
    found = found.defer(*VERSION_DATA)
    return found.filter(pk=engagement_id).first()


# A contact page lists this many of the person's engagements, newest first.
CONTACT_ENGAGEMENTS = 50


@dataclass(frozen=True)
class ClientEngagement:
    """One of a person's engagements as their contact page shows it, in agents' words."""

    id: int
    title: str
    side: str
    side_label: str
    status: str
    status_label: str
    phase_name: str
    stage_name: str
    agent_name: str
    opened_at: datetime


def contact_engagements(*, actor: Membership, contact_id: int) -> list[ClientEngagement]:
    """The engagements the actor may see in which the contact is a client, newest first,
    with the phase and stage names of the template versions each runs on."""
    rows = (
        engagement_list(actor=actor)
        .filter(clients__contact_id=contact_id)
        .select_related("journey", "pipeline")
        .defer(*VERSION_DATA)
    )
    found = []
    for row in rows[:CONTACT_ENGAGEMENTS]:
        phase = version_blueprint(row.journey).phase(row.phase_key)
        stage = version_blueprint(row.pipeline).stage(row.stage_key)
        user = row.agent.user
        found.append(
            ClientEngagement(
                id=row.pk,
                title=row.title,
                side=row.side,
                side_label=row.get_side_display(),
                status=row.status,
                status_label=row.get_status_display(),
                phase_name=phase.name if phase else row.phase_key,
                stage_name=stage.name if stage else row.stage_key,
                agent_name=user.get_full_name() or user.email,
                opened_at=row.opened_at,
            )
        )
    return found


def contact_engagements_panel(contact: Contact, actor: Membership) -> dict[str, Any]:
    """The contact page's Engagements panel: the person's journeys and a button to start one
    (always shown: starting the first journey is what it is for)."""
    return {
        "contact": contact,
        "engagements": contact_engagements(actor=actor, contact_id=contact.pk),
        "sides": Side.choices,
    }


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
    """The org's business calendar, read once per process and org configuration stamp."""
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


def delivered_keys(engagement: Engagement) -> set[str]:
    """Deliverables on file for the current phase."""
    return set(
        DeliverableRecord.objects.filter(
            org_id=engagement.org_id, engagement=engagement, phase_key=engagement.phase_key
        ).values_list("deliverable_key", flat=True)
    )


def engagement_clients(engagement: Engagement) -> list:
    """The engagement's clients (contacts), primary first."""
    rows = EngagementContact.objects.filter(org_id=engagement.org_id, engagement=engagement)
    return [row.contact for row in rows.select_related("contact").order_by("-is_primary", "id")]


def phase_visits(engagement: Engagement) -> list[PhaseVisit]:
    """Every phase the engagement entered, in order, with who moved it."""
    return list(
        PhaseVisit.objects.filter(org_id=engagement.org_id, engagement=engagement)
        .select_related("entered_by__user")
        .order_by("entered_at", "id")
    )


def engagement_handoffs(engagement: Engagement) -> list[Handoff]:
    """Work handed between roles on this engagement, newest first."""
    return list(
        Handoff.objects.filter(org_id=engagement.org_id, engagement=engagement)
        .select_related("to_member__user", "from_member__user")
        .order_by("-created_at", "-id")
    )


def step_sources(engagement: Engagement) -> dict[str, StepCompletion]:
    """How each done step of the current phase was done: by whom, or by which event."""
    rows = StepCompletion.objects.filter(
        org_id=engagement.org_id,
        engagement=engagement,
        phase_key=engagement.phase_key,
        undone_at__isnull=True,
    ).select_related("completed_by__user")
    return {row.step_key: row for row in rows}
