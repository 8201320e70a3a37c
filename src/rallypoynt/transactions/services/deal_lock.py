"""Loading a deal to change it: locked, and only if the actor may work it; and the business
calendar of where the property is. The base every transactions service builds on."""

from __future__ import annotations

from rallypoynt.core.calendar import BusinessCalendar
from rallypoynt.core.errors import NotFound
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.domain import deadline_calendar
from rallypoynt.transactions.models import Deal
from rallypoynt.transactions.selectors import deal_visible_q


def deal_for_update(actor: Membership, deal_id: int) -> Deal:
    found = (
        Deal.objects.select_for_update(of=("self",))
        .filter(deal_visible_q(actor), pk=deal_id)
        .select_related("org")
        .first()
    )
    if found is None:
        raise NotFound("No such deal.")
    return found


def deal_lock(deal_id: int) -> None:
    """Take the deal's row lock (callers have checked the actor may work it)."""
    Deal.objects.select_for_update().filter(pk=deal_id).values_list("pk", flat=True).first()


def deal_calendar(deal: Deal) -> BusinessCalendar:
    """Business days where the property is: its country's and state's holidays, the org's
    time zone for the time of day."""
    try:
        return deadline_calendar(deal.country or "US", deal.state or "", deal.org.time_zone)
    except ValueError:
        return deadline_calendar(deal.country or "US", "", deal.org.time_zone)
