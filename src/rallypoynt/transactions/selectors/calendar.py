"""Reads of a member's calendar feed: the open deadlines and closings of the live deals they
may see, and their own open tasks, for the window the feed covers (three queries after
visibility)."""

from __future__ import annotations

from django.db.models import Q

from rallypoynt.contacts.models import Task
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import RESOLVED, DealStatus
from rallypoynt.transactions.domain import FeedItems, FeedWindow
from rallypoynt.transactions.models import Deadline, Deal
from rallypoynt.transactions.selectors.deals import deal_visible_q


def calendar_feed_items(*, actor: Membership, window: FeedWindow) -> FeedItems:
    """What the member's calendar shows: open deadlines and closings of the live deals they may
    see (terminated deals drop out), and the open, dated tasks assigned to them."""
    deals = (
        Deal.objects.filter(deal_visible_q(actor))
        .exclude(status=DealStatus.TERMINATED)
        .values("pk")
    )
    deadlines = (
        Deadline.objects.filter(org_id=actor.org_id, deal_id__in=deals)
        .exclude(status__in=RESOLVED)
        .filter(
            Q(due_at__gte=window.start_at, due_at__lt=window.end_at)
            | Q(due_at__isnull=True, due_on__gte=window.first_on, due_on__lte=window.last_on)
        )
        .select_related("deal")
        .order_by("due_on", "due_at", "pk")
    )
    closings = Deal.objects.filter(
        org_id=actor.org_id,
        pk__in=deals,
        closing_on__gte=window.first_on,
        closing_on__lte=window.last_on,
    ).order_by("closing_on", "pk")
    tasks = Task.objects.filter(
        org_id=actor.org_id,
        assignee_id=actor.pk,
        completed_at__isnull=True,
        due_at__gte=window.start_at,
        due_at__lt=window.end_at,
    ).order_by("due_at", "pk")
    return FeedItems(deadlines=list(deadlines), closings=list(closings), tasks=list(tasks))
