"""Split plans (agent and team shares, annual cap, post-cap fee) and which agent is on which
plan from when. The plans themselves are the org's (broker-owner, systems admins); an office
manager assigns them to the members of their office only, never to themselves or to a member
holding a broker-granted role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from rallypoynt.core.audit import audit_and_emit
from rallypoynt.core.errors import NotFound, PermissionDenied, ValidationFailed
from rallypoynt.orgs.models import Membership
from rallypoynt.orgs.permissions import can_org_wide, reach_for
from rallypoynt.transactions.domain import (
    CommissionInputError,
    PlanTerms,
    cap_year_check,
    plan_terms_check,
)
from rallypoynt.transactions.models import SplitPlan, SplitPlanAssignment
from rallypoynt.transactions.selectors import ASSIGN_ACTION, split_plan_assignees

CHANGE_ACTION = "split_plans.change"

PLAN_FIELDS = [
    "name",
    "agent_percent",
    "team_percent",
    "annual_cap",
    "post_cap_fee",
    "cap_year_month",
    "cap_year_day",
    "is_default",
]


def plans_admin_check(actor: Membership) -> None:
    """Raise PermissionDenied unless the actor may create or change split plans (org-wide)."""
    if not can_org_wide(actor, CHANGE_ACTION):
        raise PermissionDenied("Only the broker-owner or a systems admin may change split plans.")


def _terms(arguments: dict) -> dict:
    # The service's own keyword arguments that are plan fields (create and update share them).
    return {name: arguments[name] for name in PLAN_FIELDS}


def _validated(actor: Membership, plan_id: int | None, values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values["name"] = values["name"].strip()[:120]
    same_name = SplitPlan.objects.filter(org_id=actor.org_id, name__iexact=values["name"])
    if plan_id is not None:  # an update: the plan itself has its name
        same_name = same_name.exclude(pk=plan_id)
    if not values["name"]:
        errors["name"] = ["required"]
    elif same_name.exists():
        errors["name"] = ["another plan has this name"]
    terms = PlanTerms(
        agent_percent=values["agent_percent"],
        team_percent=values["team_percent"],
        annual_cap=values["annual_cap"],
        post_cap_fee=values["post_cap_fee"],
    )
    for check in (
        lambda: plan_terms_check(terms),
        lambda: cap_year_check(values["cap_year_month"], values["cap_year_day"]),
    ):
        try:
            check()
        except CommissionInputError as exc:
            errors.setdefault(exc.field, []).append(exc.message)
    if errors:
        raise ValidationFailed("The split plan is not valid.", fields=errors)
    return values


def _save(actor: Membership, plan: SplitPlan, values: dict, action: str, kind: str) -> SplitPlan:
    if values["is_default"]:
        # One default per org: the plan of any agent who was never assigned one.
        SplitPlan.objects.filter(org_id=actor.org_id, is_default=True).exclude(pk=plan.pk).update(
            is_default=False
        )
    before = {name: str(getattr(plan, name, "")) for name in PLAN_FIELDS}
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    changes = {n: [before[n], str(values[n])] for n in PLAN_FIELDS if before[n] != str(values[n])}
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action=action,
        target=plan,
        changes=changes,
        kind=kind,
        payload={"name": plan.name, "changes": changes},
    )
    return plan


@transaction.atomic
def split_plan_create(
    *,
    actor: Membership,
    name: str,
    agent_percent: Decimal,
    team_percent: Decimal = Decimal(0),
    annual_cap: Decimal | None = None,
    post_cap_fee: Decimal = Decimal(0),
    cap_year_month: int = 1,
    cap_year_day: int = 1,
    is_default: bool = False,
) -> SplitPlan:
    """A new split plan for the org."""
    plans_admin_check(actor)
    values = _validated(actor, None, _terms(locals()))
    return _save(
        actor, SplitPlan(org_id=actor.org_id), values, "split_plan.create", "split_plan.created"
    )


@transaction.atomic
def split_plan_update(
    *,
    actor: Membership,
    plan_id: int,
    name: str,
    agent_percent: Decimal,
    team_percent: Decimal = Decimal(0),
    annual_cap: Decimal | None = None,
    post_cap_fee: Decimal = Decimal(0),
    cap_year_month: int = 1,
    cap_year_day: int = 1,
    is_default: bool = False,
) -> SplitPlan:
    """Replace a plan's terms; commissions already final keep the splits they were paid on."""
    plans_admin_check(actor)
    plan = SplitPlan.objects.select_for_update().filter(org_id=actor.org_id, pk=plan_id).first()
    if plan is None:
        raise NotFound("No such split plan.")
    values = _validated(actor, plan.pk, _terms(locals()))
    return _save(actor, plan, values, "split_plan.update", "split_plan.updated")


@transaction.atomic
def split_plan_assign(
    *, actor: Membership, member_id: int, plan_id: int, starts_on: date
) -> SplitPlanAssignment:
    """Put an agent on a plan from `starts_on` (the same start again replaces the plan)."""
    reach = reach_for(actor, ASSIGN_ACTION)
    if reach is None:
        raise PermissionDenied("Only the broker-owner, an office manager or a systems admin may.")
    # A departed agent's plan history can still be set, so inactive members count.
    assignees = split_plan_assignees(actor=actor, include_inactive=True)
    member = assignees.filter(pk=member_id).first()
    if member is None:
        # In reach but not assignable (their own plan, the broker's): refused; else missing.
        seen = Membership.objects.filter(reach.members_q(), org_id=actor.org_id, pk=member_id)
        if seen.exists():
            raise PermissionDenied("Only the broker-owner may set this member's plan.")
        raise NotFound("No such member.")
    plan = SplitPlan.objects.filter(org_id=actor.org_id, pk=plan_id).first()
    if plan is None:
        raise ValidationFailed("No such split plan.", fields={"plan_id": ["a plan of this org"]})
    row, _ = SplitPlanAssignment.objects.update_or_create(
        org_id=actor.org_id, member=member, starts_on=starts_on, defaults={"plan": plan}
    )
    audit_and_emit(
        org_id=actor.org_id,
        actor_id=actor.user_id,
        action="split_plan.assign",
        target=row,
        changes={"member_id": member.pk, "plan": plan.name, "starts_on": str(starts_on)},
        kind="split_plan.assigned",
        payload={"member_id": member.pk, "plan_id": plan.pk, "starts_on": str(starts_on)},
    )
    return row
