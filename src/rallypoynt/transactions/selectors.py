"""Reads of transactions and deadlines, scoped by the engagements the actor may see."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rallypoynt.core.errors import ValidationFailed
from rallypoynt.journeys.models import Handoff
from rallypoynt.journeys.selectors_handoffs import role_holder
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.transactions.choices import PartyRole
from rallypoynt.transactions.models import (
    Deadline,
    Party,
    Transaction,
    TransactionEngagement,
    TransactionSummary,
)


def _mine_q(actor: Membership) -> Q:
    """Deal sides whose engagement the actor may see, with literal ids only (so that every
    planner can size it and nothing is rebuilt per row)."""
    scope = visibility_for(actor)
    mine = Q(engagement__agent_id__in=sorted(scope.member_ids or ()))
    handed = Handoff.objects.filter(org_id=actor.org_id, to_member_id=actor.pk)
    handed_ids = sorted(set(handed.values_list("engagement_id", flat=True)))
    if handed_ids:
        mine |= Q(engagement_id__in=handed_ids)
    return mine


def transaction_visible_q(actor: Membership, field: str = "pk") -> Q:
    """Deals (by `field`, their id) serving an engagement the actor may see, or on which
    the actor is a party (the transaction coordinator assigned to it)."""
    if visibility_for(actor).is_org_wide:
        return Q(org_id=actor.org_id)
    sides = TransactionEngagement.objects.filter(_mine_q(actor), org_id=actor.org_id)
    parties = Party.objects.filter(org_id=actor.org_id, member_id=actor.pk)
    return Q(org_id=actor.org_id) & (
        Q(**{f"{field}__in": sides.values("transaction_id")})
        | Q(**{f"{field}__in": parties.values("transaction_id")})
    )


def transaction_list(*, actor: Membership) -> QuerySet[Transaction]:
    return Transaction.objects.filter(transaction_visible_q(actor)).order_by("-id")


def transaction_get(*, actor: Membership, transaction_id: int) -> Transaction | None:
    return transaction_list(actor=actor).filter(pk=transaction_id).first()


def party_list(*, transaction: Transaction) -> list[Party]:
    """The deal's team contact list: clients first, then agents, then the others by role."""
    order = {role: index for index, role in enumerate(PartyRole.values)}
    rows = Party.objects.filter(org_id=transaction.org_id, transaction=transaction)
    return sorted(rows.select_related("member__user"), key=lambda p: (order[p.role], p.pk))


def summary_get(*, transaction: Transaction) -> TransactionSummary | None:
    return TransactionSummary.objects.filter(
        org_id=transaction.org_id, transaction=transaction
    ).first()


def deadline_list(*, transaction: Transaction) -> QuerySet[Deadline]:
    """The transaction's deadlines, soonest first (undated last)."""
    return Deadline.objects.filter(org_id=transaction.org_id, transaction=transaction).order_by(
        "due_at", "id"
    )


# Past this many visible deals, walking open deadlines in due order and checking each row's
# deal beats gathering every deadline of every deal and sorting them (bench/deadlines.py).
DENSE_DEALS = 2000
PROBE_SIDES = 2 * DENSE_DEALS


def _deadline_deals_q(actor: Membership) -> Q:
    """Deadlines of deals the actor may see, in the cheaper of two shapes for their share."""
    mine = _mine_q(actor)
    # Two sides per deal at most in practice; a probe cut off early only picks the per-row
    # shape, which is right (if slower) for any share.
    probe = TransactionEngagement.objects.filter(mine, org_id=actor.org_id)
    sides = list(probe.values_list("transaction_id", flat=True)[: PROBE_SIDES + 1])
    parties = Party.objects.filter(org_id=actor.org_id, member_id=actor.pk)
    party_ids = set(parties.values_list("transaction_id", flat=True)[: DENSE_DEALS + 1])
    ids = set(sides) | party_ids
    if len(sides) <= PROBE_SIDES and len(ids) <= DENSE_DEALS:
        # A literal list: each deal's open rows come off (org, transaction, is_open, due_at),
        # and both planners know its size (an empty one costs nothing).
        return Q(transaction_id__in=sorted(ids))
    # One EXISTS per row walked in due order: alone (no OR) PostgreSQL runs it as a
    # nested-loop semi-join that stops with the page, instead of hashing every side first.
    rows_deal = OuterRef("transaction_id")
    sides_seen = TransactionEngagement.objects.filter(
        mine, org_id=actor.org_id, transaction_id=rows_deal
    )
    seen = Q(Exists(sides_seen))
    if party_ids:
        seen |= Q(Exists(parties.filter(transaction_id=rows_deal)))
    return seen


def deadlines_upcoming(*, actor: Membership, days: int = 7) -> QuerySet[Deadline]:
    """Open deadlines due from now to `days` ahead (and overdue ones) across the actor's deals."""
    if not 1 <= days <= 366:
        raise ValidationFailed("Invalid window.", fields={"days": ["between 1 and 366"]})
    until = timezone.now() + timedelta(days=days)
    # `is_open=True` renders as a bare column, which SQLite cannot match to an index column;
    # a one-value IN is an equality to its planner, and the index then also gives the order.
    rows = Deadline.objects.filter(org_id=actor.org_id, is_open__in=[True], due_at__lte=until)
    if not visibility_for(actor).is_org_wide:
        rows = rows.filter(_deadline_deals_q(actor))
    return rows.select_related("transaction").order_by("due_at", "id")


def deal_recipients(deal: Transaction, role: str = "") -> list[Membership]:
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
    members = Party.objects.filter(org_id=deal.org_id, transaction=deal, member__isnull=False)
    for party in members.select_related("member__user"):
        found[party.member_id] = party.member
    return [m for m in found.values() if m.is_active]
