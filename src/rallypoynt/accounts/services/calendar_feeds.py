"""Writes on calendar feeds: a member's secret iCalendar URL, replaced or revoked at will."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from rallypoynt.accounts.models import CalendarFeed, User
from rallypoynt.accounts.services.tokens import Seat, token_hash
from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import NotFound

FEED_PREFIX = "rpcal_"


def _revoke(feed: CalendarFeed, *, actor: Seat) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at", "updated_at"])
    audit_and_emit(
        org_id=feed.org_id,
        actor_id=actor.user_id,
        action="calendar_feed.revoke",
        target=feed,
        kind="calendar_feed.revoked",
    )


@transaction.atomic
def calendar_feed_create(*, actor: Seat) -> tuple[CalendarFeed, str]:
    """A new feed URL for the actor's seat; the previous one stops working. The secret is
    returned once and never stored."""
    # Lock the user so two clicks at once cannot both pass the revoke step (the partial
    # unique constraint would refuse the second insert anyway).
    User.objects.select_for_update().filter(pk=actor.user_id).first()
    live = CalendarFeed.objects.filter(
        org_id=actor.org_id, user_id=actor.user_id, revoked_at__isnull=True
    )
    for old in live:
        _revoke(old, actor=actor)
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        org_id=actor.org_id,
        user_id=actor.user_id,
        prefix=secret[:12],
        token_hash=token_hash(secret),
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="calendar_feed.create",
        target=feed,
        kind="calendar_feed.created",
    )
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, actor: Seat, feed_id: int) -> CalendarFeed:
    """Stop the actor's own feed URL at once (calendars that subscribed get a 404)."""
    feed = (
        CalendarFeed.objects.select_for_update()
        .filter(pk=feed_id, org_id=actor.org_id, user_id=actor.user_id, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise NotFound("No such active calendar feed.")
    _revoke(feed, actor=actor)
    return feed
