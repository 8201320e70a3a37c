"""Tasks: the member's open, overdue and due-today tasks, cut into short sections.

Each section is one query cut at a few rows (with one row more to know there are more), so
a page costs the same at 100 or 100,000 contacts. "Today" is the org's local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.db.models import DateTimeField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rallypoynt.contacts.models import Task
from rallypoynt.contacts.selectors.people import contact_queryset
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import PermissionDenied, ValidationFailed
from rallypoynt.core.timefmt import zone_named
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for

SECTION_ROWS = 10


@dataclass(frozen=True)
class Section:
    """Up to SECTION_ROWS rows and whether more exist beyond them."""

    rows: list
    has_more: bool


def section(qs: QuerySet, rows: int = SECTION_ROWS) -> Section:
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
