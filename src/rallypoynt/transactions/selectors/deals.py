"""Reads of deals and deadlines, scoped by the engagements the actor may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.selectors import engagement_reach_q, role_holder
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.transactions.choices import DealKind, DealStatus, PartyRole
from rallypoynt.transactions.models import (
    Deadline,
    Deal,
    DealEngagement,
    DealSummary,
    Party,
)

# Up to this many visible deals, their ids go into queries as a literal list; past it, each
# row's deal is checked with EXISTS, which stops with the page (bench/deadlines.py, ADR 0007).
DENSE_DEALS = 2000


def _few_deals(actor: Membership, mine: Q, party_ids: list[int]) -> list[int] | None:
    """Every deal the actor may see when there are at most DENSE_DEALS, else None."""
    sides = DealEngagement.objects.filter(mine, org_id=actor.org_id)
    # A deal may have two sides, so a probe cut off at the bound only means "many": the
    # EXISTS shape is right for any share, only slower for few.
    found = list(sides.values_list("deal_id", flat=True)[: DENSE_DEALS + 1])
    ids = set(found) | set(party_ids)
    if len(found) > DENSE_DEALS or len(ids) > DENSE_DEALS:
        return None
    return sorted(ids)


def deal_visible_q(actor: Membership, field: str = "pk") -> Q:
    """Deals (by `field`, their id) serving an engagement the actor may see, or on which
    the actor is a party (the transaction coordinator assigned to it)."""
    if visibility_for(actor).is_org_wide:
        return Q(org_id=actor.org_id)
    mine = engagement_reach_q(actor, "engagement__")
    parties = Party.objects.filter(org_id=actor.org_id, member_id=actor.pk)
    party_ids = list(parties.values_list("deal_id", flat=True)[: DENSE_DEALS + 1])
    few = _few_deals(actor, mine, party_ids)
    if few is not None:
        # Both planners size a literal list (an empty one costs nothing), and each deal's
        # rows come off its own index.
        return Q(org_id=actor.org_id, **{f"{field}__in": few})
    deal = OuterRef(field)
    sides = DealEngagement.objects.filter(mine, org_id=actor.org_id, deal_id=deal)
    # Alone (no OR), PostgreSQL runs the EXISTS as a nested-loop semi-join that stops with
    # the page, instead of hashing every side first; only parties bring the OR in.
    seen = Q(Exists(sides))
    if party_ids:
        seen |= Q(Exists(parties.filter(deal_id=deal)))
    return Q(org_id=actor.org_id) & seen


def deal_list(*, actor: Membership, status: str = "", kind: str = "") -> QuerySet[Deal]:
    """The actor's deals, newest first, narrowed by status and kind when given."""
    errors = {}
    if status and status not in DealStatus.values:
        errors["status"] = DealStatus.values
    if kind and kind not in DealKind.values:
        errors["kind"] = DealKind.values
    if errors:
        raise ValidationFailed("Unknown filter value.", fields=errors)
    given = {name: value for name, value in (("status", status), ("kind", kind)) if value}
    return Deal.objects.filter(deal_visible_q(actor), **given).order_by("-id")


def deal_get(*, actor: Membership, deal_id: int) -> Deal | None:
    return deal_list(actor=actor).filter(pk=deal_id).first()


def party_list(*, deal: Deal) -> list[Party]:
    """The deal's team contact list: clients first, then agents, then the others by role."""
    order = {role: index for index, role in enumerate(PartyRole.values)}
    rows = Party.objects.filter(org_id=deal.org_id, deal=deal)
    return sorted(rows.select_related("member__user"), key=lambda p: (order[p.role], p.pk))


def deal_parties(*, deal: Deal) -> QuerySet[Party]:
    """The deal's parties as rows to pick from (to take one off the deal)."""
    return Party.objects.filter(org_id=deal.org_id, deal=deal).order_by("pk")


def summary_get(*, deal: Deal) -> DealSummary | None:
    return DealSummary.objects.filter(org_id=deal.org_id, deal=deal).first()


def deadline_list(*, deal: Deal) -> QuerySet[Deadline]:
    """The deal's deadlines, soonest first (undated last)."""
    return Deadline.objects.filter(org_id=deal.org_id, deal=deal).order_by("due_at", "id")


def deadlines_upcoming(*, actor: Membership, days: int = 7) -> QuerySet[Deadline]:
    """Open deadlines due from now to `days` ahead (and overdue ones) across the actor's deals."""
    if not 1 <= days <= 366:
        raise ValidationFailed("Invalid window.", fields={"days": ["between 1 and 366"]})
    until = timezone.now() + timedelta(days=days)
    # `is_open=True` renders as a bare column, which SQLite cannot match to an index column;
    # a one-value IN is an equality to its planner, and the index then also gives the order.
    rows = Deadline.objects.filter(org_id=actor.org_id, is_open__in=[True], due_at__lte=until)
    if not visibility_for(actor).is_org_wide:
        rows = rows.filter(deal_visible_q(actor, "deal_id"))
    return rows.select_related("deal").order_by("due_at", "id")


def deal_recipients(deal: Deal, role: str = "") -> list[Membership]:
    """The people working the deal: its engagements' agents, the members on it as parties
    (the transaction coordinator), and whoever holds `role` on the engagements' teams."""
    found: dict[int, Membership] = {}
    for side in deal.sides.select_related("engagement__agent__user", "engagement"):
        engagement = side.engagement
        found[engagement.agent_id] = engagement.agent
        if role:
            holder = role_holder(engagement, role).member
            if holder is not None:
                found[holder.pk] = holder
    members = Party.objects.filter(org_id=deal.org_id, deal=deal, member__isnull=False)
    for party in members.select_related("member__user"):
        member = party.member
        assert member is not None, "only parties with a member are read"
        found[member.pk] = member
    return [m for m in found.values() if m.is_active]
