"""Reads of split plans: which plan an agent is on, the brokerage's take toward the annual
cap so far, and the plan lists for the people who administer them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from rallypoynt.core.errors import PermissionDenied
from rallypoynt.orgs.choices import Role
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import OWNER_GRANTED_ROLES, reach_for
from rallypoynt.orgs.selectors import member_list
from rallypoynt.transactions.choices import CommissionStatus, Payee
from rallypoynt.transactions.domain import ZERO, cap_year, money
from rallypoynt.transactions.models import CommissionSplit, SplitPlan, SplitPlanAssignment

ASSIGN_ACTION = "split_plans.assign"
PLAN_ADMIN_ROLES = frozenset({Role.BROKER_OWNER, Role.OFFICE_MANAGER, Role.SYSTEMS_ADMIN})
# Compliance reads the plans (it audits statements) but does not change them.
PLAN_READ_ROLES = PLAN_ADMIN_ROLES | {Role.COMPLIANCE_OFFICER}


@dataclass(frozen=True)
class CapProgress:
    plan: str
    start: date
    end: date
    cap: Decimal | None
    paid: Decimal
    remaining: Decimal | None

    @property
    def percent(self) -> int:
        """How full the cap is, 0 to 100, for the progress bar."""
        if not self.cap:
            return 0
        return min(100, int(self.paid * 100 / self.cap))


def plan_in_force(*, org_id: int, member_id: int, on: date) -> SplitPlan | None:
    """The member's plan on a day: the latest assignment starting on or before it, else the
    org's default plan."""
    assigned = (
        SplitPlanAssignment.objects.filter(org_id=org_id, member_id=member_id, starts_on__lte=on)
        .select_related("plan")
        .order_by("-starts_on")
        .first()
    )
    if assigned is not None:
        return assigned.plan
    return SplitPlan.objects.filter(org_id=org_id, is_default=True).order_by("pk").first()


def cap_paid(
    *, org_id: int, member_id: int, start: date, end: date, exclude_id: int | None = None
) -> Decimal:
    """What the brokerage was paid from the member's final commissions earned start..end."""
    rows = CommissionSplit.objects.filter(
        org_id=org_id,
        payee=Payee.BROKERAGE,
        commission__agent_id=member_id,
        commission__status=CommissionStatus.FINAL,
        commission__earned_on__range=(start, end),
    )
    if exclude_id is not None:
        rows = rows.exclude(commission_id=exclude_id)
    return money(rows.aggregate(total=Sum("amount"))["total"] or ZERO)


def cap_progress(*, org_id: int, member_id: int, on: date) -> CapProgress | None:
    """Paid, cap and what is left of it in the cap year holding `on` (None without a plan)."""
    plan = plan_in_force(org_id=org_id, member_id=member_id, on=on)
    if plan is None:
        return None
    start, end = cap_year(plan.cap_year_month, plan.cap_year_day, on)
    paid = cap_paid(org_id=org_id, member_id=member_id, start=start, end=end)
    cap = plan.annual_cap
    remaining = None if cap is None else max(money(cap) - paid, ZERO)
    return CapProgress(plan.name, start, end, cap, paid, remaining)


def plans_read_check(actor: Membership) -> None:
    """Raise PermissionDenied unless the actor may read the org's split plans."""
    if not actor.is_active or not actor.roles & PLAN_READ_ROLES:
        raise PermissionDenied("Split plans are for the broker-owner, managers and compliance.")


def split_plan_list(*, actor: Membership) -> list[SplitPlan]:
    """The org's split plans by name (plan readers only)."""
    plans_read_check(actor)
    return list(SplitPlan.objects.filter(org_id=actor.org_id).order_by("name"))


def split_plan_choices(*, actor: Membership) -> QuerySet[SplitPlan]:
    """The org's split plans to pick from, by name (none for someone who may not read them)."""
    plans = SplitPlan.objects.filter(org_id=actor.org_id).order_by("name")
    if not actor.is_active or not actor.roles & PLAN_READ_ROLES:
        return plans.none()
    return plans


def split_plan_assignment_list(*, actor: Membership) -> QuerySet[SplitPlanAssignment]:
    """Who is on which plan from when, newest start first per member (plan readers only)."""
    plans_read_check(actor)
    return (
        SplitPlanAssignment.objects.filter(org_id=actor.org_id)
        .select_related("member__user", "plan")
        .order_by("member__user__last_name", "member_id", "-starts_on")
    )


def split_plan_assignees(
    *, actor: Membership, include_inactive: bool = False
) -> QuerySet[Membership]:
    """The members whose plan the actor may set: those in their reach (an office manager: their
    office), never themselves unless org-wide, and no holder of a broker-granted role unless the
    actor is the broker-owner (nobody raises their own pay)."""
    reach = reach_for(actor, ASSIGN_ACTION)
    if reach is None:
        return member_list(actor=actor).none()
    members = member_list(actor=actor, include_inactive=include_inactive)
    members = members.filter(reach.members_q())
    if not reach.is_org_wide:
        members = members.exclude(pk=actor.pk)
    if not actor.has_role(Role.BROKER_OWNER):
        members = members.exclude(role_assignments__role__in=OWNER_GRANTED_ROLES)
    return members
