"""Reads for managing a deal: its checklists by kind, the issue log, progress updates,
walk-through reports, where the deal stands (the progress snapshot), and checklist items
due soon across the actor's deals.

Per-deal reads take a deal the caller already loaded through `deal_get` (the
permission check); reads across deals are scoped by the actor here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import (
    RESOLVED,
    ChecklistKind,
    DealStatus,
    IssueStatus,
    ItemStatus,
)
from rallypoynt.transactions.models import (
    ChecklistItem,
    Deadline,
    Deal,
    Issue,
    ProgressUpdate,
    WalkthroughReport,
)
from rallypoynt.transactions.selectors.deals import deal_visible_q

KIND_ORDER = {kind: i for i, kind in enumerate(ChecklistKind.values)}


def checklist_items(*, deal: Deal) -> QuerySet[ChecklistItem]:
    """The deal's checklist items in template order, with who marked them."""
    return (
        ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("done_by__user")
        .order_by("position", "id")
    )


def checklist_groups(*, deal: Deal) -> list[dict[str, Any]]:
    """The deal's items grouped by kind (due diligence, pre-closing, closing, termination),
    each group with its done (or n/a) and total counts. One query."""
    groups: dict[str, dict[str, Any]] = {}
    for row in checklist_items(deal=deal):
        group = groups.setdefault(
            row.kind,
            {"kind": row.kind, "label": row.get_kind_display(), "items": [], "done": 0},
        )
        group["items"].append(row)
        group["done"] += row.status != ItemStatus.OPEN
    for group in groups.values():
        group["total"] = len(group["items"])
    return sorted(groups.values(), key=lambda g: KIND_ORDER.get(g["kind"], 99))


def issue_list(*, deal: Deal) -> QuerySet[Issue]:
    """The issue log: open issues first (soonest due first), then resolved, newest first."""
    is_open = Case(
        When(status=IssueStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Issue.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("owner__user", "resolved_by__user")
        .annotate(is_closed=is_open)
        .order_by("is_closed", "due_on", "-raised_on", "-id")
    )


def progress_update_list(*, deal: Deal) -> QuerySet[ProgressUpdate]:
    return (
        ProgressUpdate.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("author__user")
        .order_by("-created_at", "-id")
    )


def walkthrough_list(*, deal: Deal) -> QuerySet[WalkthroughReport]:
    return (
        WalkthroughReport.objects.filter(org_id=deal.org_id, deal=deal)
        .select_related("author__user")
        .order_by("-done_on", "-id")
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def progress_snapshot(*, deal: Deal, now: datetime | None = None) -> dict[str, Any]:
    """Where the deal stands, as plain JSON: status, key dates, days to closing, deadlines
    (open, resolved, overdue, the next three), checklist progress by kind, open issues."""
    now = now or timezone.now()
    today = local_today(deal.org, now)
    deadlines = Deadline.objects.filter(org_id=deal.org_id, deal=deal)
    is_open = ~Q(status__in=RESOLVED)
    counts = deadlines.aggregate(
        open=Count("pk", filter=is_open),
        resolved=Count("pk", filter=~is_open),
        overdue=Count("pk", filter=is_open & Q(due_at__lt=now)),
    )
    upcoming = deadlines.filter(is_open, due_at__gte=now).order_by("due_at", "id")[:3]
    checklists = (
        ChecklistItem.objects.filter(org_id=deal.org_id, deal=deal)
        .values("kind")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=~Q(status=ItemStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=ItemStatus.OPEN, due_on__lt=today)),
        )
        .order_by()
    )
    open_issues = Issue.objects.filter(
        org_id=deal.org_id, deal=deal, status=IssueStatus.OPEN
    ).order_by("due_on", "id")
    issues = list(open_issues.values("title", "due_on"))
    return {
        "as_of": now.isoformat(),
        "property": str(deal),
        "status": deal.status,
        "status_label": DealStatus(deal.status).label,
        "dates": {
            "accepted_on": _iso(deal.accepted_on),
            "closing_on": _iso(deal.closing_on),
            "possession_on": _iso(deal.possession_on),
        },
        "days_to_closing": (deal.closing_on - today).days if deal.closing_on else None,
        "deadlines": {
            **counts,
            "next": [{"name": d.name, "kind": d.kind, "due_on": _iso(d.due_on)} for d in upcoming],
        },
        "checklists": [
            {**row, "label": ChecklistKind(row["kind"]).label}
            for row in sorted(checklists, key=lambda r: KIND_ORDER.get(r["kind"], 99))
        ],
        "issues": {
            "open": len(issues),
            "titles": [{"title": i["title"], "due_on": _iso(i["due_on"])} for i in issues[:5]],
        },
    }


def checklist_due_soon(*, actor: Membership, days: int = 7) -> QuerySet[ChecklistItem]:
    """Open items due within `days` (and overdue ones) across the deals the actor may see;
    a terminated deal only keeps its termination checklist on the list."""
    if not 1 <= days <= 366:
        raise ValidationFailed("Invalid window.", fields={"days": ["between 1 and 366"]})
    until = local_today(actor.org) + timedelta(days=days)
    return (
        ChecklistItem.objects.filter(
            deal_visible_q(actor, "deal_id"),
            Q(kind=ChecklistKind.TERMINATION) | ~Q(deal__status=DealStatus.TERMINATED),
            status=ItemStatus.OPEN,
            due_on__lte=until,
        )
        .select_related("deal")
        .order_by("due_on", "id")
    )


def issue_get(*, actor: Membership, issue_id: int) -> Issue | None:
    """One issue of a deal the actor may see (None otherwise: a 404, never a 403)."""
    return (
        Issue.objects.filter(deal_visible_q(actor, "deal_id"), pk=issue_id)
        .select_related("owner__user", "resolved_by__user")
        .first()
    )


def checklist_item_get(*, actor: Membership, item_id: int) -> ChecklistItem | None:
    return (
        ChecklistItem.objects.filter(deal_visible_q(actor, "deal_id"), pk=item_id)
        .select_related("done_by__user")
        .first()
    )
