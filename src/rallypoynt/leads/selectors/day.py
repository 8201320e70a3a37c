""" "My day": a member's overdue and due-today tasks, new leads and leads awaiting a response.

Each section is one query cut at a few rows, so the home page costs the same at 100 or
100,000 contacts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rallypoynt.contacts.choices import Stage
from rallypoynt.contacts.selectors import (
    contact_queryset,
    day_bounds,
    open_tasks_of,
    section,
)
from rallypoynt.leads.choices import InquiryStatus
from rallypoynt.leads.models import LeadInquiry
from rallypoynt.leads.selectors.config import member_is_seller
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import visibility_for

NEW_LEAD_DAYS = 7
WAITING_STATUSES = (InquiryStatus.NEW, InquiryStatus.POND, InquiryStatus.ASSIGNED)


def inquiries_waiting(*, actor: Membership) -> QuerySet[LeadInquiry]:
    """Open inquiries nobody has answered yet that the actor may work.

    Visible when assigned to the actor or a member in their scope, when the contact is
    visible to them, or when it waits in the pond of a team they belong to; a member who
    does not sell sees only the ones assigned to them.
    """
    qs = LeadInquiry.objects.filter(org_id=actor.org_id, status__in=WAITING_STATUSES)
    scope = visibility_for(actor)
    if not scope.is_org_wide and not member_is_seller(actor):
        # A coordinator's day is not for answering leads: only one handed to them shows.
        return (
            qs.filter(assigned_to_id=actor.pk)
            .select_related("contact", "assigned_to__user")
            .order_by("first_response_due_at", "received_at", "pk")
        )
    if not scope.is_org_wide:
        my_teams = TeamMember.objects.filter(org_id=actor.org_id, membership_id=actor.pk)
        qs = qs.filter(
            Q(assigned_to_id__in=scope.member_ids)
            | Q(contact_id__in=contact_queryset(actor=actor).values("pk"))
            | Q(status=InquiryStatus.POND, pond_team_id__in=my_teams.values("team_id"))
        )
    return qs.select_related("contact", "assigned_to__user").order_by(
        "first_response_due_at", "received_at", "pk"
    )


def my_day(*, actor: Membership, now: datetime | None = None) -> dict:
    """Everything the home page lists for the actor, in a fixed number of queries."""
    now = now or timezone.now()
    _, day_end = day_bounds(actor=actor, now=now)
    tasks = open_tasks_of(actor=actor)
    new_leads = (
        contact_queryset(actor=actor)
        .filter(stage=Stage.LEAD, created_at__gte=now - timedelta(days=NEW_LEAD_DAYS))
        .select_related("owner__user")
        .order_by("-created_at", "-pk")
    )
    waiting = section(inquiries_waiting(actor=actor))
    for inquiry in waiting.rows:
        due = inquiry.first_response_due_at
        inquiry.is_late = due is not None and due < now
    return {
        "now": now,
        "overdue": section(tasks.filter(due_at__lt=now)),
        "due_today": section(tasks.filter(due_at__gte=now, due_at__lt=day_end)),
        "new_leads": section(new_leads),
        "waiting": waiting,
        "new_lead_days": NEW_LEAD_DAYS,
    }


def leads_unanswered(*, actor: Membership, now: datetime | None = None) -> dict:
    """Leads in the actor's scope still waiting for a first response, and those past due:
    two counts in one query, and the most overdue rows."""
    now = now or timezone.now()
    waiting = inquiries_waiting(actor=actor)
    late = Q(first_response_due_at__lt=now)
    counts = waiting.order_by().aggregate(waiting=Count("pk"), late=Count("pk", filter=late))
    return {**counts, "late_rows": section(waiting.filter(late))}
