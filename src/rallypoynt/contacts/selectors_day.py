""" "My day": a member's overdue and due-today tasks, new leads and leads awaiting a response.

Each section is one query cut at a few rows (with one row more to know there are more), so
the page costs the same at 100 or 100,000 contacts. "Today" is the org's local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import DateTimeField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rallypoynt.contacts.choices import InquiryStatus, Stage
from rallypoynt.contacts.models import LeadInquiry, Task
from rallypoynt.contacts.selectors import contact_queryset
from rallypoynt.contacts.selectors_lead_config import member_is_seller
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import PermissionDenied, ValidationFailed
from rallypoynt.core.timefmt import zone_named
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import visibility_for

SECTION_ROWS = 10
NEW_LEAD_DAYS = 7
WAITING_STATUSES = (InquiryStatus.NEW, InquiryStatus.POND, InquiryStatus.ASSIGNED)


@dataclass(frozen=True)
class Section:
    """Up to SECTION_ROWS rows and whether more exist beyond them."""

    rows: list
    has_more: bool


def _section(qs: QuerySet, rows: int = SECTION_ROWS) -> Section:
    found = list(qs[: rows + 1])
    return Section(found[:rows], len(found) > rows)


def day_bounds(*, actor: Membership, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end of today in the org's time zone, as aware datetimes."""
    zone = zone_named(actor.org.time_zone)
    start = datetime.combine(local_today(zone, now), time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def open_tasks_of(*, actor: Membership) -> QuerySet[Task]:
    """The actor's open tasks with their contact loaded, soonest due first."""
    return (
        Task.objects.filter(org_id=actor.org_id, assignee_id=actor.pk, completed_at__isnull=True)
        .select_related("contact")
        .order_by("due_at", "pk")
    )


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
    waiting = _section(inquiries_waiting(actor=actor))
    for inquiry in waiting.rows:
        due = inquiry.first_response_due_at
        inquiry.is_late = due is not None and due < now
    return {
        "now": now,
        "overdue": _section(tasks.filter(due_at__lt=now)),
        "due_today": _section(tasks.filter(due_at__gte=now, due_at__lt=day_end)),
        "new_leads": _section(new_leads),
        "waiting": waiting,
        "new_lead_days": NEW_LEAD_DAYS,
    }


# A far-future stand-in for "no due date", so undated tasks sort last and pages stay keyset.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
TASK_STATUSES = ("open", "done", "all")
TASK_DUE = ("", "overdue", "today")


def task_list(
    *,
    actor: Membership,
    status: str = "open",
    due: str = "",
    contact_id: int | None = None,
    assignee_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Task]:
    """Tasks of one assignee in the actor's scope (default: the actor), or of a visible contact.

    Ordered by `due_sort` (due time, undated last) then id, ready for keyset pages.
    """
    errors = {}
    if status not in TASK_STATUSES:
        errors["status"] = [f"one of {', '.join(TASK_STATUSES)}"]
    if due not in TASK_DUE:
        errors["due"] = ["overdue or today"]
    if errors:
        raise ValidationFailed("Invalid task filters.", fields=errors)
    qs = Task.objects.filter(org_id=actor.org_id)
    if contact_id is not None:
        qs = qs.filter(
            contact_id=contact_id, contact_id__in=contact_queryset(actor=actor).values("pk")
        )
    if contact_id is None or assignee_id is not None:
        assignee_id = assignee_id or actor.pk
        scope = visibility_for(actor)
        if not scope.is_org_wide and assignee_id not in (scope.member_ids or ()):
            raise PermissionDenied("That member's tasks are outside your scope.")
        qs = qs.filter(assignee_id=assignee_id)
    if status != "all":
        qs = qs.filter(completed_at__isnull=status == "open")
    now = now or timezone.now()
    if due == "overdue":
        qs = qs.filter(due_at__lt=now, completed_at__isnull=True)
    elif due == "today":
        start, end = day_bounds(actor=actor, now=now)
        qs = qs.filter(due_at__gte=start, due_at__lt=end)
    return qs.select_related("contact").annotate(
        due_sort=Coalesce("due_at", Value(NO_DUE), output_field=DateTimeField())
    )
