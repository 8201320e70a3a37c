"""Reads of commission: a deal's commissions with their splits, an agent's statement for a
period with cap progress (plans and caps: selectors_commission_plans)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.db.models import Case, DecimalField, F, Prefetch, QuerySet, Sum, Value, When

from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import NotFound, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import visibility_for
from rallypoynt.transactions.choices import CommissionStatus, Payee
from rallypoynt.transactions.domain import ZERO, money
from rallypoynt.transactions.models import (
    Commission,
    CommissionSplit,
    Deal,
    DealEngagement,
)
from rallypoynt.transactions.selectors.commission_plans import CapProgress, cap_progress
from rallypoynt.transactions.selectors.deals import deal_get

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
MAX_STATEMENT_DAYS = 3 * 366


class StatementValues(TypedDict):
    """One commission as agent_statement's query reads it, with what each payee was paid."""

    pk: int
    deal_id: int
    deal__street: str
    deal__city: str
    deal__closed_on: date | None
    side: str
    status: str
    earned_on: date | None
    gross: Decimal
    paid_agent: Decimal | None
    paid_team: Decimal | None
    paid_brokerage: Decimal | None
    paid_referral: Decimal | None


@dataclass(frozen=True)
class StatementRow:
    commission_id: int
    deal_id: int
    address: str
    side: str
    status: str
    earned_on: date | None
    closed_on: date | None
    gross: Decimal
    agent: Decimal
    team: Decimal
    brokerage: Decimal
    referral: Decimal


@dataclass
class AgentStatement:
    member_id: int
    member_name: str
    start: date
    end: date
    rows: list[StatementRow]
    totals: dict[str, Decimal] = field(default_factory=dict)
    cap: CapProgress | None = None


def commission_list_for_deal(*, actor: Membership, deal_id: int) -> list[Commission]:
    """The deal's commissions (buy side first) with their splits and agents, for anyone who
    may see the deal; a deal they may not see is a NotFound."""
    deal = deal_get(actor=actor, deal_id=deal_id)
    if deal is None:
        raise NotFound("No such deal.")
    splits = CommissionSplit.objects.order_by("pk")
    return list(
        Commission.objects.filter(org_id=actor.org_id, deal_id=deal.pk)
        .select_related("agent__user", "team", "plan", "deal")
        .prefetch_related(Prefetch("splits", queryset=splits))
        .order_by("side")
    )


@dataclass(frozen=True)
class ListingFee:
    """The listing side's commission as set on the deal: a rate, a flat amount, or neither."""

    rate_percent: Decimal | None = None
    flat_amount: Decimal | None = None

    @property
    def rate(self) -> Decimal:
        return (self.rate_percent or ZERO) / 100

    @property
    def flat(self) -> Decimal:
        return self.flat_amount or ZERO


def listing_fee(*, deal: Deal) -> ListingFee | None:
    """What the seller pays our listing side, for net to seller; None when we do not list."""
    if "sell" not in deal_sides(deal=deal):
        return None
    row = (
        Commission.objects.filter(org_id=deal.org_id, deal=deal, side="sell")
        .order_by("pk")
        .values("rate_percent", "flat_amount")
        .first()
    )
    return ListingFee(**row) if row else ListingFee()


def deal_sides(*, deal: Deal) -> list[str]:
    """The sides of the deal our agents work: buy, sell, or both in dual agency."""
    sides = DealEngagement.objects.filter(org_id=deal.org_id, deal=deal)
    return sorted(set(sides.values_list("side", flat=True)))


def side_agents(*, deal: Deal) -> dict[str, int]:
    """Each side's agent: the agent of the engagement it serves (its first, in dual agency
    with two engagements on one side)."""
    sides = DealEngagement.objects.filter(org_id=deal.org_id, deal=deal)
    found: dict[str, int] = {}
    for side, agent_id in sides.order_by("-pk").values_list("side", "engagement__agent_id"):
        found[side] = agent_id
    return found


def statement_members(*, actor: Membership) -> QuerySet[Membership]:
    """Members whose statements the actor may read: own, led teams', office or org."""
    scope = visibility_for(actor)
    members = Membership.objects.filter(org_id=actor.org_id, is_active=True)
    if scope.member_ids is not None:  # not scope.is_org_wide
        members = members.filter(pk__in=scope.member_ids)
    return members.select_related("user").order_by("user__last_name", "user__first_name", "pk")


def _statement_member(actor: Membership, member_id: int) -> Membership:
    scope = visibility_for(actor)
    member = (
        Membership.objects.filter(org_id=actor.org_id, pk=member_id).select_related("user").first()
    )
    if member is None or (scope.member_ids is not None and member.pk not in scope.member_ids):
        raise NotFound("No such member.")
    return member


def _paid_to(payee: str) -> Sum:
    return Sum(
        Case(
            When(splits__payee=payee, then=F("splits__amount")),
            default=Value(ZERO),
            output_field=MONEY_FIELD,
        ),
        output_field=MONEY_FIELD,
    )


def agent_statement(
    *, actor: Membership, member_id: int, start: date, end: date, include_projected: bool = False
) -> AgentStatement:
    """Each commission the member earned start..end (final, and projected if asked) with what
    went to whom, the totals, and the member's cap progress this cap year. One query for all
    the rows, whatever their number."""
    if start > end or (end - start).days > MAX_STATEMENT_DAYS:
        raise ValidationFailed(
            "Pick a period of at most three years.", fields={"end": ["on or after start"]}
        )
    member = _statement_member(actor, member_id)
    statuses = [CommissionStatus.FINAL]
    if include_projected:
        statuses.append(CommissionStatus.PROJECTED)
    found = (
        Commission.objects.filter(
            org_id=actor.org_id,
            agent_id=member.pk,
            status__in=statuses,
            earned_on__range=(start, end),
        )
        .values(
            "pk",
            "deal_id",
            "deal__street",
            "deal__city",
            "deal__closed_on",
            "side",
            "status",
            "earned_on",
            "gross",
        )
        .annotate(
            paid_agent=_paid_to(Payee.AGENT),
            paid_team=_paid_to(Payee.TEAM),
            paid_brokerage=_paid_to(Payee.BROKERAGE),
            paid_referral=_paid_to(Payee.REFERRAL),
        )
        .order_by("earned_on", "pk")
    )
    rows = [_row(values) for values in found]
    totals = {
        name: money(sum((getattr(r, name) for r in rows), ZERO))
        for name in ("gross", "agent", "team", "brokerage", "referral")
    }
    cap = cap_progress(org_id=actor.org_id, member_id=member.pk, on=local_today(actor.org))
    return AgentStatement(member.pk, str(member.user), start, end, rows, totals, cap)


def _row(values: StatementValues) -> StatementRow:
    street, city = values["deal__street"], values["deal__city"]
    return StatementRow(
        commission_id=values["pk"],
        deal_id=values["deal_id"],
        address=", ".join(part for part in (street, city) if part),
        side=values["side"],
        status=values["status"],
        earned_on=values["earned_on"],
        closed_on=values["deal__closed_on"],
        gross=money(values["gross"]),
        agent=money(values["paid_agent"] or ZERO),
        team=money(values["paid_team"] or ZERO),
        brokerage=money(values["paid_brokerage"] or ZERO),
        referral=money(values["paid_referral"] or ZERO),
    )


CSV_COLUMNS = [
    "earned_on",
    "closed_on",
    "address",
    "side",
    "status",
    "gross",
    "agent",
    "team",
    "brokerage",
    "referral",
]


def statement_csv(statement: AgentStatement) -> str:
    """The statement as CSV: one line per commission, then a totals line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in statement.rows:
        writer.writerow([_csv_cell(getattr(row, name)) for name in CSV_COLUMNS])
    writer.writerow(
        ["total", "", "", "", ""] + [f"{statement.totals[n]:.2f}" for n in CSV_COLUMNS[5:]]
    )
    return out.getvalue()


def _csv_cell(value: date | Decimal | str | None) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
