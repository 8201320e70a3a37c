"""Reads on calendar feeds: the caller's live feed, and the seat a feed secret stands for."""

from __future__ import annotations

from django.db.models import F

from rallypoynt.accounts.models import CalendarFeed
from rallypoynt.accounts.services import FEED_PREFIX, token_hash
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.selectors.members import org_roles


def calendar_feed_active(*, actor: Membership) -> CalendarFeed | None:
    """The actor's live feed in their current org (the secret itself is never kept)."""
    return CalendarFeed.objects.filter(
        org_id=actor.org_id, user_id=actor.user_id, revoked_at__isnull=True
    ).first()


def calendar_feed_member(*, secret: str) -> Membership | None:
    """The seat a feed secret reads as: live feed, active user, active membership in the
    feed's org; one query, roles loaded from the org's cached configuration."""
    if not secret.startswith(FEED_PREFIX):
        return None
    found = (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            user__calendar_feeds__token_hash=token_hash(secret),
            user__calendar_feeds__revoked_at__isnull=True,
            user__calendar_feeds__org_id=F("org_id"),
        )
        .select_related("user", "org", "office")
        .first()
    )
    if found is not None:
        found._roles = set(org_roles(found.org).get(found.pk, ()))
    return found
