"""A deal's commission per side: projected from the price and the agent's plan while the deal
is open, made final (and counted against the agent's cap) when it closes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db import transaction

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.clock import local_today
from rallypoynt.core.errors import Conflict, PermissionDenied, ValidationFailed
from rallypoynt.journeys.models import Engagement
from rallypoynt.orgs.models import Membership, TeamMember
from rallypoynt.orgs.permissions import reach_for
from rallypoynt.transactions.choices import (
    CommissionStatus,
    DealStatus,
    PartyRole,
    Payee,
)
from rallypoynt.transactions.domain import (
    CommissionInputError,
    PlanTerms,
    Split,
    cap_year,
    gross_from_price,
    gross_shares,
    splits_compute,
)
from rallypoynt.transactions.models import (
    Commission,
    CommissionSplit,
    Deal,
    DealEngagement,
    Party,
)
from rallypoynt.transactions.selectors import cap_paid, plan_in_force
from rallypoynt.transactions.services.deal_lock import deal_for_update
from rallypoynt.transactions.services.parties import party_add, party_remove

SIDES = ("buy", "sell")
THOUSANDTH = Decimal("0.001")  # shares are stored to 3 decimals: the side must still add up

T = TypeVar("T")


def _price(deal: Deal, *, final: bool) -> Decimal | None:
    prices: tuple[Decimal | None, ...] = (deal.contract_price, deal.offer_price, deal.list_price)
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


def _compute(row: Commission, *, on: date, gross: Decimal) -> list[Split]:
    """Splits of `row`'s `gross` under the agent's plan on `on`, the cap room counted from
    the agent's other final commissions of that cap year."""
    plan = plan_in_force(org_id=row.org_id, member_id=row.agent_id, on=on)
    if plan is None:
        raise ValidationFailed(
            f"{row.agent.user} has no split plan: assign one or mark a plan as the default.",
            fields={"plan": ["assign the agent a split plan"]},
        )
    start, end = cap_year(plan.cap_year_month, plan.cap_year_day, on)
    paid = cap_paid(
        org_id=row.org_id, member_id=row.agent_id, start=start, end=end, exclude_id=row.pk
    )
    terms = PlanTerms(plan.agent_percent, plan.team_percent, plan.annual_cap, plan.post_cap_fee)
    row.gross, row.plan = gross, plan
    return _computed(
        lambda: splits_compute(
            gross=gross,
            plan=terms,
            referral_percent=row.referral_percent,
            cap_paid=paid,
            has_team=row.team_id is not None,
        )
    )


def _computed(call: Callable[[], T]) -> T:
    try:
        return call()
    except CommissionInputError as exc:
        raise ValidationFailed(
            "The commission cannot be computed.", fields={exc.field: [exc.message]}
        ) from exc


def _side_write(
    rows: list[Commission],
    *,
    deal: Deal,
    on: date,
    final: bool,
    actor: Membership | None,
    kind: str,
) -> None:
    """Gross of the side (all its rows share the terms), divided by the agents' shares (the
    largest first, so it takes the rounding), then each agent's splits, one row at a time:
    an agent on both sides sees the first side's cap use."""
    rows = sorted(rows, key=lambda r: (-r.share_percent, r.pk or 0))
    lead = rows[0]
    side_gross = _computed(
        lambda: gross_from_price(
            _price(deal, final=final), rate_percent=lead.rate_percent, flat_amount=lead.flat_amount
        )
    )
    shares = _computed(lambda: gross_shares(side_gross, [r.share_percent for r in rows]))
    for row, gross in zip(rows, shares, strict=True):
        splits = _compute(row, on=on, gross=gross)
        _write(row, splits)
        _recorded(row, splits, actor, kind)


def _write(row: Commission, splits: list[Split]) -> None:
    """Save the commission and replace its splits with `splits`."""
    row.save()
    CommissionSplit.objects.filter(org_id=row.org_id, commission=row).delete()
    names: dict[str, str] = {
        Payee.AGENT: str(row.agent.user),
        Payee.TEAM: row.team.name if row.team is not None else "",
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
    audit_and_emit(
        org_id=row.org_id,
        actor_id=actor_id,
        action=kind,
        target=row,
        changes={"gross": str(row.gross), "splits": summary, "status": row.status},
        kind=kind,
        payload={
            "deal_id": row.deal_id,
            "side": row.side,
            "agent_id": row.agent_id,
            "share_percent": str(row.share_percent),
            "gross": str(row.gross),
            "splits": summary,
            "earned_on": str(row.earned_on) if row.earned_on else None,
        },
    )


def _side_engagement(deal: Deal, side: str) -> Engagement:
    found = (
        DealEngagement.objects.filter(org_id=deal.org_id, deal=deal, side=side)
        .select_related("engagement__agent")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise ValidationFailed(
            f"Nobody works the {side} side of this deal here.",
            fields={"side": ["a side with an engagement on this deal"]},
        )
    return found.engagement


@dataclass(frozen=True)
class CoAgent:
    """A member of the org sharing a side with its agent (co-listing), and their share."""

    member_id: int
    share_percent: Decimal


def _co_agents_check(deal: Deal, lead_id: int, co_agents: Sequence[CoAgent]) -> None:
    """Each co-agent an active member, not the side's agent nor twice; the side's agent keeps
    a part. Raises ValidationFailed naming what is wrong."""
    ids = [c.member_id for c in co_agents]
    known = set(
        Membership.objects.filter(org_id=deal.org_id, pk__in=ids, is_active=True).values_list(
            "pk", flat=True
        )
    )
    errors = []
    if lead_id in ids:
        errors.append("the side's agent is not their own co-agent")
    if len(set(ids)) != len(ids):
        errors.append("each co-agent once")
    errors += [f"member {pk} is not an active member here" for pk in ids if pk not in known]
    if any(c.share_percent <= 0 for c in co_agents):
        errors.append("each share more than 0")
    if any(c.share_percent != c.share_percent.quantize(THOUSANDTH) for c in co_agents):
        errors.append("each share to at most 3 decimals")
    if sum((c.share_percent for c in co_agents), Decimal(0)) >= 100:
        errors.append("the co-agents' shares under 100: the side's agent keeps the rest")
    if errors:
        raise ValidationFailed("The co-agents are not valid.", fields={"co_agents": errors})


def _teams(deal: Deal, engagement: Engagement, agent_ids: list[int]) -> dict[int, int | None]:
    """Each agent's team for the split: the engagement's when they are on it, else their own
    first team (a co-agent from another team pays that team), else none."""
    rows = TeamMember.objects.filter(org_id=deal.org_id, membership_id__in=agent_ids)
    teams: dict[int, int | None] = dict.fromkeys(agent_ids)
    for member_id, team_id in rows.order_by("-pk").values_list("membership_id", "team_id"):
        teams[member_id] = team_id  # newest first, so the earliest team is left
    for member_id, team_id in rows.values_list("membership_id", "team_id"):
        if team_id == engagement.team_id:
            teams[member_id] = team_id
    teams[engagement.agent_id] = engagement.team_id
    return teams


def _side_rows(
    deal: Deal, side: str, engagement: Engagement, co_agents: Sequence[CoAgent]
) -> tuple[list[Commission], list[int]]:
    """The side's rows for its agent and co-agents (existing ones reused, dropped agents'
    deleted), and the ids of the co-agents dropped."""
    existing = {
        row.agent_id: row
        for row in Commission.objects.filter(org_id=deal.org_id, deal=deal, side=side)
    }
    if any(row.status == CommissionStatus.FINAL for row in existing.values()):
        raise Conflict("This commission is final: the deal has closed.")
    shares = {c.member_id: c.share_percent for c in co_agents}
    shares[engagement.agent_id] = Decimal(100) - sum(shares.values(), Decimal(0))
    teams = _teams(deal, engagement, list(shares))
    dropped = [agent_id for agent_id in existing if agent_id not in shares]
    Commission.objects.filter(org_id=deal.org_id, pk__in=[existing[a].pk for a in dropped]).delete()
    rows = []
    for agent_id, share in shares.items():
        row = existing.get(agent_id) or Commission(
            org_id=deal.org_id, deal=deal, side=side, agent_id=agent_id
        )
        row.team_id, row.share_percent = teams[agent_id], share
        rows.append(row)
    return rows, dropped


def _co_agents_on_deal(
    actor: Membership, deal: Deal, side: str, ids: list[int], dropped: list[int]
) -> None:
    """Co-agents become member parties of the deal (so they may see it), once; dropped ones
    leave it (their agent-role party on this side), so they no longer see or act on it."""
    role = PartyRole.LISTING_AGENT if side == "sell" else PartyRole.BUYER_AGENT
    parties = Party.objects.filter(org_id=deal.org_id, deal=deal)
    for party in parties.filter(member_id__in=dropped, role=role):
        party_remove(actor=actor, party_id=party.pk)
    on_deal = set(parties.filter(member_id__in=ids).values_list("member_id", flat=True))
    for member_id in ids:
        if member_id not in on_deal:
            party_add(actor=actor, deal_id=deal.pk, role=role, member_id=member_id)


@transaction.atomic
def commission_set(
    *,
    actor: Membership,
    deal_id: int,
    side: str,
    rate_percent: Decimal | None = None,
    flat_amount: Decimal | None = None,
    referral_percent: Decimal = Decimal(0),
    referral_to: str = "",
    co_agents: Sequence[CoAgent] = (),
) -> Commission:
    """Set one side's commission (a rate of the price or a flat amount, a referral, and any
    co-agents with their shares, replacing the side's earlier ones) and recompute the splits;
    projected until the deal closes, final at once on a closed deal. Returns the side's
    agent's row."""
    deal = deal_for_update(actor, deal_id)
    if side not in SIDES:
        raise ValidationFailed("Buy or sell side?", fields={"side": list(SIDES)})
    engagement = _side_engagement(deal, side)
    reach = reach_for(actor, "commission.set")
    if reach is None or not reach.has_member(engagement.agent):
        raise PermissionDenied("Only the side's agent, their lead or a manager sets commission.")
    referral_to = referral_to.strip()
    if referral_percent and not referral_to:
        raise ValidationFailed(
            "Who gets the referral fee?", fields={"referral_to": ["required with a referral"]}
        )
    _co_agents_check(deal, engagement.agent_id, co_agents)
    rows, dropped = _side_rows(deal, side, engagement, co_agents)
    is_closed = deal.status == DealStatus.CLOSED and deal.closed_on is not None
    if is_closed:
        _agents_lock(deal.org_id, [row.agent_id for row in rows])
    for row in rows:
        row.rate_percent, row.flat_amount = rate_percent, flat_amount
        row.referral_percent, row.referral_to = referral_percent, referral_to[:200]
        row.status = CommissionStatus.FINAL if is_closed else CommissionStatus.PROJECTED
        row.earned_on = deal.closed_on if is_closed else deal.closing_on
    on = rows[0].earned_on or local_today(deal.org)
    _side_write(rows, deal=deal, on=on, final=is_closed, actor=actor, kind="commission.set")
    _co_agents_on_deal(actor, deal, side, [c.member_id for c in co_agents], dropped)
    return next(row for row in rows if row.agent_id == engagement.agent_id)


def _by_side(rows: list[Commission]) -> list[list[Commission]]:
    sides: dict[str, list[Commission]] = {}
    for row in rows:
        sides.setdefault(row.side, []).append(row)
    return [sides[side] for side in sorted(sides)]


@transaction.atomic
def commissions_finalize(
    *, deal: Deal, closed_on: date, actor: Membership | None
) -> list[Commission]:
    """At closing: recompute each projected commission of the deal from its final price and
    the agent's cap as of `closed_on`, and make it final. Call it inside the closing's
    transaction, after setting `final_price` and `closed_on`, with the deal row locked."""
    rows = list(
        Commission.objects.select_for_update(of=("self",))
        .filter(org_id=deal.org_id, deal_id=deal.pk)
        .select_related("agent__user", "team", "org")
        .order_by("side", "pk")
    )
    pending = [row for row in rows if row.status != CommissionStatus.FINAL]
    _agents_lock(deal.org_id, [row.agent_id for row in pending])
    for side in _by_side(pending):
        for row in side:
            row.status, row.earned_on = CommissionStatus.FINAL, closed_on
        _side_write(
            side, deal=deal, on=closed_on, final=True, actor=actor, kind="commission.finalized"
        )
    return rows


@transaction.atomic
def commissions_reproject(*, deal: Deal, actor: Membership | None) -> list[Commission]:
    """Recompute the deal's projected commissions after its price or closing date moved (an
    accepted offer, an amendment); final ones stay as they were paid."""
    rows = list(
        Commission.objects.filter(
            org_id=deal.org_id, deal_id=deal.pk, status=CommissionStatus.PROJECTED
        )
        .select_related("agent__user", "team", "org")
        .order_by("side", "pk")
    )
    on = deal.closing_on or local_today(deal.org)
    for side in _by_side(rows):
        for row in side:
            row.earned_on = deal.closing_on
        _side_write(side, deal=deal, on=on, final=False, actor=actor, kind="commission.reprojected")
    return rows
