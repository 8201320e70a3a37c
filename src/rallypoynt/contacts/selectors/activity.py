"""Who in the actor's scope has been in touch with people lately: touchpoints per member."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from rallypoynt.contacts.models import Touchpoint
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for


def touchpoint_counts(
    *, actor: Membership, member_ids: list[int], since: datetime
) -> dict[int, int]:
    """Touchpoints each of `member_ids` logged since `since` (members without any are absent).

    Members outside the actor's scope count nothing. Each member is read off the
    (org, logged_by, occurred_at) index as its own range, so the cost follows the recent
    rows, not the org's history.
    """
    scope = visibility_for(actor)
    if not scope.is_org_wide:
        member_ids = [pk for pk in member_ids if pk in (scope.member_ids or ())]
    rows = (
        Touchpoint.objects.filter(
            org_id=actor.org_id, logged_by_id__in=member_ids, occurred_at__gte=since
        )
        .order_by()
        .values("logged_by_id")
        .annotate(n=Count("id"))
    )
    return {row["logged_by_id"]: row["n"] for row in rows}
