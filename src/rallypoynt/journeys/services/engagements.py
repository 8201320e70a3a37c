"""Opening, holding and closing engagements; each write records its visit rows and events.

Lock order: the engagement row first, then anything of it, so two writers never deadlock.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from rallypoynt.contacts.models import Contact
from rallypoynt.contacts.selectors import contact_visible_q
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import Conflict, NotFound, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.journeys.choices import EngagementStatus, Side, TemplateKind, VisitExit
from rallypoynt.journeys.models import (
    Engagement,
    EngagementContact,
    Handoff,
    PhaseVisit,
    StageVisit,
)
from rallypoynt.journeys.selectors import (
    VERSION_DATA,
    engagement_evaluate,
    engagement_scope_q,
    org_level,
    steps_to_hand_off,
    version_blueprint,
)
from rallypoynt.journeys.services.handoffs import handoffs_close, handoffs_open
from rallypoynt.journeys.services.lost_reasons import lost_reason_pick
from rallypoynt.journeys.services.templates import template_in_use
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.orgs.models import Membership, Team
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.orgs.services import require_reach

OPEN = (EngagementStatus.ACTIVE, EngagementStatus.ON_HOLD)
MANAGE_ACTION = "org.manage_teams"


def engagement_for_update(
    actor: Membership, engagement_id: int, *, step_key: str | None = None
) -> Engagement:
    """Lock an engagement the actor works (NotFound for anyone else). A member a step was
    handed to may act on that step only (`step_key`), while it is in the current phase."""
    rows = (
        Engagement.objects.select_for_update(of=("self",))
        .select_related("journey", "pipeline", "org")
        .defer(*VERSION_DATA)
    )
    found = rows.filter(engagement_scope_q(actor), pk=engagement_id).first()
    if found is None and step_key:
        handed = Handoff.objects.filter(
            org_id=actor.org_id,
            to_member_id=actor.pk,
            step_key=step_key,
            phase_key=OuterRef("phase_key"),
            engagement_id=OuterRef("pk"),
        )
        found = rows.filter(Exists(handed), org_id=actor.org_id, pk=engagement_id).first()
    if found is None:
        raise NotFound("No such engagement.")
    return found


def engagement_record(
    engagement: Engagement, actor: Membership | None, kind: str, **payload: object
) -> None:
    """Audit entry and domain event for a change to an engagement."""
    actor_user = actor.user_id if actor else None
    audit_and_emit(
        org_id=engagement.org_id,
        actor_id=actor_user,
        action=kind,
        target=engagement,
        changes=payload,
        kind=kind,
        payload={
            "side": engagement.side,
            "agent_id": engagement.agent_id,
            "phase": engagement.phase_key,
            "stage": engagement.stage_key,
            **payload,
        },
    )


def _agent(actor: Membership, agent_id: int | None) -> Membership:
    if agent_id is None or agent_id == actor.pk:
        return actor
    scope = visibility_for(actor)
    found = Membership.objects.filter(org_id=actor.org_id, pk=agent_id, is_active=True).first()
    if found is None or not (scope.member_ids is None or found.pk in scope.member_ids):
        raise ValidationFailed("No such agent in your scope.", fields={"agent_id": ["not yours"]})
    return found


def _contacts(actor: Membership, contact_ids: list[int]) -> list[Contact]:
    if not contact_ids:
        raise ValidationFailed("Name the client.", fields={"contact_ids": ["at least one"]})
    found = {c.pk: c for c in Contact.objects.filter(contact_visible_q(actor), pk__in=contact_ids)}
    missing = [pk for pk in contact_ids if pk not in found]
    if missing:
        raise ValidationFailed("No such contact.", fields={"contact_ids": [str(missing[0])]})
    return [found[pk] for pk in dict.fromkeys(contact_ids)]


def _same_org(actor: Membership, *, team_id: int | None, inquiry_id: int | None) -> None:
    """A team or inquiry named by id must be the actor's org's own."""
    if team_id is not None and not Team.objects.filter(org_id=actor.org_id, pk=team_id).exists():
        raise ValidationFailed("No such team.", fields={"team_id": ["not a team of yours"]})
    if inquiry_id is None:
        return
    if not LeadInquiry.objects.filter(org_id=actor.org_id, pk=inquiry_id).exists():
        raise ValidationFailed("No such inquiry.", fields={"inquiry_id": ["not yours"]})


@transaction.atomic
def engagement_open(
    *,
    actor: Membership,
    contact_ids: list[int],
    side: str,
    title: str = "",
    agent_id: int | None = None,
    team_id: int | None = None,
    expected_value: Decimal | None = None,
    inquiry_id: int | None = None,
    level: str | None = None,
    now: datetime | None = None,
) -> Engagement:
    """Start a client's journey in its first phase and the matching pipeline stage.

    `level` picks the shipped variant the org starts from (default: from the org's shape).
    """
    if side not in Side.values:
        raise ValidationFailed("Buy or sell?", fields={"side": ["buy or sell"]})
    if expected_value is not None and expected_value < 0:
        raise ValidationFailed("Invalid value.", fields={"expected_value": ["0 or more"]})
    now = now or timezone.now()
    level = level or org_level(actor.org_id)
    _same_org(actor, team_id=team_id, inquiry_id=inquiry_id)
    contacts = _contacts(actor, contact_ids)
    agent = _agent(actor, agent_id)
    if agent.pk != actor.pk:
        try:
            _contacts(agent, [c.pk for c in contacts])
        except ValidationFailed as exc:
            raise ValidationFailed(
                "The agent cannot see this client; share the contact with them first.",
                fields={"agent_id": ["cannot see the client"]},
            ) from exc
    journey = template_in_use(
        org=actor.org, kind=TemplateKind.JOURNEY, team_id=team_id, level=level
    )
    pipeline = template_in_use(
        org=actor.org, kind=TemplateKind.PIPELINE, team_id=team_id, level=level
    )
    first = version_blueprint(journey).phases[0]
    stages = version_blueprint(pipeline).stages
    known = {s.key for s in stages}
    stage = next((key for key in first.sales_stages if key in known), stages[0].key)
    engagement = Engagement.objects.create(
        org_id=actor.org_id,
        title=(title or f"{contacts[0]} ({Side(side).label.lower()})")[:200],
        side=side,
        agent=agent,
        team_id=team_id,
        journey=journey,
        pipeline=pipeline,
        phase_key=first.key,
        phase_entered_at=now,
        stage_key=stage,
        stage_entered_at=now,
        expected_value=expected_value,
        opened_at=now,
        inquiry_id=inquiry_id,
    )
    EngagementContact.objects.bulk_create(
        EngagementContact(org_id=actor.org_id, engagement=engagement, contact=c, is_primary=i == 0)
        for i, c in enumerate(contacts)
    )
    PhaseVisit.objects.create(
        org_id=actor.org_id, engagement=engagement, key=first.key, entered_at=now, entered_by=actor
    )
    StageVisit.objects.create(
        org_id=actor.org_id, engagement=engagement, key=stage, entered_at=now, entered_by=actor
    )
    engagement_record(engagement, actor, "engagement.opened", contact_ids=[c.pk for c in contacts])
    evaluation = engagement_evaluate(engagement, now)
    handoffs_open(engagement=engagement, actor=actor, steps=steps_to_hand_off(evaluation), now=now)
    return engagement


def _visits_close(engagement: Engagement, actor: Membership, now: datetime, how: str) -> None:
    scope = Q(org_id=engagement.org_id, engagement=engagement, exited_at__isnull=True)
    for model in (PhaseVisit, StageVisit):
        model.objects.filter(scope).update(exited_at=now, exited_by=actor, exit=how)


@transaction.atomic
def engagement_close(
    *,
    actor: Membership,
    engagement_id: int,
    status: str,
    reason: str = "",
    reason_key: str = "",
    now: datetime | None = None,
) -> Engagement:
    """Won (its journey goes on to closing and care) or lost, with a reason from the org's
    list (`reason_key`) and a note; a lost one's visits and handed-off tasks end now."""
    engagement = engagement_for_update(actor, engagement_id)
    if status not in (EngagementStatus.WON, EngagementStatus.LOST):
        raise ValidationFailed("Won or lost?", fields={"status": ["won or lost"]})
    if status == EngagementStatus.LOST and not (reason.strip() or reason_key):
        raise ValidationFailed("Say why it was lost.", fields={"reason_key": ["required"]})
    if len(reason) > 2000:
        raise ValidationFailed("Too long.", fields={"reason": ["at most 2000 characters"]})
    if engagement.status not in OPEN:
        raise Conflict(
            f"This engagement is {engagement.status} already.",
            fields={"status": [engagement.status]},
        )
    now = now or timezone.now()
    engagement.status, engagement.closed_at = status, now
    if status == EngagementStatus.WON:
        # Won: the journey goes on through closing and care, so nothing of it is closed.
        engagement.save(update_fields=["status", "closed_at", "updated_at"])
        engagement_record(engagement, actor, "engagement.won", reason=reason.strip()[:300])
        return engagement
    choice = lost_reason_pick(engagement.org_id, reason_key or "other")
    engagement.lost_reason = reason.strip() or choice.label
    engagement.lost_reason_choice = choice
    engagement.save(
        update_fields=["status", "closed_at", "lost_reason", "lost_reason_choice", "updated_at"]
    )
    _visits_close(engagement, actor, now, VisitExit.CLOSED)
    note = f"Closed without being done: the engagement was lost ({choice.label.lower()})."
    closed = handoffs_close(engagement, note, now)
    engagement_record(
        engagement,
        actor,
        "engagement.lost",
        reason=engagement.lost_reason,
        reason_key=choice.key,
        handoff_tasks_closed=closed,
    )
    return engagement


@transaction.atomic
def engagement_hold(*, actor: Membership, engagement_id: int, is_on_hold: bool) -> Engagement:
    """Pause an engagement (the client went quiet) or resume it."""
    engagement = engagement_for_update(actor, engagement_id)
    if engagement.status not in OPEN:
        raise Conflict("A closed engagement cannot be paused.", fields={"status": ["closed"]})
    status = EngagementStatus.ON_HOLD if is_on_hold else EngagementStatus.ACTIVE
    if engagement.status == status:
        raise Conflict(
            f"The engagement is {engagement.get_status_display().lower()} already.",
            fields={"status": [status]},
        )
    engagement.status = status
    engagement.save(update_fields=["status", "updated_at"])
    engagement_record(engagement, actor, "engagement.held" if is_on_hold else "engagement.resumed")
    return engagement


UPDATABLE = ("title", "expected_value")


@transaction.atomic
def engagement_update(*, actor: Membership, engagement_id: int, changes: dict) -> Engagement:
    """Rename an engagement or change its expected value."""
    engagement = engagement_for_update(actor, engagement_id)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise ValidationFailed("Unknown fields.", fields={name: ["unknown"] for name in unknown})
    title = changes.get("title", engagement.title)
    if not isinstance(title, str) or not title.strip():
        raise ValidationFailed("A title is required.", fields={"title": ["required"]})
    value = changes.get("expected_value", engagement.expected_value)
    if value is not None and value < 0:
        raise ValidationFailed("Invalid value.", fields={"expected_value": ["0 or more"]})
    before = {"title": engagement.title, "expected_value": str(engagement.expected_value)}
    engagement.title, engagement.expected_value = title.strip()[:200], value
    engagement.save(update_fields=["title", "expected_value", "updated_at"])
    engagement_record(engagement, actor, "engagement.updated", before=before)
    return engagement


@transaction.atomic
def engagement_delete(*, actor: Membership, engagement_id: int) -> None:
    """Remove an engagement opened by mistake; those who manage its agent's seat only (an
    office manager for their office), the audit keeping a trace."""
    reach = require_reach(actor, MANAGE_ACTION)
    engagement = engagement_for_update(actor, engagement_id)
    if not reach.has_member(engagement.agent):
        raise NotFound("No such engagement.")
    engagement_record(engagement, actor, "engagement.deleted", title=engagement.title)
    engagement.delete()


LEAD_EVENTS = ("lead.received", "lead.claimed", "lead.pond_expired")


@transaction.atomic
def engagement_from_lead(*, event_id: int) -> Engagement | None:
    """Open phase 1 for a lead once it has an assignee (received, claimed from a pond, or
    assigned when the pond timed out): once per inquiry, and not while the contact already
    has an open engagement (a returning client's new inquiry joins it)."""
    event = Event.objects.filter(pk=event_id, kind__in=LEAD_EVENTS).first()
    if event is None or event.subject_id is None:
        return None
    inquiry = (
        LeadInquiry.objects.select_related("assigned_to__org", "assigned_to__user")
        .filter(org_id=event.org_id, pk=event.subject_id)
        .first()
    )
    assignee = inquiry.assigned_to if inquiry else None
    if inquiry is None or assignee is None or not assignee.is_active:
        return None  # still in a pond or unassigned
    # Two leads of one person at once: the contact's lock lets only one open the journey.
    Contact.objects.select_for_update().filter(org_id=event.org_id, pk=inquiry.contact_id).first()
    scope = Engagement.objects.filter(org_id=event.org_id)
    if (
        scope.filter(inquiry_id=inquiry.pk).exists()
        or scope.filter(status__in=OPEN, clients__contact_id=inquiry.contact_id).exists()
    ):
        return None
    side = Side.SELL if inquiry.lead_type == "seller" else Side.BUY
    return engagement_open(
        actor=assignee, contact_ids=[inquiry.contact_id], side=side, inquiry_id=inquiry.pk
    )
