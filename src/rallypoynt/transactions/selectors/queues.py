"""Work queues across the actor's deals: closings ahead, and team contact lists with gaps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet

from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.choices import DeadlineKind, DealKind, DealStatus, PartyRole
from rallypoynt.transactions.models import Deadline, Deal, Party
from rallypoynt.transactions.selectors.deals import deal_visible_q

UNDER_CONTRACT = (DealStatus.UNDER_CONTRACT, DealStatus.PENDING)
OPEN = (DealStatus.OFFER, *UNDER_CONTRACT)
# Both principals, the other side's agent and the closing agent; a lender only when the
# contract has a financing contingency (a cash deal has none).
NEEDED: dict[str, tuple[str, ...]] = {
    DealKind.PURCHASE: (
        PartyRole.BUYER,
        PartyRole.SELLER,
        PartyRole.LISTING_AGENT,
        PartyRole.TITLE_ESCROW,
    ),
    DealKind.SALE: (
        PartyRole.SELLER,
        PartyRole.BUYER,
        PartyRole.BUYER_AGENT,
        PartyRole.TITLE_ESCROW,
    ),
}
GAPS_LOOKED_AT = 200  # the deals closing soonest; later ones have time to fill their list


@dataclass(frozen=True)
class PartyGap:
    deal: Deal
    missing: tuple[str, ...]  # role labels, in the team list's order


def deals_by_closing(*, actor: Membership) -> QuerySet[Deal]:
    """The actor's open deals, the soonest closing first (no closing date last)."""
    return Deal.objects.filter(deal_visible_q(actor), status__in=OPEN).order_by(
        F("closing_on").asc(nulls_last=True), "id"
    )


def deals_closing_between(*, actor: Membership, start: date, end: date) -> QuerySet[Deal]:
    """Deals under contract whose closing date falls from `start` to `end` (both included)."""
    return deals_by_closing(actor=actor).filter(
        status__in=UNDER_CONTRACT, closing_on__gte=start, closing_on__lte=end
    )


def parties_missing(kind: str, roles: set[str], *, financed: bool) -> tuple[str, ...]:
    """The roles (labels) a deal of `kind` still lacks on its team contact list."""
    needed = NEEDED.get(kind, ())
    if financed and needed:
        needed = (*needed, PartyRole.LENDER)
    return tuple(PartyRole(role).label for role in needed if role not in roles)


def party_gaps(*, actor: Membership, limit: int = 10) -> list[PartyGap]:
    """Deals under contract missing someone they need to close, soonest closing first.

    Three queries whatever the number of deals: the deals, their parties' roles, and which
    of them have a financing contingency.
    """
    deals = list(deals_by_closing(actor=actor).filter(status__in=UNDER_CONTRACT)[:GAPS_LOOKED_AT])
    ids = [deal.pk for deal in deals]
    roles: dict[int, set[str]] = defaultdict(set)
    for deal_id, role in Party.objects.filter(org_id=actor.org_id, deal_id__in=ids).values_list(
        "deal_id", "role"
    ):
        roles[deal_id].add(role)
    financed = set(
        Deadline.objects.filter(
            org_id=actor.org_id, deal_id__in=ids, kind=DeadlineKind.FINANCING
        ).values_list("deal_id", flat=True)
    )
    gaps = []
    for deal in deals:
        missing = parties_missing(deal.kind, roles[deal.pk], financed=deal.pk in financed)
        if missing:
            gaps.append(PartyGap(deal, missing))
        if len(gaps) == limit:
            break
    return gaps
