"""Commission: what a deal pays, how it splits, and the agents' split plans with caps."""

from __future__ import annotations

from django.db import models

from rallypoynt.core.models import TenantModel
from rallypoynt.transactions.choices import CommissionStatus, Payee

PERCENT = {"max_digits": 6, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}


class SplitPlan(TenantModel):
    """An agent's split: shares of the gross (after referral) to the agent and team, the
    rest to the brokerage until the brokerage's share reaches the annual cap; after the cap
    the agent keeps everything but a per-deal fee."""

    name = models.CharField(max_length=120)
    agent_percent = models.DecimalField(**PERCENT)
    team_percent = models.DecimalField(default=0, **PERCENT)
    annual_cap = models.DecimalField(null=True, blank=True, **MONEY)
    post_cap_fee = models.DecimalField(default=0, **MONEY)
    # The cap year starts on this month and day (an anniversary plan) and runs a year.
    cap_year_month = models.PositiveSmallIntegerField(default=1)
    cap_year_day = models.PositiveSmallIntegerField(default=1)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint("org", "name", name="splitplan_name_uniq")]

    def __str__(self) -> str:
        return self.name


class SplitPlanAssignment(TenantModel):
    """Which plan an agent is on from a date (the latest start on or before a closing wins)."""

    member = models.ForeignKey("orgs.Membership", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(SplitPlan, on_delete=models.PROTECT, related_name="assignments")
    starts_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "member", "starts_on", name="splitassign_uniq"),
        ]


class Commission(TenantModel):
    """What one agent earns on one side of a deal: their share of the side's rate or flat
    gross (co-listing agents share a side), the referral, and the status."""

    deal = models.ForeignKey(
        "transactions.Deal", on_delete=models.CASCADE, related_name="commissions"
    )
    side = models.CharField(max_length=4)  # buy | sell
    agent = models.ForeignKey("orgs.Membership", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.ForeignKey(
        SplitPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rate_percent = models.DecimalField(null=True, blank=True, **PERCENT)
    flat_amount = models.DecimalField(null=True, blank=True, **MONEY)
    # This agent's part of the side's gross; the side's rows add up to 100.
    share_percent = models.DecimalField(default=100, **PERCENT)
    gross = models.DecimalField(**MONEY)
    referral_percent = models.DecimalField(default=0, **PERCENT)
    referral_to = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=CommissionStatus.choices, default=CommissionStatus.PROJECTED
    )
    # The day counted against the cap year (the closing date once final).
    earned_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "org", "deal", "side", "agent", name="commission_side_agent_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["org", "agent", "status", "earned_on"], name="commission_agent"),
        ]


class CommissionSplit(TenantModel):
    """One payee's share of a commission."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="splits")
    payee = models.CharField(max_length=10, choices=Payee.choices)
    member = models.ForeignKey(
        "orgs.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    # Why this amount (e.g. "brokerage 30% capped: 4,000.00 left of the 20,000.00 cap").
    basis = models.CharField(max_length=300, blank=True)
