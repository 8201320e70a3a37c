"""Reads of transactions and deadlines, scoped by the engagements the actor may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rallypoynt.journeys.models import Engagement
from rallypoynt.journeys.selectors import engagement_visible_q
from rallypoynt.orgs.models import Membership
from rallypoynt.transactions.models import Deadline, Transaction


def transaction_visible_q(actor: Membership) -> Q:
    """Transactions serving an engagement the actor may see."""
    engagements = Engagement.objects.filter(engagement_visible_q(actor)).values("pk")
    return Q(org_id=actor.org_id, sides__engagement_id__in=engagements)


def transaction_list(*, actor: Membership) -> QuerySet[Transaction]:
    return Transaction.objects.filter(transaction_visible_q(actor)).distinct().order_by("-id")


def transaction_get(*, actor: Membership, transaction_id: int) -> Transaction | None:
    return transaction_list(actor=actor).filter(pk=transaction_id).first()


def deadline_list(*, transaction: Transaction) -> QuerySet[Deadline]:
    """The transaction's deadlines, soonest first (undated last)."""
    return Deadline.objects.filter(org_id=transaction.org_id, transaction=transaction).order_by(
        "due_at", "id"
    )
