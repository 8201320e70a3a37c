"""A deal's commission per side: projected from the price and the agent's plan while the deal
is open, made final (and counted against the agent's cap) when it closes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction as db_transaction
from django.utils import timezone

from rallypoynt.core.audit import audit_record
from rallypoynt.core.errors import Conflict, PermissionDenied, ValidationFailed
from rallypoynt.core.events import event_emit
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.transactions.choices import CommissionStatus, Payee, TransactionStatus
from rallypoynt.transactions.commission_calc import (
    CommissionInputError,
    PlanTerms,
    Split,
    cap_year,
    gross_from_price,
    splits_compute,
)
from rallypoynt.transactions.models import (
    Commission,
    CommissionSplit,
    Transaction,
    TransactionEngagement,
)
from rallypoynt.transactions.selectors_commission_plans import cap_paid, plan_in_force
from rallypoynt.transactions.services.deal_lock import transaction_for_update

SIDES = ("buy", "sell")


def _price(deal: Transaction, *, final: bool) -> Decimal | None:
    prices = (deal.contract_price, deal.offer_price, deal.list_price)
    if final:
        prices = (deal.final_price, *prices)
    return next((p for p in prices if p is not None), None)


def _agents_lock(org_id: int, agent_ids: list[int]) -> None:
    """Serialize everything that spends an agent's cap: lock their membership rows in id
    order, so two closings for one agent wait for each other and never deadlock."""
    ids = sorted(set(agent_ids))
    if ids:
        locked = Membership.objects.select_for_update().filter(org_id=org_id, pk__in=ids)
        list(locked.order_by("pk").values_list("pk", flat=True))


def _compute(row: Commission, *, deal: Transaction, on: date, final: bool) -> list[Split]:
    """Gross and splits of `row` under the agent's plan on `on`, the cap room counted from
    the agent's other final commissions of that cap year."""
    plan = plan_in_force(org_id=row.org_id, member_id=row.agent_id, on=on)
    if plan is None:
        raise ValidationFailed(
            "The agent has no split plan: assign one or mark a plan as the default.",
            fields={"plan": ["assign the agent a split plan"]},
        )
    start, end = cap_year(plan.cap_year_month, plan.cap_year_day, on)
    paid = cap_paid(
        org_id=row.org_id, member_id=row.agent_id, start=start, end=end, exclude_id=row.pk
    )
    terms = PlanTerms(plan.agent_percent, plan.team_percent, plan.annual_cap, plan.post_cap_fee)
    try:
        row.gross = gross_from_price(
            _price(deal, final=final), rate_percent=row.rate_percent, flat_amount=row.flat_amount
        )
        splits = splits_compute(
            gross=row.gross,
            plan=terms,
            referral_percent=row.referral_percent,
            cap_paid=paid,
            has_team=row.team_id is not None,
        )
    except CommissionInputError as exc:
        raise ValidationFailed(
            "The commission cannot be computed.", fields={exc.field: [exc.message]}
        ) from exc
    row.plan = plan
    return splits


def _write(row: Commission, splits: list[Split]) -> None:
    """Save the commission and replace its splits with `splits`."""
    row.save()
    CommissionSplit.objects.filter(org_id=row.org_id, commission=row).delete()
    names = {
        Payee.AGENT: str(row.agent.user),
        Payee.TEAM: row.team.name if row.team_id else "",
        Payee.BROKERAGE: row.org.name,
        Payee.REFERRAL: row.referral_to or "Referral",
    }
    CommissionSplit.objects.bulk_create(
        CommissionSplit(
            org_id=row.org_id,
            commission=row,
            payee=split.payee,
            member_id=row.agent_id if split.payee == Payee.AGENT else None,
            name=names[split.payee][:200],
            amount=split.amount,
            basis=split.basis[:300],
        )
        for split in splits
    )


def _recorded(row: Commission, splits: list[Split], actor: Membership | None, kind: str) -> None:
    actor_id = actor.user_id if actor else None
    summary = {split.payee: str(split.amount) for split in splits}
    audit_record(
        org_id=row.org_id,
        actor_id=actor_id,
        action=kind,
        target=row,
        changes={"gross": str(row.gross), "splits": summary, "status": row.status},
    )
    event_emit(
        org_id=row.org_id,
        kind=kind,
        subject=row,
        actor_id=actor_id,
        payload={
            "transaction_id": row.transaction_id,
            "side": row.side,
            "agent_id": row.agent_id,
            "gross": str(row.gross),
            "splits": summary,
            "earned_on": str(row.earned_on) if row.earned_on else None,
        },
    )


def _side_engagement(deal: Transaction, side: str):
    found = (
        TransactionEngagement.objects.filter(org_id=deal.org_id, transaction=deal, side=side)
        .select_related("engagement")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise ValidationFailed(
            f"Nobody works the {side} side of this deal here.",
            fields={"side": ["a side with an engagement on this deal"]},
        )
    return found.engagement


@db_transaction.atomic
def commission_set(
    *,
    actor: Membership,
    transaction_id: int,
    side: str,
    rate_percent: Decimal | None = None,
    flat_amount: Decimal | None = None,
    referral_percent: Decimal = Decimal(0),
    referral_to: str = "",
) -> Commission:
    """Set one side's commission (a rate of the price or a flat amount, and a referral) and
    recompute its splits; projected until the deal closes, final at once on a closed deal."""
    deal = transaction_for_update(actor, transaction_id)
    if side not in SIDES:
        raise ValidationFailed("Buy or sell side?", fields={"side": list(SIDES)})
    engagement = _side_engagement(deal, side)
    scope = visibility_for(actor)
    if not scope.is_org_wide and engagement.agent_id not in scope.member_ids:
        raise PermissionDenied("Only the side's agent, their lead or a manager sets commission.")
    referral_to = referral_to.strip()
    if referral_percent and not referral_to:
        raise ValidationFailed(
            "Who gets the referral fee?", fields={"referral_to": ["required with a referral"]}
        )
    row = Commission.objects.filter(org_id=deal.org_id, transaction=deal, side=side).first()
    if row is not None and row.status == CommissionStatus.FINAL:
        raise Conflict("This commission is final: the deal has closed.")
    is_closed = deal.status == TransactionStatus.CLOSED and deal.closed_on is not None
    if is_closed:
        _agents_lock(deal.org_id, [engagement.agent_id])
    row = row or Commission(org_id=deal.org_id, transaction=deal, side=side)
    row.agent_id, row.team_id = engagement.agent_id, engagement.team_id
    row.rate_percent, row.flat_amount = rate_percent, flat_amount
    row.referral_percent, row.referral_to = referral_percent, referral_to[:200]
    row.status = CommissionStatus.FINAL if is_closed else CommissionStatus.PROJECTED
    row.earned_on = deal.closed_on if is_closed else deal.closing_on
    on = row.earned_on or timezone.localdate()
    splits = _compute(row, deal=deal, on=on, final=is_closed)
    _write(row, splits)
    _recorded(row, splits, actor, "commission.set")
    return row


@db_transaction.atomic
def commissions_finalize(
    *, deal: Transaction, closed_on: date, actor: Membership | None
) -> list[Commission]:
    """At closing: recompute each projected commission of the deal from its final price and
    the agent's cap as of `closed_on`, and make it final. Call it inside the closing's
    transaction, after setting `final_price` and `closed_on`, with the deal row locked."""
    rows = list(
        Commission.objects.select_for_update(of=("self",))
        .filter(org_id=deal.org_id, transaction_id=deal.pk)
        .select_related("agent__user", "team", "org")
        .order_by("side")
    )
    pending = [row for row in rows if row.status != CommissionStatus.FINAL]
    _agents_lock(deal.org_id, [row.agent_id for row in pending])
    for row in pending:
        row.status, row.earned_on = CommissionStatus.FINAL, closed_on
        # One row at a time: a dual-agency agent's second side sees the first one's cap use.
        splits = _compute(row, deal=deal, on=closed_on, final=True)
        _write(row, splits)
        _recorded(row, splits, actor, "commission.finalized")
    return rows


@db_transaction.atomic
def commissions_reproject(*, deal: Transaction, actor: Membership | None) -> list[Commission]:
    """Recompute the deal's projected commissions after its price or closing date moved (an
    accepted offer, an amendment); final ones stay as they were paid."""
    rows = list(
        Commission.objects.filter(
            org_id=deal.org_id, transaction_id=deal.pk, status=CommissionStatus.PROJECTED
        )
        .select_related("agent__user", "team", "org")
        .order_by("side")
    )
    for row in rows:
        row.earned_on = deal.closing_on
        splits = _compute(row, deal=deal, on=deal.closing_on or timezone.localdate(), final=False)
        _write(row, splits)
        _recorded(row, splits, actor, "commission.reprojected")
    return rows
