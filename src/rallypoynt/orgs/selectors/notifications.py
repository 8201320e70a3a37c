"""Reads of a member's own notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from rallypoynt.orgs.models import Membership, Notification


def notification_list(*, actor: Membership, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's own notifications (never a colleague's), newest first."""
    qs = Notification.objects.filter(org_id=actor.org_id, recipient=actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, actor: Membership) -> int:
    """How many of the actor's own notifications are unread."""
    return notification_list(actor=actor, unread_only=True).count()
