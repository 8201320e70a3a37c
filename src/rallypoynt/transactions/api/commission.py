"""API: split plans and assignments, a deal's commissions per side, and an agent's
commission statement (JSON or CSV)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from rallypoynt.core.api.schemas import ERRORS, file_responses
from rallypoynt.core.api.types import BoundedDate, Int64, Money, Percent, PositiveInt16
from rallypoynt.transactions import selectors
from rallypoynt.transactions.services import commission, commission_plans

router = Router(tags=["commission"])

PERCENT = {"ge": 0, "le": 100}


class SplitPlanIn(Schema):
    name: str = Field(max_length=120)
    agent_percent: Percent = Field(**PERCENT)
    team_percent: Percent = Field(Decimal(0), **PERCENT)
    annual_cap: Money | None = Field(None, ge=0)
    post_cap_fee: Money = Field(Decimal(0), ge=0)
    cap_year_month: int = Field(1, ge=1, le=12)
    cap_year_day: int = Field(1, ge=1, le=31)
    is_default: bool = False


class SplitPlanOut(Schema):
    id: Int64
    name: str
    agent_percent: Decimal
    team_percent: Decimal
    annual_cap: Decimal | None
    post_cap_fee: Decimal
    cap_year_month: PositiveInt16
    cap_year_day: PositiveInt16
    is_default: bool


class AssignmentIn(Schema):
    member_id: Int64
    plan_id: Int64
    starts_on: BoundedDate


class AssignmentOut(Schema):
    id: Int64
    member_id: Int64
    plan_id: Int64
    starts_on: date


@router.get("/split-plans", response={200: list[SplitPlanOut], **ERRORS})
def split_plan_list_endpoint(request):
    """The org's split plans (broker-owner, office managers, systems admins, compliance)."""
    return selectors.split_plan_list(actor=request.auth)


@router.post("/split-plans", response={201: SplitPlanOut, **ERRORS})
def split_plan_create_endpoint(request, body: SplitPlanIn):
    return Status(201, commission_plans.split_plan_create(actor=request.auth, **body.dict()))


@router.put("/split-plans/{plan_id}", response={200: SplitPlanOut, **ERRORS})
def split_plan_update_endpoint(request, plan_id: Int64, body: SplitPlanIn):
    """Replace a plan's terms; final commissions keep what they were paid on."""
    return commission_plans.split_plan_update(actor=request.auth, plan_id=plan_id, **body.dict())


@router.post("/split-plan-assignments", response={201: AssignmentOut, **ERRORS})
def split_plan_assign_endpoint(request, body: AssignmentIn):
    """Put an agent on a plan from a date; the latest start on or before a closing applies."""
    return Status(201, commission_plans.split_plan_assign(actor=request.auth, **body.dict()))


class SplitOut(Schema):
    payee: str
    name: str
    member_id: Int64 | None
    amount: Decimal
    basis: str


class CommissionOut(Schema):
    id: Int64
    side: str
    status: str
    agent_id: Int64
    agent_name: str
    team_id: Int64 | None
    plan_id: Int64 | None
    plan_name: str | None
    rate_percent: Decimal | None
    flat_amount: Decimal | None
    share_percent: Decimal
    gross: Decimal
    referral_percent: Decimal
    referral_to: str
    earned_on: date | None
    splits: list[SplitOut]

    @staticmethod
    def resolve_agent_name(row) -> str:
        return str(row.agent.user)

    @staticmethod
    def resolve_plan_name(row) -> str | None:
        return row.plan.name if row.plan_id else None

    @staticmethod
    def resolve_splits(row) -> list:
        return list(row.splits.all())


class DealCommissionsOut(Schema):
    deal_id: Int64
    commissions: list[CommissionOut]
    totals: dict[str, Decimal]


class CoAgentIn(Schema):
    member_id: Int64
    share_percent: Percent = Field(**PERCENT)


class CommissionIn(Schema):
    side: str
    rate_percent: Percent | None = Field(None, **PERCENT)
    flat_amount: Money | None = Field(None, ge=0)
    referral_percent: Percent = Field(Decimal(0), **PERCENT)
    referral_to: str = Field("", max_length=200)
    co_agents: list[CoAgentIn] = Field(default_factory=list, max_length=10)


def _deal_statement(request, deal_id: Int64) -> dict:
    rows = selectors.commission_list_for_deal(actor=request.auth, deal_id=deal_id)
    totals = {"gross": sum((row.gross for row in rows), Decimal("0.00"))}
    for row in rows:
        for split in row.splits.all():
            totals[split.payee] = totals.get(split.payee, Decimal("0.00")) + split.amount
    return {"deal_id": deal_id, "commissions": rows, "totals": totals}


@router.get("/transactions/{deal_id}/commissions", response={200: DealCommissionsOut, **ERRORS})
def commission_list_endpoint(request, deal_id: Int64):
    """The deal's commission per side with each payee's split and why, and the totals."""
    return _deal_statement(request, deal_id)


@router.put("/transactions/{deal_id}/commissions", response={200: DealCommissionsOut, **ERRORS})
def commission_put_endpoint(request, deal_id: Int64, body: CommissionIn):
    """Set one side's commission: `rate_percent` of the price or a `flat_amount`, a referral
    off the top, and `co_agents` sharing the side (their `share_percent`s; the side's agent
    keeps the rest; the list replaces the earlier one). Each agent's splits come from their
    own plan and cap; co-agents become parties of the deal."""
    values = body.dict(exclude={"co_agents"})
    co_agents = [commission.CoAgent(c.member_id, c.share_percent) for c in body.co_agents]
    commission.commission_set(actor=request.auth, deal_id=deal_id, co_agents=co_agents, **values)
    return _deal_statement(request, deal_id)


class StatementQuery(Schema):
    start: BoundedDate
    end: BoundedDate
    include_projected: bool = False


class StatementRowOut(Schema):
    commission_id: Int64
    deal_id: Int64
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


class CapOut(Schema):
    plan: str
    start: date
    end: date
    cap: Decimal | None
    paid: Decimal
    remaining: Decimal | None


class StatementOut(Schema):
    member_id: Int64
    member_name: str
    start: date
    end: date
    rows: list[StatementRowOut]
    totals: dict[str, Decimal]
    cap: CapOut | None


def _statement(request, member_id: Int64, query: StatementQuery) -> selectors.AgentStatement:
    return selectors.agent_statement(actor=request.auth, member_id=member_id, **query.dict())


@router.get("/members/{member_id}/commission-statement", response={200: StatementOut, **ERRORS})
def commission_statement_endpoint(request, member_id: Int64, query: Query[StatementQuery]):
    """What the agent earned in the period, per deal and in total, and their cap progress in
    the current cap year. The agent, their team lead, office manager, broker and compliance."""
    return _statement(request, member_id, query)


@router.get(
    "/members/{member_id}/commission-statement.csv",
    response=ERRORS,
    openapi_extra=file_responses("CSV file", "text/csv"),
)
def commission_statement_csv_endpoint(request, member_id: Int64, query: Query[StatementQuery]):
    """The same statement as a CSV file (one line per commission, then the totals)."""
    found = _statement(request, member_id, query)
    response = HttpResponse(selectors.statement_csv(found), content_type="text/csv; charset=utf-8")
    name = f"commission-{member_id}-{query.start}-{query.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
