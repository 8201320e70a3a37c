"""Commission arithmetic, pure (no database): the gross from a price, the split of a gross
between referral, agent, team and brokerage under a plan with an annual cap, and cap years."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rallypoynt.transactions.choices import Payee

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class CommissionInputError(ValueError):
    """Input the arithmetic cannot work with; `field` names the culprit for the caller."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PlanTerms:
    """The part of a split plan the arithmetic needs."""

    agent_percent: Decimal
    team_percent: Decimal = ZERO
    annual_cap: Decimal | None = None
    post_cap_fee: Decimal = ZERO


@dataclass(frozen=True)
class Split:
    payee: str
    amount: Decimal
    basis: str


def money(value: Decimal | int | str) -> Decimal:
    """Round to cents, half up (never banker's rounding for money)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    return f"{money(value):,.2f}"


def pct(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}%"


def _check_percent(field: str, value: Decimal) -> None:
    if not ZERO <= Decimal(value) <= HUNDRED:
        raise CommissionInputError(field, "between 0 and 100")


def plan_terms_check(terms: PlanTerms) -> None:
    """Raise CommissionInputError when a plan's terms make no sense."""
    _check_percent("agent_percent", terms.agent_percent)
    _check_percent("team_percent", terms.team_percent)
    if terms.agent_percent + terms.team_percent > HUNDRED:
        raise CommissionInputError("team_percent", "agent and team together at most 100")
    if terms.annual_cap is not None and terms.annual_cap < 0:
        raise CommissionInputError("annual_cap", "0 or more")
    if terms.post_cap_fee < 0:
        raise CommissionInputError("post_cap_fee", "0 or more")


def gross_from_price(
    price: Decimal | None,
    *,
    rate_percent: Decimal | None = None,
    flat_amount: Decimal | None = None,
) -> Decimal:
    """The commission a side earns: `rate_percent` of the price, or a flat amount."""
    if (rate_percent is None) == (flat_amount is None):
        raise CommissionInputError("rate_percent", "give a rate or a flat amount, not both")
    if flat_amount is not None:
        if flat_amount < 0:
            raise CommissionInputError("flat_amount", "0 or more")
        return money(flat_amount)
    assert rate_percent is not None, "exactly one of rate and flat amount is given"
    _check_percent("rate_percent", rate_percent)
    if price is None:
        raise CommissionInputError("price", "the deal has no price to take a rate of")
    return money(Decimal(price) * rate_percent / HUNDRED)


def gross_shares(gross: Decimal, shares: list[Decimal]) -> list[Decimal]:
    """`gross` divided among agents by their percent `shares` (adding up to 100); the first
    takes the cents rounding leaves, so the parts add up to the gross exactly."""
    for share in shares:
        if not ZERO < Decimal(share) <= HUNDRED:
            raise CommissionInputError("share_percent", "more than 0 and at most 100")
    if sum(shares, ZERO) != HUNDRED:
        raise CommissionInputError("share_percent", "the agents' shares add up to 100")
    rest = [money(gross * Decimal(share) / HUNDRED) for share in shares[1:]]
    return [money(gross) - sum(rest, ZERO), *rest]


def splits_compute(
    *,
    gross: Decimal,
    plan: PlanTerms,
    referral_percent: Decimal = ZERO,
    cap_paid: Decimal = ZERO,
    has_team: bool = False,
) -> list[Split]:
    """Referral off the top; of the net, the agent's and team's shares, the brokerage the
    rest up to what is left of its annual cap (the agent keeps what the cap spares); once
    capped, the brokerage takes only the per-deal fee. The amounts add up to the gross."""
    plan_terms_check(plan)
    _check_percent("referral_percent", referral_percent)
    if gross < 0:
        raise CommissionInputError("gross", "0 or more")
    gross = money(gross)
    splits = []
    referral = money(gross * Decimal(referral_percent) / HUNDRED)
    if referral_percent:
        splits.append(Split(Payee.REFERRAL, referral, f"referral {pct(referral_percent)} of gross"))
    net = gross - referral
    team = money(net * plan.team_percent / HUNDRED) if has_team else ZERO
    agent = money(net * plan.agent_percent / HUNDRED)
    agent_basis = f"agent {pct(plan.agent_percent)} of net {fmt(net)}"
    if not has_team and plan.team_percent:
        # The team's cut is an arrangement between a team and its agents: a solo agent keeps it.
        agent = money(net * (plan.agent_percent + plan.team_percent) / HUNDRED)
        agent_basis += f" + the team's {pct(plan.team_percent)} (no team)"
    brokerage, broker_basis = _brokerage_share(net - agent - team, net, plan, cap_paid)
    team_basis = f"team {pct(plan.team_percent)} of net {fmt(net)}"
    if team > net - brokerage:
        # A fee that eats the whole net leaves the team only what is left.
        team, team_basis = (
            net - brokerage,
            team_basis + f", cut to {fmt(net - brokerage)} by the fee",
        )
    change = net - team - brokerage - agent
    if change > 0:
        agent_basis += f" + {fmt(change)} spared by the cap"
    elif change < 0:
        agent_basis += f" - {fmt(-change)} toward the per-deal fee"
    agent += change
    splits.append(Split(Payee.AGENT, agent, agent_basis))
    if has_team:
        splits.append(Split(Payee.TEAM, team, team_basis))
    splits.append(Split(Payee.BROKERAGE, brokerage, broker_basis))
    return splits


def _brokerage_share(
    share: Decimal, net: Decimal, plan: PlanTerms, cap_paid: Decimal
) -> tuple[Decimal, str]:
    """The brokerage's amount and why: the plan's rest, limited by the cap's room."""
    rest = HUNDRED - plan.agent_percent - plan.team_percent
    basis = f"brokerage {pct(rest)} of net {fmt(net)}"
    if plan.annual_cap is None:
        return share, basis
    room = max(money(plan.annual_cap) - money(cap_paid), ZERO)
    cap = fmt(plan.annual_cap)
    if room == 0:
        fee = min(money(plan.post_cap_fee), net)
        return fee, f"cap of {cap} reached this cap year: per-deal fee {fmt(fee)}"
    if share > room:
        return room, f"{basis}, limited to the {fmt(room)} left of the {cap} cap"
    return share, f"{basis} ({fmt(room - share)} left of the {cap} cap after this deal)"


def _anniversary(year: int, month: int, day: int) -> date:
    # A Feb 29 plan starts its year on Feb 28 when the year has no Feb 29.
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def cap_year_check(month: int, day: int) -> None:
    """Raise CommissionInputError unless month/day is a day of some year (Feb 29 is)."""
    if not 1 <= month <= 12:
        raise CommissionInputError("cap_year_month", "1 to 12")
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:
        raise CommissionInputError("cap_year_day", "a day of that month")


def cap_year(month: int, day: int, on: date) -> tuple[date, date]:
    """The cap year holding `on` for a plan whose year starts each month/day: first and last
    day, both inclusive."""
    cap_year_check(month, day)
    start = _anniversary(on.year, month, day)
    if start > on:
        start = _anniversary(on.year - 1, month, day)
    following = _anniversary(start.year + 1, month, day)
    return start, following - timedelta(days=1)
